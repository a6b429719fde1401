//! The session cookie: a random id the browser holds, whose record `accounts` keeps. This file
//! knows the cookie; `accounts::session` knows what a session is.

use axum::http::HeaderMap;

use super::cookies;
use super::site::Site;
use crate::accounts::session::SessionRecord;
use crate::accounts::{Accounts, Internal};
use crate::domain::activity::Origin;
use crate::secret::is_random_token;

const COOKIE: &str = "lanyard_session";

pub fn cookie_name(site: &Site) -> String {
    cookies::name(COOKIE, site.secure_cookies)
}

fn id(headers: &HeaderMap, site: &Site) -> Option<String> {
    cookies::read(headers, &cookie_name(site)).filter(|v| is_random_token(v))
}

/// Starts a new session — ending the one this browser held, if any — and returns its
/// Set-Cookie header.
pub async fn start(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    record: &SessionRecord,
    origin: &Origin,
) -> Result<String, Internal> {
    let id = accounts.start_session(record, id(headers, site).as_deref(), origin).await?;
    Ok(cookies::set(&cookie_name(site), &id, site.secure_cookies, None))
}

/// The browser's live session, if any.
pub async fn current(accounts: &Accounts, site: &Site, headers: &HeaderMap) -> Result<Option<SessionRecord>, Internal> {
    match id(headers, site) {
        Some(id) => Ok(accounts.session(&id).await?),
        None => Ok(None),
    }
}

/// The browser's session if it owes no step (F1): what Settings' pages act for.
pub async fn complete(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
) -> Result<Option<SessionRecord>, Internal> {
    Ok(current(accounts, site, headers).await?.filter(SessionRecord::complete))
}

/// The page's response with a new session's cookie (after every session ended, this browser
/// goes on in a new one).
pub fn with_cookie(mut page: axum::response::Response, cookie: &str) -> axum::response::Response {
    if let Ok(value) = axum::http::HeaderValue::from_str(cookie) {
        page.headers_mut().append(axum::http::header::SET_COOKIE, value);
    }
    page
}

/// Rewrites the record under the same id (after the forced password change, L4).
pub async fn update(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    record: &SessionRecord,
) -> Result<(), Internal> {
    match id(headers, site) {
        Some(id) => Ok(accounts.update_session(&id, record).await?),
        None => Ok(()),
    }
}

/// The cookie's value, for ending exactly this session.
pub fn cookie_value(headers: &HeaderMap, site: &Site) -> Option<String> {
    id(headers, site)
}

/// The header that clears the cookie.
pub fn clear(site: &Site) -> String {
    cookies::clear(&cookie_name(site), site.secure_cookies)
}
