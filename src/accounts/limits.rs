//! The sign-in limits the deployment sets (`signin_limit_per_ip` and friends), held by the
//! shared handle and applied by `throttle`: a value of its own, so the handle does not reach into
//! the rule that uses it.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignInLimits {
    /// Attempts a window from one address at one provider code.
    pub per_address: u32,
    /// Attempts a window at one login name of one provider code, from anywhere.
    pub per_account: u32,
    /// Authorization requests waiting for a sign-in, per client address per `INTERACTION_TTL`.
    pub pending_per_address: u32,
    pub window_secs: i64,
}

impl Default for SignInLimits {
    fn default() -> Self {
        SignInLimits { per_address: 120, per_account: 10, pending_per_address: 300, window_secs: 60 }
    }
}
