//! The Lanyard (SSO) session: its record, kept in the ephemeral store under the SHA-256 of the
//! random id the browser holds, so every Lanyard process sees it and a stolen store reveals no
//! ids. Also what a session is remembered for: the applications it gave tokens to, and, per
//! user, the sessions that exist — so ending all of them can tell those applications (L6).

use serde::{Deserialize, Serialize};

use super::session_lifetime::Lifetime;
use super::{Accounts, epoch};
use crate::domain::activity::Origin;
use crate::domain::second_factor::Proof;
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
    /// When the session began: its absolute lifetime counts from here, whatever is rewritten.
    /// Set by `start_session`.
    #[serde(default)]
    pub started_at: i64,
    /// When the browser last used the session (to the minute): the idle timeout counts from here.
    #[serde(default)]
    pub last_seen: i64,
    /// F1: what is still pending after the password, before any application gets a token.
    #[serde(default)]
    pub required: Vec<Required>,
    /// F7: what this session proved (`amr`, `acr`).
    #[serde(default = "password_only")]
    pub proofs: Vec<Proof>,
    /// F7: when a second factor was last proved in this session.
    #[serde(default)]
    pub second_factor_at: Option<i64>,
}

fn password_only() -> Vec<Proof> {
    vec![Proof::Password]
}

/// F1: a step a session must still take, in the order they are asked for: the second factor
/// (F5) first, so nothing else is offered to someone who only knows the password, then L4's
/// new password, then setting up a second factor the policy wants (F4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Required {
    SecondFactor,
    ChangePassword,
    /// F4: the policy wants a second factor and none is enrolled yet.
    EnrolSecondFactor,
}

impl Required {
    /// The page that takes this step.
    pub fn path(self) -> &'static str {
        match self {
            Required::SecondFactor => "/sign-in/second-factor",
            Required::ChangePassword => "/password/change",
            Required::EnrolSecondFactor => "/sign-in/second-factor/setup",
        }
    }
}

impl SessionRecord {
    /// F1: the one place that says what a session must do next; `None` once it is complete.
    pub fn next_required(&self) -> Option<Required> {
        let pending = self.required.iter().copied();
        let l4 = self.must_change_password.then_some(Required::ChangePassword);
        pending.chain(l4).min_by_key(|r| *r as u8)
    }

    /// F1: nothing pending; only such a session gets tokens, pages and settings.
    pub fn complete(&self) -> bool {
        self.next_required().is_none()
    }

    /// F5, F7: the second factor was proved now (a code at sign-in, or a new app's first code).
    pub fn second_factor_proved(&mut self, proof: Proof, now: i64) {
        self.required.retain(|r| !matches!(r, Required::SecondFactor | Required::EnrolSecondFactor));
        if !self.proofs.contains(&proof) {
            self.proofs.push(proof);
        }
        self.second_factor_at = Some(now);
    }

    /// When the session began; records from before `started_at` existed began at their sign-in.
    fn began(&self) -> i64 {
        if self.started_at > 0 { self.started_at } else { self.auth_time }
    }
}

/// What an administrator sees of a user's live session (never its cookie value).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LiveSession {
    /// OIDC `sid`.
    pub sid: String,
    pub started_at: i64,
    pub last_seen: i64,
    /// When the password was last entered (OIDC `auth_time`).
    pub auth_time: i64,
    /// L7: from where it was started.
    pub ip: String,
    pub user_agent: String,
    /// The applications that received tokens in it.
    pub applications: Vec<String>,
}

/// Kept beside a session for its listing: where the record is, and where it came from.
#[derive(Serialize, Deserialize)]
struct SessionInfo {
    record_key: String,
    ip: String,
    user_agent: String,
}

fn info_key(sid: &str) -> String {
    format!("session-info:{sid}")
}

/// `last_seen` is rewritten at most this often: a page view is not a write.
const TOUCH_EVERY: i64 = 60;

/// Each application a session gives tokens to takes a numbered slot; the counter is atomic, so
/// concurrent authorizations in one session (two tabs, silent iframes) cannot lose one.
fn app_counter(sid: &str) -> String {
    format!("sid-clients:{sid}")
}

fn user_counter(user_id: UserId) -> String {
    format!("user-sids:{user_id}")
}

