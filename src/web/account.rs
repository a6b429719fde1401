//! The small account page reached by signing in without a pending authorization, sign-out
//! (L6), and the forced password change (L4).

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use super::extract::{PageForm, RequestOrigin};
use super::page::{self, Page, PageError, see_other};
use super::{csrf, session};
use crate::accounts::password_change::ChangeError;
use crate::app::AppState;
use crate::secret::Secret;

pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let secure = state.config.secure_cookies();
    let Some(s) = session::current(&state.accounts.ephemeral, &headers, secure).await? else {
        return Ok(see_other("/login", vec![]));
    };
    if s.must_change_password {
        return Ok(see_other("/password/change", vec![]));
    }
    let store = &state.accounts.store;
    let (Some(user), Some(tenant)) = (store.user_by_id(s.user_id).await?, store.tenant_by_id(s.tenant_id).await?)
    else {
        let clear = session::end(&state.accounts.ephemeral, &headers, secure).await?;
        return Ok(see_other("/login", vec![clear]));
    };
    let token = csrf::issue(&headers, &state.mac, secure);
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
        },
    )?;
    Ok(page.with_cookie(token.set_cookie).into_response())
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct CsrfOnly {
    csrf: Option<String>,
}

/// L6: ends the Lanyard session only; applications keep their own sessions.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<CsrfOnly>,
) -> Result<Response, PageError> {
    let secure = state.config.secure_cookies();
    if !csrf::verify(&headers, &state.mac, secure, form.csrf.as_deref()) {
        return Ok(page::message(
            StatusCode::FORBIDDEN,
            "Sign out",
            "This form expired. Please go back and try again.",
        ));
    }
    if let Some(s) = session::current(&state.accounts.ephemeral, &headers, secure).await? {
        state.accounts.record_sign_out(s.user_id, s.tenant_id, None, origin).await?;
        if let Some(user) = state.accounts.store.user_by_id(s.user_id).await? {
            crate::oidc::backchannel::session_ended(&state, &s.sid, &user.subject).await;
        }
    }
    let clear = session::end(&state.accounts.ephemeral, &headers, secure).await?;
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
    new_password: Secret,
    confirm_password: Secret,
}

const CHANGE_REASON: &str = "You must choose a new password before you continue.";

fn change_page(
    state: &AppState,
    headers: &HeaderMap,
    auth: Option<&str>,
    status: StatusCode,
    errors: Vec<String>,
    new_password: Vec<String>,
    confirm_password: Vec<String>,
) -> Result<Response, PageError> {
    let token = csrf::issue(headers, &state.mac, state.config.secure_cookies());
    let page = Page::render(
        status,
        "change_password.html",
        context! {
            csrf => token.token,
            auth => auth,
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
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<super::login::LoginQuery>,
) -> Result<Response, PageError> {
    // L4 only: a voluntary change would need the current password, which this page never asks.
    match session::current(&state.accounts.ephemeral, &headers, state.config.secure_cookies()).await? {
        None => Ok(see_other("/login", vec![])),
        Some(s) if !s.must_change_password => Ok(see_other("/account", vec![])),
        Some(_) => change_page(&state, &headers, q.auth.as_deref(), StatusCode::OK, vec![], vec![], vec![]),
    }
}

pub async fn submit_change(
    State(state): State<AppState>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<ChangeForm>,
) -> Result<Response, PageError> {
    let secure = state.config.secure_cookies();
    let Some(mut s) = session::current(&state.accounts.ephemeral, &headers, secure).await? else {
        return Ok(see_other("/login", vec![]));
    };
    if !s.must_change_password {
        return Ok(see_other("/account", vec![]));
    }
    if !csrf::verify(&headers, &state.mac, secure, form.csrf.as_deref()) {
        return change_page(
            &state,
            &headers,
            form.auth.as_deref(),
            StatusCode::FORBIDDEN,
            vec!["This form expired. Please try again.".into()],
            vec![],
            vec![],
        );
    }
    match state.accounts.change_password(s.user_id, &form.new_password, &form.confirm_password, origin).await {
        Ok(()) => {
            s.must_change_password = false;
            session::update(&state.accounts.ephemeral, &headers, &s, state.config.session_ttl_secs, secure).await?;
            Ok(see_other(&super::login::next_step(false, form.auth.as_deref()), vec![]))
        }
        Err(ChangeError::Refused { new_password, confirm_password }) => {
            let all = new_password.iter().chain(&confirm_password).cloned().collect();
            change_page(&state, &headers, form.auth.as_deref(), StatusCode::OK, all, new_password, confirm_password)
        }
        Err(ChangeError::NotAllowed) => {
            let clear = session::end(&state.accounts.ephemeral, &headers, secure).await?;
            Ok(see_other("/login", vec![clear]))
        }
        Err(ChangeError::Internal(e)) => Err(e.into()),
    }
}
