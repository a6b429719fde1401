//! RFC 9126, pushed authorization requests: a client posts its authorization parameters to
//! `/par`, authenticated as at the token endpoint, and they go through the very checks
//! `/authorize` runs (`authorize_request::check`, told it is a pushed request) before they are
//! kept — sixty seconds, single use — under a `request_uri` the browser then carries to
//! `/authorize` with the `client_id`. A client registered with
//! `require_pushed_authorization_requests` is refused at `/authorize` without one.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::authorize_request::{self, Rejection};
use super::error::{ErrorCode, OAuthError};
use super::{Ctx, Protocol, client_auth, dpop_check};
use crate::accounts::Accounts;
use crate::http::{OAuthParams, ParamError, RequestOrigin};
use crate::i18n::Msg;
use crate::secret::{is_random_token, random_token};

/// RFC 9126 §2.2's `request_uri` form.
pub const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
/// How long a pushed request waits for the browser (RFC 9126 suggests a short lifetime).
pub const EXPIRES_IN: i64 = 60;
/// The client's credentials are not authorization parameters: never kept with them.
const CREDENTIALS: [&str; 3] = ["client_secret", "client_assertion", "client_assertion_type"];

pub async fn push(
    State(oidc): State<Protocol>,
    State(accounts): State<Accounts>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    params: Result<OAuthParams, ParamError>,
) -> Response {
    let res = match handle(Ctx { oidc: &oidc, accounts: &accounts }, &headers, &origin.ip, params).await {
        Ok(body) => (StatusCode::CREATED, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response(),
        Err(e) => e.into_response(),
    };
    dpop_check::with_nonce(&oidc, &headers, res)
}

async fn handle(
    ctx: Ctx<'_>,
    headers: &HeaderMap,
    from: &str,
    params: Result<OAuthParams, ParamError>,
) -> Result<Value, OAuthError> {
    let params = params?;
    // RFC 9449 §10.1: a proof at PAR binds the code to its key, as `dpop_jkt` would.
    let proof = dpop_check::presented(ctx.oidc, headers, "POST", "/par", None)?;
    let client = client_auth::authenticate(ctx.oidc, ctx.accounts, headers, &params).await?;
    if let Some(p) = &proof {
        dpop_check::spend(ctx.oidc, p).await?;
    }
    // A public client authenticates with its id alone: what anyone may push is bounded by the
    // address's budget of pending requests, shared with waiting authorizations.
    if !ctx.accounts.interactions().admit(from).await? {
        return Err(OAuthError::new(ErrorCode::TemporarilyUnavailable, "too many pending requests from this address"));
    }
    if params.has("request_uri") {
        return Err(OAuthError::new(ErrorCode::InvalidRequest, "request_uri cannot be pushed"));
    }
    if params.get("client_id").is_some_and(|id| id != client.client_id) {
        return Err(OAuthError::new(ErrorCode::InvalidRequest, "client_id is not the authenticated client"));
    }
    // RFC 9101 §6.3 via RFC 9126 §3: a signed request object's claims are the request.
    let request = match params.get("request") {
        Some(jwt) => super::request_object::unpack(ctx.oidc, &client, jwt).await?,
        None => params,
    };
    let mut pairs: Vec<(String, String)> = request
        .iter()
        .filter(|(k, _)| !CREDENTIALS.contains(k) && *k != "client_id")
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    pairs.push(("client_id".into(), client.client_id.clone()));
    if let Some(proof) = proof {
        match request.get("dpop_jkt") {
            Some(jkt) if jkt != proof.jkt => {
                return Err(OAuthError::new(ErrorCode::InvalidRequest, "the DPoP proof's key is not dpop_jkt"));
            }
            Some(_) => {}
            None => pairs.push(("dpop_jkt".into(), proof.jkt)),
        }
    }
    let pushed = OAuthParams::from_pairs(pairs.clone())?;
    // One pipeline: what /authorize would refuse is refused here, as JSON.
    match authorize_request::check(ctx, Ok(pushed), true).await {
        Ok(_) => {}
        Err(Rejection::Page(message)) => return Err(OAuthError::new(ErrorCode::InvalidRequest, message.english())),
        Err(Rejection::Redirect(_, error)) => return Err(error),
        Err(Rejection::Failed(e)) => return Err(OAuthError::server(e)),
    }
    let token = random_token();
    let json = serde_json::to_string(&pairs).map_err(OAuthError::server)?;
    ctx.oidc.grants.save_pushed(&client.client_id, &token, &json, EXPIRES_IN).await?;
    Ok(json!({"request_uri": format!("{REQUEST_URI_PREFIX}{token}"), "expires_in": EXPIRES_IN}))
}

/// At `/authorize`: the pushed parameters a `request_uri` of ours names, taken once and only for
/// the client that pushed them (`Ok(Some)`), or `Ok(None)` for a request that was not pushed.
pub async fn pushed(ctx: Ctx<'_>, params: &OAuthParams) -> Result<Option<OAuthParams>, Rejection> {
    let Some(uri) = params.get("request_uri") else { return Ok(None) };
    let gone = || Rejection::Page(Msg::new("authorize-pushed-gone"));
    // Any other request_uri is a request object by reference, which is not supported: the
    // usual checks answer it (request_uri_not_supported, to the verified redirect).
    let Some(token) = uri.strip_prefix(REQUEST_URI_PREFIX) else { return Ok(None) };
    let token = Some(token).filter(|t| is_random_token(t)).ok_or_else(gone)?;
    let Some(client_id) = params.get("client_id") else {
        return Err(Rejection::Page(Msg::new("authorize-no-client-id")));
    };
    // Kept under the client's id with the handle: another client_id misses, and burns nothing.
    let taken = ctx.oidc.grants.take_pushed(client_id, token).await.map_err(|e| Rejection::Failed(e.into()))?;
    let raw = taken.ok_or_else(gone)?;
    let pairs: Vec<(String, String)> = serde_json::from_str(&raw).map_err(|_| gone())?;
    let stored = OAuthParams::from_pairs(pairs).map_err(|_| gone())?;
    if stored.get("client_id") != Some(client_id) {
        return Err(gone());
    }
    Ok(Some(stored))
}
