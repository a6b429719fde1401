//! The only place that reads wall time (Architecture Invariant).
//!
//! Everything else receives `now` from a [`Clock`], so tests move a [`ManualClock`] instead of
//! sleeping through 5-minute reset tokens, 30-second hand-offs and 48-hour invitations.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch: the unit of every JWT claim and every expiry we store.
pub type UnixTime = i64;

#[derive(Clone)]
pub enum Clock {
    System,
    Manual(Arc<AtomicI64>),
}

impl Clock {
    pub fn system() -> Self {
        Clock::System
    }

    /// A clock that only moves when a test says so.
    pub fn manual(start: UnixTime) -> (Self, ManualClock) {
        let cell = Arc::new(AtomicI64::new(start));
        (Clock::Manual(cell.clone()), ManualClock(cell))
    }

    /// Milliseconds since the epoch (a manual clock's seconds, in milliseconds): for ordering
    /// things made within one second, never for expiry.
    pub fn now_millis(&self) -> i64 {
        match self {
            Clock::System => i64::try_from(since_epoch().as_millis()).unwrap_or(i64::MAX),
            Clock::Manual(cell) => cell.load(Ordering::SeqCst).saturating_mul(1000),
        }
    }

    pub fn now(&self) -> UnixTime {
        match self {
            Clock::System => i64::try_from(since_epoch().as_secs()).unwrap_or(i64::MAX),
            Clock::Manual(cell) => cell.load(Ordering::SeqCst),
        }
    }
}

/// Wall time since the Unix epoch (zero before it).
fn since_epoch() -> std::time::Duration {
    #[allow(clippy::disallowed_methods)] // the one sanctioned reader of wall time
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Clock::System => f.write_str("Clock::System"),
            Clock::Manual(cell) => write!(f, "Clock::Manual({})", cell.load(Ordering::SeqCst)),
        }
    }
}

/// The handle a test keeps to move a manual clock.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }

    pub fn set(&self, now: UnixTime) {
        self.0.store(now, Ordering::SeqCst);
    }

    /// The time it shows (a test computing what an authenticator app would show now).
    pub fn now(&self) -> UnixTime {
        self.0.load(Ordering::SeqCst)
    }
}

/// Formats a timestamp as RFC 3339 for people (CLI tables, pages); machines get the integer.
pub fn rfc3339(at: UnixTime) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| at.to_string())
}

/// Socket deadlines (slow clients) run on the monotonic clock, not on a [`Clock`]: a test that
/// moves product time by hand must not time out its own connections.
pub fn monotonic_now() -> tokio::time::Instant {
    tokio::time::Instant::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let (clock, hand) = Clock::manual(1_000);
        assert_eq!(clock.now(), 1_000);
        hand.advance(299);
        assert_eq!(clock.now(), 1_299);
        hand.set(5);
        assert_eq!(clock.now(), 5);
    }

    #[test]
    fn rfc3339_formats_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
