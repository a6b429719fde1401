//! P1's registration page behind an invitation link, and P3's page behind a staff-sent reset
//! link. A link that does not work gets one page, whatever the reason, that tells the person to
//! ask their agency and says nothing about any account.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use crate::accounts::Accounts;
use crate::accounts::invitation::RegisterError;
use crate::accounts::recovery::RecoverError;
use crate::http::page::{Page, PageError, see_other};
use crate::http::{PageForm, PageQuery, RequestOrigin, Site, csrf, session};
use crate::secret::Secret;

const INVITATION_INVALID: &str = "This invitation link has expired, was replaced by a newer one, or was already used. \
    Please ask your agency to send you a new invitation.";
const RESET_LINK_INVALID: &str = "This link has expired, was replaced by a newer one, or was already used. \
    Please ask your agency to send you a new one.";

#[derive(Deserialize)]
pub struct LinkQuery {
    token: String,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    csrf: Option<String>,
    token: String,
    login_name: String,
    new_password: Secret,
    confirm_password: Secret,
}

fn invalid(text: &str) -> Result<Response, PageError> {
    let ctx = context! { title => "Link not valid", message => text };
    Ok(Page::render(StatusCode::NOT_FOUND, "message.html", ctx)?.into_response())
}

fn register_page(
    site: &Site,
    headers: &HeaderMap,
    status: StatusCode,
    token: &str,
    provider: &str,
    login_name: &str,
    field_errors: BTreeMap<&str, String>,
) -> Result<Response, PageError> {
    let csrf = csrf::issue(headers, site);
    let errors: Vec<&String> = field_errors.values().collect();
    let ctx =
        context! { csrf => csrf.token, token, provider, login_name, errors, field_errors => field_errors.clone() };
    Ok(Page::render(status, "register.html", ctx)?.with_cookie(csrf.set_cookie).into_response())
}

pub async fn show_register(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<LinkQuery>,
) -> Result<Response, PageError> {
    match accounts.invitation_link(&q.token).await? {
        Some((_, tenant)) => {
            register_page(&site, &headers, StatusCode::OK, &q.token, &tenant.name, "", BTreeMap::new())
        }
        None => invalid(INVITATION_INVALID),
    }
}

pub async fn submit_register(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<RegisterForm>,
) -> Result<Response, PageError> {
    let Some((_, tenant)) = accounts.invitation_link(&form.token).await? else { return invalid(INVITATION_INVALID) };
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        let errors = BTreeMap::from([("form", "This form expired. Please try again.".to_string())]);
        let (token, name) = (&form.token, &form.login_name);
        return register_page(&site, &headers, StatusCode::FORBIDDEN, token, &tenant.name, name, errors);
    }
    let registered =
        accounts.register(&form.token, &form.login_name, &form.new_password, &form.confirm_password, &origin).await;
    let signed_in = match registered {
        Ok(s) => s,
        Err(RegisterError::Refused { login_name, new_password, confirm_password }) => {
            let mut errors = BTreeMap::new();
            for (field, list) in
                [("login_name", login_name), ("new_password", new_password), ("confirm_password", confirm_password)]
            {
                if !list.is_empty() {
                    errors.insert(field, list.join(" "));
                }
            }
            let (token, name) = (&form.token, &form.login_name);
            return register_page(&site, &headers, StatusCode::BAD_REQUEST, token, &tenant.name, name, errors);
        }
        Err(RegisterError::InvalidLink) => return invalid(INVITATION_INVALID),
        Err(RegisterError::Internal(e)) => return Err(e.into()),
    };
    let record = accounts.session_for(&signed_in);
    let cookie = session::start(&accounts, &site, &headers, &record, &origin).await?;
    Ok(see_other("/account", vec![cookie]))
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    csrf: Option<String>,
    token: String,
    new_password: Secret,
    confirm_password: Secret,
}

fn reset_page(
    site: &Site,
    headers: &HeaderMap,
    status: StatusCode,
    token: &str,
    field_errors: BTreeMap<&str, String>,
) -> Result<Response, PageError> {
    super::recover::choose_password_page(site, headers, status, "/password/link", token, field_errors)
}

pub async fn show_reset_link(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<LinkQuery>,
) -> Result<Response, PageError> {
    if !accounts.reset_link_valid(&q.token).await? {
        return invalid(RESET_LINK_INVALID);
    }
    reset_page(&site, &headers, StatusCode::OK, &q.token, BTreeMap::new())
}

pub async fn submit_reset_link(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<ResetForm>,
) -> Result<Response, PageError> {
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        let errors = BTreeMap::from([("form", "This form expired. Please try again.".to_string())]);
        return reset_page(&site, &headers, StatusCode::FORBIDDEN, &form.token, errors);
    }
    match accounts.complete_reset_link(&form.token, &form.new_password, &form.confirm_password, &origin).await {
        Ok(()) => {
            let ctx = context! {
                title => "Password changed",
                message => "Your password has been changed.",
                link => context! { href => "/login", text => "Login Again" },
            };
            Ok(Page::render(StatusCode::OK, "message.html", ctx)?.into_response())
        }
        Err(RecoverError::Refused { new_password, confirm_password }) => {
            let errors = super::recover::refused_fields(new_password, confirm_password);
            reset_page(&site, &headers, StatusCode::BAD_REQUEST, &form.token, errors)
        }
        Err(RecoverError::InvalidLink) => invalid(RESET_LINK_INVALID),
        Err(RecoverError::Internal(e)) => Err(e.into()),
    }
}