impl Accounts {
    /// The record of the session a sign-in starts (a password entered now, a new `sid`; L4's
    /// forced change carried over).
    pub fn session_for(&self, signed_in: &super::sign_in::SignedIn) -> SessionRecord {
        SessionRecord {
            user_id: signed_in.user.id,
            tenant_id: signed_in.tenant.id,
            auth_time: self.clock.now(),
            sid: random_token(),
            must_change_password: signed_in.must_change_password,
            epoch: signed_in.epoch.clone(),
            started_at: 0,
            last_seen: 0,
            required: [
                signed_in.second_factor.then_some(Required::SecondFactor),
                signed_in.must_enrol.then_some(Required::EnrolSecondFactor),
            ]
            .into_iter()
            .flatten()
            .collect(),
            proofs: signed_in.proofs.clone(),
            // F10: a passkey in the sign-in itself proved the second factor.
            second_factor_at: (signed_in.proofs.len() > 1).then(|| self.clock.now()),
        }
    }

    /// The record of the session that follows `old` in this browser after the person's own
    /// password change: the password was entered now, in the user's new `epoch`, under a new sid.
    pub fn session_after_change(&self, old: &SessionRecord, epoch: String) -> SessionRecord {
        SessionRecord { epoch, sid: random_token(), auth_time: self.clock.now(), ..old.clone() }
    }

    /// Starts a session for a signed-in user; returns the id for the cookie (always new: no
    /// fixation). The browser's previous session, if any (`replacing`), ends here: a sign-in
    /// never leaves an older id valid.
    pub async fn start_session(
        &self,
        record: &SessionRecord,
        replacing: Option<&str>,
        origin: &Origin,
    ) -> Result<String, StoreError> {
        if let Some(old) = replacing {
            delete_session(&self.ephemeral, old).await?;
        }
        let now = self.clock.now();
        let record = SessionRecord { started_at: now, last_seen: now, ..record.clone() };
        let id = random_token();
        self.put_session(&id, &record).await?;
        let info = SessionInfo {
            record_key: Ephemeral::secret_key(NAMESPACE, &id),
            ip: origin.ip.clone(),
            user_agent: origin.user_agent.clone(),
        };
        let json = serde_json::to_string(&info).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.ephemeral.put(&info_key(&record.sid), &json, self.session_lifetime.ttl).await?;
        append(&self.ephemeral, &user_counter(record.user_id), &record.sid, self.session_lifetime.ttl).await?;
        Ok(id)
    }

