//! Unified login (PRODUCT.md U1–U4): application A opens application B, signed in, through
//! standard OpenID Connect — third-party-initiated login (OIDC Core §4) and an ordinary
//! authorization request — with a 30-second, single-use hand-off.
//!
//! 1. A's back end asks `POST /unified-login/handoff` (client-authenticated as A, naming B and
//!    the user by A's `id_token_hint`). Server to server with A's secret, so no other site can
//!    start a hand-off in the user's name. Lanyard checks U1 and answers with a start URI.
//! 2. The browser (a new tab) opens the start URI. Lanyard checks its session is the same user
//!    and redirects to B's registered `initiate_login_uri` with `iss`, `target_link_uri` and a
//!    `login_hint` naming the hand-off.
//! 3. B sends an ordinary authorization request with that `login_hint`. Lanyard takes the
//!    hand-off atomically, checks it is B's, this user's and under 30 s old, checks T4 for B, and
//!    answers from the session with a code; the ID token says where the login came from.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::client_auth;
use super::error::{ErrorCode, OAuthError};
use super::grants::PendingAuthorization;
use super::jwt;
use crate::accounts::access::{AccessRefusal, CheckError};
use crate::accounts::activity::{ActivityKind, NewActivity, Origin};
use crate::accounts::application::Client;
use crate::app::AppState;
use crate::secret::random_token;
use crate::store::{Ephemeral, StoreError};
use crate::web::extract::RequestOrigin;
use crate::web::page::{self, see_other};
use crate::web::session::{self, SessionRecord};

/// A `login_hint` with this prefix names a hand-off, never a login name.
pub const HINT_PREFIX: &str = "urn:lanyard:handoff:";
/// Long enough to say "timed out" with A's name after the 30 s have passed.
const RECORD_TTL: i64 = 10 * 60;

/// U3's texts, exactly.
pub const INVALID_CREDENTIAL: &str = "Invalid Credential";

pub fn locked_in(app: &str) -> String {
    format!("Your {app} account has been locked. Please contact your agency administrator")
}

pub fn timed_out(from: &str) -> String {
    format!("Login failed due to request timeout. Please try again from {from}")
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Handoff {
    from_id: String,
    from_name: String,
    to_id: String,
    user_id: i32,
    tenant_id: i32,
    created_at: i64,
}

fn record_key(handle: &str) -> String {
    Ephemeral::secret_key("handoff", handle)
}

fn used_key(handle: &str) -> String {
    Ephemeral::secret_key("handoff-used", handle)
}

/// Step 1: `POST /unified-login/handoff` with `target_client_id` and `id_token_hint`.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    body: axum::body::Bytes,
) -> Response {
    match handoff(&state, &headers, &body, origin).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn handoff(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    origin: Origin,
) -> Result<serde_json::Value, OAuthError> {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| OAuthError::new(ErrorCode::InvalidRequest, "the body must be form-urlencoded"))?;
    let from = client_auth::authenticate(&state.accounts.store, headers, &form).await?;
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    let target_id = field("target_client_id")
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidRequest, "target_client_id is required"))?;
    let hint = field("id_token_hint")
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidRequest, "id_token_hint is required"))?;
    // Only a confidential client's back end can prove it is A; a public client's id alone cannot.
    if from.is_public() {
        return Err(OAuthError::new(ErrorCode::UnauthorizedClient, "unified login needs a confidential client"));
    }
    // The hint must be recent: an old ID token must not start hand-offs for ever.
    let now = state.accounts.clock.now();
    let claims = jwt::verify(&state.oidc.ring, hint)
        .filter(|c| c.get("iss").and_then(|v| v.as_str()) == Some(state.oidc.issuer.as_str()))
        .filter(|c| c.get("aud").and_then(|v| v.as_str()) == Some(from.client_id.as_str()))
        .filter(|c| c.get("iat").and_then(|v| v.as_i64()).is_some_and(|iat| now - iat <= state.config.session_ttl_secs))
        .ok_or_else(|| {
            OAuthError::new(ErrorCode::InvalidGrant, "id_token_hint is not an ID token this server issued to you")
        })?;
    let sub = claims.get("sub").and_then(|v| v.as_str()).unwrap_or_default();
    let store = &state.accounts.store;
    let user =
        store.user_by_subject(sub).await?.ok_or_else(|| OAuthError::new(ErrorCode::InvalidGrant, "unknown user"))?;
    let tenant = store
        .tenant_by_id(user.tenant_id)
        .await?
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidGrant, "unknown provider"))?;
    // U1: only a provider a platform administrator enabled may use it.
    if !tenant.unified_login_enabled {
        return Err(OAuthError::new(ErrorCode::AccessDenied, "unified login is not enabled for this provider"));
    }
    let target = store
        .client(target_id)
        .await?
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidRequest, "unknown target_client_id"))?;
    if target.metadata.initiate_login_uri.is_none() || target.client_id == from.client_id {
        return Err(OAuthError::new(
            ErrorCode::InvalidRequest,
            "the target application cannot be opened by unified login",
        ));
    }
    let record = Handoff {
        from_id: from.client_id.clone(),
        from_name: from.name.clone(),
        to_id: target.client_id.clone(),
        user_id: user.id,
        tenant_id: tenant.id,
        created_at: now,
    };
    let handle = random_token();
    let json = serde_json::to_string(&record).map_err(OAuthError::server)?;
    state.accounts.ephemeral.put(&record_key(&handle), &json, RECORD_TTL).await?;
    let entry = NewActivity {
        tenant_id: Some(tenant.id),
        user_id: Some(user.id),
        login_name: user.login_name.as_str().to_string(),
        kind: ActivityKind::UnifiedLoginStarted,
        detail: format!("hand-off to {}", target.name),
        login_type: "unified login".into(),
        client_id: Some(from.client_id.clone()),
        origin,
    };
    store.record_activity(&entry, now).await?;
    Ok(json!({
        "start_uri": format!("{}/unified-login/start?handoff={handle}", state.oidc.issuer),
        "expires_in": state.config.unified_login_timeout_secs,
    }))
}

