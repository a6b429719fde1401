//! L4: choosing a new password (first sign-in, after an administrator's temporary password).

use super::{Accounts, Internal};
use crate::domain::activity::{ActivityKind, NewActivity, Origin};
use crate::domain::user::UserId;
use crate::i18n::Msg;
use crate::secret::Secret;

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// Field name → messages; the form shows each next to its field (L5).
    #[error("the new password was refused")]
    Refused { new_password: Vec<Msg>, confirm_password: Vec<Msg> },
    #[error("the account can no longer change its password")]
    NotAllowed,
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<crate::store::StoreError> for ChangeError {
    fn from(e: crate::store::StoreError) -> Self {
        ChangeError::Internal(e.into())
    }
}

impl Accounts {
    /// Every check a password the user chooses must pass (L4 and S4 alike): the provider's
    /// policy (L5), the confirmation, and no reuse. Messages per field, all at once.
    pub(super) async fn new_password_errors(
        &self,
        user: &crate::domain::user::User,
        tenant: &crate::domain::tenant::Tenant,
        new_password: &Secret,
        confirm: &Secret,
    ) -> Result<(Vec<Msg>, Vec<Msg>), Internal> {
        let mut new_errors = tenant.password_policy.violations(new_password.expose(), user.login_name.as_str());
        let confirm_errors = super::own_password::confirm_errors(new_password, confirm);
        if new_errors.is_empty() {
            new_errors.extend(self.reuse_message(user, &tenant.password_policy, new_password).await?);
        }
        Ok((new_errors, confirm_errors))
    }

    /// The current password, and the last `history` ones the provider asks about (L5).
    async fn reuse_message(
        &self,
        user: &crate::domain::user::User,
        policy: &crate::domain::policy::PasswordPolicy,
        new_password: &Secret,
    ) -> Result<Option<Msg>, Internal> {
        if self.hasher.verify(new_password, user.password_hash.as_deref()).await.map_err(Internal::from)? {
            return Ok(Some(Msg::new("password-same-as-current")));
        }
        for old in self.store.previous_password_hashes(user.id, policy.history).await? {
            if self.hasher.verify(new_password, Some(&old)).await.map_err(Internal::from)? {
                return Ok(Some(Msg::new("password-reused").with("count", policy.history)));
            }
        }
        Ok(None)
    }

    pub async fn change_password(
        &self,
        user_id: UserId,
        new_password: &Secret,
        confirm: &Secret,
        origin: Origin,
    ) -> Result<(), ChangeError> {
        let user = self.store.user_by_id(user_id).await?.ok_or(ChangeError::NotAllowed)?;
        let tenant = self.store.tenant_by_id(user.tenant_id).await?.ok_or(ChangeError::NotAllowed)?;
        // Only the forced change of L4: nothing here re-checks the current password.
        if !user.must_change_password || user.status != crate::domain::user::UserStatus::Active || !tenant.active {
            return Err(ChangeError::NotAllowed);
        }
        let (new_errors, confirm_errors) = self.new_password_errors(&user, &tenant, new_password, confirm).await?;
        if !new_errors.is_empty() || !confirm_errors.is_empty() {
            return Err(ChangeError::Refused { new_password: new_errors, confirm_password: confirm_errors });
        }
        let hash = self.hasher.hash(new_password).await.map_err(Internal::from)?;
        let now = self.clock.now();
        self.store.set_password(user.id, hash, false, now).await?;
        self.mailed_voided(&user, super::mailed::Voiding::PasswordSet, None, &origin, "").await?;
        let entry = NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind: ActivityKind::PasswordChanged,
            detail: if user.must_change_password { "required change (L4)".into() } else { String::new() },
            login_type: "password".into(),
            client_id: None,
            origin,
            actor: String::new(),
        };
        self.store.record_activity(&entry, now).await?;
        Ok(())
    }
}
