//! The compiled-in catalogues (`locales/`, listed by `build.rs`) as Fluent bundles, parsed once.

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use super::Msg;
use super::msg::Arg;

include!(concat!(env!("OUT_DIR"), "/catalogues.rs"));

/// The pseudo-language: English made longer and accented, for finding hard-coded text and
/// layouts that only fit English. Chosen only by name (the switcher's `set=en-XA`), never
/// offered or negotiated.
const PSEUDO: &str = "en-XA";

/// A language Lanyard has a catalogue for: an index into [`CATALOGUES`] (the last index past
/// them is the pseudo-language).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lang(usize);

struct Bundle {
    tag: &'static str,
    bundle: FluentBundle<FluentResource>,
}

static BUNDLES: LazyLock<Vec<Bundle>> = LazyLock::new(|| {
    let mut out: Vec<Bundle> = CATALOGUES.iter().map(|(tag, files)| bundle(tag, tag, files, None)).collect();
    let english = CATALOGUES.first().map(|(_, files)| *files).unwrap_or_default();
    out.push(bundle(PSEUDO, "en", english, Some(pseudo)));
    out
});

fn pseudo(text: &str) -> Cow<'_, str> {
    fluent_pseudo::transform_dom(text, false, true, true)
}

fn bundle(
    tag: &'static str,
    rules: &str,
    files: &[(&str, &str)],
    transform: Option<fn(&str) -> Cow<'_, str>>,
) -> Bundle {
    let id = rules.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Isolation marks would reach mail subjects and `<title>`s; every text here is left-to-right.
    bundle.set_use_isolating(false);
    bundle.set_transform(transform);
    for (name, source) in files {
        // A broken entry is skipped, the rest of the file kept; `catalogues_parse_cleanly` fails
        // the build's tests on any.
        let resource = FluentResource::try_new((*source).to_string()).unwrap_or_else(|(partial, errors)| {
            tracing::error!(language = tag, file = name, errors = errors.len(), "a catalogue has syntax errors");
            partial
        });
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(language = tag, file = name, ?errors, "a catalogue repeats a message id");
        }
    }
    Bundle { tag, bundle }
}

impl Lang {
    pub const ENGLISH: Lang = Lang(0);

    /// The languages offered to people (in the switcher, discovery and the provider setting).
    pub fn published() -> impl Iterator<Item = Lang> {
        (0..CATALOGUES.len()).map(Lang)
    }

    /// A language by its exact tag (`es`, `en`; case-insensitive), the pseudo-language included.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        BUNDLES.iter().position(|b| b.tag.eq_ignore_ascii_case(tag)).map(Lang)
    }

    pub fn tag(self) -> &'static str {
        BUNDLES.get(self.0).map_or("en", |b| b.tag)
    }

    pub fn is_pseudo(self) -> bool {
        self.0 == CATALOGUES.len()
    }

    /// The language's own name for itself (`Español`), for the switcher.
    pub fn own_name(self) -> String {
        self.t("language-name")
    }

    pub fn t(self, id: &str) -> String {
        self.format(id, &[])
    }

    pub fn text(self, msg: &Msg) -> String {
        self.format(msg.id, &msg.args)
    }

    /// A message in this language, or in English where this catalogue lacks it, or its id (which
    /// the catalogue tests make impossible).
    pub fn format(self, id: &str, args: &[(&str, Arg)]) -> String {
        let found = |lang: Lang| {
            let b = BUNDLES.get(lang.0)?;
            let pattern = b.bundle.get_message(id)?.value()?;
            Some((b, pattern))
        };
        let Some((b, pattern)) = found(self).or_else(|| found(Lang::ENGLISH)) else {
            tracing::error!(id, language = self.tag(), "no such message");
            return id.to_string();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
                Arg::Text(s) => fluent_args.set(*name, FluentValue::from(s.as_ref())),
            }
        }
        let mut errors = Vec::new();
        let text = b.bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned();
        if !errors.is_empty() {
            tracing::error!(id, language = b.tag, ?errors, "a message could not be formatted");
        }
        text
    }
}

