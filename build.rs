//! G1: every folder of `locales/` is a language and every `.ftl` file in it part of its
//! catalogue, compiled into the binary — so adding a language is adding a folder.
//!
//! The generated list names files relative to the package (`CARGO_MANIFEST_DIR` at compile
//! time, paths relative to the package root for Cargo): two checkouts sharing a target
//! directory must never read each other's catalogues.

use std::fmt::Write as _;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    println!("cargo:rerun-if-changed=locales");
    let mut languages = Vec::new();
    for entry in std::fs::read_dir(&root)? {
        let dir = entry?.path();
        if !dir.is_dir() {
            continue;
        }
        let tag = dir.file_name().and_then(|n| n.to_str()).ok_or("a locale folder's name is not UTF-8")?.to_string();
        println!("cargo:rerun-if-changed=locales/{tag}");
        let mut files = Vec::new();
        for file in std::fs::read_dir(&dir)? {
            let path = file?.path();
            if path.extension().is_some_and(|e| e == "ftl") {
                let name = path.file_name().and_then(|n| n.to_str()).ok_or("a catalogue's name is not UTF-8")?;
                println!("cargo:rerun-if-changed=locales/{tag}/{name}");
                files.push(name.to_string());
            }
        }
        files.sort();
        // A folder without a catalogue (a hidden one, or one being started) is no language.
        if !files.is_empty() && !tag.starts_with('.') {
            languages.push((tag, files));
        }
    }
    // English is the reference and the last resort: always first.
    languages.sort_by_key(|(tag, _)| (tag != "en", tag.clone()));
    let mut out = String::from("pub(super) const CATALOGUES: &[(&str, &[(&str, &str)])] = &[\n");
    for (tag, files) in &languages {
        writeln!(out, "    ({tag:?}, &[")?;
        for name in files {
            let rel = format!("/locales/{tag}/{name}");
            writeln!(out, "        ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {rel:?}))),")?;
        }
        writeln!(out, "    ]),")?;
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR")?).join("catalogues.rs");
    std::fs::write(dest, out)?;
    Ok(())
}
