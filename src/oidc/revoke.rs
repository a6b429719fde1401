//! Token revocation (RFC 7009). Always 200 for a well-formed request from an authenticated
//! client, whether or not the token existed (§2.2); revoking a refresh token ends its grant.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::Protocol;
use super::client_auth;
use super::error::{ErrorCode, OAuthError};
use crate::accounts::Accounts;
use crate::http::OAuthParams;

pub async fn revoke(
    State(oidc): State<Protocol>,
    State(accounts): State<Accounts>,
    headers: HeaderMap,
    form: OAuthParams,
) -> Response {
    match handle(&oidc, &accounts, &headers, &form).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn handle(
    oidc: &Protocol,
    accounts: &Accounts,
    headers: &HeaderMap,
    form: &OAuthParams,
) -> Result<(), OAuthError> {
    let client = client_auth::authenticate(oidc, accounts, headers, form).await?;
    let token = form.get("token").ok_or_else(|| OAuthError::new(ErrorCode::InvalidRequest, "token is required"))?;
    let grants = &oidc.grants;
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
