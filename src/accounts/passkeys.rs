//! F9, F10: passkeys and security keys through `webauthn-rs`. Settings registers one in two
//! halves — the options for the browser, then its answer — and the sign-in asks one as the
//! second factor, with the person's own keys named in `allowCredentials` (never a
//! discoverability report). Each ceremony's state waits in the ephemeral store, five minutes and
//! single use, so a ceremony begun on one node ends on another. A failed assertion is a wrong
//! answer under L3 like a wrong code; a sign counter that goes backwards (a cloned key) fails
//! and is recorded.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    AttestationMetadata, Credential, RegisterPublicKeyCredential, SecurityKey, SecurityKeyAuthentication,
    SecurityKeyRegistration, Uuid,
};

use super::app_enrolment::CodeFor;
use super::assertion::{self, Outcome, Seen, browser_options, read_answer};
use super::attempt::Verdict;
use super::factors::{FactorError, ProveError, Proved};
use super::relying_party::RelyingParty;
use super::session::SessionRecord;
use super::{Accounts, Internal};
use crate::domain::activity::{ActivityKind, NewActivity, Origin};
use crate::domain::second_factor::{MAX_KEY_NAME, MAX_KEYS, Proof, RegisteredKey};
use crate::domain::tenant::Tenant;
use crate::domain::user::{User, UserId};
use crate::i18n::Msg;
use crate::store::{Added, Ephemeral, NewKey, OnRight, StoreError};

/// F9: a ceremony's state lives five minutes.
const CEREMONY_TTL: i64 = 5 * 60;
/// The ceremony (or removal) is gone or was begun before S7 voided the mailed code.
pub(super) const REQUEST_EXPIRED: Msg = Msg::new("passkey-request-expired");
/// The code mailed to the verified address was wrong; the request is spent (one try).
pub(super) const MAILED_CODE_WRONG: Msg = Msg::new("passkey-mailed-code-wrong");
pub use super::assertion::MAX_ANSWER_BYTES;

/// A person's passkeys: `accounts.passkeys()`.
pub struct Passkeys<'a>(pub(super) &'a Accounts);

impl Accounts {
    pub fn passkeys(&self) -> Passkeys<'_> {
        Passkeys(self)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// A message for the page (G1: named by id, worded in the page's language).
    #[error("{0}")]
    Field(Msg),
    /// No relying party (an IP-address origin), or the ceremony is gone.
    #[error("not available")]
    Unavailable,
    /// F11: the key is not one of the models the provider accepts for its administrators.
    #[error("not a model the provider accepts for administrators ({0})")]
    NotAModel(String),
    #[error(transparent)]
    Internal(#[from] Internal),
}

/// A change of factors refused by F2's shared limits (the same words), or failed.
impl From<FactorError> for PasskeyError {
    fn from(e: FactorError) -> Self {
        match e {
            FactorError::Field(message) => PasskeyError::Field(message),
            FactorError::NotAllowed => PasskeyError::Unavailable,
            FactorError::Internal(e) => PasskeyError::Internal(e),
        }
    }
}

impl From<StoreError> for PasskeyError {
    fn from(e: StoreError) -> Self {
        PasskeyError::Internal(e.into())
    }
}

#[derive(Serialize, Deserialize)]
struct Registering {
    user_id: UserId,
    name: String,
    state: SecurityKeyRegistration,
    /// F2's guard for every factor: the keyed digest of a code mailed to the verified address.
    mailed: Option<String>,
    mailed_epoch: i64,
    /// F11: the models the key must prove it is, by name; `None` when any key will do.
    #[serde(default)]
    models: Option<String>,
}

/// The first half of a registration: the options for the browser, and whether a code went to
/// the person's verified address (to be typed beside the key).
pub struct Registration {
    pub options: String,
    pub mailed: bool,
}

const MAILED_PURPOSE: &str = "passkey-enrol-mail";
#[derive(Serialize, Deserialize)]
struct Asserting {
    user_id: UserId,
    state: SecurityKeyAuthentication,
}

fn registering_key(sid: &str) -> String {
    Ephemeral::secret_key("passkey-registration", sid)
}

fn asserting_key(sid: &str) -> String {
    Ephemeral::secret_key("passkey-assertion", sid)
}

/// The WebAuthn user handle: stable for a person, and no id of ours.
fn user_handle(user: &User) -> Uuid {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, user.subject.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(digest.as_ref().get(..16).unwrap_or(&[0u8; 16]));
    Uuid::from_bytes(bytes)
}

impl Passkeys<'_> {
    fn party(&self) -> Result<&RelyingParty, PasskeyError> {
        self.0.relying_party.as_ref().ok_or(PasskeyError::Unavailable)
    }

