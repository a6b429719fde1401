//! S3–S6 pages: Forgot Password?, Change Password (token, new password, Resend), the
//! confirmation with Login Again, and the one "Password Reset Error" page for every failure.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use crate::accounts::Accounts;
use crate::accounts::reset::{ForgotRequest, ResetError, TOKEN_TTL};
use crate::http::language::{of_browser, spoken};
use crate::http::page::{Page, PageError};
use crate::http::{PageForm, RequestOrigin, Site, csrf};
use crate::i18n::{Lang, Msg};
use crate::secret::Secret;

/// S3: the one answer for every failing cause.
pub const RESET_ERROR: Msg = Msg::new("reset-error-title");
const RESET_ERROR_TEXT: Msg = Msg::new("reset-error");
const WRONG_TOKEN: Msg = Msg::new("reset-wrong-token");
const FORM_EXPIRED: Msg = Msg::new("account-form-expired");

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ForgotForm {
    csrf: Option<String>,
    login_name: String,
    provider_code: String,
    email: String,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    csrf: Option<String>,
    flow: String,
    token: String,
    new_password: Secret,
    confirm_password: Secret,
}

/// These pages have no session: the browser's language (S3: never anything typed).
fn reset_error(lang: Lang) -> Result<Response, PageError> {
    let page = Page::render(
        lang,
        StatusCode::OK,
        "message.html",
        context! {
            title => lang.text(&RESET_ERROR),
            message => lang.text(&RESET_ERROR_TEXT),
            link => context! { href => "/password/forgot", text => lang.t("login-forgot-password") },
        },
    )?;
    Ok(page.into_response())
}

pub async fn show_forgot(State(site): State<Site>, headers: HeaderMap) -> Result<Page, PageError> {
    forgot_page(&site, &headers, StatusCode::OK, None, &ForgotForm::default())
}

fn forgot_page(
    site: &Site,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<Msg>,
    f: &ForgotForm,
) -> Result<Page, PageError> {
    let lang = of_browser(headers);
    let token = csrf::issue(headers, site);
    let page = Page::render(
        lang,
        status,
        "forgot.html",
        context! {
            csrf => token.token,
            error => error.map(|m| lang.text(&m)),
            login_name => f.login_name,
            provider_code => f.provider_code,
            email => f.email,
        },
    )?;
    Ok(page.with_cookie(token.set_cookie))
}

/// The token's page; each field's messages are joined into one line under it.
fn reset_page(
    site: &Site,
    headers: &HeaderMap,
    flow: &str,
    notice: Option<Msg>,
    field_errors: BTreeMap<&'static str, Vec<Msg>>,
) -> Result<Response, PageError> {
    let lang = of_browser(headers);
    let token = csrf::issue(headers, site);
    let field_errors: BTreeMap<&str, String> = field_errors
        .iter()
        .map(|(field, messages)| (*field, messages.iter().map(|m| lang.text(m)).collect::<Vec<_>>().join(" ")))
        .collect();
    let errors: Vec<&String> = field_errors.values().collect();
    let page = Page::render(
        lang,
        StatusCode::OK,
        "reset.html",
        context! {
            csrf => token.token,
            flow,
            notice => notice.map(|m| lang.text(&m)),
            errors,
            field_errors => field_errors.clone(),
            minutes => TOKEN_TTL / 60,
        },
    )?;
    Ok(page.with_cookie(token.set_cookie).into_response())
}

pub async fn submit_forgot(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<ForgotForm>,
) -> Result<Response, PageError> {
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        let page = forgot_page(&site, &headers, StatusCode::FORBIDDEN, Some(FORM_EXPIRED), &form)?;
        return Ok(page.into_response());
    }
    let request = ForgotRequest {
        login_name: form.login_name.clone(),
        provider_code: form.provider_code.clone(),
        email: form.email.clone(),
        origin,
        language: spoken(&headers),
    };
    match accounts.request_reset(request).await {
        Ok(flow) => reset_page(&site, &headers, &flow, None, BTreeMap::new()),
        Err(ResetError::Internal(e)) => Err(e.into()),
        Err(_) => reset_error(of_browser(&headers)),
    }
}

pub async fn submit_reset(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<ResetForm>,
) -> Result<Response, PageError> {
    let lang = of_browser(&headers);
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        return reset_error(lang);
    }
    if form.token.trim().is_empty() {
        let errors = BTreeMap::from([("token", vec![Msg::new("reset-token-required")])]);
        return reset_page(&site, &headers, &form.flow, None, errors);
    }
    let result =
        accounts.complete_reset(&form.flow, &form.token, &form.new_password, &form.confirm_password, &origin).await;
    match result {
        Ok(_) => {
            let page = Page::render(
                lang,
                StatusCode::OK,
                "message.html",
                context! {
                    title => lang.t("reset-done-title"),
                    message => lang.t("reset-done"),
                    link => context! { href => "/login", text => lang.t("reset-login-again") },
                },
            )?;
            Ok(page.into_response())
        }
        Err(ResetError::WrongToken) => {
            reset_page(&site, &headers, &form.flow, None, BTreeMap::from([("token", vec![WRONG_TOKEN])]))
        }
        Err(ResetError::Refused { new_password, confirm_password }) => {
            let mut errors = BTreeMap::new();
            if !new_password.is_empty() {
                errors.insert("new_password", new_password);
            }
            if !confirm_password.is_empty() {
                errors.insert("confirm_password", confirm_password);
            }
            reset_page(&site, &headers, &form.flow, None, errors)
        }
        Err(ResetError::Generic) => reset_error(lang),
        Err(ResetError::Internal(e)) => Err(e.into()),
    }
}

pub async fn resend(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<ResetForm>,
) -> Result<Response, PageError> {
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        return reset_error(of_browser(&headers));
    }
    match accounts.resend_reset(&form.flow, &origin, spoken(&headers)).await {
        Ok(()) => reset_page(&site, &headers, &form.flow, Some(Msg::new("reset-resent")), BTreeMap::new()),
        Err(ResetError::Internal(e)) => Err(e.into()),
        Err(_) => reset_error(of_browser(&headers)),
    }
}
