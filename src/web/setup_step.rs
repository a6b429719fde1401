//! F1, F4, F9: which session may take the sign-in's "set up a second factor" step, and where
//! the key's variant of it lives — shared by the app's setup page and the key's.

use axum::http::HeaderMap;

use crate::accounts::Accounts;
use crate::accounts::session::{Required, SessionRecord};
use crate::http::page::PageError;
use crate::http::{Site, session};
use crate::secret::is_random_token;

const KEY_SETUP: &str = "/sign-in/passkey/setup";

/// The key's setup page, carrying the waiting request's id.
pub(super) fn key_setup_path(auth: Option<&str>) -> String {
    match auth.filter(|a| is_random_token(a)) {
        Some(a) => format!("{KEY_SETUP}?auth={a}"),
        None => KEY_SETUP.into(),
    }
}

/// The session that must set up a second factor now (F4), or may for the waiting request
/// `auth` when it requires one (F4, F7), if this browser has one.
pub(super) async fn setting_up(
    accounts: &Accounts,
    site: &Site,
    headers: &HeaderMap,
    auth: Option<&str>,
) -> Result<Option<SessionRecord>, PageError> {
    let Some(s) = session::current(accounts, site, headers).await? else { return Ok(None) };
    let for_request = match auth.filter(|a| is_random_token(a)) {
        Some(auth) => accounts.interactions().get(auth).await?.is_some_and(|i| i.requires_second_factor),
        None => false,
    };
    Ok(accounts.factors().may_take(&s, Required::EnrolSecondFactor, for_request).await?.then_some(s))
}
