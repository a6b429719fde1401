use std::process::ExitCode;

fn main() -> ExitCode {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    malloc_tunables();
    lanyard::cli::main()
}

/// glibc's malloc tunables, which it reads only at start: the process starts itself again with
/// them set, once. Each is left as the operator set it, if they did.
///
/// - `mmap_threshold`: glibc raises its mmap threshold whenever a large block is freed, so after
///   the first argon2 hash every later 19 MiB hash block comes from a per-thread arena that keeps
///   it for the life of the process (a login flood left 65 MiB resident, 806 MiB before the hash
///   threads kept their memory; `benches/login_flood.sh`). With a fixed threshold those blocks
///   stay mmapped and go back to the system when a hash thread falls idle (27 MiB after the
///   same flood).
/// - `arena_max`: glibc gives a thread that meets contention an arena of its own, up to eight
///   per core, and what is freed in an arena stays with it. After the growth bench's
///   million-user run the SQLite server sat at 72 MiB idle; with two arenas at 56 MiB, with the
///   same token, login and export throughput (benches/RESULTS.md, issue 31).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn malloc_tunables() {
    use std::os::unix::process::CommandExt;
    const TUNABLES: [(&str, &str); 2] = [("glibc.malloc.mmap_threshold", "1048576"), ("glibc.malloc.arena_max", "2")];
    let current = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
    let missing: Vec<String> = TUNABLES
        .iter()
        .filter(|(name, _)| !current.contains(name))
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    if missing.is_empty() {
        return;
    }
    let tunables = std::iter::once(current).filter(|c| !c.is_empty()).chain(missing).collect::<Vec<_>>().join(":");
    let mut args = std::env::args_os();
    let name = args.next().unwrap_or_else(|| "lanyard".into());
    // Only returns if the exec failed: then run as we are, with glibc's default behaviour.
    let _ = std::process::Command::new("/proc/self/exe").arg0(name).args(args).env("GLIBC_TUNABLES", tunables).exec();
}
