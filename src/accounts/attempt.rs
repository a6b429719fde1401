//! L3's count for every place a password or a second factor's code (F5) is checked against an
//! account (sign-in, Settings' Verify, a change at will). A check takes a slot on the user row *before* its password is verified, in one
//! conditional UPDATE, and slots are free only while settled failures plus checks in flight stay
//! under the limit: concurrent wrong passwords can neither exceed the limit nor run more
//! verifications than it allows (GHSA-7h8m-vrxx-vr4m). Only settled failures lock, so a right
//! password still being checked never counts towards a lock; a check that finds every slot taken
//! waits for one to come free (a right password frees them all) or for the lock, and is never
//! refused for the others.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::{Accounts, Internal};
use crate::domain::user::{User, UserStatus};
use crate::secret::Secret;
use crate::store::{OnRight, StoreError};

/// How long a check waits for the account's other checks. Far longer than a verification takes;
/// reached only when the hash pool is swamped.
const MAX_WAIT: Duration = Duration::from_secs(20);
/// A check begun this long ago by a process that crashed no longer holds its slot.
const STALE_SECS: i64 = 60;

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The password is right; the count is reset.
    Right,
    /// Wrong: the account's failures are now `failures`; `locked` when this one locked it.
    Wrong { failures: i64, locked: bool },
    /// Locked (before, or meanwhile): answered without verifying.
    Locked,
    /// Not active for another reason (deactivated, deleted) meanwhile.
    Closed,
    /// The account's other checks did not finish in time; nothing was counted.
    Busy,
}

/// One check of something the person knows against the account: a password, or a second
/// factor's code (F5). `Ok(true)` right, `Ok(false)` wrong; an error counts as nothing.
pub(super) type Check = Pin<Box<dyn Future<Output = Result<bool, Internal>> + Send>>;

impl Accounts {
    /// A password check under L3 (sign-in, Settings, a change at will).
    pub(super) async fn counted_verify(
        &self,
        user: &User,
        max: u32,
        password: &Secret,
        on_right: OnRight,
    ) -> Result<Verdict, Internal> {
        let (hash, password) = (user.password_hash.clone(), password.clone());
        let check = move |accounts: Accounts| -> Check {
            Box::pin(async move {
                // Admitted to the hash pool only with a slot, so checks waiting for one hold no
                // place in its queue; a password that could not be checked counts as nothing.
                let admitted = accounts.hasher.admit()?;
                Ok(admitted.verify(&password, hash.as_deref()).await?)
            })
        };
        self.counted_check(user, max, on_right, check).await
    }

    /// F5: what a right password alone does to the count: with a second factor enrolled it
    /// leaves it as it is (only a right code clears it), or a known password — at sign-in, at
    /// Settings, at a change at will — would buy fresh code guesses each time.
    pub(super) async fn password_settles(&self, user: &User, otherwise: OnRight) -> Result<OnRight, StoreError> {
        Ok(if self.has_factor(user.id).await? { OnRight::Keep } else { otherwise })
    }

    /// Whether the person has a second factor they can give here: an app, or a passkey where
    /// this deployment is a relying party (F12) — a key it cannot ask for must not lock its owner
    /// out. A key of a model the provider no longer accepts of them (F11) still counts here: it
    /// proves the person before they set up one it accepts, so a password alone cannot.
    pub(super) async fn has_factor(&self, user_id: crate::domain::user::UserId) -> Result<bool, StoreError> {
        Ok(self.store.totp_app(user_id).await?.is_some()
            || (self.relying_party.is_some() && self.store.has_passkey(user_id).await?))
    }

    /// Runs to the end even when the request that asked goes away (a closed connection drops
    /// the handler's future): a slot, once taken, is always settled.
    pub(super) async fn counted_check(
        &self,
        user: &User,
        max: u32,
        on_right: OnRight,
        check: impl FnOnce(Accounts) -> Check + Send + 'static,
    ) -> Result<Verdict, Internal> {
        let (this, user) = (self.clone(), user.clone());
        tokio::spawn(async move { this.counted_check_to_the_end(&user, max.max(1), on_right, check).await })
            .await
            .map_err(|e| Internal::Task(e.to_string()))?
    }

    async fn counted_check_to_the_end(
        &self,
        user: &User,
        max: u32,
        on_right: OnRight,
        check: impl FnOnce(Accounts) -> Check,
    ) -> Result<Verdict, Internal> {
        if let Some(refusal) = self.reserve_slot(user, max).await? {
            return Ok(refusal);
        }
        // Settled whatever happens, so the slot is not lost with an error.
        let right = check(self.clone()).await;
        let (failures, status) = self
            .store
            .settle_sign_in_attempt(user.id, right.as_ref().ok().copied(), max, self.clock.now(), on_right)
            .await?;
        match (right?, status) {
            (true, UserStatus::Active) => Ok(Verdict::Right),
            // Locked or closed by someone else while the answer was checked.
            (true, UserStatus::PasswordLocked | UserStatus::AdminLocked) => Ok(Verdict::Locked),
            (true, _) => Ok(Verdict::Closed),
            // A slot is free only while failures plus checks in flight stay under the limit, so
            // the failure that reached it is this one: this check locked the account.
            (false, status) => {
                let locked = status == UserStatus::PasswordLocked && failures == i64::from(max);
                Ok(Verdict::Wrong { failures, locked })
            }
        }
    }

    /// Takes a slot (`None`), or says why the check is answered without one.
    async fn reserve_slot(&self, user: &User, max: u32) -> Result<Option<Verdict>, Internal> {
        let mut waited = Duration::ZERO;
        let mut pause = Duration::from_millis(2);
        loop {
            let now = self.clock.now();
            if self.store.reserve_sign_in_attempt(user.id, max, now, now - STALE_SECS).await?.is_some() {
                return Ok(None);
            }
            let Some(current) = self.store.user_by_id(user.id).await? else { return Ok(Some(Verdict::Closed)) };
            match current.status {
                UserStatus::PasswordLocked | UserStatus::AdminLocked => return Ok(Some(Verdict::Locked)),
                UserStatus::Active => {}
                _ => return Ok(Some(Verdict::Closed)),
            }
            // Failures alone at the limit (it was lowered, or a lock was interrupted): lock now.
            if i64::from(current.failed_attempts) >= i64::from(max) {
                if self.store.lock_after_failures(user.id, max, now).await? {
                    self.end_all_sessions(&current).await?;
                }
                return Ok(Some(Verdict::Locked));
            }
            if waited >= MAX_WAIT {
                return Ok(Some(Verdict::Busy));
            }
            // Backs off so a crowd of waiters does not turn into a crowd of writes.
            tokio::time::sleep(pause).await;
            waited += pause;
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }
}
