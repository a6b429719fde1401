//! The Lanyard (SSO) session: a random id in a cookie; the record, keyed by the id's hash, in
//! the ephemeral store, so every Lanyard process sees it and a stolen database reveals no ids.

use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

use super::cookies;
use crate::secret::random_token;
use crate::store::{Ephemeral, StoreError};

const COOKIE: &str = "lanyard_session";
const NAMESPACE: &str = "session";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionRecord {
    pub user_id: i32,
    pub tenant_id: i32,
    /// OIDC `auth_time`: when the user last entered a password.
    pub auth_time: i64,
    /// OIDC `sid`, also published in logout tokens; not the cookie value.
    pub sid: String,
    /// L4: until the new password is chosen this session may only reach the change page.
    pub must_change_password: bool,
    /// The user's epoch at sign-in; a reset or an administrator's new password ends the session.
    #[serde(default)]
    pub epoch: String,
}

pub fn cookie_name(secure: bool) -> String {
    cookies::name(COOKIE, secure)
}

/// Starts a new session (always a new id: no fixation) and returns its Set-Cookie header.
pub async fn start(
    ephemeral: &Ephemeral,
    record: &SessionRecord,
    ttl: i64,
    secure: bool,
) -> Result<String, StoreError> {
    let id = random_token();
    let json = serde_json::to_string(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    ephemeral.put(&Ephemeral::secret_key(NAMESPACE, &id), &json, ttl).await?;
    Ok(cookies::set(&cookie_name(secure), &id, secure, None))
}

pub async fn current(
    ephemeral: &Ephemeral,
    headers: &HeaderMap,
    secure: bool,
) -> Result<Option<SessionRecord>, StoreError> {
    let Some(id) = cookies::read(headers, &cookie_name(secure)) else {
        return Ok(None);
    };
    let Some(json) = ephemeral.get(&Ephemeral::secret_key(NAMESPACE, &id)).await? else {
        return Ok(None);
    };
    let Some(record) = serde_json::from_str::<SessionRecord>(&json).ok() else { return Ok(None) };
    // A reset or an administrator's new password (a newer epoch) ends the session.
    if crate::accounts::epoch::current(ephemeral, record.user_id).await? != record.epoch {
        return Ok(None);
    }
    Ok(Some(record))
}

/// Rewrites the record under the same id (e.g. after the forced password change).
pub async fn update(
    ephemeral: &Ephemeral,
    headers: &HeaderMap,
    record: &SessionRecord,
    ttl: i64,
    secure: bool,
) -> Result<(), StoreError> {
    if let Some(id) = cookies::read(headers, &cookie_name(secure)) {
        let json = serde_json::to_string(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        ephemeral.put(&Ephemeral::secret_key(NAMESPACE, &id), &json, ttl).await?;
    }
    Ok(())
}

/// Ends the session here (L6) and returns the header that clears the cookie.
pub async fn end(ephemeral: &Ephemeral, headers: &HeaderMap, secure: bool) -> Result<String, StoreError> {
    if let Some(id) = cookies::read(headers, &cookie_name(secure)) {
        ephemeral.delete(&Ephemeral::secret_key(NAMESPACE, &id)).await?;
    }
    Ok(cookies::clear(&cookie_name(secure), secure))
}
