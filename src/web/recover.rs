//! A2's pages: the sign-in help page where a locked-out super admin asks the platform operators,
//! and the page behind the link they approve.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use crate::accounts::Accounts;
use crate::accounts::recovery::RecoverError;
use crate::http::page::{Page, PageError};
use crate::http::{PageForm, PageQuery, RequestOrigin, Site, csrf};
use crate::secret::Secret;

const ASKED: &str = "If this is a locked super administrator account, the platform operators have been asked. \
    Once they approve, a link to choose a new password goes to its verified email address.";
const LINK_INVALID: &str =
    "This link has expired or has been used. Ask the platform operators again from the sign-in help page.";

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct HelpForm {
    csrf: Option<String>,
    provider_code: String,
    login_name: String,
}

#[derive(Deserialize)]
pub struct LinkQuery {
    token: String,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct RecoverForm {
    csrf: Option<String>,
    token: String,
    new_password: Secret,
    confirm_password: Secret,
}

fn message(title: &str, text: &str, link: Option<(&str, &str)>) -> Result<Response, PageError> {
    let link = link.map(|(href, text)| context! { href, text });
    Ok(Page::render(StatusCode::OK, "message.html", context! { title, message => text, link })?.into_response())
}

pub async fn show_help(State(site): State<Site>, headers: HeaderMap) -> Result<Page, PageError> {
    let token = csrf::issue(&headers, &site);
    Ok(Page::render(StatusCode::OK, "login_help.html", context! { csrf => token.token })?.with_cookie(token.set_cookie))
}

pub async fn submit_help(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<HelpForm>,
) -> Result<Response, PageError> {
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        let token = csrf::issue(&headers, &site);
        let page = Page::render(StatusCode::FORBIDDEN, "login_help.html", context! { csrf => token.token })?;
        return Ok(page.with_cookie(token.set_cookie).into_response());
    }
    // The same answer whatever was typed, and at once (L2): the lookups and writes that differ
    // between the cases happen after the answer, in their own task.
    tokio::spawn(async move {
        if let Err(e) = accounts.request_recovery(&form.provider_code, &form.login_name, &origin).await {
            tracing::error!(error = %e, "recording a recovery request failed");
        }
    });
    message("Request sent", ASKED, Some(("/login", "Back to sign-in")))
}

/// The "choose a new password" form behind a mailed link: A2's (`/recover`) and P3's
/// (`/password/link`).
pub(super) fn choose_password_page(
    site: &Site,
    headers: &HeaderMap,
    status: StatusCode,
    action: &str,
    token: &str,
    field_errors: BTreeMap<&str, String>,
) -> Result<Response, PageError> {
    let csrf = csrf::issue(headers, site);
    let errors: Vec<&String> = field_errors.values().collect();
    let ctx = context! { csrf => csrf.token, token, errors, field_errors => field_errors.clone(), action };
    Ok(Page::render(status, "recover.html", ctx)?.with_cookie(csrf.set_cookie).into_response())
}

/// `RecoverError::Refused`'s lists as the form's field messages.
pub(super) fn refused_fields(
    new_password: Vec<String>,
    confirm_password: Vec<String>,
) -> BTreeMap<&'static str, String> {
    [("new_password", new_password), ("confirm_password", confirm_password)]
        .into_iter()
        .filter(|(_, list)| !list.is_empty())
        .map(|(field, list)| (field, list.join(" ")))
        .collect()
}

fn form_page(
    site: &Site,
    headers: &HeaderMap,
    token: &str,
    field_errors: BTreeMap<&str, String>,
) -> Result<Response, PageError> {
    choose_password_page(site, headers, StatusCode::OK, "/recover", token, field_errors)
}

pub async fn show_link(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<LinkQuery>,
) -> Result<Response, PageError> {
    if !accounts.recovery_link_valid(&q.token).await? {
        return message("Link not valid", LINK_INVALID, Some(("/login/help", "Sign-in help")));
    }
    form_page(&site, &headers, &q.token, BTreeMap::new())
}

pub async fn submit_link(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<RecoverForm>,
) -> Result<Response, PageError> {
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        let mut errors = BTreeMap::new();
        errors.insert("form", "This form expired. Please try again.".to_string());
        let mut res = form_page(&site, &headers, &form.token, errors)?;
        *res.status_mut() = StatusCode::FORBIDDEN;
        return Ok(res);
    }
    match accounts.complete_recovery(&form.token, &form.new_password, &form.confirm_password, &origin).await {
        Ok(()) => message(
            "Password changed",
            "Your password has been changed and your account unlocked.",
            Some(("/login", "Login Again")),
        ),
        Err(RecoverError::Refused { new_password, confirm_password }) => {
            form_page(&site, &headers, &form.token, refused_fields(new_password, confirm_password))
        }
        Err(RecoverError::InvalidLink) => {
            message("Link not valid", LINK_INVALID, Some(("/login/help", "Sign-in help")))
        }
        Err(RecoverError::Internal(e)) => Err(e.into()),
    }
}
