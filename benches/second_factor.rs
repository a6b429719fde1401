//! F2/F5: what a second factor adds to a sign-in.
//! - CPU: opening the sealed secret (AES-GCM) and checking a code against three time steps
//!   (three HMAC-SHA-1);
//! - end to end, over HTTP against an embedded (SQLite) server with production argon2: the
//!   password step of accounts without and with an app, and the code step that follows (the
//!   page and the POST: the secret opened, the step accepted by one conditional UPDATE, the
//!   activity written).
//!
//! - F10, CPU: verifying a passkey's assertion with `webauthn-rs` (ES256 through OpenSSL: the
//!   client data, the authenticator data, the signature, the counter), against a software
//!   authenticator's real answers.
//!
//! Run: `cargo bench --bench second_factor`. Prints numbers; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use lanyard::accounts::admin::Actor;
use lanyard::app::{self, AppState};
use lanyard::clock::Clock;
use lanyard::domain::user::UserType;
use lanyard::secret::Secret;

use lanyard::accounts::totp;
use lanyard::secret::Sealer;

fn per_call(n: u32, mut f: impl FnMut()) -> f64 {
    let start = lanyard::clock::monotonic_now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_nanos() as f64 / f64::from(n) / 1000.0
}

fn cpu() {
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

const PASSWORD: &str = "Correct-Horse9";
const PEOPLE: usize = 100;

fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    html[start..].split('"').next().unwrap().to_string()
}

fn median_ms(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

/// The password step for `login`; returns its time and the browser that took it.
async fn password(base: &str, login: &str) -> (Duration, reqwest::Client) {
    let client =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let csrf = csrf_of(&client.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap());
    let started = Instant::now();
    let form = [("csrf", csrf.as_str()), ("login_name", login), ("password", PASSWORD), ("provider_code", "ACME")];
    let res = client.post(format!("{base}/login")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    (started.elapsed(), client)
}

async fn end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let env = [
        ("LANYARD_DATA_DIR", dir.path().display().to_string()),
        ("LANYARD_ISSUER", format!("http://localhost:{}", addr.port())),
        ("LANYARD_SIGNIN_LIMIT_PER_IP", "1000000".to_string()),
        ("LANYARD_SIGNIN_LIMIT_PER_ACCOUNT", "1000000".to_string()),
        ("LANYARD_LOG_LEVEL", "error".to_string()),
    ];
    let config =
        lanyard::config::load(None, false, &|k| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())).unwrap();
    let state = AppState::build(config, Clock::system()).await.unwrap();
    let accounts = state.accounts.clone();
    let operator = accounts.admin(Actor::operator());
    operator.create_tenant("ACME", "Acme").await.unwrap();
    let mut secrets = Vec::new();
    for i in 0..PEOPLE {
        for kind in ["plain", "app"] {
            let login = format!("{kind}{i}");
            operator.create_user("ACME", &login, UserType::Regular, &Secret::new(PASSWORD), false).await.unwrap();
        }
        let (tenant, user) = operator.user("ACME", &format!("app{i}")).await.unwrap();
        let factors = accounts.factors();
        let sid = format!("bench-{i}");
        let proposal = factors.propose_app(&sid, &user, &tenant, "Lanyard").await.unwrap();
        let secret = totp_rs::Secret::Encoded(proposal.secret).to_bytes().unwrap();
        let now = lanyard::clock::Clock::system().now();
        let code = totp::code_at(&secret, now).unwrap();
        factors.confirm_app(&sid, &user, &tenant, &code, "", &Default::default()).await.unwrap();
        secrets.push(secret);
    }
    tokio::spawn(app::serve(listener, state.clone(), std::future::pending()));
    let base = format!("http://{addr}");
    let (mut plain, mut with_app, mut code_step) = (Vec::new(), Vec::new(), Vec::new());
    for (i, secret) in secrets.iter().enumerate() {
        plain.push(password(&base, &format!("plain{i}")).await.0);
        let (took, client) = password(&base, &format!("app{i}")).await;
        with_app.push(took);
        let started = Instant::now();
        let page = client.get(format!("{base}/sign-in/second-factor")).send().await.unwrap().text().await.unwrap();
        // The enrolment took this step; the app's next code is within the drift allowed.
        let code = totp::code_at(secret, lanyard::clock::Clock::system().now() + 30).unwrap();
        let form = [("csrf", csrf_of(&page)), ("code", code)];
        let res = client.post(format!("{base}/sign-in/second-factor")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 303, "the code completes the sign-in");
        code_step.push(started.elapsed());
    }
    let (p, a, c) = (median_ms(plain), median_ms(with_app), median_ms(code_step));
    println!("F5 sign-in end to end, embedded SQLite, {PEOPLE} people each (medians):");
    println!("  password step, no app                  {p:.2} ms");
    println!("  password step, app enrolled            {a:.2} ms");
    println!("  code step (page + POST)                {c:.2} ms");
    println!(
        "  added by the second factor             {:.2} ms ({:.0} % of a password-only sign-in)",
        a + c - p,
        100.0 * (a + c - p) / p
    );
}

fn webauthn() {
    use webauthn_authenticator_rs::WebauthnAuthenticator;
    use webauthn_authenticator_rs::softpasskey::SoftPasskey;
    use webauthn_rs::WebauthnBuilder;
    use webauthn_rs::prelude::{Url, Uuid};

    let origin = Url::parse("https://id.example.org").unwrap();
    let party = WebauthnBuilder::new("id.example.org", &origin).unwrap().build().unwrap();
    let mut key = WebauthnAuthenticator::new(SoftPasskey::new(true));
    let (options, state) =
        party.start_securitykey_registration(Uuid::new_v4(), "alice", "alice", None, None, None).unwrap();
    let answer = key.do_registration(origin.clone(), options).unwrap();
    let mut registered = party.finish_securitykey_registration(&answer, &state).unwrap();
    let n = 300u32;
    let mut verify = Duration::ZERO;
    let mut start = Duration::ZERO;
    for _ in 0..n {
        let t = Instant::now();
        let (options, state) = party.start_securitykey_authentication(std::slice::from_ref(&registered)).unwrap();
        start += t.elapsed();
        let answer = key.do_authentication(origin.clone(), options).unwrap();
        let t = Instant::now();
        let result = party.finish_securitykey_authentication(&answer, &state).unwrap();
        verify += t.elapsed();
        registered.update_credential(&result);
    }
    let us = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(n);
    println!("F10 passkey, CPU per sign-in ({n} runs, ES256):");
    println!("  start an assertion (challenge, options) {:.1} µs", us(start));
    println!("  verify the answer (webauthn-rs)         {:.1} µs", us(verify));
}

fn main() {
    cpu();
    webauthn();
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(end_to_end());
}
