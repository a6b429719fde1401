//! F9: a person removes one of their keys, from a session that proved a second factor (or has
//! none: `Factors::may_change`). As for the app (F2), with a verified address a code mailed
//! there confirms it; without one it is removed at once. Every session ends, as with the app.

use serde::{Deserialize, Serialize};

use super::app_enrolment::CodeFor;
use super::passkeys::{MAILED_CODE_WRONG, PasskeyError, Passkeys, REQUEST_EXPIRED};
use crate::domain::activity::{ActivityKind, Origin};
use crate::domain::tenant::Tenant;
use crate::domain::user::{User, UserId};
use crate::i18n::Msg;
use crate::store::Ephemeral;

const REMOVAL_PURPOSE: &str = "passkey-remove-mail";
/// The key named is not the person's (or was removed meanwhile).
const NOT_YOURS: Msg = Msg::new("passkey-not-yours");

/// A removal waiting for the code mailed to the verified address.
#[derive(Serialize, Deserialize)]
struct Removing {
    user_id: UserId,
    key_id: i32,
    mailed: Option<String>,
    mailed_epoch: i64,
}

fn removing_key(sid: &str) -> String {
    Ephemeral::secret_key("passkey-removal", sid)
}

/// What became of a request to remove a key.
pub enum Removal {
    /// Removed; every session ended: the account's new session epoch.
    Done(String),
    /// A code went to the verified address; `confirm_removal` takes it.
    Mailed,
}

impl Passkeys<'_> {
    /// F9: the person removes one of their keys (from a session that proved a second factor,
    /// or has none: `Factors::may_change`). As for the app (F2), with a verified address a code
    /// mailed there confirms it; without one it is removed at once. Every session ends.
    pub async fn start_removal(
        &self,
        sid: &str,
        user: &User,
        tenant: &Tenant,
        key_id: i32,
        origin: &Origin,
    ) -> Result<Removal, PasskeyError> {
        if !self.0.store.passkeys(user.id).await?.iter().any(|k| k.key.id == key_id) {
            return Err(PasskeyError::Field(NOT_YOURS));
        }
        let factors = self.0.factors();
        factors.count_proposal(user.id).await?;
        let action = CodeFor::Removing(Msg::new("factor-code-action-remove-passkey"));
        match factors.mail_code(user, tenant, REMOVAL_PURPOSE, action)? {
            None => self.remove_now(user, tenant, key_id, origin).await.map(Removal::Done),
            Some(mailed) => {
                let waiting =
                    Removing { user_id: user.id, key_id, mailed: Some(mailed), mailed_epoch: user.mailed_epoch };
                self.put(&removing_key(sid), &waiting).await?;
                Ok(Removal::Mailed)
            }
        }
    }

    /// F9: the mailed code confirms the removal this session asked for (one try: a wrong code
    /// starts again). Returns the new session epoch.
    pub async fn confirm_removal(
        &self,
        sid: &str,
        user: &User,
        tenant: &Tenant,
        mailed_code: &str,
        origin: &Origin,
    ) -> Result<String, PasskeyError> {
        let expired = PasskeyError::Field(REQUEST_EXPIRED);
        let Some(waiting) = self.take::<Removing>(&removing_key(sid)).await? else { return Err(expired) };
        if waiting.user_id != user.id || !super::mailed::mailed_current(user, waiting.mailed_epoch) {
            return Err(expired);
        }
        if !self.0.factors().mailed_right(user.id, REMOVAL_PURPOSE, waiting.mailed.as_deref(), mailed_code) {
            return Err(PasskeyError::Field(MAILED_CODE_WRONG));
        }
        self.remove_now(user, tenant, waiting.key_id, origin).await
    }

    async fn remove_now(
        &self,
        user: &User,
        tenant: &Tenant,
        key_id: i32,
        origin: &Origin,
    ) -> Result<String, PasskeyError> {
        if !self.0.store.remove_passkey(user.id, key_id).await? {
            return Err(PasskeyError::Field(NOT_YOURS));
        }
        self.record(
            tenant,
            user,
            ActivityKind::MfaRemoved,
            "passkey or security key removed by its owner (F9)",
            origin,
        )
        .await?;
        self.0.factors().notify(tenant, user, Msg::new("factor-changed-passkey-removed"));
        Ok(self.0.end_all_sessions(user).await?)
    }
}
