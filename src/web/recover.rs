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
use crate::i18n::{Lang, Msg};
use crate::secret::Secret;

/// L2: the one answer to the help form, whatever was typed.
const ASKED: Msg = Msg::new("recover-asked");
const ASKED_TITLE: Msg = Msg::new("recover-asked-title");
const LINK_INVALID: Msg = Msg::new("recover-link-invalid");
const HELP_PAGE: Msg = Msg::new("recover-help-title");
/// Shared with P3's reset-link pages (`invitation.rs`): the same words for the same outcome
/// (the last three are the account pages' and S6's own).
pub(super) const LINK_INVALID_TITLE: Msg = Msg::new("recover-link-invalid-title");
pub(super) const FORM_EXPIRED: Msg = Msg::new("account-form-expired");
pub(super) const PASSWORD_CHANGED_TITLE: Msg = Msg::new("reset-done-title");
pub(super) const LOGIN_AGAIN: Msg = Msg::new("reset-login-again");

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

/// A page of one message in `lang`, with a link onward.
pub(super) fn message(lang: Lang, title: &Msg, text: &Msg, link: Option<(&str, &Msg)>) -> Result<Response, PageError> {
    let link = link.map(|(href, text)| context! { href, text => lang.text(text) });
    let ctx = context! { title => lang.text(title), message => lang.text(text), link };
    Ok(Page::render(lang, StatusCode::OK, "message.html", ctx)?.into_response())
}

pub async fn show_help(State(site): State<Site>, headers: HeaderMap) -> Result<Page, PageError> {
    let lang = crate::http::language::of_browser(&headers);
    let token = csrf::issue(&headers, &site);
    let page = Page::render(lang, StatusCode::OK, "login_help.html", context! { csrf => token.token })?;
    Ok(page.with_cookie(token.set_cookie))
}

pub async fn submit_help(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<HelpForm>,
) -> Result<Response, PageError> {
    // L2: the answer's language comes from the request, never from what was typed.
    let lang = crate::http::language::of_browser(&headers);
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        let token = csrf::issue(&headers, &site);
        let page = Page::render(lang, StatusCode::FORBIDDEN, "login_help.html", context! { csrf => token.token })?;
        return Ok(page.with_cookie(token.set_cookie).into_response());
    }
    // The same answer whatever was typed, and at once (L2): the lookups and writes that differ
    // between the cases happen after the answer, in their own task.
    tokio::spawn(async move {
        if let Err(e) = accounts.request_recovery(&form.provider_code, &form.login_name, &origin).await {
            tracing::error!(error = %e, "recording a recovery request failed");
        }
    });
    message(lang, &ASKED_TITLE, &ASKED, Some(("/login", &Msg::new("recover-back-to-sign-in"))))
}

/// The "choose a new password" form behind a mailed link: A2's (`/recover`) and P3's
/// (`/password/link`).
pub(super) fn choose_password_page(
    site: &Site,
    headers: &HeaderMap,
    lang: Lang,
    status: StatusCode,
    action: &str,
    token: &str,
    field_errors: BTreeMap<&str, String>,
) -> Result<Response, PageError> {
    let csrf = csrf::issue(headers, site);
    let errors: Vec<&String> = field_errors.values().collect();
    let ctx = context! { csrf => csrf.token, token, errors, field_errors => field_errors.clone(), action };
    Ok(Page::render(lang, status, "recover.html", ctx)?.with_cookie(csrf.set_cookie).into_response())
}

/// `RecoverError::Refused`'s lists as the form's field messages, in `lang`.
pub(super) fn refused_fields(
    lang: Lang,
    new_password: Vec<Msg>,
    confirm_password: Vec<Msg>,
) -> BTreeMap<&'static str, String> {
    [("new_password", new_password), ("confirm_password", confirm_password)]
        .into_iter()
        .filter(|(_, list)| !list.is_empty())
        .map(|(field, list)| (field, list.iter().map(|m| lang.text(m)).collect::<Vec<_>>().join(" ")))
        .collect()
}

fn form_page(
    site: &Site,
    headers: &HeaderMap,
    lang: Lang,
    token: &str,
    field_errors: BTreeMap<&str, String>,
) -> Result<Response, PageError> {
    choose_password_page(site, headers, lang, StatusCode::OK, "/recover", token, field_errors)
}

pub async fn show_link(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<LinkQuery>,
) -> Result<Response, PageError> {
    let lang = crate::http::language::of_browser(&headers);
    if !accounts.recovery_link_valid(&q.token).await? {
        return message(lang, &LINK_INVALID_TITLE, &LINK_INVALID, Some(("/login/help", &HELP_PAGE)));
    }
    form_page(&site, &headers, lang, &q.token, BTreeMap::new())
}

pub async fn submit_link(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<RecoverForm>,
) -> Result<Response, PageError> {
    let lang = crate::http::language::of_browser(&headers);
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        let mut errors = BTreeMap::new();
        errors.insert("form", lang.text(&FORM_EXPIRED));
        let mut res = form_page(&site, &headers, lang, &form.token, errors)?;
        *res.status_mut() = StatusCode::FORBIDDEN;
        return Ok(res);
    }
    match accounts.complete_recovery(&form.token, &form.new_password, &form.confirm_password, &origin).await {
        Ok(()) => message(
            lang,
            &PASSWORD_CHANGED_TITLE,
            &Msg::new("recover-password-changed"),
            Some(("/login", &LOGIN_AGAIN)),
        ),
        Err(RecoverError::Refused { new_password, confirm_password }) => {
            form_page(&site, &headers, lang, &form.token, refused_fields(lang, new_password, confirm_password))
        }
        Err(RecoverError::InvalidLink) => {
            message(lang, &LINK_INVALID_TITLE, &LINK_INVALID, Some(("/login/help", &HELP_PAGE)))
        }
        Err(RecoverError::Internal(e)) => Err(e.into()),
    }
}