    /// F12: whether this deployment offers passkeys at all.
    pub fn available(&self) -> bool {
        self.0.relying_party.is_some()
    }

    /// The person's keys, each named by its model when the provider lists it.
    pub async fn list(&self, user_id: UserId) -> Result<Vec<RegisteredKey>, StoreError> {
        let Some(user) = self.0.store.user_by_id(user_id).await? else { return Ok(Vec::new()) };
        Ok(self.0.keys_of(&user).await?.into_iter().map(|k| k.key).collect())
    }

    /// F9, first half: the options for `navigator.credentials.create`, as JSON; the person's
    /// own keys are excluded so one authenticator is not registered twice. As for an app (F2),
    /// a code goes to the verified address, if any, so a stolen password cannot add a key.
    pub async fn start_registration(
        &self,
        sid: &str,
        user: &User,
        tenant: &Tenant,
        name: &str,
    ) -> Result<Registration, PasskeyError> {
        let party = self.party()?;
        let name = key_name(name)?;
        let keys = self.0.store.passkeys(user.id).await?;
        if keys.len() as u64 >= MAX_KEYS {
            return Err(PasskeyError::Field(Msg::new("passkey-too-many-keys")));
        }
        let exclude = keys
            .iter()
            .filter_map(|k| serde_json::from_str::<SecurityKey>(&k.credential).ok())
            .map(|k| k.cred_id().clone())
            .collect::<Vec<_>>();
        let login = user.login_name.as_str();
        // F11: where the provider lists models for its administrators, the key's attestation
        // must prove one of them.
        let rules = self.0.key_rules(user).await?;
        let attestation = rules.attestation();
        let (options, state) = party
            .webauthn()
            .start_securitykey_registration(user_handle(user), login, login, Some(exclude), attestation, None)
            .map_err(|e| Internal::Task(format!("passkey registration: {e}")))?;
        let factors = self.0.factors();
        factors.count_proposal(user.id).await?;
        let action = CodeFor::Adding(Msg::new("factor-code-action-add-passkey"));
        let mailed = factors.mail_code(user, tenant, MAILED_PURPOSE, action)?;
        let waiting = Registering {
            user_id: user.id,
            name: name.to_string(),
            state,
            mailed: mailed.clone(),
            mailed_epoch: user.mailed_epoch,
            models: rules.restricted().then(|| rules.names()),
        };
        self.put(&registering_key(sid), &waiting).await?;
        Ok(Registration { options: browser_options(&options, false), mailed: mailed.is_some() })
    }

