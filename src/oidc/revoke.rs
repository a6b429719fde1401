//! Token revocation (RFC 7009). Always 200 for a well-formed request from an authenticated
//! client, whether or not the token existed (§2.2); revoking a refresh token ends its grant.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::client_auth;
use super::error::{ErrorCode, OAuthError};
use crate::app::AppState;

pub async fn revoke(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    match handle(&state, &headers, &body).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn handle(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<(), OAuthError> {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| OAuthError::new(ErrorCode::InvalidRequest, "the body must be form-urlencoded"))?;
    let client = client_auth::authenticate(&state.accounts.store, headers, &form).await?;
    let token = form
        .iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidRequest, "token is required"))?;
    let grants = &state.oidc.grants;
    if let Some(r) = grants.access_token(token).await?
        && r.client_id == client.client_id
    {
        grants.revoke_access_token(token).await?;
    }
    if let Some(r) = grants.refresh_token(token).await?
        && r.client_id == client.client_id
    {
        grants.revoke_refresh_token(token).await?;
    }
    Ok(())
}
