//! The authorization endpoint (OIDC Core §3.1.2): GET and POST, then the sign-in page, then
//! `/authorize/resume` once the user has signed in.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::authorize_request::{self, AuthorizeRequest, Rejection};
use super::error::{ErrorCode, OAuthError};
use super::grants::{CodeRecord, Grants, PendingAuthorization, Subject};
use super::redirect::{ResponseMode, VerifiedRedirect};
use super::unified_login;
use crate::accounts::access::{AccessRefusal, CheckError};
use crate::accounts::activity::{ActivityKind, NewActivity, Origin};
use crate::app::AppState;
use crate::web::extract::RequestOrigin;
use crate::web::page::{self, see_other};
use crate::web::session::{self, SessionRecord};

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    authorize(state, headers, origin, params).await
}

pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    body: axum::body::Bytes,
) -> Response {
    match serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) {
        Ok(params) => authorize(state, headers, origin, params).await,
        Err(_) => error_page("The authorization request could not be read."),
    }
}

fn error_page(message: &str) -> Response {
    page::message(StatusCode::BAD_REQUEST, "Sign-in request refused", message)
}

/// Whether the Lanyard session can answer this request without showing the sign-in page.
fn session_satisfies(
    s: &SessionRecord,
    subject: Option<&str>,
    p: &PendingAuthorization,
    now: i64,
    resumed: bool,
) -> bool {
    let hint_ok = match (&p.id_token_hint_sub, subject) {
        (Some(hint), Some(sub)) => hint == sub,
        (Some(_), None) => false,
        (None, _) => true,
    };
    // prompt=login and max_age need a password entered after the request arrived / recently.
    let login_ok = !p.prompt_login || (resumed && s.auth_time >= p.created_at);
    let age_ok = p.max_age.is_none_or(|max| now - s.auth_time <= max || (resumed && s.auth_time >= p.created_at));
    !s.must_change_password && hint_ok && login_ok && age_ok
}

async fn authorize(state: AppState, headers: HeaderMap, origin: Origin, params: Vec<(String, String)>) -> Response {
    let AuthorizeRequest { client, redirect, pending, prompt_none } =
        match authorize_request::check(&state, params).await {
            Ok(r) => r,
            Err(Rejection::Page(message)) => return error_page(&message),
            Err(Rejection::Redirect(redirect, error)) => return redirect.error(&error),
        };
    let secure = state.config.secure_cookies();
    let session = match session::current(&state.accounts.ephemeral, &headers, secure).await {
        Ok(s) => s,
        Err(e) => return redirect.error(&OAuthError::server(e)),
    };
    // U2: a unified-login hand-off is answered from the session or refused with U3's text.
    if pending.login_hint.as_deref().is_some_and(|h| h.starts_with(unified_login::HINT_PREFIX)) {
        return match unified_login::redeem(&state, session.as_ref(), &client, &pending).await {
            Ok(from) => match &session {
                Some(s) => complete(&state, s, &pending, &client, &redirect, Some((from, origin))).await,
                None => redirect.error(&OAuthError::new(ErrorCode::LoginRequired, "no session")),
            },
            Err(e) => redirect.error(&e),
        };
    }
    let now = state.accounts.clock.now();
    if let Some(s) = &session {
        let subject = match state.accounts.store.user_by_id(s.user_id).await {
            Ok(u) => u.map(|u| u.subject),
            Err(e) => return redirect.error(&OAuthError::server(e)),
        };
        if session_satisfies(s, subject.as_deref(), &pending, now, false) {
            return complete(&state, s, &pending, &client, &redirect, None).await;
        }
    }
    if prompt_none {
        let code = match &session {
            Some(s) if s.must_change_password => ErrorCode::InteractionRequired,
            _ => ErrorCode::LoginRequired,
        };
        return redirect.error(&OAuthError::new(code, "the user must sign in at Lanyard"));
    }
    match state.oidc.grants.save_pending(&pending).await {
        Ok(id) => see_other(&format!("/login?auth={id}"), vec![]),
        Err(e) => redirect.error(&OAuthError::server(e)),
    }
}

#[derive(Deserialize)]
pub struct ResumeQuery {
    auth: String,
}

