//! M1–M3: what the status page, its feed and the maintenance notice say. A maintenance window
//! or an incident is open from `starts_at` until someone ends it; `until` is what people are
//! told to expect, not a switch (an operator mid-migration must not be surprised by the service
//! coming back on its own).

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    Maintenance,
    Incident,
}

impl StatusKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Maintenance => "maintenance",
            StatusKind::Incident => "incident",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "maintenance" => Some(StatusKind::Maintenance),
            "incident" => Some(StatusKind::Incident),
            _ => None,
        }
    }
}

/// The longest message and link accepted: they are shown on every page during maintenance.
pub const MAX_MESSAGE: usize = 500;
pub const MAX_LINK: usize = 2000;

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatusEvent {
    pub id: i32,
    pub kind: StatusKind,
    pub message: String,
    /// Where to read more (support material during the downtime).
    pub link: Option<String>,
    /// Unix seconds.
    pub starts_at: i64,
    /// When it is expected to end (maintenance), Unix seconds.
    pub until: Option<i64>,
    /// When it was ended, Unix seconds; `None` while open.
    pub ended_at: Option<i64>,
    pub created_at: i64,
}

impl StatusEvent {
    /// Open and begun: the maintenance notice is served (or the incident shown) now.
    pub fn is_current(&self, now: i64) -> bool {
        self.ended_at.is_none() && self.starts_at <= now
    }

    /// Announced for later.
    pub fn is_upcoming(&self, now: i64) -> bool {
        self.ended_at.is_none() && self.starts_at > now
    }

    /// Seconds a client should wait before trying again (`Retry-After`): until the expected end,
    /// and at least a minute once that has passed.
    pub fn retry_after(&self, now: i64) -> i64 {
        self.until.map_or(60, |until| until - now).clamp(60, 24 * 3600)
    }
}

/// The open and recent events as read at one moment, `now`: every question about what is
/// current or coming is answered against that moment, so a page asks its handle once.
#[derive(Clone, Debug, Default)]
pub struct StatusBoard {
    pub now: i64,
    /// Newest first.
    pub events: Vec<StatusEvent>,
}

impl StatusBoard {
    /// The open event of `kind` in force now, if any.
    pub fn current(&self, kind: StatusKind) -> Option<&StatusEvent> {
        self.events.iter().find(|e| e.kind == kind && e.is_current(self.now))
    }

    /// The soonest maintenance window announced for later.
    pub fn next_maintenance(&self) -> Option<&StatusEvent> {
        self.events
            .iter()
            .filter(|e| e.kind == StatusKind::Maintenance && e.is_upcoming(self.now))
            .min_by_key(|e| e.starts_at)
    }

    /// The open maintenance windows: (in force now, announced for later).
    pub fn open_maintenance(&self) -> (Vec<StatusEvent>, Vec<StatusEvent>) {
        let open = self.events.iter().filter(|e| e.kind == StatusKind::Maintenance && e.ended_at.is_none());
        open.cloned().partition(|e| e.is_current(self.now))
    }

    /// When anything on the board last changed (the feed's `updated`); `now` when it is empty.
    pub fn updated(&self) -> i64 {
        self.events.iter().map(|e| e.ended_at.unwrap_or(e.created_at)).max().unwrap_or(self.now)
    }
}

/// M1: the window in force, with how long a client should wait (`Retry-After`) as of now.
#[derive(Clone, Debug)]
pub struct InForce {
    pub window: StatusEvent,
    pub retry_after: i64,
}
