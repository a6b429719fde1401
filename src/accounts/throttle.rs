//! Throttling beyond the account (issue: sign-in rules): a fixed-window limit on sign-in
//! attempts per client address and per provider code, counted in the ephemeral store so every
//! Lanyard process shares it. Without it one address could lock out a provider's users quickly.

use super::{Accounts, Internal};
use crate::store::Ephemeral;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignInLimits {
    pub per_ip: u32,
    pub per_tenant: u32,
    pub window_secs: i64,
}

impl Default for SignInLimits {
    fn default() -> Self {
        SignInLimits { per_ip: 30, per_tenant: 600, window_secs: 60 }
    }
}

/// Refused for now; try again after this many seconds.
#[derive(Debug, PartialEq, Eq)]
pub struct RetryAfter(pub i64);

#[derive(Debug, thiserror::Error)]
pub enum ThrottleError {
    #[error("too many attempts")]
    Limited(RetryAfter),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl Accounts {
    pub async fn admit_sign_in(&self, ip: &str, provider_code: &str) -> Result<(), ThrottleError> {
        let limits = self.limits;
        let now = self.clock.now();
        let window = limits.window_secs.max(1);
        let start = now - now.rem_euclid(window);
        let retry = RetryAfter(start + window - now);
        let ip_key = Ephemeral::secret_key("rate-ip", &format!("{start}:{ip}"));
        let tenant_key = Ephemeral::secret_key("rate-tenant", &format!("{start}:{provider_code}"));
        let by_ip = self.ephemeral.incr(&ip_key, window).await.map_err(Internal::from)?;
        if by_ip > i64::from(limits.per_ip) {
            return Err(ThrottleError::Limited(retry));
        }
        let by_tenant = self.ephemeral.incr(&tenant_key, window).await.map_err(Internal::from)?;
        if by_tenant > i64::from(limits.per_tenant) {
            return Err(ThrottleError::Limited(retry));
        }
        Ok(())
    }
}
