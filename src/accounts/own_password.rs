//! A signed-in person changing their password when they like (not the forced change of L4):
//! the current password first, counted towards L3 like a sign-in, then the L5 policy and
//! history; success ends every other session and token through the one path
//! (`end_all_sessions`), mails the "password changed" notice and is recorded.

use super::attempt::Verdict;
use super::{Accounts, Internal, epoch};
use crate::domain::activity::{ActivityKind, NewActivity, Origin};
use crate::domain::user::{UserId, UserStatus};
use crate::i18n::Msg;
use crate::secret::Secret;
use crate::store::OnRight;

const LOCKED: &str = "Your account has been locked. Please contact your agency administrator.";

#[derive(Debug, thiserror::Error)]
pub enum OwnChangeError {
    /// Messages per field, all at once (L5).
    #[error("the change was refused")]
    Refused { current_password: Vec<Msg>, new_password: Vec<Msg>, confirm_password: Vec<Msg> },
    /// This wrong current password locked the account (L3), or it was locked meanwhile: every
    /// session, this one included, is over.
    #[error("{LOCKED}")]
    Locked,
    /// Not an active account any more (or it must take the forced change instead).
    #[error("the account cannot change its password here")]
    NotAllowed,
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<crate::store::StoreError> for OwnChangeError {
    fn from(e: crate::store::StoreError) -> Self {
        OwnChangeError::Internal(e.into())
    }
}

impl Accounts {
    /// Returns the user's new epoch: the caller gives this browser a fresh session in it, while
    /// every other session (and every token) of the old one is dead. `session_epoch`: the epoch
    /// of the session asking; if all sessions were ended meanwhile (an administrator's "sign out
    /// everywhere"), that decision stands.
    pub async fn change_own_password(
        &self,
        user_id: UserId,
        session_epoch: &str,
        current: &Secret,
        new_password: &Secret,
        confirm: &Secret,
        origin: Origin,
    ) -> Result<String, OwnChangeError> {
        let user = self.store.user_by_id(user_id).await?.ok_or(OwnChangeError::NotAllowed)?;
        let tenant = self.store.tenant_by_id(user.tenant_id).await?.ok_or(OwnChangeError::NotAllowed)?;
        if user.must_change_password || user.status != UserStatus::Active || !tenant.active {
            return Err(OwnChangeError::NotAllowed);
        }
        if current.is_empty() {
            let (new_errors, confirm_errors) = self.policy_errors(&tenant, &user, new_password, confirm);
            return Err(OwnChangeError::Refused {
                current_password: vec![Msg::new("password-current-required")],
                new_password: new_errors,
                confirm_password: confirm_errors,
            });
        }
        // Beside L3 (which a right password resets), at most a few checks an hour, as at Settings.
        let now = self.clock.now();
        let tries = self.ephemeral.incr(&format!("own-pw:{user_id}:{}", now - now.rem_euclid(3600)), 3600).await?;
        if tries > super::enrolment::PASSWORD_TRIES_PER_HOUR {
            return Err(OwnChangeError::Refused {
                current_password: vec![Msg::new("password-too-many-attempts")],
                new_password: vec![],
                confirm_password: vec![],
            });
        }
        // The current password is checked (and counted) before anything compares the new one
        // with stored hashes: the history check must not be an uncounted password oracle.
        let max = tenant.password_policy.max_failed_attempts.max(1);
        let on_right = self.password_settles(&user, OnRight::Reset).await?;
        match self.counted_verify(&user, max, current, on_right).await? {
            Verdict::Right => {}
            Verdict::Wrong { failures, locked } => {
                let mut entry = NewActivity {
                    tenant_id: Some(tenant.id),
                    user_id: Some(user.id),
                    login_name: user.login_name.as_str().to_string(),
                    kind: ActivityKind::SignInFailed,
                    detail: "wrong current password at Change Password".into(),
                    login_type: "password".into(),
                    client_id: None,
                    origin,
                    actor: String::new(),
                };
                self.store.record_activity(&entry, now).await?;
                if locked {
                    entry.kind = ActivityKind::Locked;
                    entry.detail = format!("{failures} incorrect passwords (limit {max}), at Change Password");
                    self.store.record_activity(&entry, now).await?;
                    self.end_all_sessions(&user).await?;
                    return Err(OwnChangeError::Locked);
                }
                let (new_errors, confirm_errors) = self.policy_errors(&tenant, &user, new_password, confirm);
                return Err(OwnChangeError::Refused {
                    current_password: vec![Msg::new("password-current-wrong")],
                    new_password: new_errors,
                    confirm_password: confirm_errors,
                });
            }
            Verdict::Locked => return Err(OwnChangeError::Locked),
            Verdict::Closed => return Err(OwnChangeError::NotAllowed),
            Verdict::Busy => {
                return Err(OwnChangeError::Refused {
                    current_password: vec![Msg::new("password-too-many-attempts")],
                    new_password: vec![],
                    confirm_password: vec![],
                });
            }
        }
        let (new_errors, confirm_errors) = self.new_password_errors(&user, &tenant, new_password, confirm).await?;
        if !new_errors.is_empty() || !confirm_errors.is_empty() {
            return Err(OwnChangeError::Refused {
                current_password: vec![],
                new_password: new_errors,
                confirm_password: confirm_errors,
            });
        }
        let hash = self.hasher.hash(new_password).await.map_err(Internal::from)?;
        // Whatever an administrator did while the password was hashed stands: all sessions
        // ended (the epoch moved), or a new password, a lock or a deactivation (the row changed,
        // so the compare-and-set below changes nothing).
        if epoch::current(&self.ephemeral, user.id).await? != session_epoch {
            return Err(OwnChangeError::NotAllowed);
        }
        let verified = user.password_hash.as_deref().ok_or(OwnChangeError::NotAllowed)?;
        let now = self.clock.now();
        if !self.store.replace_own_password(user.id, verified, hash, now).await? {
            return Err(OwnChangeError::NotAllowed);
        }
        let epoch = self.end_all_sessions(&user).await?;
        self.mailed_voided(&user, super::mailed::Voiding::PasswordSet, None, &origin, "").await?;
        let entry = NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind: ActivityKind::PasswordChanged,
            detail: "changed by the user; other sessions ended".into(),
            login_type: "password".into(),
            client_id: None,
            origin,
            actor: String::new(),
        };
        self.store.record_activity(&entry, now).await?;
        self.notify_password_changed(&tenant, &user);
        Ok(epoch)
    }

    /// L5's policy and the confirmation, without touching any stored hash.
    fn policy_errors(
        &self,
        tenant: &crate::domain::tenant::Tenant,
        user: &crate::domain::user::User,
        new_password: &Secret,
        confirm: &Secret,
    ) -> (Vec<Msg>, Vec<Msg>) {
        let new_errors = tenant.password_policy.violations(new_password.expose(), user.login_name.as_str());
        (new_errors, confirm_errors(new_password, confirm))
    }
}

/// The confirmation's messages (L4, S4 and this page alike).
pub(super) fn confirm_errors(new_password: &Secret, confirm: &Secret) -> Vec<Msg> {
    if confirm.is_empty() {
        vec![Msg::new("password-confirm-required")]
    } else if !new_password.is_empty() && confirm != new_password {
        vec![Msg::new("password-confirm-mismatch")]
    } else {
        vec![]
    }
}
