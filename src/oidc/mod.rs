//! The OpenID Connect protocol: one file per endpoint, spec words only, no SQL. Handlers take
//! the sub-states they need (`Oidc`, `Accounts`, `Site`), never the whole application, so this
//! module imports neither `app` nor `web`.

pub mod acr_request;
pub mod authorize;
pub mod authorize_checks;
pub mod authorize_request;
pub mod backchannel;
pub mod client_assertion;
pub mod client_auth;
pub mod client_jwks;
pub mod cors;
pub mod discovery;
pub mod dpop;
pub mod dpop_check;
pub mod end_session;
pub mod error;
pub mod grants;
pub mod id_token;
pub mod interaction;
pub mod introspect;
pub mod jwk;
pub mod jws;
pub mod jwt;
pub mod key_ring;
pub mod keys;
pub mod par;
pub mod pkce;
pub mod redirect;
pub mod request_object;
pub mod revoke;
pub mod token;
pub mod unified_login;
pub mod userinfo;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};

use crate::accounts::Accounts;
use crate::config::TokenLifetimes;
use crate::http::Site;
use grants::Grants;
use key_ring::KeyRing;

/// What the protocol endpoints share.
#[derive(Debug)]
pub struct Oidc {
    /// Without a trailing slash, exactly as `iss` carries it.
    pub issuer: String,
    pub ring: KeyRing,
    pub grants: Grants,
    /// Serialised once at start: a clone is a count.
    pub discovery: axum::body::Bytes,
    /// Outgoing calls (back-channel logout, clients' `jwks_uri`).
    pub http: reqwest::Client,
    /// RFC 7591: the keys `private_key_jwt` clients publish at their `jwks_uri`, per process.
    pub client_jwks: client_jwks::JwksCache,
    /// Development: outgoing calls may go to loopback and private addresses.
    pub internal_calls_ok: bool,
    pub tokens: TokenLifetimes,
    /// U2: how long a unified-login hand-off may take.
    pub unified_login_timeout_secs: i64,
    /// An ID token older than this no longer starts a unified login.
    pub session_ttl_secs: i64,
    /// RFC 9449: DPoP, with the nonces proofs must carry; `None` when turned off (`dpop = off`).
    pub dpop: Option<dpop_check::Nonces>,
    /// The protocol's own time: `iat`, `exp`, `auth_time` and `max_age`, the hand-off's age.
    pub clock: crate::clock::Clock,
}

/// The protocol's sub-state, cheap to clone.
pub type Protocol = Arc<Oidc>;

/// Lent to the administration API through the application state (`http::bearer`).
impl crate::http::bearer::BearerCheck for Oidc {
    fn check<'a>(&'a self, token: &'a str) -> crate::http::bearer::Checking<'a> {
        Box::pin(async move {
            let record = self.grants.access_token(token).await.map_err(crate::accounts::Internal::from)?;
            // The API takes bearer tokens only: a DPoP-bound one is no good without its proof.
            Ok(record.filter(|r| r.jkt.is_none()).map(|r| crate::http::bearer::BearerGrant {
                client_id: r.client_id,
                scope: r.scope,
                user_id: r.subject.as_ref().map(|s| s.user_id),
                sid: r.subject.map(|s| s.sid),
            }))
        })
    }
}

/// The protocol's routes, for any application state that can lend the three sub-states.
pub fn routes<S>(state: &S) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Protocol: FromRef<S>,
    Accounts: FromRef<S>,
    Site: FromRef<S>,
{
    let browser_callable = Router::new()
        .route("/token", post(token::token).options(cors::preflight))
        .route("/userinfo", get(userinfo::userinfo).post(userinfo::userinfo).options(cors::preflight))
        .route("/par", post(par::push).options(cors::preflight))
        .route_layer(axum::middleware::from_fn_with_state(Accounts::from_ref(state), cors::cors));
    Router::new()
        .merge(browser_callable)
        .route("/.well-known/openid-configuration", get(discovery::discovery))
        .route("/jwks", get(discovery::jwks))
        .route("/authorize", get(authorize::authorize).post(authorize::authorize))
        .route("/authorize/resume", get(authorize::resume))
        .route("/introspect", post(introspect::introspect))
        .route("/revoke", post(revoke::revoke))
        .route("/end-session", get(end_session::get).post(end_session::post))
        .route("/unified-login/handoff", post(unified_login::create))
        .route("/unified-login/start", get(unified_login::start))
}

/// The two sub-states most endpoints use together, borrowed for one request.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub oidc: &'a Oidc,
    pub accounts: &'a Accounts,
}
