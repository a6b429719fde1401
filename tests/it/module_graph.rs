//! The file-level import graph of `src/`, for the architecture tests in `tidy.rs`. A deliberately
//! small lexer, not a Rust parser: it sees `use` trees and paths written inline (`crate::…`,
//! `super::…`, and a `mod.rs` naming its children), and resolves each to the file defining it.

use std::collections::{BTreeMap, BTreeSet};

/// Files relative to src (`oidc/token.rs`) to the files they import. Every file is a key.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

pub fn module_graph(src: &std::path::Path) -> Graph {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(src, &mut paths);
    let rel = |p: &std::path::Path| {
        let comps = p.strip_prefix(src).unwrap_or(p).components();
        comps.map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
    };
    let files: BTreeSet<String> = paths.iter().map(|p| rel(p)).collect();
    let mut graph = Graph::new();
    for path in &paths {
        let file = rel(path);
        // Non-UTF-8 files are not Rust we can read; they simply import nothing.
        let text = std::fs::read_to_string(path).unwrap_or_default();
        // Test modules may import anything, so only the code before them counts.
        let before_tests: Vec<&str> =
            text.lines().take_while(|l| !l.trim_start().starts_with("#[cfg(test)]")).collect();
        let code = code_only(&before_tests.join("\n"));
        let module = module_of(&file);
        let imports = import_paths(&tokens(&code))
            .iter()
            .filter_map(|p| resolve(p, &module, &files))
            .filter(|target| *target != file)
            .collect();
        graph.insert(file, imports);
    }
    graph
}

/// `oidc/token.rs` -> `oidc`, `app.rs` -> `app`.
pub fn top_module(file: &str) -> &str {
    let first = file.split('/').next().unwrap_or(file);
    first.strip_suffix(".rs").unwrap_or(first)
}

/// Module path of a file: `a/b.rs` and `a/b/mod.rs` are `a::b`; the crate roots are empty.
fn module_of(file: &str) -> Vec<&str> {
    let mut segs: Vec<&str> = file.strip_suffix(".rs").unwrap_or(file).split('/').collect();
    if segs.last() == Some(&"mod") || file == "lib.rs" || file == "main.rs" {
        segs.pop();
    }
    segs
}

/// Blanks out comments (doc comments included), string and char literals, so that paths inside them
/// are not mistaken for imports. Lifetimes survive because a `'` only opens a literal when it closes soon.
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let at = |i: usize, s: &str| s.chars().enumerate().all(|(k, ch)| c.get(i + k) == Some(&ch));
    let (mut out, mut i) = (String::with_capacity(text.len()), 0);
    while let Some(&ch) = c.get(i) {
        if at(i, "//") {
            i = (i..c.len()).find(|&k| c[k] == '\n').unwrap_or(c.len());
        } else if at(i, "/*") {
            i = (i + 2..c.len()).find(|&k| at(k, "*/")).map_or(c.len(), |k| k + 2);
        } else if ch == '"' {
            // Raw strings (`r#"…"#`) end at a quote followed by as many hashes as opened them.
            let hashes = c[..i].iter().rev().take_while(|&&h| h == '#').count();
            let raw = i > hashes && c[i - hashes - 1] == 'r';
            let close = format!("\"{}", "#".repeat(hashes));
            i += 1;
            while i < c.len() && !(if raw { at(i, &close) } else { c[i] == '"' }) {
                i += if !raw && c[i] == '\\' { 2 } else { 1 };
            }
            i += if raw { close.len() } else { 1 };
        } else if ch == '\'' && c.get(i + 1) == Some(&'\\') {
            i = (i + 3..c.len()).find(|&k| c[k] == '\'').map_or(c.len(), |k| k + 1);
        } else if ch == '\'' && c.get(i + 2) == Some(&'\'') {
            i += 3;
        } else {
            out.push(ch);
            i += 1;
            continue;
        }
        out.push(' ');
    }
    out
}

fn is_ident(t: &str) -> bool {
    t.starts_with(|ch: char| ch.is_alphabetic() || ch == '_')
}

/// Identifiers, `::`, and every other non-space character as a token of its own.
fn tokens(code: &str) -> Vec<&str> {
    let (mut toks, mut rest) = (Vec::new(), code.trim_start());
    while let Some(ch) = rest.chars().next() {
        let len = if rest.starts_with("::") {
            2
        } else if ch.is_alphanumeric() || ch == '_' {
            rest.find(|ch: char| !(ch.is_alphanumeric() || ch == '_')).unwrap_or(rest.len())
        } else {
            ch.len_utf8()
        };
        toks.push(&rest[..len]);
        rest = rest[len..].trim_start();
    }
    toks
}

