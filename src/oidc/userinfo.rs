//! UserInfo (OIDC Core §5.3): GET or POST, the access token in the Authorization header or, on
//! POST, in the form body (RFC 6750 §2.1, §2.2).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Protocol;
use super::error::{ErrorCode, OAuthError, bearer_error};
use super::id_token::user_claims;
use crate::accounts::Accounts;
use crate::http::{OAuthParams, ParamError};

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim())
}

pub async fn userinfo(
    State(oidc): State<Protocol>,
    State(accounts): State<Accounts>,
    method: Method,
    headers: HeaderMap,
    params: Result<OAuthParams, ParamError>,
) -> Response {
    let params = match params {
        Ok(p) => p,
        Err(e) => return bearer_error(ErrorCode::InvalidRequest, &e.description()),
    };
    let from_body = (method == Method::POST).then(|| params.get("access_token")).flatten();
    let token = match (bearer(&headers), from_body) {
        (Some(_), Some(_)) => return bearer_error(ErrorCode::InvalidRequest, "use only one way to send the token"),
        (Some(t), None) | (None, Some(t)) => t.to_string(),
        (None, None) => return bearer_error(ErrorCode::InvalidToken, "an access token is required"),
    };
    let record = match oidc.grants.access_token(&token).await {
        Ok(Some(r)) => r,
        Ok(None) => return bearer_error(ErrorCode::InvalidToken, "the access token is invalid or expired"),
        Err(e) => return OAuthError::from(e).into_response(),
    };
    let Some(subject) = record.subject.clone() else {
        return bearer_error(ErrorCode::InvalidToken, "client credentials tokens have no user");
    };
    if !record.scope.iter().any(|s| s == "openid") {
        return bearer_error(ErrorCode::InvalidToken, "the token was not issued with the openid scope");
    }
    // The application (a token outlives nothing of it: disabled or deleted, its tokens stop
    // too) and the account, together.
    let checks = tokio::try_join!(
        accounts.client(&record.client_id),
        accounts.account_for_claims(subject.user_id, subject.tenant_id)
    );
    let (user, tenant) = match checks {
        Ok((None, _)) => return bearer_error(ErrorCode::InvalidToken, "the application is disabled or deleted"),
        Ok((_, None)) => return bearer_error(ErrorCode::InvalidToken, "the user no longer exists"),
        Ok((Some(_), Some(account))) => account,
        Err(e) => return OAuthError::from(e).into_response(),
    };
    let mut claims = user_claims(&subject, &user, &tenant, &record.scope);
    claims.insert("sub".into(), json!(subject.sub));
    Json(claims).into_response()
}
