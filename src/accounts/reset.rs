//! S3–S6: Forgot Password?, the 5-minute password token, Resend, and the reset itself.
//!
//! Every way a request can fail is the one [`ResetError::Generic`] ("Password Reset Error"),
//! and both paths do the same store work, so the answer says nothing about which part was wrong
//! (S3). Tokens are stored as SHA-256, used once (an atomic take), and wrong ones count towards
//! an administrative lock (S5).

use serde::{Deserialize, Serialize};

use super::languages::for_mail;
use super::mailed::{self, Mailed, Voiding, mailed_current};
use super::{Accounts, Internal};
use crate::domain::activity::{ActivityKind, NewActivity, Origin, address_bucket};
use crate::domain::tenant::{ProviderCode, Tenant};
use crate::domain::user::{LoginName, User, UserStatus};
use crate::i18n::{Lang, Msg};
use crate::mail::templates;
use crate::secret::{Secret, random_from, random_token};
use crate::store::{Ephemeral, StoreError};

/// S3: a password token lives five minutes.
pub const TOKEN_TTL: i64 = 5 * 60;
/// How long the Change Password page stays usable for one Forgot Password? request.
const FLOW_TTL: i64 = 30 * 60;
/// Mails a day? No: per hour, per account and per client address (Zitadel #12622).
const SENDS_PER_HOUR_PER_ACCOUNT: i64 = 5;
const SENDS_PER_HOUR_PER_IP: i64 = 20;
/// Wrong tokens are remembered this long; asking for a new token does not reset them (S5).
const WRONG_TOKEN_WINDOW: i64 = 24 * 3600;
/// Unambiguous characters (no 0/O, 1/I/L): 8 of them carry 40 bits, typed from a phone.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    /// S3/S4: "Password Reset Error", whatever the cause; the user starts over.
    #[error("password reset error")]
    Generic,
    /// S5: the token typed is not the one mailed (and the count went up).
    #[error("wrong password token")]
    WrongToken,
    /// L5: the new password broke the policy; messages per field.
    #[error("the new password was refused")]
    Refused { new_password: Vec<Msg>, confirm_password: Vec<Msg> },
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<StoreError> for ResetError {
    fn from(e: StoreError) -> Self {
        ResetError::Internal(e.into())
    }
}

#[derive(Debug)]
pub struct ForgotRequest {
    pub login_name: String,
    pub provider_code: String,
    pub email: String,
    pub origin: Origin,
    /// G1: the language the page was in, when the browser said one (the mail follows it).
    pub language: Option<Lang>,
}

#[derive(Serialize, Deserialize)]
struct Flow {
    user_id: i32,
}

#[derive(Serialize, Deserialize)]
struct TokenRecord {
    hash: String,
    issued_at: i64,
    /// S7: the account's `mailed_epoch` when the token was mailed.
    #[serde(default)]
    mailed_epoch: i64,
}

fn token_key(user_id: i32) -> String {
    mailed::reset_token_key(user_id)
}

fn new_token() -> String {
    random_from(ALPHABET, 8)
}

/// The stored form of a password token: keyed with the deployment's secret, so a database
/// backup or a reachable Redis does not let anyone recover a ~40-bit token by brute force.
const TOKEN_PURPOSE: &str = "reset-token";

/// What the user typed, as it was mailed: upper case, no spaces.
fn normalise(token: &str) -> String {
    token.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_uppercase()
}

