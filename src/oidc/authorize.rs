//! The authorization endpoint (OIDC Core §3.1.2): GET and POST, then the sign-in page, then
//! `/authorize/resume` once the person has signed in.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::authorize_request::{self, AuthorizeRequest, Rejection};
use super::error::{ErrorCode, OAuthError};
use super::grants::{CodeRecord, Grants, Subject};
use super::interaction::{self, PendingAuthorization};
use super::redirect::{ResponseMode, VerifiedRedirect};
use super::unified_login::{self, INVALID_CREDENTIAL};
use super::{Ctx, Protocol};
use crate::accounts::Accounts;
use crate::accounts::access::{AccessRefusal, CheckError};
use crate::accounts::factors::Asked;
use crate::accounts::interaction::SaveError;
use crate::accounts::session::{Required, SessionRecord};
use crate::domain::activity::Origin;
use crate::domain::application::Client;
use crate::domain::second_factor;
use crate::http::page::{self, PageError, see_other};
use crate::http::{OAuthParams, PageQuery, ParamError, RequestOrigin, Site, session};
use crate::i18n::Msg;

fn error_page(message: Msg) -> Response {
    page::message(StatusCode::BAD_REQUEST, Msg::new("authorize-refused-title"), message)
}

/// F4, F7: what the request asks of the session's level.
fn asked(p: &PendingAuthorization) -> Asked {
    Asked { wanted: p.wants_second_factor, by_application: p.requires_second_factor, essential: p.essential_acr }
}

/// F7: a complete session the request needs a second factor of, with none to prove or set up
/// (an essential `acr` where the provider offers no second factors): a failed authentication
/// (OIDC Core §5.5.1.1), not a sign-in page that could never satisfy it.
fn unmet(session: Option<&SessionRecord>, p: &PendingAuthorization, step_up: Option<Required>) -> bool {
    step_up.is_none() && asked(p).required() && session.is_some_and(|s| s.complete() && s.second_factor_at.is_none())
}

fn access_denied() -> OAuthError {
    OAuthError::new(ErrorCode::AccessDenied, "the multi-factor level is not available to this person")
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
    let factor_ok = !asked(p).required() || s.second_factor_at.is_some();
    s.complete() && hint_ok && login_ok && age_ok && factor_ok
}