#[derive(Deserialize)]
pub struct StartQuery {
    handoff: String,
}

fn error_page(message: &str) -> Response {
    page::message(StatusCode::BAD_REQUEST, "Unified login", message)
}

/// Step 2, in the new tab: the same user's session, within the time, goes on to B.
pub async fn start(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<StartQuery>) -> Response {
    let record = match load(&state, &q.handoff).await {
        Ok(Some(r)) => r,
        Ok(None) => return error_page(&timed_out("the application you came from")),
        Err(e) => return OAuthError::server(e).into_response(),
    };
    if state.accounts.clock.now() - record.created_at > state.config.unified_login_timeout_secs {
        return error_page(&timed_out(&record.from_name));
    }
    match session::current(&state.accounts.ephemeral, &headers, state.config.secure_cookies()).await {
        Ok(Some(s)) if s.user_id == record.user_id => {}
        Ok(_) => return error_page(&timed_out(&record.from_name)),
        Err(e) => return OAuthError::server(e).into_response(),
    }
    let target = match state.accounts.store.client(&record.to_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return error_page(INVALID_CREDENTIAL),
        Err(e) => return OAuthError::server(e).into_response(),
    };
    let Some(initiate) = target.metadata.initiate_login_uri.as_deref().and_then(|u| url::Url::parse(u).ok()) else {
        return error_page(INVALID_CREDENTIAL);
    };
    let mut location = initiate.clone();
    let target_link = format!("{}/", initiate.origin().ascii_serialization());
    location
        .query_pairs_mut()
        .append_pair("iss", &state.oidc.issuer)
        .append_pair("target_link_uri", &target_link)
        .append_pair("login_hint", &format!("{HINT_PREFIX}{}", q.handoff));
    see_other(location.as_str(), vec![])
}

async fn load(state: &AppState, handle: &str) -> Result<Option<Handoff>, StoreError> {
    Ok(state.accounts.ephemeral.get(&record_key(handle)).await?.and_then(|v| serde_json::from_str(&v).ok()))
}

/// Step 3: B's authorization request carries the hand-off; answer it or refuse with U3's text.
/// Returns the session to answer from, and A (client id, name) for the ID token and activity.
pub async fn redeem(
    state: &AppState,
    session: Option<&SessionRecord>,
    client: &Client,
    pending: &PendingAuthorization,
) -> Result<(String, String), OAuthError> {
    let refuse = |text: String| OAuthError::new(ErrorCode::AccessDenied, text);
    let handle = pending.login_hint.as_deref().and_then(|h| h.strip_prefix(HINT_PREFIX)).unwrap_or_default();
    let eph = &state.accounts.ephemeral;
    // Single use: the take is atomic; a replay finds only the "used" marker.
    let Some(record) = eph.take(&record_key(handle)).await?.and_then(|v| serde_json::from_str::<Handoff>(&v).ok())
    else {
        let from = eph.get(&used_key(handle)).await?.unwrap_or_else(|| "the application you came from".into());
        return Err(refuse(timed_out(&from)));
    };
    eph.put(&used_key(handle), &record.from_name, RECORD_TTL).await?;
    if record.to_id != client.client_id {
        return Err(refuse(timed_out(&record.from_name)));
    }
    if state.accounts.clock.now() - record.created_at > state.config.unified_login_timeout_secs {
        return Err(refuse(timed_out(&record.from_name)));
    }
    match session {
        Some(s) if s.user_id == record.user_id && !s.must_change_password => {}
        _ => return Err(refuse(timed_out(&record.from_name))),
    }
    let store = &state.accounts.store;
    let (Some(user), Some(tenant)) =
        (store.user_by_id(record.user_id).await?, store.tenant_by_id(record.tenant_id).await?)
    else {
        return Err(refuse(INVALID_CREDENTIAL.into()));
    };
    match state.accounts.check_access(&user, &tenant, client).await {
        Ok(()) => Ok((record.from_id, record.from_name)),
        Err(CheckError::Refused(AccessRefusal::Locked)) => Err(refuse(locked_in(&client.name))),
        Err(CheckError::Refused(_)) => Err(refuse(INVALID_CREDENTIAL.into())),
        Err(CheckError::Internal(e)) => Err(OAuthError::server(e)),
    }
}
