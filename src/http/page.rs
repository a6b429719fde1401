//! Turning templates into responses, and the error pages every handler shares.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;

use super::{language, templates};
use crate::accounts::Internal;
use crate::accounts::password::HashError;
use crate::i18n::{Lang, Msg};

/// A rendered page with its status and language; Set-Cookie headers ride along.
pub struct Page {
    pub status: StatusCode,
    pub html: String,
    pub cookies: Vec<String>,
    pub lang: Lang,
}

impl Page {
    /// G1: the template sees `lang` (its `t()` calls and `<html lang>` use it).
    pub fn render(lang: Lang, status: StatusCode, template: &str, ctx: minijinja::Value) -> Result<Self, PageError> {
        let ctx = context! { lang => lang.tag(), ..ctx };
        let html = templates::render(template, ctx).map_err(|e| PageError::Template(e.to_string()))?;
        Ok(Page { status, html, cookies: Vec::new(), lang })
    }

    pub fn with_cookie(mut self, cookie: Option<String>) -> Self {
        self.cookies.extend(cookie);
        self
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut res = (self.status, Html(self.html)).into_response();
        language::mark(&mut res, self.lang);
        for c in self.cookies {
            if let Ok(v) = HeaderValue::from_str(&c) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        res
    }
}

/// A 303 to a path on this server (never to a client: those go through `oidc::redirect`).
pub fn see_other(path: &str, cookies: Vec<String>) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(path) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// A page of one message in `lang`.
pub fn message_in(lang: Lang, status: StatusCode, title: &Msg, message: &Msg) -> Response {
    let html = render_message(lang, status, title, message);
    let mut res = (status, Html(html)).into_response();
    language::mark(&mut res, lang);
    res
}

/// A page of one message where the request's language is not at hand (an error out of a
/// handler): English here, the browser's language once `language::translate_pages` sees it.
pub fn message(status: StatusCode, title: Msg, message: Msg) -> Response {
    let html = render_message(Lang::ENGLISH, status, &title, &message);
    let mut res = (status, Html(html)).into_response();
    let again = move |lang: Lang| render_message(lang, status, &title, &message);
    res.extensions_mut().insert(language::InBrowserLanguage::new(again));
    res
}

/// The console's own refusals: the console stays English (issue 30).
pub fn english_message(status: StatusCode, title: &str, message: &str) -> Response {
    // The console has no switcher: it stays English.
    let ctx = context! { lang => Lang::ENGLISH.tag(), title, message, hide_switcher => true };
    (status, Html(message_page(status, ctx))).into_response()
}

fn render_message(lang: Lang, status: StatusCode, title: &Msg, message: &Msg) -> String {
    let ctx = context! { lang => lang.tag(), title => lang.text(title), message => lang.text(message) };
    message_page(status, ctx)
}

/// `message.html`, or the bare status if even that cannot render.
fn message_page(status: StatusCode, ctx: minijinja::Value) -> String {
    templates::render("message.html", ctx)
        .unwrap_or_else(|_| format!("<!doctype html><title>{}</title><p>{}</p>", status.as_u16(), status.as_str()))
}

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("bad request: {}", .0.english())]
    BadRequest(Msg),
    #[error("template: {0}")]
    Template(String),
    #[error(transparent)]
    Internal(Internal),
}

/// Storage and hashing failures, whatever their type, are ours: a 500 page.
impl<E: Into<Internal>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError::Internal(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::BadRequest(why) => message(StatusCode::BAD_REQUEST, Msg::new("error-bad-request"), why),
            PageError::Internal(Internal::Hash(HashError::Overloaded)) => {
                let mut res =
                    message(StatusCode::SERVICE_UNAVAILABLE, Msg::new("error-busy-title"), Msg::new("error-busy"));
                res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
                res
            }
            PageError::Internal(e) if e.is_unavailable() => {
                tracing::warn!(error = %e, "a dependency is unavailable");
                crate::telemetry::metrics::internal_error("unavailable");
                let mut res = message(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Msg::new("error-unavailable-title"),
                    Msg::new("error-unavailable"),
                );
                res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                res
            }
            other => {
                // Logged inside the request's span, so the line carries the request id.
                tracing::error!(error = %other, "request failed");
                crate::telemetry::metrics::internal_error("pages");
                message(StatusCode::INTERNAL_SERVER_ERROR, Msg::new("error-internal-title"), Msg::new("error-internal"))
            }
        }
    }
}

pub async fn not_found() -> Response {
    message(StatusCode::NOT_FOUND, Msg::new("error-not-found-title"), Msg::new("error-not-found"))
}
