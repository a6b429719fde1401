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
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::client_auth;
use super::error::{ErrorCode, OAuthError};
use super::interaction::PendingAuthorization;
use super::jwt;
use super::{Ctx, Protocol};
use crate::accounts::Accounts;
use crate::accounts::session::SessionRecord;
use crate::domain::activity::Origin;
use crate::domain::application::Client;
use crate::http::language;
use crate::http::page::{self, see_other};
use crate::http::{OAuthParams, PageQuery, RequestOrigin, Site, session};
use crate::i18n::{Lang, Msg, from_ui_locales};
use crate::secret::random_token;

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
    /// G1: the language A's person reads (A's `ui_locales`), for Lanyard's pages on the way.
    #[serde(default)]
    ui_locale: Option<String>,
}

/// Step 1: `POST /unified-login/handoff` with `target_client_id` and `id_token_hint`.
pub async fn create(
    State(oidc): State<Protocol>,
    State(accounts): State<Accounts>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    form: OAuthParams,
) -> Response {
    match handoff(Ctx { oidc: &oidc, accounts: &accounts }, &headers, &form, origin).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn handoff(
    state: Ctx<'_>,
    headers: &HeaderMap,
    form: &OAuthParams,
    origin: Origin,
) -> Result<serde_json::Value, OAuthError> {
    let from = client_auth::authenticate(state.oidc, state.accounts, headers, form).await?;
    let target_id = form
        .get("target_client_id")
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidRequest, "target_client_id is required"))?;
    let hint = form
        .get("id_token_hint")
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidRequest, "id_token_hint is required"))?;
    // Only a confidential client's back end can prove it is A; a public client's id alone cannot.
    if from.is_public() {
        return Err(OAuthError::new(ErrorCode::UnauthorizedClient, "unified login needs a confidential client"));
    }
    // The hint must be recent: an old ID token must not start hand-offs for ever.
    let now = state.oidc.clock.now();
    let claims = jwt::verify_id_token(&state.oidc.ring, &state.oidc.issuer, hint)
        .filter(|c| c.get("aud").and_then(|v| v.as_str()) == Some(from.client_id.as_str()))
        .filter(|c| c.get("iat").and_then(|v| v.as_i64()).is_some_and(|iat| now - iat <= state.oidc.session_ttl_secs))
        .ok_or_else(|| {
            OAuthError::new(ErrorCode::InvalidGrant, "id_token_hint is not an ID token this server issued to you")
        })?;
    let sub = claims.get("sub").and_then(|v| v.as_str()).unwrap_or_default();
    let accounts = state.accounts;
    let user =
        accounts.user_by_subject(sub).await?.ok_or_else(|| OAuthError::new(ErrorCode::InvalidGrant, "unknown user"))?;
    let tenant = accounts
        .tenant_by_id(user.tenant_id)
        .await?
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidGrant, "unknown provider"))?;
    // U1: only a provider a platform administrator enabled may use it.
    if !tenant.unified_login_enabled {
        return Err(OAuthError::new(ErrorCode::AccessDenied, "unified login is not enabled for this provider"));
    }
    let target = accounts
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
        ui_locale: form.get("ui_locales").and_then(from_ui_locales).map(|l| l.tag().to_string()),
    };
    let handle = random_token();
    let json = serde_json::to_string(&record).map_err(OAuthError::server)?;
    state.oidc.grants.save_handoff(&handle, &json, RECORD_TTL).await?;
    accounts.record_unified_login_started(&user, &tenant, &from, &target, origin).await?;
    Ok(json!({
        "start_uri": format!("{}/unified-login/start?handoff={handle}", state.oidc.issuer),
        "expires_in": state.oidc.unified_login_timeout_secs,
    }))
}

#[derive(Deserialize)]
pub struct StartQuery {
    handoff: String,
}

/// U3 on Lanyard's own page, in the person's language (what goes back to B as an OAuth
/// `error_description` stays English: RFC 6749 §4.1.2.1 allows it ASCII only).
fn error_page(lang: Lang, message: Msg) -> Response {
    page::message_in(lang, StatusCode::BAD_REQUEST, &Msg::new("unified-title"), &message)
}

