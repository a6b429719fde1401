//! Architecture invariants of ARCHITECTURE.md, checked as ordinary tests.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn only_store_imports_sea_orm_or_redis() {
    for file in rust_files(&src()) {
        let rel = file.strip_prefix(src()).unwrap().to_string_lossy().to_string();
        if rel.starts_with("store/") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for needle in ["sea_orm", "redis::", "use redis", "migrations::"] {
            assert!(!text.contains(needle), "{rel} mentions {needle}: only src/store/ may talk to the database");
        }
    }
}

#[test]
fn only_the_clock_reads_wall_time() {
    for file in rust_files(&src()) {
        let rel = file.strip_prefix(src()).unwrap().to_string_lossy().to_string();
        if rel == "clock.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for needle in ["SystemTime::now", "Instant::now", "now_utc()", "Utc::now", "thread::sleep"] {
            assert!(!text.contains(needle), "{rel} reads wall time ({needle}); take `now` from Clock");
        }
    }
}

#[test]
fn every_config_key_is_documented_in_the_example() {
    let example =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/config.example.toml")).unwrap();
    for key in lanyard::config::keys() {
        assert!(
            example.contains(&format!("# {key} =")) || example.contains(&format!("{key} =")),
            "{key} is not in deploy/config.example.toml"
        );
        assert!(
            example.contains(&lanyard::config::env_name(key)),
            "{} is not in deploy/config.example.toml",
            lanyard::config::env_name(key)
        );
    }
}

#[test]
fn source_files_stay_small() {
    for file in rust_files(&src()) {
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let lines = code.lines().filter(|l| !l.trim().is_empty()).count();
        assert!(lines <= 500, "{} has {lines} lines of non-test code: split it by concept", file.display());
    }
}
