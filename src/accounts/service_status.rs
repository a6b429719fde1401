//! M1–M3: maintenance windows and incidents. Every node reads the open ones from the database
//! through a cache of at most `FRESH_SECS`, so a window switched on anywhere (another node, the
//! CLI) is served everywhere within seconds, and a request costs no read; a change made through
//! this process forgets the cache at once.

use std::sync::Arc;

use super::admin::{Admin, AdminError};
use super::{Accounts, Internal};
use crate::domain::service_status::{InForce, MAX_LINK, MAX_MESSAGE, StatusBoard, StatusEvent, StatusKind};
use crate::store::{NewStatusEvent, StoreError};

/// How stale the open windows may be on a node.
const FRESH_SECS: i64 = 2;
/// How long a request waits for the windows before going on with the last answer.
const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);
/// How many past events the status page and the feed show.
pub const HISTORY: u64 = 30;

/// What `maintenance on` asks for.
pub struct MaintenanceWindow<'a> {
    pub message: &'a str,
    pub link: Option<&'a str>,
    /// Unix seconds; `None`: now.
    pub from: Option<i64>,
    pub until: i64,
}

impl Accounts {
    /// The open windows and incidents (begun or announced), at most `FRESH_SECS` old. When the
    /// database cannot be read the last answer stands (or none): the notice must not itself take
    /// the service down.
    pub async fn open_status(&self) -> Arc<Vec<StatusEvent>> {
        let now = self.clock.now();
        let cached = self.status_cache.open.lock().ok().and_then(|c| c.clone());
        if let Some((at, events)) = &cached
            && now - at < FRESH_SECS
            && now >= *at
        {
            return events.clone();
        }
        // Bounded: with the database down, a request must not wait on the pool for the notice.
        let read = tokio::time::timeout(READ_TIMEOUT, self.store.open_status_events()).await;
        let events = match read {
            Ok(Ok(events)) => Arc::new(events),
            failed => {
                let why = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => "timed out".to_string(),
                };
                tracing::warn!(error = %why, "cannot read the maintenance windows; keeping the last answer");
                cached.map(|(_, events)| events).unwrap_or_default()
            }
        };
        // Also a failure is remembered for FRESH_SECS: one try per node every few seconds.
        if let Ok(mut c) = self.status_cache.open.lock() {
            *c = Some((now, events.clone()));
        }
        events
    }

    /// M1: the maintenance window in force now, if any.
    pub async fn maintenance_now(&self) -> Option<InForce> {
        let now = self.clock.now();
        let open = self.open_status().await;
        let window = open.iter().find(|e| e.kind == StatusKind::Maintenance && e.is_current(now))?;
        Some(InForce { retry_after: window.retry_after(now), window: window.clone() })
    }

    /// M2, M3: the open events and the recent ones, newest first, as of now.
    pub async fn status_board(&self) -> Result<StatusBoard, StoreError> {
        let events = self.store.status_events(HISTORY).await?;
        Ok(StatusBoard { now: self.clock.now(), events })
    }

    fn forget_status(&self) {
        if let Ok(mut c) = self.status_cache.open.lock() {
            *c = None;
        }
    }
}

fn valid_link(link: &str) -> bool {
    url::Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

impl Admin<'_> {
    /// M1: announces a maintenance window (from now unless `from` says later), replacing any
    /// open one. Until `maintenance_off`, every page answers with the notice once it has begun.
    pub async fn maintenance_on(&self, window: &MaintenanceWindow<'_>) -> Result<StatusEvent, AdminError> {
        let now = self.clock.now();
        let starts_at = window.from.unwrap_or(now).max(now);
        if window.until <= starts_at {
            return Err(AdminError::field("until", "must be later than the start of the window"));
        }
        self.open_status_event(StatusKind::Maintenance, window.message, window.link, starts_at, Some(window.until))
            .await
    }

    /// Ends the maintenance window (begun or announced); whether there was one.
    pub async fn maintenance_off(&self) -> Result<bool, AdminError> {
        let ended = self.store.end_status_events(StatusKind::Maintenance, self.clock.now()).await?;
        self.forget_status();
        Ok(ended > 0)
    }

    /// M2: an incident shown on the status page and in the feed until resolved.
    pub async fn open_incident(&self, message: &str, link: Option<&str>) -> Result<StatusEvent, AdminError> {
        let now = self.clock.now();
        self.open_status_event(StatusKind::Incident, message, link, now, None).await
    }

    pub async fn resolve_incident(&self) -> Result<bool, AdminError> {
        let ended = self.store.end_status_events(StatusKind::Incident, self.clock.now()).await?;
        self.forget_status();
        Ok(ended > 0)
    }

    async fn open_status_event(
        &self,
        kind: StatusKind,
        message: &str,
        link: Option<&str>,
        starts_at: i64,
        until: Option<i64>,
    ) -> Result<StatusEvent, AdminError> {
        let message = message.trim();
        if message.is_empty() || message.chars().count() > MAX_MESSAGE || message.chars().any(char::is_control) {
            return Err(AdminError::field("message", format!("must be 1 to {MAX_MESSAGE} characters on one line")));
        }
        let link = link.map(str::trim).filter(|l| !l.is_empty());
        if let Some(l) = link
            && (l.len() > MAX_LINK || !valid_link(l))
        {
            return Err(AdminError::field("link", "must be an http or https URL"));
        }
        let new = NewStatusEvent { kind, message, link, starts_at, until, created_by: &self.actor.acting.actor };
        let event = self.store.replace_status_event(&new, self.clock.now()).await.map_err(Internal::from)?;
        self.forget_status();
        Ok(event)
    }
}
