//! L3's count for every place a password is checked against an account (sign-in, Settings'
//! Verify). An attempt takes a slot on the user row *before* its password is verified, in one
//! conditional UPDATE, so concurrent wrong passwords can neither exceed the limit nor run more
//! verifications than it allows (GHSA-7h8m-vrxx-vr4m). A slot held by an attempt still being
//! verified is not a failure: an attempt that finds every slot taken waits for one to come free
//! (a right password frees them all) or for the lock, and is never refused for the others.

use std::time::Duration;

use super::{Accounts, Internal};
use crate::domain::user::{User, UserStatus};
use crate::secret::Secret;

/// How long an attempt waits for in-flight attempts of the same account before it gives up as
/// busy. Far longer than a verification takes; reached only when the hash pool is swamped, or a
/// crashed process left its slot counted (which then counts as the failure it may have been).
const MAX_WAIT: Duration = Duration::from_secs(20);

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The password is right; the count is reset.
    Right,
    /// Wrong, counted as attempt number `attempt`; `locked` when this one locked the account.
    Wrong { attempt: i64, locked: bool },
    /// Locked (now or before): answered without verifying.
    Locked,
    /// Not active for another reason (deactivated, deleted) meanwhile.
    Closed,
    /// The account's other attempts did not finish in time; nothing was counted.
    Busy,
}

impl Accounts {
    pub(super) async fn counted_verify(&self, user: &User, max: u32, password: &Secret) -> Result<Verdict, Internal> {
        let max = max.max(1);
        let Some(attempt) = self.reserve_slot(user, max).await? else {
            return Ok(match self.store.user_by_id(user.id).await?.map(|u| u.status) {
                Some(UserStatus::PasswordLocked | UserStatus::AdminLocked) => Verdict::Locked,
                Some(UserStatus::Active) => Verdict::Busy,
                _ => Verdict::Closed,
            });
        };
        if self.hasher.verify(password, user.password_hash.as_deref()).await? {
            self.store.clear_sign_in_failures(user.id).await?;
            return Ok(Verdict::Right);
        }
        let locked =
            attempt >= i64::from(max) && self.store.lock_after_failures(user.id, max, self.clock.now()).await?;
        Ok(Verdict::Wrong { attempt, locked })
    }

    /// A slot's number, or `None` once the account is not active or no slot came free in time.
    async fn reserve_slot(&self, user: &User, max: u32) -> Result<Option<i64>, Internal> {
        let mut waited = Duration::ZERO;
        let mut pause = Duration::from_millis(2);
        loop {
            if let Some(n) = self.store.reserve_sign_in_attempt(user.id, max).await? {
                return Ok(Some(n));
            }
            match self.store.user_by_id(user.id).await? {
                Some(u) if u.status == UserStatus::Active && waited < MAX_WAIT => {}
                _ => return Ok(None),
            }
            // Backs off so a crowd of waiters does not turn into a crowd of writes.
            tokio::time::sleep(pause).await;
            waited += pause;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }
}