fn json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Accounts {
    /// S3. On success returns the handle of this reset flow (the Change Password page's).
    pub async fn request_reset(&self, req: ForgotRequest) -> Result<String, ResetError> {
        let now = self.clock.now();
        let hour = now - now.rem_euclid(3600);
        let by_ip = self
            .ephemeral
            .incr(&Ephemeral::secret_key("reset-ip", &format!("{hour}:{}", address_bucket(&req.origin.ip))), 3600)
            .await?;
        let found = self.reset_candidate(&req.provider_code, &req.login_name).await?;
        let eligible = match &found {
            Some((tenant, user)) => {
                eligible(tenant, user)
                    && user.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(req.email.trim()))
            }
            None => false,
        };
        // Only a request that would mail counts against the account: knowing a login name must
        // not let anyone use up its resets. The others count a decoy, for equal work.
        let by_account = match (&found, eligible) {
            (Some((_, user)), true) => self.ephemeral.incr(&format!("reset-sends:{}:{hour}", user.id), 3600).await?,
            _ => self.ephemeral.incr("reset-sends:decoy", 3600).await?,
        };
        let within_limits = by_ip <= SENDS_PER_HOUR_PER_IP && by_account <= SENDS_PER_HOUR_PER_ACCOUNT;
        let (Some((tenant, user)), true) = (found, eligible && within_limits) else {
            // The same writes as the success path, so timing does not tell the causes apart.
            self.ephemeral
                .put(
                    "reset-decoy:token",
                    &json(&TokenRecord { hash: self.mac.sign(TOKEN_PURPOSE, "x"), issued_at: now, mailed_epoch: 0 })?,
                    1,
                )
                .await?;
            self.ephemeral.put("reset-decoy:flow", &json(&Flow { user_id: 0 })?, 1).await?;
            self.note_reset(
                None,
                None,
                &req.login_name,
                ActivityKind::PasswordReset,
                "reset refused (S3)".into(),
                &req.origin,
            )
            .await?;
            return Err(ResetError::Generic);
        };
        let handle = random_token();
        self.mail_token(&tenant, &user, req.language).await?;
        self.ephemeral
            .put(&Ephemeral::secret_key("reset-flow", &handle), &json(&Flow { user_id: user.id })?, FLOW_TTL)
            .await?;
        let login = user.login_name.as_str().to_string();
        self.note_reset(
            Some(&tenant),
            Some(&user),
            &login,
            ActivityKind::PasswordReset,
            "token mailed".into(),
            &req.origin,
        )
        .await?;
        Ok(handle)
    }

    /// S4: a fresh token restarts the five minutes; the earlier one stops working. After expiry
    /// the user starts over from Forgot Password?.
    pub async fn resend_reset(&self, handle: &str, origin: &Origin, language: Option<Lang>) -> Result<(), ResetError> {
        let (tenant, user) = self.flow_account(handle).await?;
        let live =
            self.ephemeral.get(&token_key(user.id)).await?.and_then(|v| serde_json::from_str::<TokenRecord>(&v).ok());
        // S7: a token voided since it was mailed is not renewed either; the user starts over.
        if !live.is_some_and(|t| mailed_current(&user, t.mailed_epoch)) {
            return Err(ResetError::Generic);
        }
        let now = self.clock.now();
        let hour = now - now.rem_euclid(3600);
        if self.ephemeral.incr(&format!("reset-sends:{}:{hour}", user.id), 3600).await? > SENDS_PER_HOUR_PER_ACCOUNT {
            return Err(ResetError::Generic);
        }
        self.mail_token(&tenant, &user, language).await?;
        let login = user.login_name.as_str().to_string();
        self.note_reset(
            Some(&tenant),
            Some(&user),
            &login,
            ActivityKind::PasswordReset,
            "token mailed again".into(),
            origin,
        )
        .await?;
        Ok(())
    }

    /// S4–S6: checks the token, the policy, then consumes the token and sets the password.
    /// Returns the user, whose sessions have all ended.
    pub async fn complete_reset(
        &self,
        handle: &str,
        token: &str,
        new_password: &Secret,
        confirm: &Secret,
        origin: &Origin,
    ) -> Result<crate::domain::user::UserId, ResetError> {
        let (tenant, user) = self.flow_account(handle).await?;
        let Some(stored) = self.ephemeral.get(&token_key(user.id)).await? else {
            return Err(ResetError::Generic);
        };
        let Ok(record) = serde_json::from_str::<TokenRecord>(&stored) else {
            return Err(ResetError::Generic);
        };
        // S7: voided since it was mailed (no wrong try: the token may well be the right one).
        if !mailed_current(&user, record.mailed_epoch) {
            return Err(ResetError::Generic);
        }
        // S5: the try is counted before the comparison, so parallel guesses cannot outrun the limit.
        let wrong_key = format!("reset-wrong:{}", user.id);
        let attempt = self.ephemeral.incr(&wrong_key, WRONG_TOKEN_WINDOW).await?;
        let max = i64::from(tenant.password_policy.max_failed_attempts.max(1));
        if attempt > max {
            return Err(ResetError::Generic);
        }
        if !self.mac.verify(TOKEN_PURPOSE, &normalise(token), &record.hash) {
            return Err(self.wrong_token(&tenant, &user, attempt, max, origin).await?);
        }
        // The right token proves the mailbox: earlier wrong tries are forgiven.
        self.ephemeral.delete(&wrong_key).await?;
        let (new_errors, confirm_errors) = self.new_password_errors(&user, &tenant, new_password, confirm).await?;
        if !new_errors.is_empty() || !confirm_errors.is_empty() {
            return Err(ResetError::Refused { new_password: new_errors, confirm_password: confirm_errors });
        }
        // Single use, also under concurrent submits: only one caller takes the token.
        // Compare-and-take: a Resend that replaced the token meanwhile leaves this one dead (S4).
        if !self.ephemeral.take_if(&token_key(user.id), &stored).await? {
            return Err(ResetError::Generic);
        }
        let hash = self.hasher.hash(new_password).await.map_err(Internal::from)?;
        // Deactivated, deleted or admin-locked while the password was hashed: that decision
        // stands (S3, P2).
        let current = self.store.user_by_id(user.id).await?;
        if current
            .as_ref()
            .is_none_or(|u| matches!(u.status, UserStatus::Deactivated | UserStatus::Deleted | UserStatus::AdminLocked))
        {
            return Err(ResetError::Generic);
        }
        let now = self.clock.now();
        // Only if nothing voided the token while the password was hashed (S7).
        if !self.store.set_password_mailed(user.id, hash, record.mailed_epoch, false, now).await? {
            return Err(ResetError::Generic);
        }
        let unlocked = self.store.lift_password_lock(user.id, now).await?;
        self.end_all_sessions(&user).await?;
        self.mailed_voided(&user, Voiding::PasswordSet, Some(Mailed::ResetToken), origin, "").await?;
        self.ephemeral.delete(&Ephemeral::secret_key("reset-flow", handle)).await?;
        self.ephemeral.delete(&format!("reset-wrong:{}", user.id)).await?;
        let login = user.login_name.as_str().to_string();
        let detail = if unlocked { "password reset; password lock lifted" } else { "password reset" };
        self.note_reset(Some(&tenant), Some(&user), &login, ActivityKind::PasswordReset, detail.into(), origin).await?;
        self.notify_password_changed(&tenant, &user);
        Ok(user.id)
    }

    /// The "password changed" notice to the user's address, if they have one (S6, P3).
    pub(super) fn notify_password_changed(&self, tenant: &Tenant, user: &User) {
        let Some(email) = &user.email else { return };
        let ctx = minijinja::context! { provider => tenant.name };
        match templates::message(
            for_mail(None, Some(user), tenant),
            "password_changed",
            email,
            &Msg::new("mail-password-changed-subject"),
            ctx,
        ) {
            Ok(m) => self.outbox.dispatch(m),
            Err(e) => tracing::error!(error = %e, "cannot render the password-changed notice"),
        }
    }

    async fn wrong_token(
        &self,
        tenant: &Tenant,
        user: &User,
        wrong: i64,
        max: i64,
        origin: &Origin,
    ) -> Result<ResetError, ResetError> {
        let login = user.login_name.as_str().to_string();
        self.note_reset(
            Some(tenant),
            Some(user),
            &login,
            ActivityKind::PasswordReset,
            format!("wrong password token ({wrong})"),
            origin,
        )
        .await?;
        if wrong < max {
            return Ok(ResetError::WrongToken);
        }
        // S5: past the policy's maximum the account becomes admin locked, and the token dies.
        self.ephemeral.delete(&token_key(user.id)).await?;
        if self.store.admin_lock_unless_closed(user.id, self.clock.now()).await? {
            let detail = format!("admin locked: {wrong} wrong password tokens (S5)");
            self.note_reset(Some(tenant), Some(user), &login, ActivityKind::Locked, detail, origin).await?;
            self.end_all_sessions(user).await?;
            self.mailed_voided(user, Voiding::AdminLocked, None, origin, "").await?;
        }
        Ok(ResetError::Generic)
    }

    async fn reset_candidate(&self, code: &str, login: &str) -> Result<Option<(Tenant, User)>, StoreError> {
        let Some(code) = ProviderCode::parse(code) else { return Ok(None) };
        let Some(tenant) = self.store.tenant_by_code(&code).await? else { return Ok(None) };
        let Ok(name) = LoginName::parse(login) else { return Ok(None) };
        Ok(self.store.user_by_login(tenant.id, &name).await?.map(|u| (tenant, u)))
    }

    async fn flow_account(&self, handle: &str) -> Result<(Tenant, User), ResetError> {
        let flow: Flow = self
            .ephemeral
            .get(&Ephemeral::secret_key("reset-flow", handle))
            .await?
            .and_then(|v| serde_json::from_str(&v).ok())
            .ok_or(ResetError::Generic)?;
        let user = self.store.user_by_id(flow.user_id).await?.ok_or(ResetError::Generic)?;
        let tenant = self.store.tenant_by_id(user.tenant_id).await?.ok_or(ResetError::Generic)?;
        if !eligible(&tenant, &user) {
            return Err(ResetError::Generic);
        }
        Ok((tenant, user))
    }

    /// S3: in the language of the page that asked for it, where the page knew one (G1).
    async fn mail_token(&self, tenant: &Tenant, user: &User, page: Option<Lang>) -> Result<(), ResetError> {
        let Some(email) = user.email.as_deref() else { return Err(ResetError::Generic) };
        let token = new_token();
        let record = TokenRecord {
            hash: self.mac.sign(TOKEN_PURPOSE, &token),
            issued_at: self.clock.now(),
            mailed_epoch: user.mailed_epoch,
        };
        self.ephemeral.put(&token_key(user.id), &json(&record)?, TOKEN_TTL).await?;
        let ctx = minijinja::context! { token, minutes => TOKEN_TTL / 60, provider => tenant.name };
        let message = templates::message(
            for_mail(page, Some(user), tenant),
            "reset_token",
            email,
            &Msg::new("mail-reset-token-subject"),
            ctx,
        )
        .map_err(|e| ResetError::Internal(Internal::Mail(e.to_string())))?;
        self.outbox.dispatch(message);
        Ok(())
    }

    async fn note_reset(
        &self,
        tenant: Option<&Tenant>,
        user: Option<&User>,
        login: &str,
        kind: ActivityKind,
        detail: String,
        origin: &Origin,
    ) -> Result<(), StoreError> {
        let entry = NewActivity {
            tenant_id: tenant.map(|t| t.id),
            user_id: user.map(|u| u.id),
            login_name: login.to_string(),
            kind,
            detail,
            login_type: "reset".into(),
            client_id: None,
            origin: origin.clone(),
            actor: String::new(),
        };
        self.store.record_activity(&entry, self.clock.now()).await
    }
}

/// S1–S3: provider and user switched on, a verified address, not admin locked, deactivated or
/// deleted. A password-locked account may reset (that is how it unlocks itself, S6).
fn eligible(tenant: &Tenant, user: &User) -> bool {
    tenant.active
        && tenant.self_reset_enabled
        && user.self_reset_enabled
        && user.email_verified
        && user.email.is_some()
        && matches!(user.status, UserStatus::Active | UserStatus::PasswordLocked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_8_unambiguous_characters() {
        for _ in 0..100 {
            let t = new_token();
            assert_eq!(t.len(), 8);
            assert!(t.bytes().all(|b| ALPHABET.contains(&b)), "{t}");
        }
    }

    #[test]
    fn typed_tokens_are_normalised() {
        assert_eq!(normalise(" abcd-2345 "), "ABCD2345");
    }
}
