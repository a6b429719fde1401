//! Token introspection (RFC 7662), for confidential clients only (as discovery says): a public
//! client proves nothing by naming itself, so it could probe any of its users' tokens. Tokens of
//! other clients are reported inactive, so a client cannot probe tokens it was never given.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Protocol;
use super::client_auth;
use super::error::{ErrorCode, OAuthError};
use super::grants::TokenRecord;
use crate::accounts::Accounts;
use crate::http::OAuthParams;

pub async fn introspect(
    State(oidc): State<Protocol>,
    State(accounts): State<Accounts>,
    headers: HeaderMap,
    form: OAuthParams,
) -> Response {
    match handle(&oidc, &accounts, &headers, &form).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn handle(
    oidc: &Protocol,
    accounts: &Accounts,
    headers: &HeaderMap,
    form: &OAuthParams,
) -> Result<Value, OAuthError> {
    let client = client_auth::authenticate(oidc, accounts, headers, form).await?;
    if client.is_public() {
        return Err(OAuthError::new(ErrorCode::InvalidClient, "introspection needs a confidential client"));
    }
    let token = form.get("token").ok_or_else(|| OAuthError::new(ErrorCode::InvalidRequest, "token is required"))?;
    let grants = &oidc.grants;
    let (record, kind) = match form.get("token_type_hint") {
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
        Some(r) if r.client_id == client.client_id => active(oidc, &r, kind),
        _ => json!({ "active": false }),
    })
}

fn active(oidc: &Protocol, r: &TokenRecord, kind: &str) -> Value {
    let mut v = json!({
        "active": true,
        "scope": r.scope.join(" "),
        "client_id": r.client_id,
        "token_type": match (kind, &r.jkt) {
            ("access_token", Some(_)) => "DPoP",
            ("access_token", None) => "Bearer",
            _ => "refresh_token",
        },
        "exp": r.expires_at,
        "iat": r.issued_at,
        "iss": oidc.issuer,
    });
    // RFC 9449 §6.2: the key a bound token goes with.
    if let (Some(jkt), Some(obj)) = (&r.jkt, v.as_object_mut()) {
        obj.insert("cnf".into(), json!({ "jkt": jkt }));
    }
    if let (Some(s), Some(obj)) = (&r.subject, v.as_object_mut()) {
        obj.insert("sub".into(), json!(s.sub));
        obj.insert("auth_time".into(), json!(s.auth_time));
        // F7: the same `amr` and `acr` as the ID token of the grant.
        obj.insert("amr".into(), json!(s.amr));
        if let Some(acr) = &s.acr {
            obj.insert("acr".into(), json!(acr));
        }
    }
    v
}
