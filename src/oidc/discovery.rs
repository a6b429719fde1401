//! OpenID Provider metadata (OIDC Discovery 1.0 §3, RFC 8414) and the JWKS. Both are served
//! from bytes prepared once, with CORS open to any origin: they are public by design.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::Protocol;
use crate::i18n::Lang;

pub fn document(issuer: &str, dpop: bool) -> Value {
    let at = |path: &str| format!("{issuer}{path}");
    let mut doc = json!({
        "issuer": issuer,
        "authorization_endpoint": at("/authorize"),
        "token_endpoint": at("/token"),
        "userinfo_endpoint": at("/userinfo"),
        "jwks_uri": at("/jwks"),
        "introspection_endpoint": at("/introspect"),
        "revocation_endpoint": at("/revoke"),
        "pushed_authorization_request_endpoint": at("/par"),
        "require_pushed_authorization_requests": false,
        "end_session_endpoint": at("/end-session"),
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported": crate::domain::client_keys::ASSERTION_ALGS,
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "introspection_endpoint_auth_signing_alg_values_supported": crate::domain::client_keys::ASSERTION_ALGS,
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        "revocation_endpoint_auth_signing_alg_values_supported": crate::domain::client_keys::ASSERTION_ALGS,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "iss", "sub", "aud", "azp", "exp", "iat", "auth_time", "nonce", "at_hash", "sid", "amr", "acr",
            "name", "preferred_username", "email", "email_verified", "provider_code", "provider_name", "user_type", "unified_login",
            "initiated_from"
        ],
        "acr_values_supported": crate::domain::second_factor::ACR_VALUES,
        "claims_parameter_supported": false,
        "request_parameter_supported": true,
        "request_object_signing_alg_values_supported": super::request_object::REQUEST_OBJECT_ALGS,
        "request_uri_parameter_supported": false,
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "authorization_response_iss_parameter_supported": true,
        "frontchannel_logout_supported": false,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "ui_locales_supported": Lang::published().map(Lang::tag).collect::<Vec<_>>(),
    });
    if let (true, Some(fields)) = (dpop, doc.as_object_mut()) {
        fields.insert("dpop_signing_alg_values_supported".into(), json!(super::dpop::DPOP_ALGS));
    }
    doc
}

pub async fn discovery(State(oidc): State<Protocol>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        oidc.discovery.clone(),
    )
}

pub async fn jwks(State(oidc): State<Protocol>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/jwk-set+json"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        oidc.ring.jwks(),
    )
}
