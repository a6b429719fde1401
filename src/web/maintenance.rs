//! M1: while a maintenance window is in force every page and protocol endpoint answers 503 with
//! `Retry-After`, `Cache-Control: no-store` and the downtime notice — a page for browsers, JSON
//! for everything else — so no browser or proxy keeps the notice once the service is back. What
//! people need during the downtime stays up: the health probes (`/readyz` says "maintenance"),
//! the status page and its feed, the stylesheet, and the administration API (operators switch
//! the window off there or with the CLI).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;
use serde_json::json;

use crate::accounts::Accounts;
use crate::domain::service_status::InForce;
use crate::http::templates;

/// Paths served whatever the window says.
fn always_served(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics" | "/status" | "/status.json" | "/status/feed")
        || path.starts_with("/static/")
        || path.starts_with("/admin/api/")
}

pub async fn gate(State(accounts): State<Accounts>, req: Request, next: Next) -> Response {
    if always_served(req.uri().path()) {
        return next.run(req).await;
    }
    let Some(in_force) = accounts.maintenance_now().await else {
        return next.run(req).await;
    };
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    notice(&in_force, wants_html)
}

fn notice(in_force: &InForce, html: bool) -> Response {
    let (window, retry_after) = (&in_force.window, in_force.retry_after);
    let until = window.until.map(templates::utc_minute);
    let mut res = if html {
        let page = templates::render(
            "maintenance.html",
            context! { message => &window.message, until => &until, link => &window.link },
        )
        .unwrap_or_else(|_| {
            format!("<!doctype html><title>Down for maintenance</title><p>{}</p>", until.unwrap_or_default())
        });
        (StatusCode::SERVICE_UNAVAILABLE, Html(page)).into_response()
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
