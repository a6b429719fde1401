//! S1, S2: enrolling for self password reset from Settings — re-enter the password (Verify),
//! name an address, receive a 6-digit code there (10 minutes, hashed, limited tries and sends),
//! enter it (Submit), and save (Update). Only a verified address is ever used for resets.

use serde::{Deserialize, Serialize};

use super::attempt::Verdict;
use super::languages::for_mail;
use super::mailed::{self, Mailed, Voiding, mailed_current};
use super::{Accounts, Internal};
use crate::domain::activity::{ActivityKind, NewActivity, Origin};
use crate::domain::tenant::Tenant;
use crate::domain::user::{User, UserId};
use crate::i18n::Msg;
use crate::mail::templates;
use crate::secret::{Secret, random_digits};
use crate::store::OnRight;
use crate::store::{Ephemeral, StoreError};

/// S2: the code is valid ten minutes.
pub const CODE_TTL: i64 = 10 * 60;
/// S2: the code has six digits.
pub const CODE_DIGITS: u32 = 6;
const CODE_EXPIRED: Msg = Msg::new("settings-code-expired");
const TOO_MANY_ATTEMPTS: Msg = Msg::new("password-too-many-attempts");
/// L3: the sign-in page's words.
const LOCKED: Msg = Msg::new("login-account-locked");
const MAX_CODE_TRIES: i64 = 5;
/// Codes are stored keyed with the deployment's secret: six digits hashed plainly would be
/// read back from a backup in a millisecond.
const CODE_PURPOSE: &str = "email-code";
const CODES_PER_HOUR: i64 = 5;
pub(super) const PASSWORD_TRIES_PER_HOUR: i64 = 5;

/// Where the user is in the enrolment, kept per Lanyard session.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Enrolment {
    pub password_verified: bool,
    pub email: Option<String>,
    #[serde(default)]
    code_hash: Option<String>,
    pub code_confirmed: bool,
    /// S7: the account's `mailed_epoch` when the code was mailed.
    #[serde(default)]
    mailed_epoch: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum EnrolError {
    /// S1: not enabled for the provider or the user.
    #[error("self password reset is not enabled")]
    NotEnabled,
    /// A message for the form, naming what to fix.
    #[error("{0}")]
    Field(Msg),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<StoreError> for EnrolError {
    fn from(e: StoreError) -> Self {
        EnrolError::Internal(e.into())
    }
}

/// Where a session's Settings page keeps its progress (and the mailed code's hash).
fn state_key(sid: &str) -> String {
    Ephemeral::secret_key("enrol", sid)
}

/// A plausible single address (a phone's email-to-text address is one too); deliverability is
/// what the code proves.
pub fn valid_email(s: &str) -> bool {
    let s = s.trim();
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && s.len() <= 254
                && !s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
                && !domain.contains('@')
        }
        None => false,
    }
}

/// S2's steps for one signed-in person: `accounts.enrolling()`.
pub struct Enrolling<'a>(&'a Accounts);

impl std::ops::Deref for Enrolling<'_> {
    type Target = Accounts;

    fn deref(&self) -> &Accounts {
        self.0
    }
}

impl Accounts {
    pub fn enrolling(&self) -> Enrolling<'_> {
        Enrolling(self)
    }
}

