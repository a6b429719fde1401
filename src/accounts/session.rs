//! The Lanyard (SSO) session: its record, kept in the ephemeral store under the SHA-256 of the
//! random id the browser holds, so every Lanyard process sees it and a stolen store reveals no
//! ids. Also what a session is remembered for: the applications it gave tokens to, and, per
//! user, the sessions that exist — so ending all of them can tell those applications (L6).

use serde::{Deserialize, Serialize};

use super::{Accounts, epoch};
use crate::domain::tenant::TenantId;
use crate::domain::user::UserId;
use crate::secret::random_token;
use crate::store::{Ephemeral, StoreError};

const NAMESPACE: &str = "session";
/// Reading a remembered list looks at its newest entries only: a runaway counter must not
/// become a runaway loop (older entries have expired long before).
const MAX_REMEMBERED: i64 = 1000;
/// A list's counter outlives every entry (the counter's window is fixed from its first
/// increment, and a later entry must still be found); reading the list resets it.
const COUNTER_TTL: i64 = 400 * 24 * 3600;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionRecord {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    /// OIDC `auth_time`: when the user last entered a password.
    pub auth_time: i64,
    /// OIDC `sid`, also published in logout tokens; not the cookie value.
    pub sid: String,
    /// L4: until the new password is chosen this session may only reach the change page.
    pub must_change_password: bool,
    /// The user's epoch at sign-in; a reset, a lock or a new password ends the session.
    #[serde(default)]
    pub epoch: String,
}

/// Each application a session gives tokens to takes a numbered slot; the counter is atomic, so
/// concurrent authorizations in one session (two tabs, silent iframes) cannot lose one.
fn app_counter(sid: &str) -> String {
    format!("sid-clients:{sid}")
}

fn user_counter(user_id: UserId) -> String {
    format!("user-sids:{user_id}")
}

impl Accounts {
    /// Starts a session for a signed-in user; returns the id for the cookie (always new: no
    /// fixation).
    pub async fn start_session(&self, record: &SessionRecord) -> Result<String, StoreError> {
        let id = random_token();
        let json = serde_json::to_string(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.ephemeral.put(&Ephemeral::secret_key(NAMESPACE, &id), &json, self.session_ttl).await?;
        append(&self.ephemeral, &user_counter(record.user_id), &record.sid, self.session_ttl).await?;
        Ok(id)
    }

    /// The live session behind a cookie value: gone once its user's epoch has moved on.
    pub async fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        let Some(json) = self.ephemeral.get(&Ephemeral::secret_key(NAMESPACE, id)).await? else {
            return Ok(None);
        };
        let Ok(record) = serde_json::from_str::<SessionRecord>(&json) else { return Ok(None) };
        if epoch::current(&self.ephemeral, record.user_id).await? != record.epoch {
            return Ok(None);
        }
        Ok(Some(record))
    }

    /// Rewrites the record under the same id (after the forced password change, L4).
    pub async fn update_session(&self, id: &str, record: &SessionRecord) -> Result<(), StoreError> {
        let json = serde_json::to_string(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.ephemeral.put(&Ephemeral::secret_key(NAMESPACE, id), &json, self.session_ttl).await
    }

    /// Remembers that `client_id` received tokens in session `sid`.
    pub async fn note_application(&self, sid: &str, client_id: &str) -> Result<(), StoreError> {
        append(&self.ephemeral, &app_counter(sid), client_id, self.session_ttl).await
    }

    /// The applications session `sid` gave tokens to, forgotten as they are read.
    pub(super) async fn take_applications(&self, sid: &str) -> Result<Vec<String>, StoreError> {
        let mut clients = take_all(&self.ephemeral, &app_counter(sid)).await?;
        let mut seen = std::collections::HashSet::new();
        clients.retain(|c| seen.insert(c.clone()));
        Ok(clients)
    }

    /// The applications session `sid` gave tokens to, still remembered.
    pub(super) async fn applications(&self, sid: &str) -> Result<Vec<String>, StoreError> {
        let counter = app_counter(sid);
        let n = self.ephemeral.count(&counter).await?;
        let keys: Vec<String> = newest(n).map(|k| format!("{counter}:{k}")).collect();
        Ok(self.ephemeral.get_many(&keys).await?.into_iter().flatten().collect())
    }

    /// The user's sessions that were started, forgotten as they are read.
    pub(super) async fn take_user_sessions(&self, user_id: UserId) -> Result<Vec<String>, StoreError> {
        take_all(&self.ephemeral, &user_counter(user_id)).await
    }

    pub(super) async fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        self.ephemeral.delete(&Ephemeral::secret_key(NAMESPACE, id)).await
    }
}

/// Adds `value` for `ttl` seconds under the next number of `counter`.
async fn append(eph: &Ephemeral, counter: &str, value: &str, ttl: i64) -> Result<(), StoreError> {
    let n = eph.incr(counter, COUNTER_TTL).await?;
    eph.put(&format!("{counter}:{n}"), value, ttl).await
}

/// The numbers of the newest `MAX_REMEMBERED` of `n` entries.
fn newest(n: i64) -> std::ops::RangeInclusive<i64> {
    (n - MAX_REMEMBERED + 1).max(1)..=n
}

async fn take_all(eph: &Ephemeral, counter: &str) -> Result<Vec<String>, StoreError> {
    let n = eph.count(counter).await?;
    let mut values = Vec::new();
    for k in newest(n) {
        values.extend(eph.take(&format!("{counter}:{k}")).await?);
    }
    eph.delete(counter).await?;
    Ok(values)
}