/// Every path named by a `use` tree (braces expanded) or written inline, like `crate::a::f()` or `Vec::new()`.
fn import_paths<'a>(toks: &[&'a str]) -> Vec<Vec<&'a str>> {
    let (mut out, mut i) = (Vec::new(), 0);
    while let Some(&t) = toks.get(i) {
        i += 1;
        if t == "use" {
            use_tree(toks, &mut i, Vec::new(), &mut out);
        } else if is_ident(t) && toks.get(i) == Some(&"::") && (i < 2 || toks[i - 2] != "::") {
            let mut path = vec![t];
            while toks.get(i) == Some(&"::") && toks.get(i + 1).is_some_and(|t| is_ident(t)) {
                path.push(toks[i + 1]);
                i += 2;
            }
            out.push(path);
        }
    }
    out
}

/// Parses one use tree from `toks[*i]`, stopping before the `,`, `}` or `;` that ends it.
fn use_tree<'a>(toks: &[&'a str], i: &mut usize, mut path: Vec<&'a str>, out: &mut Vec<Vec<&'a str>>) {
    while let Some(&t) = toks.get(*i) {
        match t {
            "," | "}" | ";" => break,
            "{" => {
                *i += 1;
                while toks.get(*i).is_some_and(|&t| t != "}" && t != ";") {
                    use_tree(toks, i, path.clone(), out);
                    if toks.get(*i) == Some(&",") {
                        *i += 1;
                    }
                }
                if toks.get(*i) == Some(&"}") {
                    *i += 1;
                }
                return;
            }
            "as" => *i += 1, // skips the alias as well: it names nothing we import
            t if is_ident(t) => path.push(t),
            _ => {}
        }
        *i += 1;
    }
    if !path.is_empty() {
        out.push(path);
    }
}

/// The file that defines the longest existing prefix of `path`, seen from `module`. Paths to the crate
/// root or above it resolve to nothing.
fn resolve(path: &[&str], module: &[&str], files: &BTreeSet<String>) -> Option<String> {
    let ups = path.iter().take_while(|&&s| s == "super").count();
    let (mut full, rest) = match path.first() {
        Some(&"crate") => (Vec::new(), &path[1..]),
        Some(&"self") => (module.to_vec(), &path[1..]),
        Some(&"super") => (module[..module.len().checked_sub(ups)?].to_vec(), &path[ups..]),
        // Other paths are relative to the module, as `use grants::Grants;` in oidc/mod.rs is. One that
        // names no child module (`std::fs`, `Vec::new`) lands on the file itself and is dropped.
        _ => (module.to_vec(), path),
    };
    // A `self` after the first segment comes from `use a::{self}` and names `a` itself.
    full.extend(rest.iter().filter(|&&s| s != "self"));
    (1..=full.len())
        .rev()
        .map(|k| full[..k].join("/"))
        .find_map(|m| [format!("{m}.rs"), format!("{m}/mod.rs")].into_iter().find(|f| files.contains(f)))
}

