//! S2: the Settings page where a signed-in user sets up self password reset.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use crate::accounts::Accounts;
use crate::accounts::enrolment::{CODE_DIGITS, CODE_TTL, EnrolError, Enrolment};
use crate::accounts::session::SessionRecord;
use crate::http::page::{Page, PageError, see_other};
use crate::http::{PageForm, RequestOrigin, Site, csrf, session};
use crate::i18n::Msg;
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

/// S2: the notice once the code is mailed, with the code's length and lifetime.
fn code_sent() -> Msg {
    Msg::new("settings-code-sent").with("digits", CODE_DIGITS).with("minutes", CODE_TTL / 60)
}

async fn render(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    s: &SessionRecord,
    notice: Option<Msg>,
    error: Option<Msg>,
) -> Result<Response, PageError> {
    let lang = super::language::of_session(accounts, headers, s).await?;
    let allowed = accounts.enrolling().allowed(s.user_id).await?;
    let email = match &allowed {
        Some((_, u)) if u.email_verified => u.email.clone(),
        _ => None,
    };
    let enrolment = accounts.enrolling().state(&s.sid).await?;
    let token = csrf::issue(headers, site);
    let page = Page::render(
        lang,
        if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK },
        "settings.html",
        context! {
            csrf => token.token,
            allowed => allowed.is_some(),
            email,
            step => step_of(&enrolment),
            pending_email => enrolment.email,
            notice => notice.map(|m| lang.text(&m)),
            error => error.map(|m| lang.text(&m)),
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
        return render(&accounts, &site, &headers, &s, None, Some(Msg::new("account-form-expired"))).await;
    }
    // F2: the verified address guards changes to the second factors (its codes, its notices);
    // a session that knew only the password must not redirect it.
    if !accounts.factors().may_change(&s).await? {
        let message = Msg::new("settings-second-factor-first");
        return render(&accounts, &site, &headers, &s, None, Some(message)).await;
    }
    let result = match form.step.as_str() {
        "verify" => {
            accounts.enrolling().verify(s.user_id, &s.sid, &form.current_password, &origin).await.map(|()| None)
        }
        "send" => accounts.enrolling().send_code(s.user_id, &s.sid, &form.email).await.map(|()| Some(code_sent())),
        "code" => accounts.enrolling().check_code(s.user_id, &s.sid, &form.code).await.map(|()| None),
        "save" => accounts.enrolling().save(s.user_id, &s.sid, origin).await.map(|_| Some(Msg::new("settings-saved"))),
        _ => Err(EnrolError::Field(Msg::new("settings-unknown-step"))),
    };
    match result {
        Ok(notice) => render(&accounts, &site, &headers, &s, notice, None).await,
        Err(EnrolError::Field(message)) => render(&accounts, &site, &headers, &s, None, Some(message)).await,
        Err(EnrolError::NotEnabled) => render(&accounts, &site, &headers, &s, None, None).await,
        Err(EnrolError::Internal(e)) => Err(e.into()),
    }
}
