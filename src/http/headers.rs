//! Security headers on every response.
//!
//! CSP allows no inline script at all, only Lanyard's own script files (the Caps Lock warning); `form-action` is left out on purpose: Chrome applies it
//! to the redirect that follows a form POST, which would block the sign-in form's 303 back to a
//! relying party's redirect URI.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Middleware for a listener that has no envelope of its own (the metrics address).
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    secure(&mut res, false);
    res
}

/// The headers every response carries; `https` adds RFC 6797's HSTS (a year): browsers that
/// reached us over https never try plain http again. On http://localhost it would pin a
/// development port, so only an https issuer sends it.
pub fn secure(res: &mut Response, https: bool) {
    let h = res.headers_mut();
    // A handler that needs more (the form_post page's script) sets its own policy.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // `same-origin`, not `no-referrer`: our URLs still never reach another site, and our own
    // forms' POSTs carry a real `Origin` (with `no-referrer` browsers send `Origin: null`),
    // which the CSRF check compares.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    // Auth pages and API answers must never be cached; static assets set their own policy.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    if https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
}
