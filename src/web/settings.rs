//! S2: the Settings page where a signed-in user sets up self password reset.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use crate::accounts::Accounts;
use crate::accounts::enrolment::{EnrolError, Enrolment};
use crate::accounts::session::SessionRecord;
use crate::http::page::{Page, PageError, see_other};
use crate::http::{PageForm, RequestOrigin, Site, csrf, session};
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
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    s: &SessionRecord,
    notice: Option<&str>,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let allowed = accounts.enrolling().allowed(s.user_id).await?;
    let email = match &allowed {
        Some((_, u)) if u.email_verified => u.email.clone(),
        _ => None,
    };
    let enrolment = accounts.enrolling().state(&s.sid).await?;
    let token = csrf::issue(headers, site);
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

pub async fn show(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    match session::complete(&accounts, &site, &headers).await? {
        Some(s) => render(&accounts, &site, &headers, &s, None, None).await,
        None => Ok(see_other("/login", vec![])),
    }
}

pub async fn submit(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<SettingsForm>,
) -> Result<Response, PageError> {
    let Some(s) = session::complete(&accounts, &site, &headers).await? else { return Ok(see_other("/login", vec![])) };
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        return render(&accounts, &site, &headers, &s, None, Some("This form expired. Please try again.")).await;
    }
    // F2: the verified address guards changes to the second factors (its codes, its notices);
    // a session that knew only the password must not redirect it.
    if !accounts.factors().may_change(&s).await? {
        let message = "Sign in with a code from your app first: then you can change this address.";
        return render(&accounts, &site, &headers, &s, None, Some(message)).await;
    }
    let result = match form.step.as_str() {
        "verify" => {
            accounts.enrolling().verify(s.user_id, &s.sid, &form.current_password, &origin).await.map(|()| None)
        }
        "send" => accounts
            .enrolling()
            .send_code(s.user_id, &s.sid, &form.email)
            .await
            .map(|()| Some("We sent a 6-digit code to that address. It is valid for 10 minutes.")),
        "code" => accounts.enrolling().check_code(s.user_id, &s.sid, &form.code).await.map(|()| None),
        "save" => accounts
            .enrolling()
            .save(s.user_id, &s.sid, origin)
            .await
            .map(|_| Some("Saved. Password tokens will go to this address.")),
        _ => Err(EnrolError::Field("Unknown step.")),
    };
    match result {
        Ok(notice) => render(&accounts, &site, &headers, &s, notice, None).await,
        Err(EnrolError::Field(message)) => render(&accounts, &site, &headers, &s, None, Some(message)).await,
        Err(EnrolError::NotEnabled) => render(&accounts, &site, &headers, &s, None, None).await,
        Err(EnrolError::Internal(e)) => Err(e.into()),
    }
}