    /// The live session behind a cookie value: gone once its user's epoch has moved on, its
    /// absolute lifetime is over, or it has not been used for the idle timeout.
    pub async fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        let Some(json) = self.ephemeral.get(&Ephemeral::secret_key(NAMESPACE, id)).await? else {
            return Ok(None);
        };
        let Ok(mut record) = serde_json::from_str::<SessionRecord>(&json) else { return Ok(None) };
        let now = self.clock.now();
        if self.session_lifetime.timed_out(record.began(), record.last_seen, now) {
            delete_session(&self.ephemeral, id).await?;
            return Ok(None);
        }
        if epoch::current(&self.ephemeral, record.user_id).await? != record.epoch {
            return Ok(None);
        }
        if now - record.last_seen >= TOUCH_EVERY {
            record.last_seen = now;
            self.put_session(id, &record).await?;
        }
        Ok(Some(record))
    }

    /// Whether the session `sid` of `user_id` is still live (not signed out, not ended, not idle
    /// or past its lifetime). Using it counts as using the session, like a page view: the
    /// console's work keeps the Lanyard session it rides on from going idle.
    pub async fn session_live(&self, sid: &str, user_id: UserId) -> Result<bool, StoreError> {
        let Some(info) = self.ephemeral.get(&info_key(sid)).await? else { return Ok(false) };
        let Ok(info) = serde_json::from_str::<SessionInfo>(&info) else { return Ok(false) };
        let Some(raw) = self.ephemeral.get(&info.record_key).await? else { return Ok(false) };
        let Ok(mut record) = serde_json::from_str::<SessionRecord>(&raw) else { return Ok(false) };
        let now = self.clock.now();
        if !record.complete()
            || record.user_id != user_id
            || record.sid != sid
            || self.session_lifetime.timed_out(record.began(), record.last_seen, now)
            || epoch::current(&self.ephemeral, user_id).await? != record.epoch
        {
            return Ok(false);
        }
        if now - record.last_seen >= TOUCH_EVERY {
            record.last_seen = now;
            let json = serde_json::to_string(&record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            self.ephemeral.put(&info.record_key, &json, self.session_lifetime.left(record.began(), now)).await?;
        }
        Ok(true)
    }

    /// Rewrites the record under the same id (after the forced password change, L4), within
    /// the lifetime it began with.
    pub async fn update_session(&self, id: &str, record: &SessionRecord) -> Result<(), StoreError> {
        self.put_session(id, record).await
    }

    async fn put_session(&self, id: &str, record: &SessionRecord) -> Result<(), StoreError> {
        let left = self.session_lifetime.left(record.began(), self.clock.now());
        if left <= 0 {
            return delete_session(&self.ephemeral, id).await;
        }
        let json = serde_json::to_string(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.ephemeral.put(&Ephemeral::secret_key(NAMESPACE, id), &json, left).await
    }

    /// Remembers that `client_id` received tokens in session `sid`.
    pub async fn note_application(&self, sid: &str, client_id: &str) -> Result<(), StoreError> {
        append(&self.ephemeral, &app_counter(sid), client_id, self.session_lifetime.ttl).await
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

/// The applications session `sid` gave tokens to, forgotten as they are read.
pub(super) async fn take_applications(eph: &Ephemeral, sid: &str) -> Result<Vec<String>, StoreError> {
    let mut clients = take_all(eph, &app_counter(sid)).await?;
    let mut seen = std::collections::HashSet::new();
    clients.retain(|c| seen.insert(c.clone()));
    Ok(clients)
}

/// The applications session `sid` gave tokens to, still remembered.
pub(super) async fn applications(eph: &Ephemeral, sid: &str) -> Result<Vec<String>, StoreError> {
    let counter = app_counter(sid);
    let n = eph.count(&counter).await?;
    let keys: Vec<String> = newest(n).map(|k| format!("{counter}:{k}")).collect();
    Ok(eph.get_many(&keys).await?.into_iter().flatten().collect())
}

/// The user's sessions that were started, forgotten as they are read.
pub(super) async fn take_user_sessions(eph: &Ephemeral, user_id: UserId) -> Result<Vec<String>, StoreError> {
    take_all(eph, &user_counter(user_id)).await
}

pub(super) async fn delete_session(eph: &Ephemeral, id: &str) -> Result<(), StoreError> {
    eph.delete(&Ephemeral::secret_key(NAMESPACE, id)).await
}

/// The user's sessions that are still live (not signed out, not ended, not idle or past their
/// lifetime), newest first.
pub(super) async fn live_sessions(
    eph: &Ephemeral,
    lifetime: Lifetime,
    now: i64,
    user_id: UserId,
) -> Result<Vec<LiveSession>, StoreError> {
    let counter = user_counter(user_id);
    let n = eph.count(&counter).await?;
    let keys: Vec<String> = newest(n).rev().map(|k| format!("{counter}:{k}")).collect();
    let sids: Vec<String> = eph.get_many(&keys).await?.into_iter().flatten().collect();
    let current = epoch::current(eph, user_id).await?;
    let mut live = Vec::new();
    for sid in sids {
        let Some(info) = eph.get(&info_key(&sid)).await? else { continue };
        let Ok(info) = serde_json::from_str::<SessionInfo>(&info) else { continue };
        let Some(raw) = eph.get(&info.record_key).await? else { continue };
        let Ok(record) = serde_json::from_str::<SessionRecord>(&raw) else { continue };
        let ended = record.epoch != current || lifetime.timed_out(record.began(), record.last_seen, now);
        if ended {
            continue;
        }
        let applications = applications(eph, &sid).await?;
        live.push(LiveSession {
            sid,
            started_at: record.started_at,
            last_seen: record.last_seen,
            auth_time: record.auth_time,
            ip: info.ip,
            user_agent: info.user_agent,
            applications,
        });
    }
    Ok(live)
}
