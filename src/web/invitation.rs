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
use crate::http::page::{Page, PageError, message_in, see_other};
use crate::http::{PageForm, PageQuery, RequestOrigin, Site, csrf, session};
use crate::i18n::{Lang, Msg};
use crate::secret::Secret;

use super::recover::{FORM_EXPIRED, LINK_INVALID_TITLE, LOGIN_AGAIN, PASSWORD_CHANGED_TITLE};

/// One answer for every link that does not work, whatever the reason.
const INVITATION_INVALID: Msg = Msg::new("invitation-link-invalid");
const RESET_LINK_INVALID: Msg = Msg::new("invitation-reset-link-invalid");

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

fn invalid(lang: Lang, text: &Msg) -> Result<Response, PageError> {
    Ok(message_in(lang, StatusCode::NOT_FOUND, &LINK_INVALID_TITLE, text))
}

/// A field's messages as one line of the form, in `lang`.
fn joined(lang: Lang, list: &[Msg]) -> String {
    list.iter().map(|m| lang.text(m)).collect::<Vec<_>>().join(" ")
}

/// The form again, with what was typed (never a password); `provider` is the inviting provider.
fn register_page(
    site: &Site,
    headers: &HeaderMap,
    lang: Lang,
    status: StatusCode,
    provider: &str,
    form: &RegisterForm,
    field_errors: BTreeMap<&str, String>,
) -> Result<Response, PageError> {
    let csrf = csrf::issue(headers, site);
    let errors: Vec<&String> = field_errors.values().collect();
    let (token, login_name) = (&form.token, &form.login_name);
    let ctx =
        context! { csrf => csrf.token, token, provider, login_name, errors, field_errors => field_errors.clone() };
    Ok(Page::render(lang, status, "register.html", ctx)?.with_cookie(csrf.set_cookie).into_response())
}

pub async fn show_register(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<LinkQuery>,
) -> Result<Response, PageError> {
    // No session yet: the browser says which language.
    let lang = crate::http::language::of_browser(&headers);
    match accounts.invitation_link(&q.token).await? {
        Some((_, tenant)) => {
            let form = RegisterForm { token: q.token, ..RegisterForm::default() };
            register_page(&site, &headers, lang, StatusCode::OK, &tenant.name, &form, BTreeMap::new())
        }
        None => invalid(lang, &INVITATION_INVALID),
    }
}

pub async fn submit_register(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<RegisterForm>,
) -> Result<Response, PageError> {
    // L2: the language comes from the request, never from what was typed.
    let lang = crate::http::language::of_browser(&headers);
    let Some((_, tenant)) = accounts.invitation_link(&form.token).await? else {
        return invalid(lang, &INVITATION_INVALID);
    };
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        let errors = BTreeMap::from([("form", lang.text(&FORM_EXPIRED))]);
        return register_page(&site, &headers, lang, StatusCode::FORBIDDEN, &tenant.name, &form, errors);
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
                    errors.insert(field, joined(lang, &list));
                }
            }
            return register_page(&site, &headers, lang, StatusCode::BAD_REQUEST, &tenant.name, &form, errors);
        }
        Err(RegisterError::InvalidLink) => return invalid(lang, &INVITATION_INVALID),
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
    lang: Lang,
    status: StatusCode,
    token: &str,
    field_errors: BTreeMap<&str, String>,
) -> Result<Response, PageError> {
    super::recover::choose_password_page(site, headers, lang, status, "/password/link", token, field_errors)
}

pub async fn show_reset_link(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<LinkQuery>,
) -> Result<Response, PageError> {
    let lang = crate::http::language::of_browser(&headers);
    if !accounts.reset_link_valid(&q.token).await? {
        return invalid(lang, &RESET_LINK_INVALID);
    }
    reset_page(&site, &headers, lang, StatusCode::OK, &q.token, BTreeMap::new())
}

pub async fn submit_reset_link(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<ResetForm>,
) -> Result<Response, PageError> {
    let lang = crate::http::language::of_browser(&headers);
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        let errors = BTreeMap::from([("form", lang.text(&FORM_EXPIRED))]);
        return reset_page(&site, &headers, lang, StatusCode::FORBIDDEN, &form.token, errors);
    }
    match accounts.complete_reset_link(&form.token, &form.new_password, &form.confirm_password, &origin).await {
        Ok(()) => super::recover::message(
            lang,
            &PASSWORD_CHANGED_TITLE,
            &Msg::new("invitation-reset-password-changed"),
            Some(("/login", &LOGIN_AGAIN)),
        ),
        Err(RecoverError::Refused { new_password, confirm_password }) => {
            let errors = super::recover::refused_fields(lang, new_password, confirm_password);
            reset_page(&site, &headers, lang, StatusCode::BAD_REQUEST, &form.token, errors)
        }
        Err(RecoverError::InvalidLink) => invalid(lang, &RESET_LINK_INVALID),
        Err(RecoverError::Internal(e)) => Err(e.into()),
    }
}