fn timed_out_page(lang: Lang, from: &str) -> Response {
    error_page(lang, Msg::new("unified-timed-out").with("from", from.to_string()))
}

/// Step 2, in the new tab: the same user's session, within the time, goes on to B.
pub async fn start(
    State(oidc): State<Protocol>,
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<StartQuery>,
) -> Response {
    let loaded = oidc.grants.handoff(&q.handoff).await;
    let record = match loaded.map(|r| r.and_then(|v| serde_json::from_str::<Handoff>(&v).ok())) {
        Ok(Some(r)) => r,
        Ok(None) => return error_page(language::of_browser(&headers), Msg::new("unified-timed-out-unknown")),
        Err(e) => return OAuthError::server(e).into_response(),
    };
    let asked = record.ui_locale.as_deref().and_then(Lang::from_tag);
    let provider = match accounts.languages().of_provider(record.tenant_id).await {
        Ok(l) => l,
        Err(e) => return OAuthError::server(e).into_response(),
    };
    let lang = language::preference(&headers).choose(asked, provider);
    if oidc.clock.now() - record.created_at > oidc.unified_login_timeout_secs {
        return timed_out_page(lang, &record.from_name);
    }
    match session::current(&accounts, &site, &headers).await {
        Ok(Some(s)) if s.user_id == record.user_id => {}
        Ok(_) => return timed_out_page(lang, &record.from_name),
        Err(e) => return OAuthError::server(e).into_response(),
    }
    let target = match accounts.client(&record.to_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return error_page(lang, Msg::new("unified-invalid-credential")),
        Err(e) => return OAuthError::server(e).into_response(),
    };
    let Some(initiate) = target.metadata.initiate_login_uri.as_deref().and_then(|u| url::Url::parse(u).ok()) else {
        return error_page(lang, Msg::new("unified-invalid-credential"));
    };
    let mut location = initiate.clone();
    let target_link = format!("{}/", initiate.origin().ascii_serialization());
    location
        .query_pairs_mut()
        .append_pair("iss", &oidc.issuer)
        .append_pair("target_link_uri", &target_link)
        .append_pair("login_hint", &format!("{HINT_PREFIX}{}", q.handoff));
    see_other(location.as_str(), vec![])
}

/// Step 3: B's authorization request carries the hand-off: take it (once) and check it is B's,
/// this session's user's and within the time. Returns A (client id, name) and the hand-off's
/// language; the caller checks T4 for B once and answers with U3's texts.
pub async fn redeem(
    state: Ctx<'_>,
    session: Option<&SessionRecord>,
    client: &Client,
    pending: &PendingAuthorization,
) -> Result<((String, String), Option<String>), OAuthError> {
    let refuse = |text: String| OAuthError::new(ErrorCode::AccessDenied, text);
    let handle = pending.login_hint.as_deref().and_then(|h| h.strip_prefix(HINT_PREFIX)).unwrap_or_default();
    let grants = &state.oidc.grants;
    let taken = grants.take_handoff(handle).await?.and_then(|v| serde_json::from_str::<Handoff>(&v).ok());
    let Some(record) = taken else {
        let from = grants.handoff_used(handle).await?.unwrap_or_else(|| "the application you came from".into());
        return Err(refuse(timed_out(&from)));
    };
    grants.mark_handoff_used(handle, &record.from_name, RECORD_TTL).await?;
    if record.to_id != client.client_id {
        return Err(refuse(timed_out(&record.from_name)));
    }
    if state.oidc.clock.now() - record.created_at > state.oidc.unified_login_timeout_secs {
        return Err(refuse(timed_out(&record.from_name)));
    }
    match session {
        Some(s) if s.user_id == record.user_id && s.tenant_id == record.tenant_id && s.complete() => {
            Ok(((record.from_id, record.from_name), record.ui_locale))
        }
        _ => Err(refuse(timed_out(&record.from_name))),
    }
}
