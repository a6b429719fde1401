//! The sign-in page (L1, L2, L3): `GET /login` shows the form, `POST /login` signs in.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use super::language;
use crate::accounts::Accounts;
use crate::accounts::session::SessionRecord;
use crate::accounts::sign_in::{SignInError, SignInRequest};
use crate::accounts::throttle::{RetryAfter, ThrottleError};
use crate::http::page::{Page, PageError, see_other};
use crate::http::{PageForm, PageQuery, RequestOrigin, Site, csrf, session};
use crate::i18n::{Lang, Msg};
use crate::secret::{Secret, is_random_token};

/// L2: the one message for every wrong login name, password or provider code.
pub const INVALID_CREDENTIALS: Msg = Msg::new("login-invalid-credentials");
/// L3: shown on every attempt at a locked account, right password or not.
pub const ACCOUNT_LOCKED: Msg = Msg::new("login-account-locked");
pub(super) const FORM_EXPIRED: Msg = Msg::new("login-form-expired");
pub(super) const TOO_MANY: Msg = Msg::new("login-too-many");

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    /// The interaction (an application's waiting authorization request) to go back to.
    pub auth: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    csrf: Option<String>,
    auth: Option<String>,
    login_name: String,
    password: Secret,
    provider_code: String,
    /// F10: a passkey without user verification proved the person; the password completes it.
    key_proof: Option<String>,
}

/// What the form shows again after a failed attempt: never the password.
#[derive(Default)]
pub(super) struct FormState<'a> {
    pub login_name: &'a str,
    pub provider_code: &'a str,
    pub auth: Option<&'a str>,
    pub error: Option<Msg>,
    pub field_errors: Vec<(&'static str, Msg)>,
    /// F10: a passkey sign-in is offered (this deployment is a relying party).
    pub passkeys: bool,
    /// F10: a key without user verification proved the person; the password completes it.
    pub key_proof: Option<&'a str>,
    pub notice: Option<Msg>,
}

pub(super) fn render_form(
    site: &Site,
    headers: &HeaderMap,
    lang: Lang,
    status: StatusCode,
    form: FormState<'_>,
) -> Result<Page, PageError> {
    let token = csrf::issue(headers, site);
    let field_errors: std::collections::BTreeMap<_, _> =
        form.field_errors.iter().map(|(field, msg)| (*field, lang.text(msg))).collect();
    let page = Page::render(
        lang,
        status,
        "login.html",
        context! {
            csrf => token.token,
            auth => form.auth,
            login_name => form.login_name,
            provider_code => form.provider_code,
            error => form.error.map(|m| lang.text(&m)),
            field_errors => field_errors,
            passkeys => form.passkeys && form.key_proof.is_none(),
            key_proof => form.key_proof,
            notice => form.notice.map(|m| lang.text(&m)),
        },
    )?;
    Ok(page.with_cookie(token.set_cookie))
}

pub async fn show(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<LoginQuery>,
) -> Result<Page, PageError> {
    let (interaction, lang) = language::of_auth(&accounts, &headers, q.auth.as_deref()).await?;
    // OIDC `login_hint` pre-fills the Login Name.
    let hint = interaction.as_ref().and_then(|i| i.login_hint.clone());
    let login_name = hint.as_deref().unwrap_or("");
    let passkeys = accounts.passkeys().available();
    let form = FormState { login_name, auth: q.auth.as_deref(), passkeys, ..FormState::default() };
    render_form(&site, &headers, lang, StatusCode::OK, form)
}

/// Where to go once signed in: the session's next required step (F1: the second factor, then
/// L4's new password), then the pending authorization.
pub fn next_step(record: &SessionRecord, auth: Option<&str>) -> String {
    let auth = auth.filter(|a| is_random_token(a));
    match (record.next_required(), auth) {
        (Some(step), Some(a)) => format!("{}?auth={a}", step.path()),
        (Some(step), None) => step.path().into(),
        (None, Some(a)) => format!("/authorize/resume?auth={a}"),
        (None, None) => "/account".into(),
    }
}

pub async fn submit(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<LoginForm>,
) -> Result<Response, PageError> {
    // L2: the answer's language comes from the request, never from what was typed.
    let (interaction, lang) = language::of_auth(&accounts, &headers, form.auth.as_deref()).await?;
    let again = |error: Option<Msg>, field_errors, status| {
        let fs = FormState {
            login_name: &form.login_name,
            provider_code: &form.provider_code,
            auth: form.auth.as_deref(),
            error,
            field_errors,
            passkeys: accounts.passkeys().available(),
            ..FormState::default()
        };
        render_form(&site, &headers, lang, status, fs).map(IntoResponse::into_response)
    };
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        return again(Some(FORM_EXPIRED), vec![], StatusCode::FORBIDDEN);
    }
    let mut missing = Vec::new();
    if form.login_name.trim().is_empty() {
        missing.push(("login_name", Msg::new("login-name-required")));
    }
    if form.password.is_empty() {
        missing.push(("password", Msg::new("login-password-required")));
    }
    if form.provider_code.is_empty() {
        missing.push(("provider_code", Msg::new("login-provider-code-required")));
    }
    if !missing.is_empty() {
        return again(None, missing, StatusCode::OK);
    }

    match accounts.admit_sign_in(&origin.ip, &form.provider_code, &form.login_name).await {
        Ok(()) => {}
        Err(ThrottleError::Limited(RetryAfter(secs))) => {
            let mut res = again(Some(TOO_MANY), vec![], StatusCode::TOO_MANY_REQUESTS)?;
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
            return Ok(res);
        }
        Err(ThrottleError::Internal(e)) => return Err(e.into()),
    }
    // L7: the activity record names the application the user is signing in to.
    let client_id = interaction.as_ref().map(|i| i.client_id.clone());
    let request = SignInRequest {
        login_name: form.login_name.clone(),
        password: form.password.clone(),
        provider_code: form.provider_code.clone(),
        client_id,
        origin: origin.clone(),
        key_proof: form.key_proof.clone().filter(|p| is_random_token(p)),
    };
    let signed_in = match accounts.sign_in(request).await {
        Ok(s) => s,
        Err(SignInError::InvalidCredentials) => {
            return again(Some(INVALID_CREDENTIALS), vec![], StatusCode::OK);
        }
        Err(SignInError::Locked) => return again(Some(ACCOUNT_LOCKED), vec![], StatusCode::OK),
        Err(SignInError::Busy) => {
            let mut res = again(Some(TOO_MANY), vec![], StatusCode::TOO_MANY_REQUESTS)?;
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(5));
            return Ok(res);
        }
        Err(SignInError::Internal(e)) => return Err(e.into()),
    };

    let spoken = language::spoken_at_sign_in(&headers, interaction.as_ref());
    language::remember_sign_in(&accounts, &signed_in.user, spoken).await;
    let record = accounts.session_for(&signed_in);
    let cookie = session::start(&accounts, &site, &headers, &record, &origin).await?;
    // F1: nothing else until what is required is done.
    Ok(see_other(&next_step(&record, form.auth.as_deref()), vec![cookie]))
}
