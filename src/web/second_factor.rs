//! F5, F10: the second step of a sign-in — a passkey or security key, a code from the
//! authenticator app or a recovery code — reached only by a session that passed the password
//! and still owes its second factor (F1). The page names no one.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use super::language;
use super::login::{ACCOUNT_LOCKED, LoginQuery, next_step};
use crate::accounts::Accounts;
use crate::accounts::factors::{MAX_CODE_CHARS, ProveError};
use crate::accounts::passkeys::PasskeyError;
use crate::accounts::session::{Required, SessionRecord};
use crate::http::page::{Page, PageError, see_other};
use crate::http::{PageForm, PageQuery, RequestOrigin, Site, csrf, session};
use crate::i18n::Msg;
use crate::secret::is_random_token;

const WRONG: Msg = Msg::new("second-factor-code-wrong");
const WRONG_KEY: Msg = Msg::new("second-factor-key-wrong");
/// L3's own words: a wrong code that reaches the limit locks like a wrong password.
const LOCKED: Msg = ACCOUNT_LOCKED;
const TOO_MANY: Msg = Msg::new("second-factor-too-many");
/// F9: the provider's policy wants the key, not a code.
const KEY_REQUIRED: Msg = Msg::new("second-factor-key-required");
const FORM_EXPIRED: Msg = Msg::new("factor-form-expired");

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    csrf: Option<String>,
    code: String,
    /// F10: the browser's answer to a passkey ceremony, instead of a code.
    assertion: String,
    auth: Option<String>,
}

/// The page; with the person's keys, a new passkey ceremony (F10) beside the code.
async fn render(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    s: Option<&SessionRecord>,
    auth: Option<&str>,
    status: StatusCode,
    error: Option<Msg>,
) -> Result<Response, PageError> {
    let auth = auth.filter(|a| is_random_token(a));
    // A step of a sign-in: the interaction's language, never the account's (L2).
    let interaction = match auth {
        Some(id) => accounts.interactions().get(id).await?,
        None => None,
    };
    let lang = language::of_interaction(headers, interaction.as_ref());
    let passkey = match s {
        Some(s) => accounts.passkeys().start_assertion(&s.sid, s.user_id).await.map_err(passkey_error)?,
        None => None,
    };
    let has_app = match s {
        Some(s) => {
            let factors = accounts.factors();
            let key_only = match accounts.account(s.user_id, s.tenant_id).await? {
                Some((user, tenant)) => factors.key_only(&user, &tenant).await?,
                None => false,
            };
            !key_only && factors.enrolled(s.user_id).await?.authenticator_app.is_some()
        }
        None => true,
    };
    let token = csrf::issue(headers, site);
    let error = error.map(|m| lang.text(&m));
    let page = Page::render(
        lang,
        status,
        "second_factor.html",
        context! { csrf => token.token, auth, error, passkey, has_app, max => MAX_CODE_CHARS },
    )?;
    Ok(page.with_cookie(token.set_cookie).into_response())
}

/// The session that owes its second factor now, or may give it for a step-up (F7).
async fn owing(accounts: &Accounts, site: &Site, headers: &HeaderMap) -> Result<Option<SessionRecord>, PageError> {
    match session::current(accounts, site, headers).await? {
        Some(s) if accounts.factors().may_take(&s, Required::SecondFactor, false).await? => Ok(Some(s)),
        _ => Ok(None),
    }
}

pub async fn show(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<LoginQuery>,
) -> Result<Response, PageError> {
    match owing(&accounts, &site, &headers).await? {
        Some(s) => render(&accounts, &site, &headers, Some(&s), q.auth.as_deref(), StatusCode::OK, None).await,
        None => Ok(see_other("/login", vec![])),
    }
}

pub async fn submit(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, PageError> {
    let auth = form.auth.as_deref();
    let Some(mut s) = owing(&accounts, &site, &headers).await? else { return Ok(see_other("/login", vec![])) };
    let again = |s: SessionRecord, status, error| {
        let (accounts, site, headers) = (accounts.clone(), site.clone(), headers.clone());
        async move { render(&accounts, &site, &headers, Some(&s), auth, status, Some(error)).await }
    };
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        return again(s, StatusCode::FORBIDDEN, FORM_EXPIRED).await;
    }
    let with_key = !form.assertion.is_empty();
    if !with_key && form.code.trim().is_empty() {
        return again(s, StatusCode::OK, Msg::new("second-factor-code-required")).await;
    }
    // L7: the activity record names the application the person is signing in to.
    let client_id = match auth.filter(|a| is_random_token(a)) {
        Some(id) => accounts.interactions().get(id).await?.map(|i| i.client_id),
        None => None,
    };
    let proved = if with_key {
        accounts.passkeys().prove(&mut s, &form.assertion, client_id, &origin).await
    } else {
        accounts.factors().prove(&mut s, &form.code, client_id, &origin).await
    };
    match proved {
        Ok(_) => {
            session::update(&accounts, &site, &headers, &s).await?;
            Ok(see_other(&next_step(&s, auth), vec![]))
        }
        Err(ProveError::Wrong) => again(s, StatusCode::OK, if with_key { WRONG_KEY } else { WRONG }).await,
        Err(ProveError::TooMany) => again(s, StatusCode::TOO_MANY_REQUESTS, TOO_MANY).await,
        Err(ProveError::Expired) => again(s, StatusCode::OK, Msg::new("second-factor-expired")).await,
        Err(ProveError::KeyRequired) => again(s, StatusCode::OK, KEY_REQUIRED).await,
        // The lock ended every session of the account, this one too.
        Err(ProveError::Locked) => {
            let page = render(&accounts, &site, &headers, None, None, StatusCode::OK, Some(LOCKED)).await?;
            Ok(([(axum::http::header::SET_COOKIE, session::clear(&site))], page).into_response())
        }
        Err(ProveError::Internal(e)) => Err(e.into()),
    }
}

fn passkey_error(e: PasskeyError) -> PageError {
    match e {
        PasskeyError::Internal(e) => e.into(),
        other => crate::accounts::Internal::Task(other.to_string()).into(),
    }
}
