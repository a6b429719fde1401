//! G1: which language a page is in — the application's `ui_locales`, then the person's pick,
//! then the browser's `Accept-Language`, then the provider's default, then English.

use super::Lang;

/// At most this many entries of a header or parameter are looked at: nothing a client sends is
/// processed unbounded.
const MAX_RANGES: usize = 32;

/// What the browser says about the person: the language picked with the switcher (a cookie)
/// and the best `Accept-Language` match.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Preference {
    pub picked: Option<Lang>,
    pub accepted: Option<Lang>,
}

impl Preference {
    /// `asked` is the interaction's `ui_locales` match; `provider` the provider's default where
    /// the page knows the provider.
    pub fn choose(&self, asked: Option<Lang>, provider: Option<Lang>) -> Lang {
        asked.or(self.picked).or(self.accepted).or(provider).unwrap_or(Lang::ENGLISH)
    }
}

/// A language range against the published languages: the exact tag, else its primary subtag
/// (`es-MX` → `es`). The pseudo-language is never negotiated.
fn lookup(range: &str) -> Option<Lang> {
    let range = range.trim();
    if range.is_empty() || range.len() > 35 {
        return None;
    }
    let exact = Lang::published().find(|l| l.tag().eq_ignore_ascii_case(range));
    exact.or_else(|| {
        let primary = range.split(['-', '_']).next()?;
        Lang::published().find(|l| l.tag().eq_ignore_ascii_case(primary))
    })
}

/// RFC 9110 §12.5.4: the supported language with the highest quality; ties keep the header's
/// order. `q=0` means "not this one"; a malformed quality drops its range.
pub fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(u16, Lang)> = None;
    for item in header.split(',').take(MAX_RANGES) {
        let mut parts = item.split(';');
        let range = parts.next().unwrap_or_default();
        let Some(q) = quality(parts) else { continue };
        if q == 0 {
            continue;
        }
        if let Some(lang) = lookup(range)
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l)
}

/// The `q` parameter in thousandths (RFC 9110 `qvalue`: 0 to 1 with up to three decimals).
fn quality<'a>(params: impl Iterator<Item = &'a str>) -> Option<u16> {
    for p in params {
        let (name, value) = p.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("q") {
            continue;
        }
        let value = value.trim();
        let (whole, frac) = value.split_once('.').unwrap_or((value, ""));
        if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let thousandths = format!("{frac:0<3}").parse::<u16>().ok()?;
        return match whole {
            "0" => Some(thousandths),
            "1" if thousandths == 0 => Some(1000),
            _ => None,
        };
    }
    Some(1000)
}

/// OIDC Core §3.1.2.1: `ui_locales` is a space-separated list in order of preference; the first
/// one Lanyard speaks wins.
pub fn from_ui_locales(value: &str) -> Option<Lang> {
    value.split(' ').filter(|s| !s.is_empty()).take(MAX_RANGES).find_map(lookup)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn es() -> Lang {
        Lang::from_tag("es").unwrap()
    }

    #[test]
    fn g1_accept_language_takes_the_best_quality_and_the_primary_subtag() {
        assert_eq!(from_accept_language("es-MX,es;q=0.9,en;q=0.8"), Some(es()));
        assert_eq!(from_accept_language("fr-FR, en;q=0.5, es;q=0.7"), Some(es()));
        assert_eq!(from_accept_language("en-US,en;q=0.9"), Some(Lang::ENGLISH));
        assert_eq!(from_accept_language("es;q=0, en;q=0.1"), Some(Lang::ENGLISH));
        assert_eq!(from_accept_language("fr, de;q=0.9"), None);
        assert_eq!(from_accept_language("*"), None);
        assert_eq!(from_accept_language("ES-mx"), Some(es()));
        // Ties keep the header's order.
        assert_eq!(from_accept_language("es;q=0.5, en;q=0.5"), Some(es()));
    }

    #[test]
    fn g1_malformed_qualities_drop_their_range_and_nothing_panics() {
        assert_eq!(from_accept_language("es;q=2, en;q=0.3"), Some(Lang::ENGLISH));
        assert_eq!(from_accept_language("es;q=0.12345, en;q=0.3"), Some(Lang::ENGLISH));
        assert_eq!(from_accept_language("es;q=abc"), None);
        assert_eq!(from_accept_language("es;q"), None);
        assert_eq!(from_accept_language(";;;,,,=;q=;"), None);
        assert_eq!(from_accept_language(&"x".repeat(100_000)), None);
        assert_eq!(from_accept_language(&format!("{}es", "fr,".repeat(40))), None, "past the ranges looked at");
        assert_eq!(from_accept_language("en-XA"), Some(Lang::ENGLISH), "the pseudo-language is never negotiated");
    }

    #[test]
    fn g1_ui_locales_takes_the_first_spoken_language() {
        assert_eq!(from_ui_locales("fr-CA es-MX en"), Some(es()));
        assert_eq!(from_ui_locales("en es"), Some(Lang::ENGLISH));
        assert_eq!(from_ui_locales("fr de"), None);
        assert_eq!(from_ui_locales(""), None);
    }

    #[test]
    fn g1_the_order_is_ui_locales_pick_browser_provider_english() {
        let en = Lang::ENGLISH;
        let all = Preference { picked: Some(en), accepted: Some(es()) };
        assert_eq!(all.choose(Some(es()), Some(en)), es());
        assert_eq!(all.choose(None, Some(es())), en);
        assert_eq!(Preference { picked: None, accepted: Some(es()) }.choose(None, Some(en)), es());
        assert_eq!(Preference::default().choose(None, Some(es())), es());
        assert_eq!(Preference::default().choose(None, None), en);
    }
}