/// The published languages with their own names, for templates.
#[derive(Debug, serde::Serialize)]
pub struct Languages(pub Vec<(&'static str, String)>);

impl Languages {
    pub fn published() -> Self {
        Languages(Lang::published().map(|l| (l.tag(), l.own_name())).collect())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    use fluent_syntax::ast;

    use super::*;

    type Resource = FluentResource;

    fn parsed(lang: usize) -> Vec<(String, Resource)> {
        let (_, files) = CATALOGUES.get(lang).unwrap();
        files
            .iter()
            .map(|(name, source)| {
                let resource = FluentResource::try_new((*source).to_string())
                    .unwrap_or_else(|(_, e)| panic!("{name} of language {lang} does not parse: {e:?}"));
                (name.to_string(), resource)
            })
            .collect()
    }

    /// Every message of a language with the variables it uses.
    fn messages(lang: usize) -> BTreeMap<String, BTreeSet<String>> {
        let mut out = BTreeMap::new();
        for (file, resource) in parsed(lang) {
            for entry in resource.entries() {
                if let ast::Entry::Message(m) = entry {
                    let mut vars = BTreeSet::new();
                    if let Some(p) = &m.value {
                        pattern_vars(p, &mut vars);
                    }
                    let again = out.insert(m.id.name.to_string(), vars);
                    assert!(again.is_none(), "{file}: {} is defined twice", m.id.name);
                }
            }
        }
        out
    }

    fn pattern_vars(p: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
        for element in &p.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expression_vars(expression, vars);
            }
        }
    }

    fn expression_vars(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Inline(i) => inline_vars(i, vars),
            ast::Expression::Select { selector, variants } => {
                inline_vars(selector, vars);
                for v in variants {
                    pattern_vars(&v.value, vars);
                }
            }
        }
    }

    fn inline_vars(i: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
        match i {
            ast::InlineExpression::VariableReference { id } => {
                vars.insert(id.name.to_string());
            }
            ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
            _ => {}
        }
    }

    fn sources(dir: &Path, exts: &[&str], out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, exts, out);
            } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| exts.contains(&e)) {
                out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }

    /// What templates and code say: the ids they name through `t("…")`, `.t("…")` and
    /// `Msg::new("…")`, and every string literal (an id chosen by a condition is one).
    fn code() -> (BTreeSet<String>, String) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        sources(&root.join("templates"), &["html", "txt"], &mut files);
        sources(&root.join("src"), &["rs"], &mut files);
        let named = regex::Regex::new(r#"(?:\bt|Msg::new)\(\s*["']([a-z0-9]+(?:-[a-z0-9]+)*)["']"#).unwrap();
        let mut ids = BTreeSet::new();
        let mut all = String::new();
        for (path, text) in &files {
            // Tests name ids as examples: only code counts.
            let code: String;
            let text = if path.ends_with(".rs") {
                let before_tests = text.split("#[cfg(test)]").next().unwrap_or("");
                code =
                    before_tests.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
                &code
            } else {
                text
            };
            for c in named.captures_iter(text) {
                ids.insert(c[1].to_string());
            }
            all.push_str(text);
        }
        (ids, all)
    }

    #[test]
    fn g1_catalogues_parse_cleanly_and_have_the_same_ids_and_variables() {
        let english = messages(0);
        for (lang, (tag, _)) in CATALOGUES.iter().enumerate().skip(1) {
            let other = messages(lang);
            let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{tag} lacks {missing:?}");
            assert!(extra.is_empty(), "{tag} has ids English does not: {extra:?}");
            for (id, vars) in &english {
                assert_eq!(&other[id], vars, "{tag}: {id} uses other variables than English");
            }
        }
    }

    #[test]
    fn g1_every_id_the_code_names_exists_and_every_message_is_used() {
        let (named, all) = code();
        let english = messages(0);
        let missing: Vec<_> = named.iter().filter(|id| !english.contains_key(*id)).collect();
        assert!(missing.is_empty(), "ids named by templates or code with no message: {missing:?}");
        let unused: Vec<_> = english
            .keys()
            .filter(|id| !all.contains(&format!("\"{id}\"")) && !all.contains(&format!("'{id}'")))
            .collect();
        assert!(unused.is_empty(), "messages nobody uses: {unused:?}");
    }

    /// A Spanish text identical to the English is a message nobody translated.
    #[test]
    fn g1_spanish_is_translated() {
        const SAME_IN_BOTH: &[&str] = &["brand"];
        let es = Lang::from_tag("es").unwrap();
        for (id, vars) in messages(0) {
            let args: Vec<(&str, Arg)> = vars.iter().map(|v| (v.as_str(), Arg::Number(7))).collect();
            let (en_text, es_text) = (Lang::ENGLISH.format(&id, &args), es.format(&id, &args));
            // Punctuation between a link and the rest of a sentence is the same in both.
            let words = en_text.chars().filter(|c| c.is_alphabetic()).count() >= 4;
            if words && !SAME_IN_BOTH.contains(&id.as_str()) {
                assert_ne!(en_text, es_text, "{id} is not translated");
            }
            assert!(!es_text.contains(&id), "{id}: the id shows in Spanish");
        }
    }

    #[test]
    fn g1_pseudo_language_is_longer_and_marked() {
        let pseudo = Lang::from_tag("en-XA").unwrap();
        assert!(pseudo.is_pseudo());
        let text = pseudo.t("login-title");
        assert_ne!(text, "Sign in");
        assert!(text.chars().count() > "Sign in".len(), "{text}");
        assert!(!Lang::published().any(|l| l.is_pseudo()));
    }

    #[test]
    fn g1_messages_format_variables_and_plurals() {
        let es = Lang::from_tag("es").unwrap();
        let msg = Msg::new("password-too-short").with("min", 12u32);
        assert_eq!(Lang::ENGLISH.text(&msg), "Password must be at least 12 characters long.");
        assert!(es.text(&msg).contains("12"), "{}", es.text(&msg));
        // An unknown id falls back to English, then to the id itself (never a panic).
        assert_eq!(es.t("no-such-message"), "no-such-message");
    }
}
