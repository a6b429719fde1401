//! "Change Password" when the person likes (from their account page or Settings): the current
//! password, New Password, Confirm New Password. The forced change (L4) shares the URL and the
//! template; `account` sends each request to the right one.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;

use crate::accounts::Accounts;
use crate::accounts::own_password::OwnChangeError;
use crate::accounts::session::SessionRecord;
use crate::domain::activity::Origin;
use crate::http::page::{Page, PageError, see_other};
use crate::http::{Site, csrf, session};
use crate::i18n::{Lang, Msg};
use crate::secret::Secret;

pub struct OwnChangeForm {
    pub csrf: Option<String>,
    pub current_password: Secret,
    pub new_password: Secret,
    pub confirm_password: Secret,
}

#[derive(Default)]
struct FieldErrors {
    current_password: Vec<Msg>,
    new_password: Vec<Msg>,
    confirm_password: Vec<Msg>,
}

fn form_page(
    site: &Site,
    headers: &HeaderMap,
    lang: Lang,
    status: StatusCode,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let token = csrf::issue(headers, site);
    let text = |messages: &[Msg]| messages.iter().map(|m| lang.text(m)).collect::<Vec<_>>();
    let (current, new, confirm) =
        (text(&errors.current_password), text(&errors.new_password), text(&errors.confirm_password));
    let all: Vec<&String> = current.iter().chain(&new).chain(&confirm).collect();
    let page = Page::render(
        lang,
        status,
        "change_password.html",
        context! {
            csrf => token.token,
            ask_current => true,
            reason => lang.t("password-change-own"),
            errors => all,
            field_errors => context! {
                current_password => current.join(" "),
                new_password => new.join(" "),
                confirm_password => confirm.join(" "),
            },
        },
    )?;
    Ok(page.with_cookie(token.set_cookie).into_response())
}

/// The form, in `lang` (the signed-in person's language).
pub fn show(site: &Site, headers: &HeaderMap, lang: Lang) -> Result<Response, PageError> {
    form_page(site, headers, lang, StatusCode::OK, FieldErrors::default())
}

pub async fn submit(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    s: SessionRecord,
    origin: Origin,
    form: OwnChangeForm,
) -> Result<Response, PageError> {
    let lang = super::language::of_session(accounts, headers, &s).await?;
    if !csrf::verify(headers, site, form.csrf.as_deref()) {
        let expired = FieldErrors { current_password: vec![Msg::new("account-form-expired")], ..Default::default() };
        return form_page(site, headers, lang, StatusCode::FORBIDDEN, expired);
    }
    let changed = accounts
        .change_own_password(
            s.user_id,
            &s.epoch,
            &form.current_password,
            &form.new_password,
            &form.confirm_password,
            origin.clone(),
        )
        .await;
    match changed {
        Ok(epoch) => {
            // Every session ended with the old epoch, this one too: the browser that changed the
            // password gets a new session (a new id and sid) in the new epoch. A redirect, so a
            // reload does not post the old password again.
            let record = accounts.session_after_change(&s, epoch);
            let cookie = session::start(accounts, site, headers, &record, &origin).await?;
            Ok(see_other("/account?changed=1", vec![cookie]))
        }
        Err(OwnChangeError::Refused { current_password, new_password, confirm_password }) => {
            let errors = FieldErrors { current_password, new_password, confirm_password };
            form_page(site, headers, lang, StatusCode::OK, errors)
        }
        Err(OwnChangeError::Locked) => {
            // L3: the same words as the sign-in page's.
            let page = Page::render(
                lang,
                StatusCode::OK,
                "message.html",
                context! { title => lang.t("account-locked-title"), message => lang.t("login-account-locked") },
            )?;
            Ok(page.with_cookie(Some(session::clear(site))).into_response())
        }
        Err(OwnChangeError::NotAllowed) => {
            // The account may no longer change its password here: this session is over too.
            if let Some(id) = session::cookie_value(headers, site) {
                accounts.end_session(&id, &s, None).await?;
            }
            Ok(see_other("/login", vec![session::clear(site)]))
        }
        Err(OwnChangeError::Internal(e)) => Err(e.into()),
    }
}
