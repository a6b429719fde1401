use std::process::ExitCode;

fn main() -> ExitCode {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fixed_mmap_threshold();
    lanyard::cli::main()
}

/// glibc's malloc raises its mmap threshold whenever a large block is freed, so after the first
/// argon2 hash every later 19 MiB hash block comes from a per-thread arena that keeps it for the
/// life of the process (a login flood left 65 MiB resident, 806 MiB before the hash threads kept
/// their memory; `benches/login_flood.sh`). With a fixed threshold, a tunable glibc reads only
/// at start, those blocks stay mmapped and go back to the system when a hash thread falls idle
/// (27 MiB idle after the same flood). So the process starts itself again with the tunable set,
/// once, unless it is already set (operators may choose their own).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn fixed_mmap_threshold() {
    use std::os::unix::process::CommandExt;
    const TUNABLE: &str = "glibc.malloc.mmap_threshold=1048576";
    let current = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
    if current.contains("glibc.malloc.mmap_threshold") {
        return;
    }
    let tunables = if current.is_empty() { TUNABLE.to_string() } else { format!("{current}:{TUNABLE}") };
    let mut args = std::env::args_os();
    let name = args.next().unwrap_or_else(|| "lanyard".into());
    // Only returns if the exec failed: then run as we are, with glibc's default behaviour.
    let _ = std::process::Command::new("/proc/self/exe").arg0(name).args(args).env("GLIBC_TUNABLES", tunables).exec();
}