/// Strongly connected components of more than one file, each sorted, in file order.
pub fn circles(g: &Graph) -> Vec<Vec<String>> {
    // Tarjan's algorithm over file indices; recursion is at most as deep as there are files.
    struct Tarjan {
        adj: Vec<Vec<usize>>,
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        next: usize,
        stack: Vec<usize>,
        sccs: Vec<Vec<usize>>,
    }
    fn visit(t: &mut Tarjan, v: usize) {
        t.index[v] = Some(t.next);
        t.low[v] = t.next;
        t.next += 1;
        t.stack.push(v);
        for w in t.adj[v].clone() {
            match t.index[w] {
                None => {
                    visit(t, w);
                    t.low[v] = t.low[v].min(t.low[w]);
                }
                Some(iw) if t.stack.contains(&w) => t.low[v] = t.low[v].min(iw),
                Some(_) => {}
            }
        }
        if t.index[v] == Some(t.low[v]) {
            let root = t.stack.iter().rposition(|&w| w == v).unwrap_or(0);
            let scc = t.stack.split_off(root);
            t.sccs.push(scc);
        }
    }
    let names: Vec<&String> = g.keys().collect();
    let adj = g.values().map(|to| to.iter().filter_map(|f| names.binary_search(&f).ok()).collect()).collect();
    let n = names.len();
    let mut t = Tarjan { adj, index: vec![None; n], low: vec![0; n], next: 0, stack: vec![], sccs: vec![] };
    for v in 0..n {
        if t.index[v].is_none() {
            visit(&mut t, v);
        }
    }
    let mut found: Vec<Vec<String>> = t
        .sccs
        .iter()
        .filter(|scc| scc.len() > 1)
        .map(|scc| {
            let mut files: Vec<String> = scc.iter().map(|&v| names[v].clone()).collect();
            files.sort();
            files
        })
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    //! Checks of the graph itself, on small fake trees.
    use super::*;

    /// Writes `files` under a fresh temp dir, builds their graph, and removes the dir again.
    fn graph_of(name: &str, files: &[(&str, &str)]) -> Graph {
        let dir = std::env::temp_dir().join(format!("module_graph_{name}_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let g = module_graph(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        g
    }

    fn edges<'g>(g: &'g Graph, file: &str) -> Vec<&'g str> {
        g[file].iter().map(String::as_str).collect()
    }

    /// lib.rs, a/{mod,b}.rs, c.rs, d/{mod,e}.rs, then `extra`, whose files replace those of the same name.
    fn tree<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut files = vec![
            ("lib.rs", "pub mod a;\npub mod c;\npub mod d;\n"),
            ("a/mod.rs", "pub mod b;\npub struct Top;\n"),
            ("a/b.rs", "pub struct B;\n"),
            ("c.rs", "pub struct C;\n"),
            ("d/mod.rs", "pub mod e;\n"),
            ("d/e.rs", "pub struct E1;\npub struct E2;\n"),
        ];
        files.extend_from_slice(extra);
        files
    }

    #[test]
    fn use_trees_with_nested_braces_and_renames() {
        let x = "pub(crate) use crate::{\n    a::{b::B, Top},\n    c::C as Renamed,\n    d::{self, e::{E1, E2}},\n};\n\
                 use std::collections::HashMap;\n";
        let g = graph_of("braces", &tree(&[("x.rs", x), ("y.rs", "pub use crate::c::*;\nuse crate::a;\n")]));
        assert_eq!(edges(&g, "x.rs"), ["a/b.rs", "a/mod.rs", "c.rs", "d/e.rs", "d/mod.rs"]);
        assert_eq!(edges(&g, "y.rs"), ["a/mod.rs", "c.rs"]);
        assert!(edges(&g, "lib.rs").is_empty(), "`mod x;` is not an import");
    }

    #[test]
    fn super_and_self_resolve_from_mod_rs_and_from_leaves() {
        let g = graph_of(
            "super",
            &tree(&[
                ("a/mod.rs", "pub mod b;\nuse super::c::C;\nuse self::b::B;\n"),
                ("a/b.rs", "use super::Top;\nuse super::super::d::e::{E1};\n"),
                ("d/e.rs", "use super::super::a::b;\nuse super::super::super::Nope;\n"),
            ]),
        );
        assert_eq!(edges(&g, "a/mod.rs"), ["a/b.rs", "c.rs"]);
        assert_eq!(edges(&g, "a/b.rs"), ["a/mod.rs", "d/e.rs"]);
        assert_eq!(edges(&g, "d/e.rs"), ["a/b.rs"]);
    }

    #[test]
    fn bare_paths_reach_child_modules_only() {
        let a = "pub mod b;\nuse std::fmt;\npub fn f() { b::g(); other::b::h(); Vec::<u8>::new(); }\n";
        let d = "pub mod e;\nuse e::{E1};\npub fn g() { axum::e::nope() }\n";
        let g = graph_of("bare", &tree(&[("a/mod.rs", a), ("d/mod.rs", d), ("c.rs", "pub fn f() { c::f() }\n")]));
        assert_eq!(edges(&g, "a/mod.rs"), ["a/b.rs"]);
        assert_eq!(edges(&g, "d/mod.rs"), ["d/e.rs"]);
        assert!(edges(&g, "c.rs").is_empty(), "a leaf file has no child modules");
    }

    #[test]
    fn inline_paths_count_but_comments_and_strings_do_not() {
        let b = r###"//! See crate::d::e for details.
    /// Unlike crate::d::Thing, this one
    pub fn run<'a>(s: &'a str) -> char {
        crate::c::go(s); // crate::d::e::nope()
        /* super::super::d::e::nope() */
        let _ = "crate::d::e::nope \" super::super::d";
        let _ = r#"crate::d::e " still inside"#;
        let quote = '"';
        super::super::a::Top::new();
        quote
    }
    "###;
        let g = graph_of("inline", &tree(&[("a/b.rs", b)]));
        assert_eq!(edges(&g, "a/b.rs"), ["a/mod.rs", "c.rs"]);
    }

    #[test]
    fn test_modules_are_ignored() {
        let c = "use crate::a::Top;\n\n#[cfg(test)]\nmod tests {\n    use crate::d::e::E1;\n}\n";
        let g = graph_of("cfg_test", &tree(&[("c.rs", c)]));
        assert_eq!(edges(&g, "c.rs"), ["a/mod.rs"]);
    }

    #[test]
    fn a_three_file_circle_is_reported() {
        let g = graph_of(
            "circle",
            &tree(&[
                ("a/b.rs", "use crate::c::C;\n"),
                ("c.rs", "use crate::d::e::E1;\n"),
                ("d/e.rs", "pub fn f() { crate::a::b::g() }\n"),
                ("d/mod.rs", "use crate::c::C;\n"),
            ]),
        );
        assert_eq!(circles(&g), [["a/b.rs", "c.rs", "d/e.rs"]]);
    }

    #[test]
    fn top_module_is_the_first_component() {
        assert_eq!(top_module("oidc/token.rs"), "oidc");
        assert_eq!(top_module("store/entities/user.rs"), "store");
        assert_eq!(top_module("app.rs"), "app");
    }
}
