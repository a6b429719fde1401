//! The people's pages: sign-in, the account page, the forced change, Forgot Password? and
//! reset, Settings, and the health probes. Handlers take the sub-states they need (`Accounts`,
//! `Site`), parse input, call one `accounts` function and render; this module imports neither
//! `app` nor `oidc`.

mod account;
mod authenticator;
mod health;
mod help;
mod invitation;
mod key_setup;
mod key_sign_in;
mod language;
pub mod login;
pub mod maintenance;
mod own_password;
mod passkeys;
mod recover;
pub mod reset;
mod second_factor;
pub mod settings;
mod setup_step;
mod status;

use axum::Router;
use axum::extract::FromRef;
use axum::http::header;
use axum::routing::{get, post};

use crate::accounts::Accounts;
use crate::http::{Site, page, templates};

pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Accounts: FromRef<S>,
    Site: FromRef<S>,
{
    Router::new()
        .route("/", get(|| async { axum::response::Redirect::to("/account") }))
        .route("/login", get(login::show).post(login::submit))
        .route("/login/help", get(recover::show_help).post(recover::submit_help))
        .route("/login/passkey", post(key_sign_in::start))
        .route("/login/passkey/finish", post(key_sign_in::finish))
        .route("/help", get(help::show))
        .route("/language", get(language::switch))
        .route("/recover", get(recover::show_link).post(recover::submit_link))
        .route("/account", get(account::show))
        .route("/logout", post(account::sign_out))
        .route("/password/change", get(account::show_change).post(account::submit_change))
        .route("/password/forgot", get(reset::show_forgot).post(reset::submit_forgot))
        .route("/password/reset", post(reset::submit_reset))
        .route("/password/reset/resend", post(reset::resend))
        .route("/settings", get(settings::show).post(settings::submit))
        .route("/settings/authenticator", get(authenticator::show).post(authenticator::submit))
        .route("/settings/passkeys", get(passkeys::show).post(passkeys::submit))
        .route("/sign-in/second-factor", get(second_factor::show).post(second_factor::submit))
        .route("/sign-in/second-factor/setup", get(authenticator::show_setup).post(authenticator::submit_setup))
        .route("/sign-in/passkey/setup", get(key_setup::show).post(key_setup::submit))
        .route("/invitation", get(invitation::show_register).post(invitation::submit_register))
        .route("/password/link", get(invitation::show_reset_link).post(invitation::submit_reset_link))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/status", get(status::show))
        .route("/status.json", get(status::json))
        .route("/status/feed", get(status::feed))
        .route("/static/lanyard.css", get(stylesheet))
        .route("/static/form_post.js", get(form_post_script))
        .route("/static/caps_lock.js", get(caps_lock_script))
        .route("/static/webauthn.js", get(webauthn_script))
        .fallback(page::not_found)
}

async fn stylesheet() -> impl axum::response::IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        templates::STYLESHEET,
    )
}

async fn caps_lock_script() -> impl axum::response::IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        templates::CAPS_LOCK_SCRIPT,
    )
}

async fn webauthn_script() -> impl axum::response::IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        templates::WEBAUTHN_SCRIPT,
    )
}

async fn form_post_script() -> impl axum::response::IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        templates::FORM_POST_SCRIPT,
    )
}
