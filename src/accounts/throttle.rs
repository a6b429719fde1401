//! Throttling beyond L3: fixed-window limits on sign-in attempts per (provider code, client
//! address) and per account (provider code, login name), counted in the ephemeral store so every
//! Lanyard process shares them. Not per provider alone: a few requests a second would then answer
//! 429 to all of an agency's staff. The CPU is protected by the hash pool's admission control
//! (`password.rs`), not by these limits.

use super::{Accounts, Internal};
use crate::domain::activity::address_bucket;
use crate::domain::user::LoginName;
use crate::store::Ephemeral;

pub use super::limits::SignInLimits;

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

/// Contact-line lookups on the sign-in help page, per client address a minute: plenty for a
/// person mistyping their code, slow for anyone trying codes to see which have a line.
const HELP_LOOKUPS_PER_MINUTE: i64 = 20;

impl Accounts {
    /// The sign-in help page may look up one more provider code for this address.
    pub async fn admit_help_lookup(&self, ip: &str) -> Result<bool, Internal> {
        let now = self.clock.now();
        let start = now - now.rem_euclid(60);
        let key = Ephemeral::secret_key("rate-help", &format!("{start}:{}", address_bucket(ip)));
        Ok(self.ephemeral.incr(&key, 60).await? <= HELP_LOOKUPS_PER_MINUTE)
    }

    pub async fn admit_sign_in(&self, ip: &str, provider_code: &str, login_name: &str) -> Result<(), ThrottleError> {
        let limits = self.limits;
        let now = self.clock.now();
        let window = limits.window_secs.max(1);
        let start = now - now.rem_euclid(window);
        let retry = RetryAfter(start + window - now);
        // Folded at least as far as the lookups fold, so spellings of one account share a count.
        let provider = provider_code.trim().to_ascii_uppercase();
        let address_key = Ephemeral::secret_key("rate-addr", &format!("{start}:{provider}:{}", address_bucket(ip)));
        let account_key =
            Ephemeral::secret_key("rate-account", &format!("{start}:{provider}:{}", LoginName::fold(login_name)));
        let by_address = self.ephemeral.incr(&address_key, window).await.map_err(Internal::from)?;
        if by_address > i64::from(limits.per_address) {
            return Err(ThrottleError::Limited(retry));
        }
        let by_account = self.ephemeral.incr(&account_key, window).await.map_err(Internal::from)?;
        if by_account > i64::from(limits.per_account) {
            return Err(ThrottleError::Limited(retry));
        }
        Ok(())
    }
}
