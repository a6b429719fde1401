//! The OpenID Connect protocol: one file per endpoint, spec words only, no SQL.

pub mod authorize;
pub mod authorize_request;
pub mod backchannel;
pub mod client_auth;
pub mod cors;
pub mod discovery;
pub mod end_session;
pub mod error;
pub mod grants;
pub mod id_token;
pub mod introspect;
pub mod jwt;
pub mod key_ring;
pub mod keys;
pub mod pkce;
pub mod redirect;
pub mod revoke;
pub mod token;
pub mod unified_login;
pub mod userinfo;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;
use grants::Grants;
use key_ring::KeyRing;

/// What the protocol endpoints share.
#[derive(Debug)]
pub struct Oidc {
    /// Without a trailing slash, exactly as `iss` carries it.
    pub issuer: String,
    pub ring: KeyRing,
    pub grants: Grants,
    pub discovery: Arc<str>,
    /// Outgoing calls (back-channel logout).
    pub http: reqwest::Client,
}

pub fn routes(state: &AppState) -> Router<AppState> {
    let browser_callable = Router::new()
        .route("/token", post(token::token).options(cors::preflight))
        .route("/userinfo", get(userinfo::userinfo).post(userinfo::userinfo).options(cors::preflight))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), cors::cors));
    Router::new()
        .merge(browser_callable)
        .route("/.well-known/openid-configuration", get(discovery::discovery))
        .route("/jwks", get(discovery::jwks))
        .route("/authorize", get(authorize::get).post(authorize::post))
        .route("/authorize/resume", get(authorize::resume))
        .route("/introspect", post(introspect::introspect))
        .route("/revoke", post(revoke::revoke))
        .route("/end-session", get(end_session::get).post(end_session::post))
        .route("/unified-login/handoff", post(unified_login::create))
        .route("/unified-login/start", get(unified_login::start))
}
