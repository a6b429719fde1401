//! F2: adding and removing an authenticator app from Settings. Adding takes two steps — a new
//! secret proposed to this session, then confirmed with the app's own code — and removing
//! two as well; both, when the person has a verified address, also take a code mailed there,
//! so a stolen password (or an unattended session) cannot change the factors unnoticed. Every
//! change is mailed to that address. A mailed code dies with S7's events, as every mailed
//! credential does.

use serde::{Deserialize, Serialize};

use super::Internal;
use super::factors::{FactorError, Factors, SEALED_APP};
use super::languages::for_mail;
use super::mailed::mailed_current;
use super::totp;
use crate::domain::activity::{ActivityKind, Origin};
use crate::domain::tenant::Tenant;
use crate::domain::user::{User, UserId};
use crate::i18n::Msg;
use crate::mail::templates;
use crate::secret::{random_bytes, random_digits};
use crate::store::{Ephemeral, StoreError};

/// How long a proposed secret (or a removal) waits for its confirmation.
const PROPOSAL_TTL: i64 = 10 * 60;
/// Wrong confirmations before a proposal (or a removal) is thrown away.
const PROPOSAL_TRIES: u32 = 5;
/// New proposals or removals per account an hour: each may mail a code to the person's address.
const PROPOSALS_PER_HOUR: i64 = 10;
/// Confirmations per account an hour, across proposals and removals.
const CONFIRMS_PER_HOUR: i64 = 20;
const MAILED_PURPOSE: &str = "totp-enrol-mail";
const REMOVAL_PURPOSE: &str = "totp-remove-mail";

/// A secret proposed to one session, waiting for the app's first code.
#[derive(Serialize, Deserialize)]
struct Pending {
    user_id: UserId,
    sealed_secret: String,
    /// The keyed digest of the code mailed to the verified address, if one was.
    mailed: Option<String>,
    /// S7: the account's `mailed_epoch` when the code was mailed.
    #[serde(default)]
    mailed_epoch: i64,
}

/// A removal one session asked for, waiting for its confirmation: of the app enrolled then.
#[derive(Serialize, Deserialize)]
struct PendingRemoval {
    user_id: UserId,
    app_id: i32,
    mailed: Option<String>,
    mailed_epoch: i64,
}

/// An app just enrolled: its recovery codes, shown once, and — when it replaced another — the
/// account's new session epoch: every session ended, for a session that proved the old app
/// must not keep the rights it gave.
pub struct Enrolled {
    pub codes: Vec<String>,
    pub sessions_ended: Option<String>,
}

/// What the enrolment page shows: the secret to type by hand and the URI its QR code carries.
pub struct Proposal {
    pub secret: String,
    pub uri: String,
    /// A code went to the person's verified address and must be typed too.
    pub mailed: bool,
}

impl Proposal {
    /// The app names the account `<provider code>/<login name>` under `issuer`.
    fn of(user: &User, tenant: &Tenant, issuer: &str, secret: &[u8], mailed: bool) -> Self {
        let account = format!("{}/{}", tenant.provider_code, user.login_name.as_str());
        Proposal { secret: totp::base32(secret), uri: totp::provisioning_uri(issuer, &account, secret), mailed }
    }
}

/// What a mailed code is for, in the mail's words ("Your Lanyard code to … is"): adding a factor
/// or removing one (the mail warns differently).
pub(super) enum CodeFor {
    Adding(Msg),
    Removing(Msg),
}

fn pending_key(sid: &str) -> String {
    Ephemeral::secret_key("totp-proposal", sid)
}

fn removal_key(sid: &str) -> String {
    Ephemeral::secret_key("totp-removal", sid)
}

/// Confirmations tried against one proposal or removal (a new one starts again).
fn tries_key(key: &str) -> String {
    format!("tries:{key}")
}

fn sealed_purpose(user_id: UserId) -> String {
    format!("{SEALED_APP}:{user_id}")
}

