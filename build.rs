//! G1: every folder of `locales/` is a language and every `.ftl` file in it part of its
//! catalogue, compiled into the binary — so adding a language is adding a folder.

use std::fmt::Write as _;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut languages = Vec::new();
    for entry in std::fs::read_dir(&root)? {
        let dir = entry?.path();
        if !dir.is_dir() {
            continue;
        }
        println!("cargo:rerun-if-changed={}", dir.display());
        let tag = dir.file_name().and_then(|n| n.to_str()).ok_or("a locale folder's name is not UTF-8")?.to_string();
        let mut files = Vec::new();
        for file in std::fs::read_dir(&dir)? {
            let path = file?.path();
            if path.extension().is_some_and(|e| e == "ftl") {
                println!("cargo:rerun-if-changed={}", path.display());
                files.push(path);
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
        for f in files {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            writeln!(out, "        ({name:?}, include_str!({:?})),", f.display().to_string())?;
        }
        writeln!(out, "    ]),")?;
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR")?).join("catalogues.rs");
    std::fs::write(dest, out)?;
    Ok(())
}
