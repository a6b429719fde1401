//! F2/F5: what a second factor adds to a sign-in, in CPU: opening the sealed secret (AES-GCM)
//! and checking a code against three time steps (three HMAC-SHA-1). The store's one conditional
//! UPDATE that accepts the step is a write like the sign-in's own and is measured with them
//! (`cargo bench --bench sign_in`). Prints numbers; asserts nothing.

use lanyard::accounts::totp;
use lanyard::secret::Sealer;

fn per_call(n: u32, mut f: impl FnMut()) -> f64 {
    let start = lanyard::clock::monotonic_now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_nanos() as f64 / f64::from(n) / 1000.0
}

fn main() {
    let secret = [7u8; totp::SECRET_BYTES];
    let sealer = Sealer::new(&"k".repeat(32));
    let sealed = sealer.seal("totp-app:1", &secret);
    let now = 1_800_000_000;
    let right = totp::code_at(&secret, now).unwrap_or_default();
    let n = 20_000;
    let open = per_call(n, || {
        std::hint::black_box(sealer.open("totp-app:1", &sealed));
    });
    let check_right = per_call(n, || {
        std::hint::black_box(totp::matching_step(&secret, &right, now));
    });
    let check_wrong = per_call(n, || {
        std::hint::black_box(totp::matching_step(&secret, "000001", now));
    });
    println!("F2 second factor, CPU per check ({n} runs each):");
    println!("  open the sealed secret (AES-256-GCM)   {open:.2} µs");
    println!("  right code (3 steps, HMAC-SHA-1)       {check_right:.2} µs");
    println!("  wrong code (3 steps, HMAC-SHA-1)       {check_wrong:.2} µs");
}