pub async fn authorize(
    State(oidc): State<Protocol>,
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    params: Result<OAuthParams, ParamError>,
) -> Response {
    let ctx = Ctx { oidc: &oidc, accounts: &accounts };
    // RFC 9101: a signed request object's claims replace the parameters beside it.
    let params = match params {
        Ok(p) => match super::request_object::at_authorize(ctx, &p).await {
            Ok(inner) => Ok(inner.unwrap_or(p)),
            Err(Rejection::Page(message)) => return error_page(message),
            Err(Rejection::Failed(e)) => return crate::http::page::PageError::from(e).into_response(),
            Err(Rejection::Redirect(redirect, error)) => return redirect.error(&error),
        },
        Err(e) => Err(e),
    };
    // RFC 9126: a request_uri names parameters the client pushed; they replace these.
    let stored = match &params {
        Ok(p) => match super::par::pushed(ctx, p).await {
            Ok(stored) => stored,
            Err(Rejection::Page(message)) => return error_page(message),
            Err(Rejection::Failed(e)) => return crate::http::page::PageError::from(e).into_response(),
            // No redirect is verified before the pushed request is found.
            Err(Rejection::Redirect(redirect, error)) => return redirect.error(&error),
        },
        Err(_) => None,
    };
    let (params, pushed) = match stored {
        Some(stored) => (Ok(stored), true),
        None => (params, false),
    };
    let checked = authorize_request::check(ctx, params, pushed).await;
    let AuthorizeRequest { client, redirect, pending, prompt_none } = match checked {
        Ok(r) => r,
        Err(Rejection::Page(message)) => return error_page(message),
        Err(Rejection::Redirect(redirect, error)) => return redirect.error(&error),
        Err(Rejection::Failed(e)) => return crate::http::page::PageError::from(e).into_response(),
    };
    let session = match session::current(&accounts, &site, &headers).await {
        Ok(s) => s,
        Err(e) => return redirect.error(&OAuthError::from(e)),
    };
    // F7: the multi-factor level on a password-only session asks for the second factor (step-up),
    // not the password again; a person with no second factor gets the level they have, unless
    // the application requires one (F4): then they set one up.
    let step_up = match &session {
        Some(s) => match accounts.factors().step_up(s, asked(&pending)).await {
            Ok(step) => step,
            Err(e) => return redirect.error(&OAuthError::from(e)),
        },
        None => None,
    };
    if unmet(session.as_ref(), &pending, step_up) {
        return redirect.error(&access_denied());
    }
    // U2: a unified-login hand-off is answered from the session or refused with U3's text.
    if pending.login_hint.as_deref().is_some_and(|h| h.starts_with(unified_login::HINT_PREFIX)) {
        return match (unified_login::redeem(ctx, session.as_ref(), &client, &pending).await, &session) {
            // F8: B wants a second factor A's session has not proved: B's tab asks for it alone,
            // the hand-off already taken (its 30 seconds were kept) and carried in the request.
            (Ok((from, language)), Some(_)) if step_up.is_some() && !prompt_none => {
                // G1: B's page speaks the hand-off's language unless B asked for one.
                let ui_locale = pending.ui_locale.clone().or(language);
                let pending = PendingAuthorization { unified_from: Some(from), ui_locale, ..pending };
                let next = step_up.map_or("/login", |step| step.path());
                match interaction::save(&accounts, &pending, &origin.ip).await {
                    Ok(id) => see_other(&format!("{next}?auth={id}"), vec![]),
                    Err(SaveError::OverBudget) => too_many_waiting(),
                    Err(SaveError::Store(e)) => redirect.error(&OAuthError::from(e)),
                }
            }
            (Ok(_), Some(_)) if step_up.is_some() => {
                redirect.error(&OAuthError::new(ErrorCode::InteractionRequired, "a second factor is needed"))
            }
            (Ok((from, _)), Some(s)) => {
                complete(ctx, s, &pending, &client, &redirect, Some(Unified { from, origin })).await
            }
            (Ok(_), None) => redirect.error(&OAuthError::new(ErrorCode::LoginRequired, "no session")),
            (Err(e), _) => redirect.error(&e),
        };
    }
    if let Some(s) = &session {
        let subject = match accounts.user_by_id(s.user_id).await {
            Ok(u) => u.map(|u| u.subject),
            Err(e) => return redirect.error(&OAuthError::from(e)),
        };
        if step_up.is_none() && session_satisfies(s, subject.as_deref(), &pending, oidc.clock.now(), false) {
            return complete(ctx, s, &pending, &client, &redirect, None).await;
        }
    }
    if prompt_none {
        let code = match &session {
            Some(s) if !s.complete() || step_up.is_some() => ErrorCode::InteractionRequired,
            _ => ErrorCode::LoginRequired,
        };
        return redirect.error(&OAuthError::new(code, "the user must sign in at Lanyard"));
    }
    // F1: a session that owes a step takes it; otherwise the person signs in.
    let next = step_up.or(session.as_ref().and_then(|s| s.next_required())).map_or("/login", |step| step.path());
    match interaction::save(&accounts, &pending, &origin.ip).await {
        Ok(id) => see_other(&format!("{next}?auth={id}"), vec![]),
        Err(SaveError::OverBudget) => too_many_waiting(),
        Err(SaveError::Store(e)) => redirect.error(&OAuthError::from(e)),
    }
}

fn too_many_waiting() -> Response {
    page::message(StatusCode::TOO_MANY_REQUESTS, Msg::new("authorize-too-many-title"), Msg::new("authorize-too-many"))
}

#[derive(Deserialize)]
pub struct ResumeQuery {
    auth: String,
}

/// Back from the sign-in page: take the interaction (single use: a second tab resuming the same
/// request gets the expiry page) and answer it from the new session.
pub async fn resume(
    State(oidc): State<Protocol>,
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageQuery(q): PageQuery<ResumeQuery>,
) -> Response {
    let expired = || error_page(Msg::new("authorize-expired"));
    let taken = match accounts.interactions().take(&q.auth).await {
        Ok(Some(i)) => i,
        Ok(None) => return expired(),
        Err(e) => return PageError::from(e).into_response(),
    };
    let Some(pending) = interaction::request(&taken) else { return expired() };
    let Some(redirect) = VerifiedRedirect::resumed(
        &pending.redirect_uri,
        pending.state.clone(),
        ResponseMode::parse(&pending.response_mode).unwrap_or(ResponseMode::Query),
        &oidc.issuer,
    ) else {
        return expired();
    };
    let session = match session::current(&accounts, &site, &headers).await {
        Ok(s) => s,
        Err(e) => return redirect.error(&OAuthError::from(e)),
    };
    // F4: an application that requires a second factor gets none without one, whatever way the
    // session was completed in the meantime.
    let required = Asked { wanted: false, ..asked(&pending) };
    let step_up = match &session {
        Some(s) => match accounts.factors().step_up(s, required).await {
            Ok(step) => step,
            Err(e) => return redirect.error(&OAuthError::from(e)),
        },
        None => None,
    };
    if unmet(session.as_ref(), &pending, step_up) {
        return redirect.error(&access_denied());
    }
    let subject = match &session {
        Some(s) => match accounts.user_by_id(s.user_id).await {
            Ok(u) => u.map(|u| u.subject),
            Err(e) => return redirect.error(&OAuthError::from(e)),
        },
        None => None,
    };
    let ready = session.as_ref().filter(|s| session_satisfies(s, subject.as_deref(), &pending, oidc.clock.now(), true));
    let Some(session) = ready else {
        // Not done yet (no session, the forced change, or a fresher sign-in needed): the
        // interaction goes back for the page that comes next.
        if let Err(e) = accounts.interactions().put_back(&q.auth, &taken).await {
            return redirect.error(&OAuthError::from(e));
        }
        let next = match step_up.or(session.as_ref().and_then(|s| s.next_required())) {
            Some(step) => step.path(),
            None => "/login",
        };
        return see_other(&format!("{next}?auth={}", q.auth), vec![]);
    };
    let client = match accounts.client(&pending.client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return expired(),
        Err(e) => return redirect.error(&OAuthError::from(e)),
    };
    let ctx = Ctx { oidc: &oidc, accounts: &accounts };
    // F8: a unified login that stopped for B's second factor finishes as one (U4's records).
    let unified = pending.unified_from.clone().map(|from| Unified { from, origin });
    complete(ctx, session, &pending, &client, &redirect, unified).await
}

