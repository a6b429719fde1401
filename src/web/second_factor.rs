//! F5: the second step of a sign-in — a code from the authenticator app or a recovery code —
//! reached only by a session that passed the password and still owes its second factor (F1).
//! The page names no one and no factor: it asks for "a code".

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use super::login::{LoginQuery, next_step};
use crate::accounts::Accounts;
use crate::accounts::factors::{MAX_CODE_CHARS, ProveError};
use crate::accounts::session::{Required, SessionRecord};
use crate::http::page::{Page, PageError, see_other};
use crate::http::{PageForm, PageQuery, RequestOrigin, Site, csrf, session};
use crate::secret::is_random_token;

const WRONG: &str = "The code is not correct.";
/// L3's own words: a wrong code that reaches the limit locks like a wrong password.
const LOCKED: &str = "Your account has been locked. Please contact your agency administrator.";
const TOO_MANY: &str = "Too many attempts. Please try again later.";

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    csrf: Option<String>,
    code: String,
    auth: Option<String>,
}

fn render(
    site: &Site,
    headers: &HeaderMap,
    auth: Option<&str>,
    status: StatusCode,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let token = csrf::issue(headers, site);
    let auth = auth.filter(|a| is_random_token(a));
    let page = Page::render(
        status,
        "second_factor.html",
        context! { csrf => token.token, auth, error, max => MAX_CODE_CHARS },
    )?;
    Ok(page.with_cookie(token.set_cookie).into_response())
}

/// The session that owes its second factor now, or may give it for a step-up (F7).
async fn owing(accounts: &Accounts, site: &Site, headers: &HeaderMap) -> Result<Option<SessionRecord>, PageError> {
    match session::current(accounts, site, headers).await? {
        Some(s) if accounts.factors().may_take(&s, Required::SecondFactor, false).await? => Ok(Some(s)),
        _ => Ok(None),
    }
}

pub async fn show(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    PageQuery(q): PageQuery<LoginQuery>,
) -> Result<Response, PageError> {
    match owing(&accounts, &site, &headers).await? {
        Some(_) => render(&site, &headers, q.auth.as_deref(), StatusCode::OK, None),
        None => Ok(see_other("/login", vec![])),
    }
}

pub async fn submit(
    State(accounts): State<Accounts>,
    State(site): State<Site>,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, PageError> {
    let auth = form.auth.as_deref();
    let Some(mut s) = owing(&accounts, &site, &headers).await? else { return Ok(see_other("/login", vec![])) };
    if !csrf::verify(&headers, &site, form.csrf.as_deref()) {
        return render(&site, &headers, auth, StatusCode::FORBIDDEN, Some("This form expired. Please try again."));
    }
    if form.code.trim().is_empty() {
        return render(&site, &headers, auth, StatusCode::OK, Some("Code is required."));
    }
    // L7: the activity record names the application the person is signing in to.
    let client_id = match auth.filter(|a| is_random_token(a)) {
        Some(id) => accounts.interactions().get(id).await?.map(|i| i.client_id),
        None => None,
    };
    match accounts.factors().prove(&mut s, &form.code, client_id, &origin).await {
        Ok(_) => {
            session::update(&accounts, &site, &headers, &s).await?;
            Ok(see_other(&next_step(&s, auth), vec![]))
        }
        Err(ProveError::Wrong) => render(&site, &headers, auth, StatusCode::OK, Some(WRONG)),
        Err(ProveError::TooMany) => render(&site, &headers, auth, StatusCode::TOO_MANY_REQUESTS, Some(TOO_MANY)),
        // The lock ended every session of the account, this one too.
        Err(ProveError::Locked) => {
            let page = render(&site, &headers, None, StatusCode::OK, Some(LOCKED))?;
            Ok(([(axum::http::header::SET_COOKIE, session::clear(&site))], page).into_response())
        }
        Err(ProveError::Internal(e)) => Err(e.into()),
    }
}
