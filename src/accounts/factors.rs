//! F3, F5, F7: a person's second factors once enrolled (adding and removing an app is
//! `app_enrolment.rs`). At sign-in, a code from the app or a recovery code is the second step,
//! counted under L3 like a password; recovery codes are handed out once and may be renewed; an
//! application asking for more than a session proved gets a step-up, not a second password.

use super::attempt::{Check, Verdict};
use super::languages::for_mail;
use super::session::{Required, SessionRecord};
use super::totp;
use super::{Accounts, Internal};
use crate::domain::activity::{ActivityKind, NewActivity, Origin};
use crate::domain::second_factor::{MfaPolicy, Proof, RECOVERY_CODES, SecondFactors};
use crate::domain::tenant::Tenant;
use crate::domain::user::{User, UserId};
use crate::i18n::Msg;
use crate::mail::templates;
use crate::secret::random_from;
use crate::store::{OnRight, StoreError};

/// F5: code checks per account per window, beyond L3's count (which a right password at the
/// first step does not clear).
const CHECKS_PER_WINDOW: i64 = 10;
const CHECK_WINDOW: i64 = 5 * 60;
/// A recovery code: ten characters that cannot be misread, shown as two groups of five.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const CODE_CHARS: usize = 10;
/// The purpose an app's secret is sealed under (with the person's id).
pub(super) const SEALED_APP: &str = "totp-app";
const RECOVERY_PURPOSE: &str = "recovery-code";

/// F4, F7: what an authorization request asks of the session's level.
#[derive(Clone, Copy, Debug, Default)]
pub struct Asked {
    /// `acr_values` asked for the multi-factor level: met when it can be.
    pub wanted: bool,
    /// The application requires a second factor (`require_mfa`).
    pub by_application: bool,
    /// An essential `acr` claim only the multi-factor level meets.
    pub essential: bool,
}

impl Asked {
    fn any(self) -> bool {
        self.wanted || self.by_application || self.essential
    }

    /// Whether the request must not be answered at the password level.
    pub fn required(self) -> bool {
        self.by_application || self.essential
    }
}

/// Longest code a person may type: longer input is wrong without being looked at.
pub const MAX_CODE_CHARS: usize = 32;

/// A person's second factors: `accounts.factors()`.
pub struct Factors<'a>(pub(super) &'a Accounts);

impl std::ops::Deref for Factors<'_> {
    type Target = Accounts;

    fn deref(&self) -> &Accounts {
        self.0
    }
}