impl Factors<'_> {
    /// F2, step 1: a new secret for this session (any earlier proposal is replaced), sealed in
    /// the ephemeral store until confirmed; a code to the verified address, if there is one.
    pub async fn propose_app(
        &self,
        sid: &str,
        user: &User,
        tenant: &Tenant,
        issuer: &str,
    ) -> Result<Proposal, FactorError> {
        self.count_proposal(user.id).await?;
        let secret = random_bytes::<{ totp::SECRET_BYTES }>();
        let action = CodeFor::Adding(Msg::new("factor-code-action-add-app"));
        let mailed = self.mail_code(user, tenant, MAILED_PURPOSE, action)?;
        let pending = Pending {
            user_id: user.id,
            sealed_secret: self.sealer.seal(&sealed_purpose(user.id), &secret),
            mailed: mailed.clone(),
            mailed_epoch: user.mailed_epoch,
        };
        self.put_pending(&pending_key(sid), &pending).await?;
        Ok(Proposal::of(user, tenant, issuer, &secret, mailed.is_some()))
    }

    /// The proposal this session is confirming, shown again after a wrong code: the person's
    /// app already holds its secret.
    pub async fn current_proposal(
        &self,
        sid: &str,
        user: &User,
        tenant: &Tenant,
        issuer: &str,
    ) -> Result<Option<Proposal>, FactorError> {
        let key = pending_key(sid);
        let Some(pending) = self.pending::<Pending>(&key).await? else { return Ok(None) };
        // S7: a proposal whose mailed code died is shown no more.
        if !mailed_current(user, pending.mailed_epoch) {
            self.ephemeral.delete(&key).await?;
            return Ok(None);
        }
        let Some(secret) =
            self.sealer.open(&sealed_purpose(user.id), &pending.sealed_secret).filter(|_| pending.user_id == user.id)
        else {
            return Ok(None);
        };
        Ok(Some(Proposal::of(user, tenant, issuer, &secret, pending.mailed.is_some())))
    }

    /// F2, step 2: the app's current code (and the mailed one) confirm the proposal; the app is
    /// enrolled, replacing any earlier one, with ten new recovery codes (F3), returned once.
    pub async fn confirm_app(
        &self,
        sid: &str,
        user: &User,
        tenant: &Tenant,
        code: &str,
        mailed_code: &str,
        origin: &Origin,
    ) -> Result<Enrolled, FactorError> {
        let key = pending_key(sid);
        let pending: Pending = self.pending(&key).await?.ok_or(FactorError::NotAllowed)?;
        if pending.user_id != user.id || !mailed_current(user, pending.mailed_epoch) {
            self.ephemeral.delete(&key).await?;
            return Err(FactorError::NotAllowed);
        }
        self.count_confirmation(&key, user.id).await?;
        let secret =
            self.sealer.open(&sealed_purpose(user.id), &pending.sealed_secret).ok_or(FactorError::NotAllowed)?;
        let now = self.clock.now();
        let step = totp::matching_step(&secret, code, now);
        let mail_ok = self.mailed_right(user.id, MAILED_PURPOSE, pending.mailed.as_deref(), mailed_code);
        let Some(step) = step.filter(|_| mail_ok) else {
            return Err(FactorError::Field(Msg::new(if mail_ok {
                "factor-app-code-wrong"
            } else {
                "factor-mailed-code-wrong"
            })));
        };
        // Single use: of two tabs confirming one proposal, one enrols.
        if self.ephemeral.take(&key).await?.is_none() {
            return Err(FactorError::NotAllowed);
        }
        let (codes, digests) = self.new_recovery_codes(user.id);
        let replaced = self.store.totp_app(user.id).await?.is_some();
        if !self.store.enrol_totp(user.id, pending.sealed_secret, step, &digests, pending.mailed_epoch, now).await? {
            return Err(FactorError::NotAllowed);
        }
        let detail = if replaced {
            "authenticator app replaced; sessions ended (F2)"
        } else {
            "authenticator app enrolled (F2)"
        };
        self.record(tenant, user, ActivityKind::MfaEnrolled, detail, origin).await?;
        self.notify(tenant, user, Msg::new("factor-changed-app-added"));
        let sessions_ended = if replaced { Some(self.end_all_sessions(user).await?) } else { None };
        Ok(Enrolled { codes, sessions_ended })
    }

    /// F2: whether the person may remove their app: not while their provider requires one of
    /// them (replacing it is the way then).
    pub fn may_remove(&self, user: &User, tenant: &Tenant) -> bool {
        !tenant.mfa_policy.requires(user.administers())
    }

    /// F2, removing, step 1: a code to the verified address, if there is one; the answer says
    /// whether one went.
    pub async fn propose_removal(&self, sid: &str, user: &User, tenant: &Tenant) -> Result<bool, FactorError> {
        if !self.may_remove(user, tenant) {
            return Err(FactorError::Field(Msg::new("factor-removal-required")));
        }
        let app = self.store.totp_app(user.id).await?.ok_or(FactorError::NotAllowed)?;
        self.count_proposal(user.id).await?;
        let action = CodeFor::Removing(Msg::new("factor-code-action-remove-app"));
        let mailed = self.mail_code(user, tenant, REMOVAL_PURPOSE, action)?;
        let pending = PendingRemoval {
            user_id: user.id,
            app_id: app.id,
            mailed: mailed.clone(),
            mailed_epoch: user.mailed_epoch,
        };
        self.put_pending(&removal_key(sid), &pending).await?;
        Ok(mailed.is_some())
    }

    /// F2, removing, step 2: with the mailed code (when one went), the app and its recovery
    /// codes are removed, recorded (`mfa_removed`) and mailed, and every session ends (a
    /// session that proved the app loses what it gave); the answer is the new session epoch.
    pub async fn confirm_removal(
        &self,
        sid: &str,
        user: &User,
        tenant: &Tenant,
        mailed_code: &str,
        origin: &Origin,
    ) -> Result<String, FactorError> {
        let key = removal_key(sid);
        let pending: PendingRemoval = self.pending(&key).await?.ok_or(FactorError::NotAllowed)?;
        if pending.user_id != user.id || !mailed_current(user, pending.mailed_epoch) || !self.may_remove(user, tenant) {
            return Err(FactorError::NotAllowed);
        }
        self.count_confirmation(&key, user.id).await?;
        if !self.mailed_right(user.id, REMOVAL_PURPOSE, pending.mailed.as_deref(), mailed_code) {
            return Err(FactorError::Field(Msg::new("factor-mailed-code-wrong")));
        }
        if self.ephemeral.take(&key).await?.is_none() {
            return Err(FactorError::NotAllowed);
        }
        if !self.store.remove_totp_app(user.id, pending.app_id, pending.mailed_epoch).await? {
            return Err(FactorError::NotAllowed);
        }
        let detail = "authenticator app removed by its owner; sessions ended (F2)";
        self.record(tenant, user, ActivityKind::MfaRemoved, detail, origin).await?;
        self.notify(tenant, user, Msg::new("factor-changed-app-removed"));
        Ok(self.end_all_sessions(user).await?)
    }

    /// Whether this session has a removal waiting for its confirmation (and if a code went).
    pub async fn pending_removal(&self, sid: &str, user: &User) -> Result<Option<bool>, FactorError> {
        let pending = self.pending::<PendingRemoval>(&removal_key(sid)).await?;
        Ok(pending.filter(|p| p.user_id == user.id).map(|p| p.mailed.is_some()))
    }

    pub(super) async fn count_proposal(&self, user_id: UserId) -> Result<(), FactorError> {
        let now = self.clock.now();
        let window = format!("totp-proposals:{user_id}:{}", now - now.rem_euclid(3600));
        if self.ephemeral.incr(&window, 3600).await? > PROPOSALS_PER_HOUR {
            return Err(FactorError::Field(Msg::new("factor-too-many-changes")));
        }
        Ok(())
    }

    /// Counted atomically before anything is compared, per proposal and per account, so
    /// parallel guesses at the mailed code cannot outrun the limits; past them the proposal
    /// is thrown away.
    async fn count_confirmation(&self, key: &str, user_id: UserId) -> Result<(), FactorError> {
        let now = self.clock.now();
        let tries = self.ephemeral.incr(&tries_key(key), PROPOSAL_TTL).await?;
        let hourly = format!("totp-confirms:{user_id}:{}", now - now.rem_euclid(3600));
        if tries > i64::from(PROPOSAL_TRIES) || self.ephemeral.incr(&hourly, 3600).await? > CONFIRMS_PER_HOUR {
            self.ephemeral.delete(key).await?;
            return Err(FactorError::Field(Msg::new("factor-too-many-wrong-codes")));
        }
        Ok(())
    }

    /// A code to the verified address, if there is one; its keyed digest to keep.
    pub(super) fn mail_code(
        &self,
        user: &User,
        tenant: &Tenant,
        purpose: &str,
        action: CodeFor,
    ) -> Result<Option<String>, Internal> {
        let Some(email) = user.email.as_deref().filter(|_| user.email_verified) else { return Ok(None) };
        let lang = for_mail(None, Some(user), tenant);
        let (action, removing) = match action {
            CodeFor::Adding(what) => (lang.text(&what), false),
            CodeFor::Removing(what) => (lang.text(&what), true),
        };
        let code = random_digits(6);
        let ctx = minijinja::context! { code, action, removing, minutes => PROPOSAL_TTL / 60, provider => tenant.name };
        let subject = Msg::new(if removing {
            "mail-second-factor-code-remove-subject"
        } else {
            "mail-second-factor-code-add-subject"
        });
        let message = templates::message(lang, "second_factor_code", email, &subject, ctx)
            .map_err(|e| Internal::Mail(e.to_string()))?;
        self.outbox.dispatch(message);
        Ok(Some(self.mac.sign(purpose, &format!("{}:{code}", user.id))))
    }

    pub(super) fn mailed_right(&self, user_id: UserId, purpose: &str, digest: Option<&str>, typed: &str) -> bool {
        match digest {
            Some(digest) => self.mac.verify(purpose, &format!("{user_id}:{}", typed.trim()), digest),
            None => true,
        }
    }

    async fn put_pending<T: Serialize>(&self, key: &str, pending: &T) -> Result<(), StoreError> {
        let json = serde_json::to_string(pending).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.ephemeral.put(key, &json, PROPOSAL_TTL).await?;
        self.ephemeral.delete(&tries_key(key)).await
    }

    async fn pending<T: for<'de> Deserialize<'de>>(&self, key: &str) -> Result<Option<T>, StoreError> {
        Ok(self.ephemeral.get(key).await?.and_then(|raw| serde_json::from_str(&raw).ok()))
    }
}
