//! How long a Lanyard session lives: `ttl` seconds from when it began, and no more than `idle`
//! seconds unused. Plain arithmetic, so the handle holds it without knowing what a session is.

#[derive(Clone, Copy, Debug)]
pub struct Lifetime {
    pub ttl: i64,
    pub idle: i64,
}

impl Lifetime {
    /// Seconds a session that began at `began` may still live at `now`.
    pub fn left(self, began: i64, now: i64) -> i64 {
        began + self.ttl - now
    }

    /// Unused for the idle timeout, or past its lifetime.
    pub fn timed_out(self, began: i64, last_seen: i64, now: i64) -> bool {
        now - last_seen >= self.idle || self.left(began, now) <= 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Lifetime = Lifetime { ttl: 8 * 3600, idle: 30 * 60 };

    #[test]
    fn a_session_ends_at_its_lifetime_however_busy() {
        assert!(!L.timed_out(0, 8 * 3600 - 1, 8 * 3600 - 1));
        assert!(L.timed_out(0, 8 * 3600, 8 * 3600));
    }

    #[test]
    fn a_session_ends_when_unused_for_the_idle_timeout() {
        assert!(!L.timed_out(0, 100, 100 + 30 * 60 - 1));
        assert!(L.timed_out(0, 100, 100 + 30 * 60));
    }
}