    /// F9, second half: the browser's answer; the key is saved with its flags.
    pub async fn finish_registration(
        &self,
        sid: &str,
        user: &User,
        tenant: &Tenant,
        answer: &str,
        mailed_code: &str,
        origin: &Origin,
    ) -> Result<RegisteredKey, PasskeyError> {
        let party = self.party()?;
        // Single use: one answer (and one guess at the mailed code) per ceremony.
        let Some(waiting) = self.take::<Registering>(&registering_key(sid)).await? else {
            return Err(PasskeyError::Field(REQUEST_EXPIRED));
        };
        if waiting.user_id != user.id || !super::mailed::mailed_current(user, waiting.mailed_epoch) {
            return Err(PasskeyError::Field(REQUEST_EXPIRED));
        }
        if !self.0.factors().mailed_right(user.id, MAILED_PURPOSE, waiting.mailed.as_deref(), mailed_code) {
            return Err(PasskeyError::Field(MAILED_CODE_WRONG));
        }
        let answer = (answer.len() <= MAX_ANSWER_BYTES)
            .then(|| serde_json::from_str::<RegisterPublicKeyCredential>(answer).ok())
            .flatten()
            .ok_or(PasskeyError::Field(Msg::new("passkey-answer-unreadable")))?;
        let key = match party.webauthn().finish_securitykey_registration(&answer, &waiting.state) {
            Ok(key) => key,
            // F11: only the attestation's own failures mean "not a listed model".
            Err(e) if waiting.models.is_some() && format!("{e:?}").contains("Attestation") => {
                return Err(PasskeyError::NotAModel(waiting.models.unwrap_or_default()));
            }
            Err(_) => return Err(PasskeyError::Field(Msg::new("passkey-answer-refused"))),
        };
        let cred: Credential = key.clone().into();
        let aaguid = match &cred.attestation.metadata {
            AttestationMetadata::Packed { aaguid } | AttestationMetadata::Tpm { aaguid, .. } => {
                Some(aaguid.to_string())
            }
            _ => None,
        };
        let credential = serde_json::to_string(&key).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let new = NewKey {
            name: waiting.name,
            credential_id: base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                cred.cred_id.as_ref() as &[u8],
            ),
            credential,
            aaguid,
            user_verified: cred.user_verified,
            backup_eligible: cred.backup_eligible,
            backup_state: cred.backup_state,
            // Registered against the provider's models' CAs: its attestation was verified.
            attested: waiting.models.is_some(),
        };
        let now = self.0.clock.now();
        match self.0.store.add_passkey(user.id, new, MAX_KEYS, waiting.mailed_epoch, now).await? {
            Added::Added => {}
            Added::Full => return Err(PasskeyError::Field(Msg::new("passkey-keys-full"))),
            Added::Known => return Err(PasskeyError::Field(Msg::new("passkey-already-registered"))),
            Added::Stale => return Err(PasskeyError::Field(REQUEST_EXPIRED)),
        }
        self.record(tenant, user, ActivityKind::MfaEnrolled, "passkey or security key added (F9)", origin).await?;
        self.0.factors().notify(tenant, user, Msg::new("factor-changed-passkey-added"));
        let keys = self.list(user.id).await?;
        keys.into_iter().last().ok_or(PasskeyError::Unavailable)
    }

    /// F9: a key was just registered in this session: creating it proved the person holds it,
    /// as an app's first code does (F4, F7).
    pub fn registered_in(&self, session: &mut SessionRecord, key: &RegisteredKey) {
        let proof = if key.attested { Proof::HardwareKey } else { Proof::SoftwareKey };
        session.second_factor_proved(proof, self.0.clock.now());
    }

    /// F10: the options for `navigator.credentials.get` naming the person's own keys, as JSON;
    /// `None` when they have none.
    pub async fn start_assertion(&self, sid: &str, user_id: UserId) -> Result<Option<String>, PasskeyError> {
        let Ok(party) = self.party() else { return Ok(None) };
        // Every key of theirs: one of a model their provider no longer accepts (F11) still proves
        // them at this step, and they then set up one it accepts.
        let keys: Vec<SecurityKey> = self
            .0
            .store
            .passkeys(user_id)
            .await?
            .iter()
            .filter_map(|k| serde_json::from_str(&k.credential).ok())
            .collect();
        if keys.is_empty() {
            return Ok(None);
        }
        let (options, state) = party
            .webauthn()
            .start_securitykey_authentication(&keys)
            .map_err(|e| Internal::Task(format!("passkey assertion: {e}")))?;
        self.put(&asserting_key(sid), &Asserting { user_id, state }).await?;
        Ok(Some(browser_options(&options, false)))
    }

    /// F10: the second factor given by a key, counted under L3 exactly like a code: a right
    /// answer clears the count and completes the sign-in; a wrong one, a replayed or expired
    /// ceremony, or a cloned key's counter is a wrong answer.
    pub async fn prove(
        &self,
        session: &mut SessionRecord,
        answer: &str,
        client_id: Option<String>,
        origin: &Origin,
    ) -> Result<Proved, ProveError> {
        let Some((user, tenant)) = self.0.account(session.user_id, session.tenant_id).await? else {
            return Err(ProveError::Locked);
        };
        let party = self.party().map_err(|_| ProveError::Expired)?.clone();
        // Single use: taken before anything is checked. No ceremony (expired, or replaced by a
        // reload or another tab) is nothing checked, so nothing counted: the page starts anew.
        let Some(waiting) =
            self.take::<Asserting>(&asserting_key(&session.sid)).await?.filter(|w| w.user_id == user.id)
        else {
            return Err(ProveError::Expired);
        };
        self.0.factors().within_check_window(user.id).await?;
        let outcome: Seen = Arc::default();
        let check = assertion::check(party, waiting.state, read_answer(answer), user.id, None, outcome.clone());
        let max = tenant.password_policy.max_failed_attempts.max(1);
        let now = self.0.clock.now();
        let entry = |kind: ActivityKind, detail: String| NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind,
            detail,
            login_type: "passkey".into(),
            client_id: client_id.clone(),
            origin: origin.clone(),
            actor: String::new(),
        };
        match self.0.counted_check(&user, max, OnRight::SignedIn, check).await? {
            Verdict::Right => {
                // RFC 8176: `hwk` when the key's attestation proved a model its provider lists
                // (F11), else `swk`.
                let hardware = match outcome.get() {
                    Some(Outcome::Verified { key_id, attested: true, .. }) => {
                        self.0.listed_hardware(&user, *key_id).await?
                    }
                    _ => false,
                };
                let proof = if hardware { Proof::HardwareKey } else { Proof::SoftwareKey };
                if let Some(Outcome::Verified { key_id, .. }) = outcome.get() {
                    let detail = format!("passkey {key_id} (F10)");
                    self.0.store.record_activity(&entry(ActivityKind::MfaVerified, detail), now).await?;
                }
                self.0.store.record_activity(&entry(ActivityKind::SignIn, String::new()), now).await?;
                session.second_factor_proved(proof, now);
                // F11: a key of a model the provider no longer accepts of them proved the person;
                // one it accepts is still owed.
                if self.0.owes_key_of(&user, &tenant).await?
                    && !session.required.contains(&super::session::Required::EnrolSecondFactor)
                {
                    session.required.push(super::session::Required::EnrolSecondFactor);
                }
                Ok(Proved { proof, codes_left: None })
            }
            Verdict::Wrong { failures, locked } => {
                let detail = match outcome.get() {
                    Some(Outcome::Cloned { key_id }) => {
                        format!("passkey {key_id}: its sign counter went backwards, a cloned key? (F10)")
                    }
                    _ => "passkey or security key not accepted (F10)".into(),
                };
                self.0.store.record_activity(&entry(ActivityKind::MfaFailed, detail), now).await?;
                if locked {
                    let detail = format!("{failures} incorrect passwords or second factors (limit {max})");
                    self.0.store.record_activity(&entry(ActivityKind::Locked, detail), now).await?;
                    self.0.end_all_sessions(&user).await?;
                }
                if failures >= i64::from(max) { Err(ProveError::Locked) } else { Err(ProveError::Wrong) }
            }
            Verdict::Locked | Verdict::Closed => Err(ProveError::Locked),
            Verdict::Busy => Err(ProveError::TooMany),
        }
    }

    /// F9: the person renames one of their keys; false when it is not theirs.
    pub async fn rename(&self, user: &User, key_id: i32, name: &str) -> Result<bool, PasskeyError> {
        let name = key_name(name)?;
        Ok(self.0.store.rename_passkey(user.id, key_id, name).await?)
    }

    pub(super) async fn record(
        &self,
        tenant: &Tenant,
        user: &User,
        kind: ActivityKind,
        detail: &str,
        origin: &Origin,
    ) -> Result<(), StoreError> {
        self.0.factors().record(tenant, user, kind, detail, origin).await
    }

    pub(super) async fn put<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let json = serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.0.ephemeral.put(key, &json, CEREMONY_TTL).await
    }

    pub(super) async fn take<T: for<'de> Deserialize<'de>>(&self, key: &str) -> Result<Option<T>, StoreError> {
        Ok(self.0.ephemeral.take(key).await?.and_then(|raw| serde_json::from_str(&raw).ok()))
    }
}

/// A key's name as typed: trimmed, one line, at most `MAX_KEY_NAME` characters.
fn key_name(name: &str) -> Result<&str, PasskeyError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(PasskeyError::Field(Msg::new("passkey-name-required")));
    }
    if name.chars().count() > MAX_KEY_NAME || name.chars().any(char::is_control) {
        return Err(PasskeyError::Field(Msg::new("passkey-name-too-long")));
    }
    Ok(name)
}
