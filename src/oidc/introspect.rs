//! Token introspection (RFC 7662), for authenticated clients. Tokens of other clients are
//! reported inactive, so a client cannot probe tokens it was never given.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::client_auth;
use super::error::{ErrorCode, OAuthError};
use super::grants::TokenRecord;
use crate::app::AppState;

pub async fn introspect(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    match handle(&state, &headers, &body).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn handle(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, OAuthError> {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| OAuthError::new(ErrorCode::InvalidRequest, "the body must be form-urlencoded"))?;
    let client = client_auth::authenticate(&state.accounts.store, headers, &form).await?;
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let token = field("token").ok_or_else(|| OAuthError::new(ErrorCode::InvalidRequest, "token is required"))?;
    let grants = &state.oidc.grants;
    let (record, kind) = match field("token_type_hint") {
        Some("refresh_token") => match grants.refresh_token(token).await? {
            Some(r) => (Some(r), "refresh_token"),
            None => (grants.access_token(token).await?, "access_token"),
        },
        _ => match grants.access_token(token).await? {
            Some(r) => (Some(r), "access_token"),
            None => (grants.refresh_token(token).await?, "refresh_token"),
        },
    };
    Ok(match record {
        Some(r) if r.client_id == client.client_id => active(state, &r, kind),
        _ => json!({ "active": false }),
    })
}

fn active(state: &AppState, r: &TokenRecord, kind: &str) -> Value {
    let mut v = json!({
        "active": true,
        "scope": r.scope.join(" "),
        "client_id": r.client_id,
        "token_type": if kind == "access_token" { "Bearer" } else { "refresh_token" },
        "exp": r.expires_at,
        "iat": r.issued_at,
        "iss": state.oidc.issuer,
    });
    if let (Some(s), Some(obj)) = (&r.subject, v.as_object_mut()) {
        obj.insert("sub".into(), json!(s.sub));
        obj.insert("auth_time".into(), json!(s.auth_time));
    }
    v
}
