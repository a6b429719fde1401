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
        for needle in ["sea_orm", "rusqlite", "redis::", "use redis", "migrations::"] {
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

/// Compose files and manifests name only settings Lanyard reads (a typo there is silently ignored
/// by a container runtime).
#[test]
fn deploy_files_name_only_real_settings() {
    let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy");
    let known: Vec<String> = lanyard::config::keys().map(lanyard::config::env_name).collect();
    let files = ["compose.yaml", "compose.scale-out.yaml", "k8s/lanyard.yaml", "Containerfile", "lanyard.service"];
    for file in files {
        let text = std::fs::read_to_string(deploy.join(file)).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("LANYARD_") {
            let name: String =
                rest[at..].chars().take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_').collect();
            let setting = name.strip_suffix("_FILE").unwrap_or(&name);
            assert!(
                known.iter().any(|k| k == setting) || setting == "LANYARD_CONFIG",
                "deploy/{file} names {name}, which Lanyard does not read"
            );
            rest = &rest[at + name.len()..];
        }
    }
}

/// Issue 26: who acts in an administrative write is an argument, never a default. The operator
/// at a shell is made only by the CLI, Lanyard itself only by its demo's seed; everything else
/// (the administration API) names the caller it found.
#[test]
fn only_the_cli_speaks_for_the_operator() {
    for file in rust_files(&src()) {
        let rel = file.strip_prefix(src()).unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let definition = rel == "accounts/admin/actor.rs";
        if code.contains("Actor::operator()") {
            assert!(definition || rel.starts_with("cli/"), "{rel} acts as the CLI's operator");
        }
        if code.contains("Actor::lanyard()") {
            // The demo's seed and the console's registration at start.
            assert!(definition || rel == "cli/demo.rs" || rel == "app.rs", "{rel} acts as Lanyard itself");
        }
        assert!(!code.contains("acting_as") && !code.contains("Acting::cli"), "{rel}: an actor by default");
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

/// The layers of ARCHITECTURE.md, top to bottom: a file may import only from a lower layer (or
/// its own module). Modules on one line are peers and never import each other.
const LAYERS: &[&[&str]] = &[
    &["main"],
    &["cli"],
    &["app"],
    &["admin", "oidc", "web", "demo_apps", "console"],
    &["http"],
    &["accounts"],
    &["store", "mail"],
    &["domain"],
    &["i18n"],
    &["telemetry"],
    &["config"],
    &["clock", "secret"],
];

/// Imports that run from a lower layer to a higher one, each with its reason (ARCHITECTURE.md).
/// At most one may ever be listed here.
const UPWARD_EXCEPTIONS: &[(&str, &str)] = &[];

/// Besides `accounts/`, only these files may reach the store: the wiring, and the protocol's own
/// artefacts through their narrow types (codes and tokens; signing keys).
const STORE_USERS: &[&str] = &["app.rs", "oidc/grants.rs", "oidc/key_ring.rs"];

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| l.contains(&module))
        .unwrap_or_else(|| panic!("src/{module} is in no layer: add it to LAYERS here and to ARCHITECTURE.md"))
}

#[test]
fn imports_run_down_the_layers_only() {
    use crate::module_graph::{module_graph, top_module};
    let graph = module_graph(&src());
    let mut upward = Vec::new();
    for (file, imports) in &graph {
        let from = top_module(file);
        if from == "lib" {
            continue;
        }
        for target in imports {
            let to = top_module(target);
            if to == from || to == "lib" {
                continue;
            }
            if layer_of(to) <= layer_of(from) && !UPWARD_EXCEPTIONS.contains(&(file.as_str(), target.as_str())) {
                upward.push(format!("{file} -> {target}"));
            }
            if to == "store" && from != "accounts" {
                assert!(
                    STORE_USERS.contains(&file.as_str()),
                    "{file} reaches the store: go through an accounts function"
                );
            }
        }
    }
    assert!(UPWARD_EXCEPTIONS.len() <= 1, "at most one import may run up the layers");
    assert!(upward.is_empty(), "imports that run up or sideways between layers:\n{}", upward.join("\n"));
}

/// A `mod.rs` declares and re-exports its own children, which in turn use what it defines: that
/// is one module's inside, not a circle between modules. Every other edge counts.
#[test]
fn no_import_circles_among_files() {
    use crate::module_graph::{circles, module_graph};
    let mut graph = module_graph(&src());
    for (file, imports) in graph.iter_mut() {
        if let Some(dir) = file.strip_suffix("mod.rs") {
            imports.retain(|target| !target.starts_with(dir));
        }
    }
    let found = circles(&graph);
    assert!(found.is_empty(), "import circles:\n{}", found.iter().map(|c| c.join(" ")).collect::<Vec<_>>().join("\n"));
}

/// Outside `accounts/` and `store/`, nothing reaches into the store handles: every rule goes
/// through a function of `accounts` named for it.
#[test]
fn no_reach_into_the_store_handles() {
    for file in rust_files(&src()) {
        let rel = file.strip_prefix(src()).unwrap().to_string_lossy().to_string();
        if rel.starts_with("accounts/") || rel.starts_with("store/") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for needle in [".store.", ".ephemeral.", "accounts.store", "accounts.ephemeral"] {
            assert!(!text.contains(needle), "{rel} reaches through {needle}: call an accounts function");
        }
    }
}