impl Accounts {
    pub fn factors(&self) -> Factors<'_> {
        Factors(self)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FactorError {
    /// A message for the form (G1: named by id, worded in the page's language).
    #[error("{0}")]
    Field(Msg),
    /// The account cannot do this now (closed, or the proposal is gone).
    #[error("not allowed")]
    NotAllowed,
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<StoreError> for FactorError {
    fn from(e: StoreError) -> Self {
        FactorError::Internal(e.into())
    }
}

/// A second factor proved at sign-in.
#[derive(Debug)]
pub struct Proved {
    pub proof: Proof,
    /// After a recovery code: how many are left.
    pub codes_left: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    #[error("wrong code")]
    Wrong,
    /// L3's lock (this code reached the limit, or the account was locked).
    #[error("locked")]
    Locked,
    /// Too many checks for this account just now; nothing was counted.
    #[error("too many attempts")]
    TooMany,
    /// F10: the key's ceremony had expired or was replaced (a reload, another tab): nothing was
    /// checked, so nothing is counted; the page starts a new one.
    #[error("expired")]
    Expired,
    /// F9: the provider wants the person's passkey or security key, not a code a phishing page
    /// could relay; nothing was checked or counted.
    #[error("a key is required")]
    KeyRequired,
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<StoreError> for ProveError {
    fn from(e: StoreError) -> Self {
        ProveError::Internal(e.into())
    }
}

/// A recovery code as typed: case, spaces and dashes do not matter.
fn normalise(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

fn is_app_code(code: &str) -> bool {
    let code = code.trim();
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

impl Factors<'_> {
    /// What the person has enrolled.
    pub async fn enrolled(&self, user_id: UserId) -> Result<SecondFactors, StoreError> {
        let app = self.store.totp_app(user_id).await?;
        let recovery_codes_left = if app.is_some() { self.store.recovery_codes_left(user_id).await? } else { 0 };
        let passkeys = self.passkeys().list(user_id).await?;
        Ok(SecondFactors { authenticator_app: app.map(|a| a.enrolled), recovery_codes_left, passkeys })
    }

    /// F3: new codes void the old ones; returned once.
    pub async fn regenerate_codes(
        &self,
        user: &User,
        tenant: &Tenant,
        origin: &Origin,
    ) -> Result<Vec<String>, FactorError> {
        if self.store.totp_app(user.id).await?.is_none() {
            return Err(FactorError::NotAllowed);
        }
        let (codes, digests) = self.new_recovery_codes(user.id);
        self.store.replace_recovery_codes(user.id, &digests, self.clock.now()).await?;
        self.record(tenant, user, ActivityKind::RecoveryCodesRegenerated, "new recovery codes (F3)", origin).await?;
        self.notify(tenant, user, Msg::new("factor-changed-recovery-codes"));
        Ok(codes)
    }

    /// F5: the second step of a sign-in. A code from the app (accepted once per time step) or a
    /// recovery code (used once), counted under L3 exactly like a password: a right one clears
    /// the count, completes the sign-in and is noted in `session` (F7); the wrong one that
    /// reaches the limit locks.
    pub async fn prove(
        &self,
        session: &mut SessionRecord,
        code: &str,
        client_id: Option<String>,
        origin: &Origin,
    ) -> Result<Proved, ProveError> {
        let Some((user, tenant)) = self.account(session.user_id, session.tenant_id).await? else {
            return Err(ProveError::Locked);
        };
        if self.key_only(&user, &tenant).await? {
            return Err(ProveError::KeyRequired);
        }
        self.within_check_window(user.id).await?;
        let now = self.clock.now();
        let proof = if is_app_code(code) { Proof::AppCode } else { Proof::RecoveryCode };
        let code = if code.chars().count() > MAX_CODE_CHARS { String::new() } else { code.to_string() };
        let user_id = user.id;
        let check = move |accounts: Accounts| -> Check {
            Box::pin(async move {
                let now = accounts.clock.now();
                match proof {
                    Proof::AppCode => {
                        let Some(app) = accounts.store.totp_app(user_id).await? else { return Ok(false) };
                        let purpose = format!("{SEALED_APP}:{user_id}");
                        let secret = accounts.sealer.open(&purpose, &app.sealed_secret).ok_or(Internal::Sealed)?;
                        match totp::matching_step(&secret, &code, now) {
                            // F2: a code already accepted in its step is refused (replay).
                            Some(step) => Ok(accounts.store.accept_totp_step(app.id, step, now).await?),
                            None => Ok(false),
                        }
                    }
                    _ => {
                        let typed = normalise(&code);
                        if typed.len() != CODE_CHARS {
                            return Ok(false);
                        }
                        let digest = accounts.mac.sign(RECOVERY_PURPOSE, &format!("{user_id}:{typed}"));
                        Ok(accounts.store.use_recovery_code(user_id, &digest, now).await?)
                    }
                }
            })
        };
        let max = tenant.password_policy.max_failed_attempts.max(1);
        let login_type = if proof == Proof::AppCode { "authenticator_app" } else { "recovery_code" };
        let entry = |kind: ActivityKind, detail: String| NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind,
            detail,
            login_type: login_type.into(),
            client_id: client_id.clone(),
            origin: origin.clone(),
            actor: String::new(),
        };
        match self.counted_check(&user, max, OnRight::SignedIn, check).await? {
            Verdict::Right => {
                let codes_left = match proof {
                    Proof::RecoveryCode => {
                        let left = self.store.recovery_codes_left(user.id).await?;
                        let detail = format!("recovery code used, {left} left (F3)");
                        self.store.record_activity(&entry(ActivityKind::RecoveryCodeUsed, detail), now).await?;
                        let count = i64::try_from(left).unwrap_or(i64::MAX);
                        self.notify(&tenant, &user, Msg::new("factor-changed-recovery-code-used").with("left", count));
                        Some(left)
                    }
                    _ => None,
                };
                self.store.record_activity(&entry(ActivityKind::MfaVerified, String::new()), now).await?;
                self.store.record_activity(&entry(ActivityKind::SignIn, String::new()), now).await?;
                session.second_factor_proved(proof, now);
                // F9, F11: a code proved the person, and the key their provider wants is still owed.
                if self.owes_key_of(&user, &tenant).await? && !session.required.contains(&Required::EnrolSecondFactor) {
                    session.required.push(Required::EnrolSecondFactor);
                }
                Ok(Proved { proof, codes_left })
            }
            Verdict::Wrong { failures, locked } => {
                self.store.record_activity(&entry(ActivityKind::MfaFailed, "wrong code (F5)".into()), now).await?;
                if locked {
                    let detail = format!("{failures} incorrect passwords or codes (limit {max})");
                    self.store.record_activity(&entry(ActivityKind::Locked, detail), now).await?;
                    self.end_all_sessions(&user).await?;
                }
                if failures >= i64::from(max) { Err(ProveError::Locked) } else { Err(ProveError::Wrong) }
            }
            Verdict::Locked | Verdict::Closed => Err(ProveError::Locked),
            Verdict::Busy => Err(ProveError::TooMany),
        }
    }

    /// F7, F4: the step a request needs of a complete session that has proved no second factor:
    /// its code when an app is enrolled, or setting one up when none is and the application
    /// requires one (`require_mfa`, whatever the provider's policy) or an essential `acr` asks
    /// for one where the provider offers them. `None` when nothing is asked or nothing can be
    /// given. The session itself is not changed: a step-up asked by one application does not
    /// hold up the others.
    pub async fn step_up(&self, session: &SessionRecord, asked: Asked) -> Result<Option<Required>, StoreError> {
        if !asked.any() || !session.complete() || session.second_factor_at.is_some() {
            return Ok(None);
        }
        if self.has_factor(session.user_id).await? {
            return Ok(Some(Required::SecondFactor));
        }
        let may_enrol = asked.by_application
            || (asked.essential && self.store.tenant_by_id(session.tenant_id).await?.is_some_and(|t| self.offered(&t)));
        Ok(may_enrol.then_some(Required::EnrolSecondFactor))
    }

    /// Whether `session` may take `step` at its page now: the step it owes, or a step-up for a
    /// complete session that has proved no second factor yet — its app's code, or setting one
    /// up only for a waiting request that requires one (`for_request`): a session that knew
    /// the password alone must not enrol a factor of its choosing, which would then be asked
    /// of the account's owner.
    pub async fn may_take(
        &self,
        session: &SessionRecord,
        step: Required,
        for_request: bool,
    ) -> Result<bool, StoreError> {
        // An app enrolled meanwhile (another session) is proved, never replaced, from here; a
        // key owed under F9 is still set up.
        if step == Required::EnrolSecondFactor
            && self.has_factor(session.user_id).await?
            && !self.owes_key(session).await?
        {
            return Ok(false);
        }
        if session.next_required() == Some(step) {
            return Ok(true);
        }
        if !session.complete() || session.second_factor_at.is_some() {
            return Ok(false);
        }
        Ok(match step {
            Required::SecondFactor => self.has_factor(session.user_id).await?,
            Required::EnrolSecondFactor => for_request,
            Required::ChangePassword => false,
        })
    }

    /// F4, F7: an app was just enrolled in this session: its first code proved it.
    pub fn enrolled_in(&self, session: &mut SessionRecord) {
        session.second_factor_proved(Proof::AppCode, self.clock.now());
    }

    /// F2, F3: whether this session may change the person's factors (a new app, new recovery
    /// codes): with an app enrolled, only a session that proved it — a session that knew the
    /// password alone must not replace it or mint codes.
    pub async fn may_change(&self, session: &SessionRecord) -> Result<bool, StoreError> {
        Ok(session.second_factor_at.is_some() || !self.has_factor(session.user_id).await?)
    }

    /// F5, F10: second-factor checks per account per window, codes and keys alike, beyond L3.
    pub(super) async fn within_check_window(&self, user_id: UserId) -> Result<(), ProveError> {
        let now = self.clock.now();
        let window = format!("mfa-checks:{user_id}:{}", now - now.rem_euclid(CHECK_WINDOW));
        if self.ephemeral.incr(&window, CHECK_WINDOW).await? > CHECKS_PER_WINDOW {
            return Err(ProveError::TooMany);
        }
        Ok(())
    }

    /// F9, F11: the policy wants a key of this session's person, or their provider accepts none
    /// of theirs, and they have none it accepts yet.
    pub async fn owes_key(&self, session: &SessionRecord) -> Result<bool, StoreError> {
        let Some((user, tenant)) = self.account(session.user_id, session.tenant_id).await? else { return Ok(false) };
        self.owes_key_of(&user, &tenant).await
    }

    /// F9: only their key will do for this person's second step (the policy wants one, and they
    /// have one it accepts): an app's code or a recovery code is not asked. Where this deployment
    /// can ask for no key (F12), any factor does, or nobody could comply.
    pub async fn key_only(&self, user: &User, tenant: &Tenant) -> Result<bool, StoreError> {
        Ok(tenant.mfa_policy.requires_key(user.administers()) && self.has_usable_key(user.id).await?)
    }

    /// F4: whether this provider offers second factors at all.
    pub fn offered(&self, tenant: &Tenant) -> bool {
        tenant.mfa_policy != MfaPolicy::Off
    }

    /// Ten codes to show, and their keyed digests to store.
    pub(super) fn new_recovery_codes(&self, user_id: UserId) -> (Vec<String>, Vec<String>) {
        (0..RECOVERY_CODES)
            .map(|_| {
                let raw = random_from(CODE_ALPHABET, CODE_CHARS);
                let digest = self.mac.sign(RECOVERY_PURPOSE, &format!("{user_id}:{raw}"));
                let (a, b) = raw.split_at(CODE_CHARS / 2);
                (format!("{a}-{b}"), digest)
            })
            .unzip()
    }

    pub(super) async fn record(
        &self,
        tenant: &Tenant,
        user: &User,
        kind: ActivityKind,
        detail: &str,
        origin: &Origin,
    ) -> Result<(), StoreError> {
        let entry = NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind,
            detail: detail.into(),
            login_type: "password".into(),
            client_id: None,
            origin: origin.clone(),
            actor: String::new(),
        };
        self.store.record_activity(&entry, self.clock.now()).await
    }

    /// Mail: a second factor was added, used or changed, to the verified address (if any);
    /// `what` is worded in the mail's language.
    pub(super) fn notify(&self, tenant: &Tenant, user: &User, what: Msg) {
        let Some(email) = user.email.as_deref().filter(|_| user.email_verified) else { return };
        let lang = for_mail(None, Some(user), tenant);
        let ctx = minijinja::context! { what => lang.text(&what), provider => tenant.name };
        match templates::message(lang, "account_changed", email, &Msg::new("mail-factor-changed-subject"), ctx) {
            Ok(message) => self.outbox.dispatch(message),
            Err(e) => tracing::error!(error = %e, "second-factor notice"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f3_recovery_codes_are_read_loosely() {
        assert_eq!(normalise(" abcde-fghjk "), "ABCDEFGHJK");
        assert!(is_app_code(" 123456 "));
        assert!(!is_app_code("12345"));
        assert!(!is_app_code("ABCDE-FGHJK"));
    }
}
