//! F10: signing in with a passkey instead of the password. The sign-in form's "Use a passkey
//! instead" posts Login Name and Provider Code to `POST /login/passkey`, which answers with a
//! ceremony for whoever was named (a decoy when no one can, L2); the browser's answer goes to
//! `POST /login/passkey/finish`. A key that verified its holder starts the session; one that did
//! not sends the person back to the form for the password too.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use super::language;
use super::login::{ACCOUNT_LOCKED, FORM_EXPIRED, FormState, INVALID_CREDENTIALS, TOO_MANY, next_step, render_form};
use crate::accounts::Accounts;
use crate::accounts::key_sign_in::{KeySignInError, KeySignedIn};
use crate::accounts::throttle::{RetryAfter, ThrottleError};
use crate::http::page::{Page, PageError, see_other};
use crate::http::{PageForm, RequestOrigin, Site, csrf, session};
use crate::i18n::{Lang, Msg};
use crate::secret::is_random_token;

const EXPIRED: Msg = Msg::new("passkey-sign-in-expired");
const UNAVAILABLE: Msg = Msg::new("passkey-sign-in-unavailable");
/// F10: the key signed, but did not verify its holder: it is one factor of two.
const PASSWORD_TOO: Msg = Msg::new("passkey-sign-in-password-too");

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct StartForm {
    csrf: Option<String>,
    auth: Option<String>,
    login_name: String,
    provider_code: String,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct FinishForm {
    csrf: Option<String>,
    auth: Option<String>,
    ceremony: String,
    assertion: String,
    login_name: String,
    provider_code: String,
}

/// The sign-in form again, with what was typed (never a password).
fn form_again(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    lang: Lang,
    (login_name, provider_code, auth): (&str, &str, Option<&str>),
    status: StatusCode,
    error: Option<Msg>,
) -> Result<Response, PageError> {
    let form = FormState {
        login_name,
        provider_code,
        auth,
        error,
        passkeys: accounts.passkeys().available(),
        ..FormState::default()
    };
    Ok(render_form(site, headers, lang, status, form)?.into_response())
}

fn with_retry(mut res: Response, secs: i64) -> Response {
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    res
}

pub async fn start(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<StartForm>,
) -> Result<Response, PageError> {
    let (_, lang) = language::of_auth(&accounts, &headers, form.auth.as_deref()).await?;
    let typed = (form.login_name.as_str(), form.provider_code.as_str(), form.auth.as_deref());
    let again = |status, error| form_again(&accounts, &site, &headers, lang, typed, status, error);
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        return again(StatusCode::FORBIDDEN, Some(FORM_EXPIRED));
    }
    let mut missing = Vec::new();
    if form.login_name.trim().is_empty() {
        missing.push(("login_name", Msg::new("login-name-required")));
    }
    if form.provider_code.is_empty() {
        missing.push(("provider_code", Msg::new("login-provider-code-required")));
    }
    if !missing.is_empty() {
        let fs = FormState {
            login_name: typed.0,
            provider_code: typed.1,
            auth: typed.2,
            field_errors: missing,
            passkeys: accounts.passkeys().available(),
            ..FormState::default()
        };
        return Ok(render_form(&site, &headers, lang, StatusCode::OK, fs)?.into_response());
    }
    // A ceremony is an attempt: the same admission as a password's.
    match accounts.admit_sign_in(&origin.ip, &form.provider_code, &form.login_name).await {
        Ok(()) => {}
        Err(ThrottleError::Limited(RetryAfter(secs))) => {
            return Ok(with_retry(again(StatusCode::TOO_MANY_REQUESTS, Some(TOO_MANY))?, secs));
        }
        Err(ThrottleError::Internal(e)) => return Err(e.into()),
    }
    let challenge = match accounts.key_sign_in().start(&form.provider_code, &form.login_name, &origin.ip).await {
        Ok(c) => c,
        Err(KeySignInError::Internal(e)) => return Err(e.into()),
        Err(KeySignInError::Busy) => {
            return Ok(with_retry(again(StatusCode::TOO_MANY_REQUESTS, Some(TOO_MANY))?, 60));
        }
        Err(_) => return again(StatusCode::OK, Some(UNAVAILABLE)),
    };
    let token = csrf::issue(&headers, &site);
    let auth = form.auth.as_deref().filter(|a| is_random_token(a));
    let page = Page::render(
        lang,
        StatusCode::OK,
        "login_passkey.html",
        context! {
            csrf => token.token,
            auth,
            ceremony => challenge.ceremony,
            options => challenge.options,
            login_name => form.login_name,
            provider_code => form.provider_code,
        },
    )?;
    Ok(page.with_cookie(token.set_cookie).into_response())
}

pub async fn finish(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<FinishForm>,
) -> Result<Response, PageError> {
    let (interaction, lang) = language::of_auth(&accounts, &headers, form.auth.as_deref()).await?;
    let typed = (form.login_name.as_str(), form.provider_code.as_str(), form.auth.as_deref());
    let again = |status, error| form_again(&accounts, &site, &headers, lang, typed, status, error);
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        return again(StatusCode::FORBIDDEN, Some(FORM_EXPIRED));
    }
    if !is_random_token(&form.ceremony) {
        return again(StatusCode::OK, Some(EXPIRED));
    }
    // L7: the activity record names the application the person is signing in to.
    let client_id = interaction.as_ref().map(|i| i.client_id.clone());
    let finished = accounts.key_sign_in().finish(&form.ceremony, &form.assertion, client_id, &origin).await;
    match finished {
        Ok(KeySignedIn::Complete(signed_in)) => {
            let spoken = language::spoken_at_sign_in(&headers, interaction.as_ref());
            language::remember_sign_in(&accounts, &signed_in.user, spoken).await;
            let record = accounts.session_for(&signed_in);
            let cookie = session::start(&accounts, &site, &headers, &record, &origin).await?;
            Ok(see_other(&next_step(&record, form.auth.as_deref()), vec![cookie]))
        }
        Ok(KeySignedIn::PasswordToo { proof }) => {
            let fs = FormState {
                login_name: typed.0,
                provider_code: typed.1,
                auth: typed.2,
                key_proof: Some(&proof),
                notice: Some(PASSWORD_TOO),
                ..FormState::default()
            };
            Ok(render_form(&site, &headers, lang, StatusCode::OK, fs)?.into_response())
        }
        Err(KeySignInError::Invalid) => again(StatusCode::OK, Some(INVALID_CREDENTIALS)),
        Err(KeySignInError::Locked) => again(StatusCode::OK, Some(ACCOUNT_LOCKED)),
        Err(KeySignInError::Busy) => Ok(with_retry(again(StatusCode::TOO_MANY_REQUESTS, Some(TOO_MANY))?, 5)),
        Err(KeySignInError::Expired) => again(StatusCode::OK, Some(EXPIRED)),
        Err(KeySignInError::Unavailable) => again(StatusCode::OK, Some(UNAVAILABLE)),
        Err(KeySignInError::Internal(e)) => Err(e.into()),
    }
}