/// A unified login being completed: A (client id, name), and where the browser is.
struct Unified {
    from: (String, String),
    origin: Origin,
}

/// T4 for this user and application — once — then a code to the verified redirect target.
async fn complete(
    ctx: Ctx<'_>,
    session: &SessionRecord,
    pending: &PendingAuthorization,
    client: &Client,
    redirect: &VerifiedRedirect,
    unified: Option<Unified>,
) -> Response {
    let accounts = ctx.accounts;
    let (user, tenant) = match accounts.account(session.user_id, session.tenant_id).await {
        Ok(Some(found)) => found,
        Err(e) => return redirect.error(&OAuthError::from(e)),
        // U3: the user or provider does not exist (any more).
        Ok(None) if unified.is_some() => {
            return redirect.error(&OAuthError::new(ErrorCode::AccessDenied, INVALID_CREDENTIAL));
        }
        Ok(None) => {
            return redirect
                .error(&OAuthError::new(ErrorCode::LoginRequired, "the session's account no longer exists"));
        }
    };
    match accounts.check_access(&user, &tenant, client).await {
        Ok(()) => {}
        Err(CheckError::Refused(why)) => {
            // U3's texts in B's tab for a unified login; the spec's plain words otherwise.
            let description = match (&unified, why) {
                (Some(_), AccessRefusal::Locked) => unified_login::locked_in(&client.name),
                (Some(_), _) => INVALID_CREDENTIAL.into(),
                (None, AccessRefusal::ProviderNotAllowed) => "the user's provider may not use this application".into(),
                (None, AccessRefusal::NoAccess) => "the user has no access to this application".into(),
                (None, AccessRefusal::Locked) => "the user's account is locked for this application".into(),
            };
            return redirect.error(&OAuthError::new(ErrorCode::AccessDenied, description));
        }
        Err(CheckError::Internal(e)) => return redirect.error(&OAuthError::from(e)),
    }
    let record = CodeRecord {
        grant_id: Grants::new_grant_id(),
        client_id: client.client_id.clone(),
        redirect_uri: pending.redirect_uri.clone(),
        scope: pending.scope.clone(),
        nonce: pending.nonce.clone(),
        code_challenge: pending.code_challenge.clone(),
        dpop_jkt: pending.dpop_jkt.clone(),
        subject: Subject {
            user_id: user.id,
            tenant_id: tenant.id,
            sub: user.subject.clone(),
            auth_time: session.auth_time,
            sid: session.sid.clone(),
            amr: second_factor::amr(&session.proofs).into_iter().map(String::from).collect(),
            acr: Some(second_factor::acr(&session.proofs).into()),
            epoch: session.epoch.clone(),
            initiated_from: unified.as_ref().map(|u| u.from.clone()),
        },
    };
    // U4: B's record says where the login came from.
    if let Some(Unified { from: (_, from_name), origin }) = unified
        && let Err(e) = accounts.record_unified_sign_in(&user, &tenant, client, &from_name, origin).await
    {
        return redirect.error(&OAuthError::from(e));
    }
    if let Err(e) = accounts.note_application(&session.sid, &client.client_id).await {
        return redirect.error(&OAuthError::from(e));
    }
    match ctx.oidc.grants.issue_code(&record).await {
        Ok(code) => redirect.code(&code),
        Err(e) => redirect.error(&OAuthError::from(e)),
    }
}
