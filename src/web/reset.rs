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
use crate::http::page::{Page, PageError};
use crate::http::{PageForm, RequestOrigin, Site, csrf};
use crate::secret::Secret;

/// S3: the one answer for every failing cause.
pub const RESET_ERROR: &str = "Password Reset Error";
const RESET_ERROR_TEXT: &str = "Your password could not be reset. Please start again from Forgot Password?.";
const WRONG_TOKEN: &str = "The password token is not correct.";

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

fn reset_error() -> Result<Response, PageError> {
    let page = Page::render(
        StatusCode::OK,
        "message.html",
        context! { title => RESET_ERROR, message => RESET_ERROR_TEXT, link => context! { href => "/password/forgot", text => "Forgot Password?" } },
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
    error: Option<&str>,
    f: &ForgotForm,
) -> Result<Page, PageError> {
    let token = csrf::issue(headers, site);
    let page = Page::render(
        status,
        "forgot.html",
        context! { csrf => token.token, error, login_name => f.login_name, provider_code => f.provider_code, email => f.email },
    )?;
    Ok(page.with_cookie(token.set_cookie))
}

fn reset_page(
    site: &Site,
    headers: &HeaderMap,
    flow: &str,
    notice: Option<&str>,
    field_errors: BTreeMap<&str, String>,
) -> Result<Response, PageError> {
    let token = csrf::issue(headers, site);
    let errors: Vec<&String> = field_errors.values().collect();
    let page = Page::render(
        StatusCode::OK,
        "reset.html",
        context! { csrf => token.token, flow, notice, errors, field_errors => field_errors.clone(), minutes => TOKEN_TTL / 60 },
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
        let page =
            forgot_page(&site, &headers, StatusCode::FORBIDDEN, Some("This form expired. Please try again."), &form)?;
        return Ok(page.into_response());
    }
    let request = ForgotRequest {
        login_name: form.login_name.clone(),
        provider_code: form.provider_code.clone(),
        email: form.email.clone(),
        origin,
    };
    match accounts.request_reset(request).await {
        Ok(flow) => reset_page(&site, &headers, &flow, None, BTreeMap::new()),
        Err(ResetError::Internal(e)) => Err(e.into()),
        Err(_) => reset_error(),
    }
}

pub async fn submit_reset(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<ResetForm>,
) -> Result<Response, PageError> {
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        return reset_error();
    }
    if form.token.trim().is_empty() {
        let errors = BTreeMap::from([("token", "Password Token is required.".to_string())]);
        return reset_page(&site, &headers, &form.flow, None, errors);
    }
    let result =
        accounts.complete_reset(&form.flow, &form.token, &form.new_password, &form.confirm_password, &origin).await;
    match result {
        Ok(_) => {
            let page = Page::render(
                StatusCode::OK,
                "message.html",
                context! {
                    title => "Password changed",
                    message => "Your password has been changed. Sign in with your new password.",
                    link => context! { href => "/login", text => "Login Again" },
                },
            )?;
            Ok(page.into_response())
        }
        Err(ResetError::WrongToken) => {
            reset_page(&site, &headers, &form.flow, None, BTreeMap::from([("token", WRONG_TOKEN.to_string())]))
        }
        Err(ResetError::Refused { new_password, confirm_password }) => {
            let mut errors = BTreeMap::new();
            if !new_password.is_empty() {
                errors.insert("new_password", new_password.join(" "));
            }
            if !confirm_password.is_empty() {
                errors.insert("confirm_password", confirm_password.join(" "));
            }
            reset_page(&site, &headers, &form.flow, None, errors)
        }
        Err(ResetError::Generic) => reset_error(),
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
        return reset_error();
    }
    match accounts.resend_reset(&form.flow, &origin).await {
        Ok(()) => reset_page(
            &site,
            &headers,
            &form.flow,
            Some("A new password token has been sent. The earlier one no longer works."),
            BTreeMap::new(),
        ),
        Err(ResetError::Internal(e)) => Err(e.into()),
        Err(_) => reset_error(),
    }
}