/// Back from the sign-in page: answer the pending request from the (new) session.
pub async fn resume(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<ResumeQuery>) -> Response {
    let expired = || error_page("This sign-in request has expired. Please go back to the application and try again.");
    let pending = match state.oidc.grants.pending(&q.auth).await {
        Ok(Some(p)) => p,
        Ok(None) => return expired(),
        Err(e) => return axum::response::IntoResponse::into_response(page::PageError::from(e)),
    };
    let Some(redirect) = VerifiedRedirect::resumed(
        &pending.redirect_uri,
        pending.state.clone(),
        ResponseMode::parse(&pending.response_mode).unwrap_or(ResponseMode::Query),
        &state.oidc.issuer,
    ) else {
        return expired();
    };
    let session = match session::current(&state.accounts.ephemeral, &headers, state.config.secure_cookies()).await {
        Ok(s) => s,
        Err(e) => return redirect.error(&OAuthError::server(e)),
    };
    let Some(session) = session else {
        return see_other(&format!("/login?auth={}", q.auth), vec![]);
    };
    let subject = match state.accounts.store.user_by_id(session.user_id).await {
        Ok(u) => u.map(|u| u.subject),
        Err(e) => return redirect.error(&OAuthError::server(e)),
    };
    if !session_satisfies(&session, subject.as_deref(), &pending, state.accounts.clock.now(), true) {
        if session.must_change_password {
            return see_other(&format!("/password/change?auth={}", q.auth), vec![]);
        }
        return see_other(&format!("/login?auth={}", q.auth), vec![]);
    }
    // Single use: a second tab resuming the same request gets the expiry page.
    match state.oidc.grants.take_pending(&q.auth).await {
        Ok(Some(_)) => {}
        Ok(None) => return expired(),
        Err(e) => return redirect.error(&OAuthError::server(e)),
    }
    let client = match state.accounts.store.client(&pending.client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return expired(),
        Err(e) => return redirect.error(&OAuthError::server(e)),
    };
    complete(&state, &session, &pending, &client, &redirect, None).await
}

/// T4 for this user and application, then a code to the verified redirect target.
async fn complete(
    state: &AppState,
    session: &SessionRecord,
    pending: &PendingAuthorization,
    client: &crate::accounts::application::Client,
    redirect: &VerifiedRedirect,
    unified: Option<((String, String), Origin)>,
) -> Response {
    let store = &state.accounts.store;
    let (user, tenant) = match (store.user_by_id(session.user_id).await, store.tenant_by_id(session.tenant_id).await) {
        (Ok(Some(u)), Ok(Some(t))) => (u, t),
        (Err(e), _) | (_, Err(e)) => return redirect.error(&OAuthError::server(e)),
        _ => {
            return redirect
                .error(&OAuthError::new(ErrorCode::LoginRequired, "the session's account no longer exists"));
        }
    };
    match state.accounts.check_access(&user, &tenant, client).await {
        Ok(()) => {}
        Err(CheckError::Refused(why)) => {
            let description = match why {
                AccessRefusal::ProviderNotAllowed => "the user's provider may not use this application",
                AccessRefusal::NoAccess => "the user has no access to this application",
                AccessRefusal::Locked => "the user's account is locked for this application",
            };
            return redirect.error(&OAuthError::new(ErrorCode::AccessDenied, description));
        }
        Err(CheckError::Internal(e)) => return redirect.error(&OAuthError::server(e)),
    }
    let record = CodeRecord {
        grant_id: Grants::new_grant_id(),
        client_id: client.client_id.clone(),
        redirect_uri: pending.redirect_uri.clone(),
        scope: pending.scope.clone(),
        nonce: pending.nonce.clone(),
        code_challenge: pending.code_challenge.clone(),
        subject: Subject {
            user_id: user.id,
            tenant_id: tenant.id,
            sub: user.subject.clone(),
            auth_time: session.auth_time,
            sid: session.sid.clone(),
            amr: vec!["pwd".into()],
            epoch: session.epoch.clone(),
            initiated_from: unified.as_ref().map(|(from, _)| from.clone()),
        },
    };
    // U4: B's record says where the login came from.
    if let Some(((_, from_name), origin)) = unified {
        let entry = NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind: ActivityKind::SignIn,
            detail: String::new(),
            login_type: format!("Login initiated from {from_name}"),
            client_id: Some(client.client_id.clone()),
            origin,
        };
        if let Err(e) = store.record_activity(&entry, state.accounts.clock.now()).await {
            return redirect.error(&OAuthError::server(e));
        }
    }
    let ttl = state.config.session_ttl_secs;
    if let Err(e) = super::backchannel::remember(&state.accounts.ephemeral, &session.sid, &client.client_id, ttl).await
    {
        return redirect.error(&OAuthError::server(e));
    }
    match state.oidc.grants.issue_code(&record).await {
        Ok(code) => redirect.code(&code),
        Err(e) => redirect.error(&OAuthError::server(e)),
    }
}
