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
use crate::secret::Secret;

pub struct OwnChangeForm {
    pub csrf: Option<String>,
    pub current_password: Secret,
    pub new_password: Secret,
    pub confirm_password: Secret,
}

#[derive(Default)]
struct FieldErrors {
    current_password: Vec<String>,
    new_password: Vec<String>,
    confirm_password: Vec<String>,
}

fn form_page(site: &Site, headers: &HeaderMap, status: StatusCode, errors: FieldErrors) -> Result<Response, PageError> {
    let token = csrf::issue(headers, site);
    let all: Vec<&String> =
        errors.current_password.iter().chain(&errors.new_password).chain(&errors.confirm_password).collect();
    let page = Page::render(
        status,
        "change_password.html",
        context! {
            csrf => token.token,
            ask_current => true,
            reason => "Choose a new password. You stay signed in here; everywhere else you will need to sign in again.",
            errors => all,
            field_errors => context! {
                current_password => errors.current_password.join(" "),
                new_password => errors.new_password.join(" "),
                confirm_password => errors.confirm_password.join(" "),
            },
        },
    )?;
    Ok(page.with_cookie(token.set_cookie).into_response())
}

pub fn show(site: &Site, headers: &HeaderMap) -> Result<Response, PageError> {
    form_page(site, headers, StatusCode::OK, FieldErrors::default())
}

pub async fn submit(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    s: SessionRecord,
    origin: Origin,
    form: OwnChangeForm,
) -> Result<Response, PageError> {
    if !csrf::verify(headers, site, form.csrf.as_deref()) {
        let expired =
            FieldErrors { current_password: vec!["This form expired. Please try again.".into()], ..Default::default() };
        return form_page(site, headers, StatusCode::FORBIDDEN, expired);
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
            form_page(site, headers, StatusCode::OK, FieldErrors { current_password, new_password, confirm_password })
        }
        Err(OwnChangeError::Locked) => {
            let page = Page::render(
                StatusCode::OK,
                "message.html",
                context! {
                    title => "Account locked",
                    message => "Your account has been locked. Please contact your agency administrator.",
                },
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
