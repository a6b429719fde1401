//! UserInfo (OIDC Core §5.3): GET or POST, the access token in the Authorization header or, on
//! POST, in the form body (RFC 6750 §2.1, §2.2).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error::{ErrorCode, bearer_error};
use super::id_token::user_claims;
use crate::app::AppState;

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim())
}

pub async fn userinfo(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let from_body: Option<String> = if method == Method::POST && !body.is_empty() {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
            .ok()
            .and_then(|f| f.into_iter().find(|(k, _)| k == "access_token").map(|(_, v)| v))
    } else {
        None
    };
    let token = match (bearer(&headers), from_body.as_deref()) {
        (Some(_), Some(_)) => return bearer_error(ErrorCode::InvalidRequest, "use only one way to send the token"),
        (Some(t), None) | (None, Some(t)) => t.to_string(),
        (None, None) => return bearer_error(ErrorCode::InvalidToken, "an access token is required"),
    };
    let record = match state.oidc.grants.access_token(&token).await {
        Ok(Some(r)) => r,
        Ok(None) => return bearer_error(ErrorCode::InvalidToken, "the access token is invalid or expired"),
        Err(e) => return super::error::OAuthError::server(e).into_response(),
    };
    let Some(subject) = record.subject else {
        return bearer_error(ErrorCode::InvalidToken, "client credentials tokens have no user");
    };
    if !record.scope.iter().any(|s| s == "openid") {
        return bearer_error(ErrorCode::InvalidToken, "the token was not issued with the openid scope");
    }
    let store = &state.accounts.store;
    let (Ok(Some(user)), Ok(Some(tenant))) =
        (store.user_by_id(subject.user_id).await, store.tenant_by_id(subject.tenant_id).await)
    else {
        return bearer_error(ErrorCode::InvalidToken, "the user no longer exists");
    };
    let mut claims = user_claims(&subject, &user, &tenant, &record.scope);
    claims.insert("sub".into(), json!(subject.sub));
    Json(claims).into_response()
}
