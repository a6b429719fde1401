//! UserInfo (OIDC Core §5.3): GET or POST, the access token in the Authorization header or, on
//! POST, in the form body (RFC 6750 §2.1, §2.2).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error::{ErrorCode, OAuthError, bearer_error, dpop_error};
use super::id_token::user_claims;
use super::{Protocol, dpop_check};
use crate::accounts::Accounts;
use crate::http::{OAuthParams, ParamError};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Bearer,
    /// RFC 9449 §7.1: a DPoP-bound token, with its proof beside it.
    Dpop,
}

/// The Authorization header's scheme (case-insensitive, RFC 9110 §11.1) and token.
fn authorization(headers: &HeaderMap) -> Option<(Scheme, &str)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let scheme = if scheme.eq_ignore_ascii_case("bearer") {
        Scheme::Bearer
    } else if scheme.eq_ignore_ascii_case("dpop") {
        Scheme::Dpop
    } else {
        return None;
    };
    Some((scheme, token.trim()))
}

pub async fn userinfo(
    State(oidc): State<Protocol>,
    State(accounts): State<Accounts>,
    method: Method,
    headers: HeaderMap,
    params: Result<OAuthParams, ParamError>,
) -> Response {
    let res = answer(&oidc, &accounts, &method, &headers, params).await;
    dpop_check::with_nonce(&oidc, &headers, res)
}

async fn answer(
    oidc: &Protocol,
    accounts: &Accounts,
    method: &Method,
    headers: &HeaderMap,
    params: Result<OAuthParams, ParamError>,
) -> Response {
    let params = match params {
        Ok(p) => p,
        Err(e) => return bearer_error(ErrorCode::InvalidRequest, &e.description()),
    };
    let from_body = (method == Method::POST).then(|| params.get("access_token")).flatten();
    let (scheme, token) = match (authorization(headers), from_body) {
        (Some(_), Some(_)) => return bearer_error(ErrorCode::InvalidRequest, "use only one way to send the token"),
        (Some((scheme, t)), None) => (scheme, t.to_string()),
        (None, Some(t)) => (Scheme::Bearer, t.to_string()),
        (None, None) => return bearer_error(ErrorCode::InvalidToken, "an access token is required"),
    };
    // Refusals speak the scheme the token came with.
    let refuse = |code, why: &str| match scheme {
        Scheme::Bearer => bearer_error(code, why),
        Scheme::Dpop => dpop_error(code, why),
    };
    let record = match oidc.grants.access_token(&token).await {
        Ok(Some(r)) => r,
        Ok(None) => return refuse(ErrorCode::InvalidToken, "the access token is invalid or expired"),
        Err(e) => return OAuthError::from(e).into_response(),
    };
    // RFC 9449 §7: a bound token only with a proof of its key, made for this request and token.
    match (scheme, &record.jkt) {
        (Scheme::Bearer, None) => {}
        (Scheme::Bearer, Some(_)) => {
            return dpop_error(ErrorCode::InvalidToken, "a DPoP-bound token goes with the DPoP scheme and a proof");
        }
        (Scheme::Dpop, bound) => {
            let proof =
                dpop_check::presented_and_spent(oidc, headers, method.as_str(), "/userinfo", Some(&token)).await;
            match proof {
                Ok(Some(p)) if bound.as_deref() == Some(p.jkt.as_str()) => {}
                Ok(Some(_)) => return dpop_error(ErrorCode::InvalidToken, "the token is not bound to the proof's key"),
                Ok(None) => return dpop_error(ErrorCode::InvalidDpopProof, "the DPoP scheme needs a DPoP proof"),
                Err(r) => return dpop_check::resource_refusal(r),
            }
        }
    }
    let Some(subject) = record.subject.clone() else {
        return refuse(ErrorCode::InvalidToken, "client credentials tokens have no user");
    };
    if !record.scope.iter().any(|s| s == "openid") {
        return refuse(ErrorCode::InvalidToken, "the token was not issued with the openid scope");
    }
    // The application (a token outlives nothing of it: disabled or deleted, its tokens stop
    // too) and the account, together.
    let checks = tokio::try_join!(
        accounts.client(&record.client_id),
        accounts.account_for_claims(subject.user_id, subject.tenant_id)
    );
    let (user, tenant) = match checks {
        Ok((None, _)) => return refuse(ErrorCode::InvalidToken, "the application is disabled or deleted"),
        Ok((_, None)) => return refuse(ErrorCode::InvalidToken, "the user no longer exists"),
        Ok((Some(_), Some(account))) => account,
        Err(e) => return OAuthError::from(e).into_response(),
    };
    let mut claims = user_claims(&subject, &user, &tenant, &record.scope);
    claims.insert("sub".into(), json!(subject.sub));
    Json(claims).into_response()
}
