//! S2: the Settings page where a signed-in user sets up self password reset.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use super::csrf;
use super::extract::{PageForm, RequestOrigin};
use super::page::{Page, PageError, see_other};
use super::session::{self, SessionRecord};
use crate::accounts::enrolment::{EnrolError, Enrolment};
use crate::app::AppState;
use crate::secret::Secret;

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    csrf: Option<String>,
    step: String,
    current_password: Secret,
    email: String,
    code: String,
}

fn step_of(e: &Enrolment) -> &'static str {
    match (e.password_verified, &e.email, e.code_confirmed) {
        (false, _, _) => "verify",
        (true, None, _) => "email",
        (true, Some(_), false) => "code",
        (true, Some(_), true) => "save",
    }
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    s: &SessionRecord,
    notice: Option<&str>,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let allowed = state.accounts.self_reset_allowed(s.user_id).await?;
    let email = match &allowed {
        Some((_, u)) if u.email_verified => u.email.clone(),
        _ => None,
    };
    let enrolment = state.accounts.enrolment(&s.sid).await?;
    let token = csrf::issue(headers, &state.mac, state.config.secure_cookies());
    let page = Page::render(
        if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK },
        "settings.html",
        context! {
            csrf => token.token,
            allowed => allowed.is_some(),
            email,
            step => step_of(&enrolment),
            pending_email => enrolment.email,
            notice,
            error,
        },
    )?;
    Ok(page.with_cookie(token.set_cookie).into_response())
}

async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<SessionRecord>, PageError> {
    Ok(session::current(&state.accounts.ephemeral, headers, state.config.secure_cookies())
        .await?
        .filter(|s| !s.must_change_password))
}

pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    match signed_in(&state, &headers).await? {
        Some(s) => render(&state, &headers, &s, None, None).await,
        None => Ok(see_other("/login", vec![])),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<SettingsForm>,
) -> Result<Response, PageError> {
    let Some(s) = signed_in(&state, &headers).await? else { return Ok(see_other("/login", vec![])) };
    if !csrf::verify(&headers, &state.mac, state.config.secure_cookies(), form.csrf.as_deref()) {
        return render(&state, &headers, &s, None, Some("This form expired. Please try again.")).await;
    }
    let accounts = &state.accounts;
    let result = match form.step.as_str() {
        "verify" => accounts.enrol_verify(s.user_id, &s.sid, &form.current_password, &origin).await.map(|()| None),
        "send" => accounts
            .enrol_send_code(s.user_id, &s.sid, &form.email)
            .await
            .map(|()| Some("We sent a 6-digit code to that address. It is valid for 10 minutes.")),
        "code" => accounts.enrol_check_code(&s.sid, &form.code).await.map(|()| None),
        "save" => accounts
            .enrol_save(s.user_id, &s.sid, origin)
            .await
            .map(|_| Some("Saved. Password tokens will go to this address.")),
        _ => Err(EnrolError::Field("Unknown step.")),
    };
    match result {
        Ok(notice) => render(&state, &headers, &s, notice, None).await,
        Err(EnrolError::Field(message)) => render(&state, &headers, &s, None, Some(message)).await,
        Err(EnrolError::NotEnabled) => render(&state, &headers, &s, None, None).await,
        Err(EnrolError::Internal(e)) => Err(e.into()),
    }
}
