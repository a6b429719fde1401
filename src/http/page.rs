//! Turning templates into responses, and the error pages every handler shares.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;

use super::templates;
use crate::accounts::Internal;
use crate::accounts::password::HashError;

/// A rendered page with its status; Set-Cookie headers ride along.
pub struct Page {
    pub status: StatusCode,
    pub html: String,
    pub cookies: Vec<String>,
}

impl Page {
    pub fn render(status: StatusCode, template: &str, ctx: minijinja::Value) -> Result<Self, PageError> {
        let html = templates::render(template, ctx).map_err(|e| PageError::Template(e.to_string()))?;
        Ok(Page { status, html, cookies: Vec::new() })
    }

    pub fn with_cookie(mut self, cookie: Option<String>) -> Self {
        self.cookies.extend(cookie);
        self
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut res = (self.status, Html(self.html)).into_response();
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

pub fn message(status: StatusCode, title: &str, message: &str) -> Response {
    let html = templates::render("message.html", context! { title, message })
        .unwrap_or_else(|_| format!("<!doctype html><title>{}</title><p>{}</p>", status.as_u16(), status.as_str()));
    (status, Html(html)).into_response()
}

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("bad request: {0}")]
    BadRequest(String),
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
            PageError::BadRequest(why) => message(StatusCode::BAD_REQUEST, "Bad request", &why),
            PageError::Internal(Internal::Hash(HashError::Overloaded)) => {
                let mut res = message(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Lanyard is busy",
                    "Too many people are signing in at this moment. Please try again in a few seconds.",
                );
                res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
                res
            }
            PageError::Internal(e) if e.is_unavailable() => {
                tracing::warn!(error = %e, "a dependency is unavailable");
                crate::telemetry::metrics::internal_error("unavailable");
                let mut res = message(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Lanyard is briefly unavailable",
                    "Lanyard cannot reach its database at this moment. Please try again in a few seconds.",
                );
                res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                res
            }
            other => {
                // Logged inside the request's span, so the line carries the request id.
                tracing::error!(error = %other, "request failed");
                crate::telemetry::metrics::internal_error("pages");
                message(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Lanyard could not complete this request. Please try again in a moment.",
                )
            }
        }
    }
}

pub async fn not_found() -> Response {
    message(StatusCode::NOT_FOUND, "Page not found", "There is nothing at this address.")
}
