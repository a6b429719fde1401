//! HTML pages and forms. Handlers parse input, call one `accounts` function, and render.

mod account;
mod cookies;
pub mod csrf;
pub mod extract;
mod headers;
mod health;
pub mod login;
pub mod page;
pub mod reset;
pub mod session;
pub mod settings;
pub mod templates;

use axum::Router;
use axum::http::header;
use axum::middleware;
use axum::routing::get;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { axum::response::Redirect::to("/account") }))
        .route("/login", get(login::show).post(login::submit))
        .route("/account", get(account::show))
        .route("/logout", axum::routing::post(account::sign_out))
        .route("/password/change", get(account::show_change).post(account::submit_change))
        .route("/password/forgot", get(reset::show_forgot).post(reset::submit_forgot))
        .route("/password/reset", axum::routing::post(reset::submit_reset))
        .route("/password/reset/resend", axum::routing::post(reset::resend))
        .route("/settings", get(settings::show).post(settings::submit))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/static/lanyard.css", get(stylesheet))
        .route("/static/form_post.js", get(form_post_script))
        .fallback(page::not_found)
}

pub fn with_security_headers(router: Router) -> Router {
    router.layer(middleware::from_fn(headers::security_headers))
}

async fn stylesheet() -> impl axum::response::IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        templates::STYLESHEET,
    )
}

async fn form_post_script() -> impl axum::response::IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        templates::FORM_POST_SCRIPT,
    )
}
