//! S7: every mailed credential of an account — the password token (S3), the staff-sent reset
//! link (P3), the super-admin recovery link (A2), the address code (S2) — dies when the password
//! is set by anyone, the address on file changes, or the account is admin-locked, deactivated
//! or deleted.
//!
//! The rule is enforced in one place that no caller can skip: each credential carries the
//! account's `mailed_epoch` from when it was mailed and works only while the row still has it
//! ([`mailed_current`]), and the store statements that make those changes add one to it in the
//! same statement (`store/users.rs`). A credential mailed a moment before an event is void too,
//! whichever of the two wins a race, and a crash between an event and its bookkeeping revives
//! nothing. [`Accounts::mailed_voided`] is the bookkeeping: it clears what was outstanding and
//! says so in the activity record.
//!
//! An invitation link (P1) is no account's credential: the account is created when it is used,
//! in the same transaction that takes the link, so no event of S7 can meet a live one.

use super::Accounts;
use crate::domain::activity::{ActivityKind, NewActivity, Origin};
use crate::domain::user::{User, UserId};
use crate::store::StoreError;

/// The events of S7, as the activity record names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Voiding {
    PasswordSet,
    AddressChanged,
    AdminLocked,
    Deactivated,
    Deleted,
}

impl Voiding {
    fn describe(self) -> &'static str {
        match self {
            Voiding::PasswordSet => "the password was set",
            Voiding::AddressChanged => "the address on file changed",
            Voiding::AdminLocked => "the account was admin locked",
            Voiding::Deactivated => "the account was deactivated",
            Voiding::Deleted => "the account was deleted",
        }
    }
}

/// The kinds of mailed credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mailed {
    /// S3, S4: the 8-character password token.
    ResetToken,
    /// P3: the staff-sent reset link.
    ResetLink,
    /// A2: the super-admin recovery link.
    RecoveryLink,
    /// S2: the 6-digit code that verifies an address.
    AddressCode,
}

impl Mailed {
    fn name(self) -> &'static str {
        match self {
            Mailed::ResetToken => "password token (S3)",
            Mailed::ResetLink => "staff-sent reset link (P3)",
            Mailed::RecoveryLink => "recovery link (A2)",
            Mailed::AddressCode => "address code (S2)",
        }
    }
}

/// Whether a credential mailed at `epoch` still works for the account as `user` was read.
pub(super) fn mailed_current(user: &User, epoch: i64) -> bool {
    user.mailed_epoch == epoch
}

/// Where each kind that lives in the ephemeral store is found by its account.
pub(super) fn reset_token_key(user_id: UserId) -> String {
    format!("reset-token:{user_id}")
}

pub(super) fn reset_link_key(user_id: UserId) -> String {
    format!("reset-link-of:{user_id}")
}

/// Where the Settings page waiting for a code mailed for this account keeps its state.
pub(super) fn address_code_key(user_id: UserId) -> String {
    format!("email-code-of:{user_id}")
}

impl Accounts {
    /// After an event of S7 (`user` as read before it): the credentials that were outstanding
    /// are cleared, and the activity record names them. `used` is the credential that caused the
    /// event (a reset completed with it), which was used, not voided. The credentials are void
    /// already, by their epoch; this only keeps the record true and the store tidy.
    pub(super) async fn mailed_voided(
        &self,
        user: &User,
        why: Voiding,
        used: Option<Mailed>,
        origin: &Origin,
        actor: &str,
    ) -> Result<(), StoreError> {
        let kinds = [Mailed::ResetToken, Mailed::ResetLink, Mailed::AddressCode];
        let keys = [reset_token_key(user.id), reset_link_key(user.id), address_code_key(user.id)];
        let found = self.ephemeral.get_many(&keys).await?;
        let mut voided = Vec::new();
        for ((kind, key), value) in kinds.into_iter().zip(&keys).zip(found) {
            let Some(value) = value else { continue };
            self.ephemeral.delete(key).await?;
            if kind == Mailed::AddressCode {
                // It names where the Settings page keeps its state, the code's hash with it.
                self.ephemeral.delete(&value).await?;
            }
            if Some(kind) != used {
                voided.push(kind.name());
            }
        }
        if used != Some(Mailed::RecoveryLink) && self.store.void_recovery_links(user.id).await? > 0 {
            voided.push(Mailed::RecoveryLink.name());
        }
        if voided.is_empty() {
            return Ok(());
        }
        let entry = NewActivity {
            tenant_id: Some(user.tenant_id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind: ActivityKind::AdminAction,
            detail: format!("mailed credentials voided because {} (S7): {}", why.describe(), voided.join(", ")),
            login_type: "mail".into(),
            client_id: None,
            origin: origin.clone(),
            actor: actor.to_string(),
        };
        self.store.record_activity(&entry, self.clock.now()).await
    }
}
