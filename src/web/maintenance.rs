//! M1: while a maintenance window is in force every page and protocol endpoint answers 503 with
//! `Retry-After`, `Cache-Control: no-store` and the downtime notice — a page for browsers, JSON
//! for everything else — so no browser or proxy keeps the notice once the service is back. What
//! people need during the downtime stays up: the health probes (`/readyz` says "maintenance"),
//! the status page and its feed, the language switcher, the stylesheet, and the administration
//! API (operators switch the window off there or with the CLI). The notice page is in the
//! browser's language (G1); the window's message is shown as the operator typed it.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;
use serde_json::json;

use crate::accounts::Accounts;
use crate::domain::service_status::InForce;
use crate::http::{language, templates};
use crate::i18n::Lang;

/// Paths served whatever the window says. The language switcher (G1) only sets a cookie and
/// goes back, so the notice and the status page can be read in another language.
fn always_served(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics" | "/status" | "/status.json" | "/status/feed" | "/language")
        || path.starts_with("/static/")
        || path.starts_with("/admin/api/")
}

/// The notice, while a window is in force and the request is not for what stays up.
pub async fn notice_for(accounts: &Accounts, headers: &HeaderMap, path: &str) -> Option<Response> {
    if always_served(path) {
        return None;
    }
    let in_force = accounts.maintenance_now().await?;
    let wants_html =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| accept.contains("text/html"));
    // G1: a page for people in the browser's language; the JSON answer is for programs.
    let html = wants_html.then(|| language::of_browser(headers));
    Some(notice(&in_force, html))
}

fn notice(in_force: &InForce, html: Option<Lang>) -> Response {
    let (window, retry_after) = (&in_force.window, in_force.retry_after);
    let until = window.until.map(templates::utc_minute);
    let mut res = if let Some(lang) = html {
        // The operator's message is shown as typed: it is content, not Lanyard's wording.
        let page = templates::render(
            "maintenance.html",
            context! { lang => lang.tag(), message => &window.message, until => &until, link => &window.link },
        )
        .unwrap_or_else(|_| {
            let title = lang.t("maintenance-title");
            format!("<!doctype html><title>{title}</title><p>{}</p>", until.unwrap_or_default())
        });
        let mut page = (StatusCode::SERVICE_UNAVAILABLE, Html(page)).into_response();
        language::mark(&mut page, lang);
        page
    } else {
        let body = json!({
            // RFC 6749 §4.1.2.1's code for a server that cannot answer now.
            "error": "temporarily_unavailable",
            "error_description": format!("down for maintenance: {}", window.message),
            "maintenance": { "message": window.message, "until": window.until, "link": window.link },
        });
        (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
    };
    let headers = res.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
