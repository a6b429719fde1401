//! P3: once a portal account exists, staff send it a password-reset link (mailed to the
//! address on file, never showing the username), valid `invitation_ttl_secs` (48 hours) and
//! single use. A new link voids the earlier one: the user's one live link is named in the
//! ephemeral store, and completing takes that name atomically (compare-and-take). A disabled
//! (deactivated) or deleted account cannot complete it, and S7 voids it (`mailed`).

use super::admin::{Admin, AdminError};
use super::languages::for_mail;
// The same outcomes as A2's link: one error type for every mailed link to choose a password.
use super::mailed::{self, Mailed, Voiding, mailed_current};
use super::recovery::RecoverError;
use super::{Accounts, Internal};
use crate::domain::activity::{ActivityKind, NewActivity, Origin};
use crate::domain::user::{User, UserStatus};
use crate::i18n::Msg;
use crate::mail::templates;
use crate::secret::{Secret, is_random_token, random_token};

const LINK_PURPOSE: &str = "reset-link";

/// Where the link's user is found, and where the user's one live link is named.
fn keys(digest: &str, user_id: i32) -> (String, String) {
    (format!("reset-link:{digest}"), mailed::reset_link_key(user_id))
}

/// What the link's key holds: its user and the account's `mailed_epoch` when it was mailed (S7).
/// Links mailed before the epoch existed hold the user alone, and read as epoch 0.
fn link_value(user_id: i32, mailed_epoch: i64) -> String {
    format!("{user_id}:{mailed_epoch}")
}

fn parse_link_value(value: &str) -> Option<(i32, i64)> {
    match value.split_once(':') {
        Some((id, epoch)) => Some((id.parse().ok()?, epoch.parse().ok()?)),
        None => Some((value.parse().ok()?, 0)),
    }
}

impl Accounts {
    /// The link's user, its digest and the `mailed_epoch` it was mailed at, if `token` is the
    /// user's live link and nothing voided it since (S7).
    async fn reset_link_user(&self, token: &str) -> Result<Option<(User, String, i64)>, Internal> {
        if !is_random_token(token) {
            return Ok(None);
        }
        let digest = self.mac.sign(LINK_PURPOSE, token);
        let Some(value) = self.ephemeral.get(&keys(&digest, 0).0).await? else { return Ok(None) };
        let Some((id, epoch)) = parse_link_value(&value) else { return Ok(None) };
        if self.ephemeral.get(&keys(&digest, id).1).await?.as_deref() != Some(digest.as_str()) {
            return Ok(None);
        }
        let Some(user) = self.store.user_by_id(id).await? else { return Ok(None) };
        let open = self.store.tenant_by_id(user.tenant_id).await?.is_some_and(|t| t.active);
        let closed = matches!(user.status, UserStatus::Deactivated | UserStatus::Deleted);
        Ok((open && !closed && mailed_current(&user, epoch)).then_some((user, digest, epoch)))
    }

    pub async fn reset_link_valid(&self, token: &str) -> Result<bool, Internal> {
        Ok(self.reset_link_user(token).await?.is_some())
    }

    /// The person chooses a new password: the policy and history first, then the link is taken
    /// (single use), the password set, a password lock lifted (an admin lock stays), every
    /// session ended.
    pub async fn complete_reset_link(
        &self,
        token: &str,
        new_password: &Secret,
        confirm: &Secret,
        origin: &Origin,
    ) -> Result<(), RecoverError> {
        let Some((user, digest, epoch)) = self.reset_link_user(token).await? else {
            return Err(RecoverError::InvalidLink);
        };
        // A provider switched off (T1) takes its links with it.
        let Some(tenant) = self.store.tenant_by_id(user.tenant_id).await?.filter(|t| t.active) else {
            return Err(RecoverError::InvalidLink);
        };
        let (new_errors, confirm_errors) = self.new_password_errors(&user, &tenant, new_password, confirm).await?;
        if !new_errors.is_empty() || !confirm_errors.is_empty() {
            return Err(RecoverError::Refused { new_password: new_errors, confirm_password: confirm_errors });
        }
        // Hashed before the link is taken: a busy hash pool must not burn the link.
        let hash = self.hasher.hash(new_password).await.map_err(Internal::from)?;
        let (lookup, live) = keys(&digest, user.id);
        if !self.ephemeral.take_if(&live, &digest).await? {
            return Err(RecoverError::InvalidLink);
        }
        self.ephemeral.delete(&lookup).await?;
        // A deactivation while the form was open stands (P2).
        let current = self.store.user_by_id(user.id).await?;
        if current.as_ref().is_none_or(|u| matches!(u.status, UserStatus::Deactivated | UserStatus::Deleted)) {
            return Err(RecoverError::InvalidLink);
        }
        let now = self.clock.now();
        // Only if nothing voided the link while the password was hashed (S7).
        if !self.store.set_password_mailed(user.id, hash, epoch, false, now).await? {
            return Err(RecoverError::InvalidLink);
        }
        self.store.lift_password_lock(user.id, now).await?;
        self.end_all_sessions(&user).await?;
        self.mailed_voided(&user, Voiding::PasswordSet, Some(Mailed::ResetLink), origin, "").await?;
        let entry = NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind: ActivityKind::PasswordReset,
            detail: "password chosen with a staff-sent reset link (P3)".into(),
            login_type: "reset link".into(),
            client_id: None,
            origin: origin.clone(),
            actor: String::new(),
        };
        self.store.record_activity(&entry, now).await?;
        self.notify_password_changed(&tenant, &user);
        Ok(())
    }
}

impl Admin<'_> {
    /// P3: mails a new link to the user's address; an earlier link stops working.
    pub async fn send_reset_link(&self, code: &str, login: &str, base: &str) -> Result<User, AdminError> {
        let (tenant, user) = self.administered(code, login).await?;
        if matches!(user.status, UserStatus::Deactivated | UserStatus::Deleted) {
            return Err(AdminError::Refused(format!("{login} is disabled: enable the account first")));
        }
        let Some(email) = user.email.clone() else {
            return Err(AdminError::Refused(format!("{login} has no email address on file")));
        };
        let token = random_token();
        let digest = self.mac.sign(LINK_PURPOSE, &token);
        let (lookup, live) = keys(&digest, user.id);
        self.ephemeral.put(&lookup, &link_value(user.id, user.mailed_epoch), self.link_ttl).await?;
        // Written last: from here on, this link and no earlier one works.
        self.ephemeral.put(&live, &digest, self.link_ttl).await?;
        let link = format!("{}/password/link?token={token}", base.trim_end_matches('/'));
        let ctx = minijinja::context! { link, hours => self.link_ttl / 3600, provider => tenant.name };
        let message = templates::message(
            for_mail(None, Some(&user), &tenant),
            "reset_link",
            &email,
            &Msg::new("mail-reset-link-subject").with("provider", tenant.name.clone()),
            ctx,
        )
        .map_err(|e| AdminError::Internal(Internal::Mail(e.to_string())))?;
        self.outbox.dispatch(message);
        let entry = NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind: ActivityKind::PasswordReset,
            detail: "password-reset link sent by staff (P3); an earlier link no longer works".into(),
            login_type: "admin".into(),
            client_id: None,
            origin: self.actor.acting.origin.clone(),
            actor: self.actor.acting.actor.clone(),
        };
        self.store.record_activity(&entry, self.clock.now()).await?;
        Ok(user)
    }
}