impl Enrolling<'_> {
    /// Where this session's enrolment stands (nothing yet, verified, code sent, confirmed).
    pub async fn state(&self, sid: &str) -> Result<Enrolment, StoreError> {
        Ok(self.ephemeral.get(&state_key(sid)).await?.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default())
    }

    async fn save_state(&self, sid: &str, e: &Enrolment) -> Result<(), StoreError> {
        let json = serde_json::to_string(e).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.ephemeral.put(&state_key(sid), &json, CODE_TTL).await
    }

    /// S1: both switches must be on.
    pub async fn allowed(&self, user_id: UserId) -> Result<Option<(Tenant, User)>, StoreError> {
        let Some(user) = self.store.user_by_id(user_id).await? else { return Ok(None) };
        let Some(tenant) = self.store.tenant_by_id(user.tenant_id).await? else { return Ok(None) };
        Ok((tenant.self_reset_enabled && user.self_reset_enabled).then_some((tenant, user)))
    }

    /// Step 1 (Verify): the current password, limited tries per hour.
    /// A wrong password here is a password guess like any other: it counts towards L3's lock,
    /// counted before the check, and is recorded (L7).
    pub async fn verify(
        &self,
        user_id: UserId,
        sid: &str,
        password: &Secret,
        origin: &Origin,
    ) -> Result<(), EnrolError> {
        let (tenant, user) = self.allowed(user_id).await?.ok_or(EnrolError::NotEnabled)?;
        let now = self.clock.now();
        let tries = self.ephemeral.incr(&format!("enrol-pw:{user_id}:{}", now - now.rem_euclid(3600)), 3600).await?;
        if tries > PASSWORD_TRIES_PER_HOUR {
            return Err(EnrolError::Field(TOO_MANY_ATTEMPTS));
        }
        let max = tenant.password_policy.max_failed_attempts.max(1);
        let on_right = self.password_settles(&user, OnRight::Reset).await?;
        let (failures, locked) = match self.counted_verify(&user, max, password, on_right).await? {
            Verdict::Right => {
                self.save_state(sid, &Enrolment { password_verified: true, ..Enrolment::default() }).await?;
                return Ok(());
            }
            Verdict::Wrong { failures, locked } => (failures, locked),
            Verdict::Locked | Verdict::Closed => return Err(EnrolError::Field(LOCKED)),
            Verdict::Busy => return Err(EnrolError::Field(TOO_MANY_ATTEMPTS)),
        };
        let mut entry = NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind: ActivityKind::SignInFailed,
            detail: "wrong password at Settings (S2)".into(),
            login_type: "password".into(),
            client_id: None,
            origin: origin.clone(),
            actor: String::new(),
        };
        self.store.record_activity(&entry, now).await?;
        if locked {
            entry.kind = ActivityKind::Locked;
            entry.detail = format!("{failures} incorrect passwords (limit {max}), at Settings");
            self.store.record_activity(&entry, now).await?;
            self.end_all_sessions(&user).await?;
            return Err(EnrolError::Field(LOCKED));
        }
        Err(EnrolError::Field(Msg::new("settings-password-wrong")))
    }

    /// Step 2: mails a 6-digit code to the address; a new address starts verification over.
    pub async fn send_code(&self, user_id: UserId, sid: &str, email: &str) -> Result<(), EnrolError> {
        let (tenant, user) = self.allowed(user_id).await?.ok_or(EnrolError::NotEnabled)?;
        let state = self.state(sid).await?;
        if !state.password_verified {
            return Err(EnrolError::Field(Msg::new("settings-verify-first")));
        }
        let email = email.trim();
        if email.is_empty() {
            return Err(EnrolError::Field(Msg::new("settings-email-required")));
        }
        if !valid_email(email) {
            return Err(EnrolError::Field(Msg::new("settings-email-invalid")));
        }
        let now = self.clock.now();
        let sent = self.ephemeral.incr(&format!("enrol-codes:{user_id}:{}", now - now.rem_euclid(3600)), 3600).await?;
        if sent > CODES_PER_HOUR {
            return Err(EnrolError::Field(Msg::new("settings-too-many-codes")));
        }
        let code = random_digits(CODE_DIGITS);
        let next = Enrolment {
            password_verified: true,
            email: Some(email.to_string()),
            code_hash: Some(self.mac.sign(CODE_PURPOSE, &code)),
            code_confirmed: false,
            mailed_epoch: user.mailed_epoch,
        };
        self.save_state(sid, &next).await?;
        // S7 finds the code by its account.
        self.ephemeral.put(&mailed::address_code_key(user_id), &state_key(sid), CODE_TTL).await?;
        self.ephemeral.delete(&format!("enrol-tries:{sid}")).await?;
        let ctx = minijinja::context! { code, minutes => CODE_TTL / 60, provider => tenant.name };
        let lang = for_mail(None, Some(&user), &tenant);
        let message = templates::message(lang, "email_code", email, &Msg::new("mail-email-code-subject"), ctx)
            .map_err(|e| EnrolError::Internal(Internal::Mail(e.to_string())))?;
        self.outbox.dispatch(message);
        Ok(())
    }

    /// Step 3 (Submit): the code, with a limited number of tries.
    pub async fn check_code(&self, user_id: UserId, sid: &str, code: &str) -> Result<(), EnrolError> {
        let mut state = self.state(sid).await?;
        let Some(expected) = state.code_hash.clone() else {
            return Err(EnrolError::Field(CODE_EXPIRED));
        };
        if !self.code_current(user_id, &state).await? {
            return Err(EnrolError::Field(CODE_EXPIRED));
        }
        let tries = self.ephemeral.incr(&format!("enrol-tries:{sid}"), CODE_TTL).await?;
        if tries > MAX_CODE_TRIES {
            state.code_hash = None;
            self.save_state(sid, &state).await?;
            return Err(EnrolError::Field(Msg::new("settings-too-many-wrong-codes")));
        }
        if !self.mac.verify(CODE_PURPOSE, code.trim(), &expected) {
            return Err(EnrolError::Field(Msg::new("settings-code-wrong")));
        }
        state.code_confirmed = true;
        self.save_state(sid, &state).await?;
        Ok(())
    }

    /// Step 4 (Update): saves the verified address.
    /// S7: nothing voided the code since it was mailed.
    async fn code_current(&self, user_id: UserId, state: &Enrolment) -> Result<bool, StoreError> {
        Ok(self.store.user_by_id(user_id).await?.is_some_and(|u| mailed_current(&u, state.mailed_epoch)))
    }

    pub async fn save(&self, user_id: UserId, sid: &str, origin: Origin) -> Result<String, EnrolError> {
        let (tenant, user) = self.allowed(user_id).await?.ok_or(EnrolError::NotEnabled)?;
        let state = self.state(sid).await?;
        if !mailed_current(&user, state.mailed_epoch) {
            return Err(EnrolError::Field(CODE_EXPIRED));
        }
        let (true, Some(email)) = (state.code_confirmed, state.email) else {
            return Err(EnrolError::Field(Msg::new("settings-confirm-first")));
        };
        let now = self.clock.now();
        self.store.set_verified_email(user.id, &email, now).await?;
        self.ephemeral.delete(&state_key(sid)).await?;
        self.mailed_voided(&user, Voiding::AddressChanged, Some(Mailed::AddressCode), &origin, "").await?;
        // The address it replaced hears of it: it may be the person's, and the new one not.
        if let Some(old) = user.email.as_deref().filter(|old| user.email_verified && *old != email) {
            let lang = for_mail(None, Some(&user), &tenant);
            let what = lang.text(&Msg::new("factor-changed-address"));
            let ctx = minijinja::context! { what, provider => tenant.name };
            match templates::message(lang, "account_changed", old, &Msg::new("mail-address-changed-subject"), ctx) {
                Ok(message) => self.outbox.dispatch(message),
                Err(e) => tracing::error!(error = %e, "address-changed notice"),
            }
        }
        let entry = NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind: ActivityKind::AdminAction,
            detail: "self-reset address verified and saved (S2)".into(),
            login_type: "password".into(),
            client_id: None,
            origin,
            actor: String::new(),
        };
        self.store.record_activity(&entry, now).await?;
        Ok(email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s2_addresses_are_checked_loosely_but_singly() {
        for ok in ["a@example.org", "5551234567@vtext.com", "first.last+tag@sub.example.co.uk"] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in ["", "no-at", "a@b", "a@.org", "a b@example.org", "a@example.org, b@example.org", "<a@example.org>"]
        {
            assert!(!valid_email(bad), "{bad}");
        }
    }
}
