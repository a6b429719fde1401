//! The small account page reached by signing in without a pending authorization, sign-out
//! (L6), and the password change: forced (L4) here, at will in `own_password`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use crate::accounts::Accounts;
use crate::accounts::password_change::ChangeError;
use crate::accounts::session::Required;
use crate::http::page::{self, Page, PageError, see_other};
use crate::http::{PageForm, PageQuery, RequestOrigin, Site, csrf, session};
use crate::secret::Secret;

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct AccountQuery {
    /// Back from a password change at will.
    changed: Option<String>,
}

pub async fn show(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<AccountQuery>,
) -> Result<Response, PageError> {
    let Some(s) = session::current(&accounts, &site, &headers).await? else {
        return Ok(see_other("/login", vec![]));
    };
    // F1: the account page waits for what is still required.
    if let Some(step) = s.next_required() {
        return Ok(see_other(step.path(), vec![]));
    }
    let Some((user, tenant)) = accounts.account(s.user_id, s.tenant_id).await? else {
        return Ok(see_other("/login", vec![session::clear(&site)]));
    };
    let token = csrf::issue(&headers, &site);
    let page = Page::render(
        StatusCode::OK,
        "account.html",
        context! {
            csrf => token.token,
            login_name => user.login_name.as_str(),
            provider_name => tenant.name,
            provider_code => tenant.provider_code.as_str(),
            // A3: provider admins see their type in the sign-out panel.
            show_user_type => user.user_type.is_admin(),
            user_type => user.user_type.label(),
            notice => q.changed.is_some().then_some(
                "Your password was changed. You have been signed out everywhere else."
            ),
        },
    )?;
    Ok(page.with_cookie(token.set_cookie).into_response())
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct CsrfOnly {
    csrf: Option<String>,
}

/// L6: ends the Lanyard session only; applications keep their own sessions and are not told.
pub async fn sign_out(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<CsrfOnly>,
) -> Result<Response, PageError> {
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        return Ok(page::message(
            StatusCode::FORBIDDEN,
            "Sign out",
            "This form expired. Please go back and try again.",
        ));
    }
    if let (Some(s), Some(id)) =
        (session::current(&accounts, &site, &headers).await?, session::cookie_value(&headers, &site))
    {
        accounts.sign_out(&id, &s, origin).await?;
    }
    let clear = session::clear(&site);
    let page = Page::render(
        StatusCode::OK,
        "message.html",
        context! { title => "Signed out", message => "You have been signed out of Lanyard.", link => context! { href => "/login", text => "Sign in again" } },
    )?;
    Ok(page.with_cookie(Some(clear)).into_response())
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    csrf: Option<String>,
    auth: Option<String>,
    current_password: Secret,
    new_password: Secret,
    confirm_password: Secret,
}

const CHANGE_REASON: &str = "You must choose a new password before you continue.";

fn change_page(
    site: &Site,
    headers: &HeaderMap,
    auth: Option<&str>,
    status: StatusCode,
    errors: Vec<String>,
    new_password: Vec<String>,
    confirm_password: Vec<String>,
) -> Result<Response, PageError> {
    let token = csrf::issue(headers, site);
    let page = Page::render(
        status,
        "change_password.html",
        context! {
            csrf => token.token,
            auth => auth,
            ask_current => false,
            reason => CHANGE_REASON,
            errors => errors,
            field_errors => context! {
                new_password => new_password.join(" "),
                confirm_password => confirm_password.join(" "),
            },
        },
    )?;
    Ok(page.with_cookie(token.set_cookie).into_response())
}

pub async fn show_change(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<super::login::LoginQuery>,
) -> Result<Response, PageError> {
    match session::current(&accounts, &site, &headers).await? {
        None => Ok(see_other("/login", vec![])),
        Some(s) => match s.next_required() {
            None => super::own_password::show(&site, &headers),
            Some(Required::ChangePassword) => {
                change_page(&site, &headers, q.auth.as_deref(), StatusCode::OK, vec![], vec![], vec![])
            }
            Some(step) => Ok(see_other(step.path(), vec![])),
        },
    }
}

pub async fn submit_change(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<ChangeForm>,
) -> Result<Response, PageError> {
    let Some(mut s) = session::current(&accounts, &site, &headers).await? else {
        return Ok(see_other("/login", vec![]));
    };
    if let Some(step) = s.next_required().filter(|r| *r != Required::ChangePassword) {
        return Ok(see_other(step.path(), vec![]));
    }
    if !s.must_change_password {
        let form = super::own_password::OwnChangeForm {
            csrf: form.csrf,
            current_password: form.current_password,
            new_password: form.new_password,
            confirm_password: form.confirm_password,
        };
        return super::own_password::submit(&accounts, &site, &headers, s, origin, form).await;
    }
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        return change_page(
            &site,
            &headers,
            form.auth.as_deref(),
            StatusCode::FORBIDDEN,
            vec!["This form expired. Please try again.".into()],
            vec![],
            vec![],
        );
    }
    match accounts.change_password(s.user_id, &form.new_password, &form.confirm_password, origin).await {
        Ok(()) => {
            s.must_change_password = false;
            session::update(&accounts, &site, &headers, &s).await?;
            Ok(see_other(&super::login::next_step(&s, form.auth.as_deref()), vec![]))
        }
        Err(ChangeError::Refused { new_password, confirm_password }) => {
            let all = new_password.iter().chain(&confirm_password).cloned().collect();
            change_page(&site, &headers, form.auth.as_deref(), StatusCode::OK, all, new_password, confirm_password)
        }
        Err(ChangeError::NotAllowed) => {
            // The account may no longer change its password here: this session is over.
            if let Some(id) = session::cookie_value(&headers, &site) {
                accounts.end_session(&id, &s, None).await?;
            }
            Ok(see_other("/login", vec![session::clear(&site)]))
        }
        Err(ChangeError::Internal(e)) => Err(e.into()),
    }
}
