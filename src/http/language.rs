//! G1 at the HTTP edge: the browser's side of the language choice (the switcher's cookie and
//! `Accept-Language`), `Content-Language` on pages, and error pages rendered in the request's
//! language.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use super::cookies;
use crate::i18n::{Lang, Preference, from_accept_language};

/// The switcher's cookie: a language tag, nothing else.
pub const COOKIE: &str = "lanyard_lang";

/// The person's pick (either cookie name: a tossed cookie can only change a page's language)
/// and the best `Accept-Language` match.
pub fn preference(headers: &HeaderMap) -> Preference {
    let picked = [cookies::name(COOKIE, true), COOKIE.to_string()]
        .iter()
        .find_map(|name| cookies::read(headers, name))
        .and_then(|tag| Lang::from_tag(&tag));
    // RFC 9110 §5.3: several lines are one comma-separated list.
    let lines: Vec<&str> = headers.get_all(header::ACCEPT_LANGUAGE).iter().filter_map(|v| v.to_str().ok()).collect();
    let accepted = from_accept_language(&lines.join(","));
    Preference { picked, accepted }
}

/// What the browser said, if it said anything Lanyard speaks (a mail a page causes follows it).
pub fn spoken(headers: &HeaderMap) -> Option<Lang> {
    let p = preference(headers);
    p.picked.or(p.accepted)
}

/// The language of a page that knows nothing more than the browser says.
pub fn of_browser(headers: &HeaderMap) -> Lang {
    preference(headers).choose(None, None)
}

/// The language a response was rendered in, for `Content-Language` and caches.
pub fn mark(res: &mut Response, lang: Lang) {
    if let Ok(v) = HeaderValue::from_str(lang.tag()) {
        res.headers_mut().insert(header::CONTENT_LANGUAGE, v);
    }
    res.headers_mut().append(header::VARY, HeaderValue::from_static("Accept-Language, Cookie"));
}

/// A page made where the request is not at hand (an extractor's or a handler's error, the
/// form-post response): rendered in English there, and again here in the browser's language.
#[derive(Clone)]
pub struct InBrowserLanguage(pub std::sync::Arc<dyn Fn(Lang) -> String + Send + Sync>);

impl InBrowserLanguage {
    pub fn new(render: impl Fn(Lang) -> String + Send + Sync + 'static) -> Self {
        InBrowserLanguage(std::sync::Arc::new(render))
    }
}

/// What a request said about its language, kept for its response (token endpoints carry
/// neither header): a copy of two headers.
pub struct Said(HeaderMap);

impl Said {
    pub fn of(req: &Request) -> Said {
        let mut said = HeaderMap::new();
        for name in [header::COOKIE, header::ACCEPT_LANGUAGE] {
            for v in req.headers().get_all(&name) {
                said.append(name.clone(), v.clone());
            }
        }
        Said(said)
    }

    /// A page made in English where the request was not at hand, again in the browser's language.
    pub fn translate(&self, mut res: Response) -> Response {
        if let Some(InBrowserLanguage(render)) = res.extensions_mut().remove::<InBrowserLanguage>() {
            let lang = of_browser(&self.0);
            if lang != Lang::ENGLISH {
                let (parts, _) = res.into_parts();
                res = Response::from_parts(parts, Body::from(render(lang)));
                res.headers_mut().remove(header::CONTENT_LENGTH);
            }
            mark(&mut res, lang);
        }
        res
    }
}
