//! F10: signing in with a passkey instead of the password, where the provider allows it. The
//! person types Provider Code and Login Name; the browser is asked for one of their keys, named
//! in `allowCredentials` (never a discoverability report). A key that verified its holder (PIN,
//! biometrics) is both factors; one that did not is one, and the password is asked too.
//!
//! L2: an unknown login name, a wrong provider code, a provider that does not allow it, a person
//! with no key and a closed account all get the same page: a decoy ceremony naming credential ids
//! derived from the name (the same each time, as real ones are), in the numbers and sizes real
//! people's keys come in (`webauthn_rs::fake`). Its answer is counted where a wrong password for
//! that name would be (L3): on the account when one exists and may sign in, else on the name's
//! virtual lock at the provider's limit. Every answer takes at least `FLOOR`, so the work a real
//! check does is not heard from outside; every name has the same window of checks.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use webauthn_rs::fake::{FakePasskeyDistribution, WebauthnFakeCredentialGenerator};
use webauthn_rs::prelude::{SecurityKey, SecurityKeyAuthentication};

use super::assertion::{self, Outcome, Seen, browser_options, claims_user_verified, read_answer};
use super::attempt::Verdict;
use super::sign_in::SignedIn;
use super::{Accounts, Internal};
use crate::domain::activity::{ActivityKind, NewActivity, Origin, address_bucket};
use crate::domain::second_factor::Proof;
use crate::domain::tenant::{ProviderCode, Tenant, TenantId};
use crate::domain::user::{LoginName, User, UserId, UserStatus};
use crate::secret::random_token;
use crate::store::{Ephemeral, OnRight, StoreError};

/// A ceremony, and a key's proof waiting for the password, live as long as a ceremony (F9).
const TTL: i64 = super::relying_party::CEREMONY_SECS as i64;
/// The most a typed provider code or login name is kept for the answer (they are checked
/// against their own limits before; this bounds what the ephemeral store holds).
const MAX_TYPED: usize = 256;
/// The least time a ceremony's start or answer takes, real or decoy: longer than a real one's
/// reads and writes.
const FLOOR: std::time::Duration = std::time::Duration::from_millis(60);
/// Answers per name per window, real or decoy, beyond L3 (as F5's window for codes).
const CHECKS_PER_WINDOW: i64 = 10;
const CHECK_WINDOW: i64 = 5 * 60;

/// `accounts.key_sign_in()`.
pub struct KeySignIn<'a>(&'a Accounts);

impl Accounts {
    pub fn key_sign_in(&self) -> KeySignIn<'_> {
        KeySignIn(self)
    }
}

/// What the page needs to ask the browser for a key.
pub struct Challenge {
    /// Names the ceremony in the form (single use).
    pub ceremony: String,
    /// The options for `navigator.credentials.get`, as JSON.
    pub options: String,
}

/// How a sign-in with a key ended well.
pub enum KeySignedIn {
    /// The key verified its holder: the sign-in is complete (two factors).
    Complete(Box<SignedIn>),
    /// The key did not verify its holder: the password completes the sign-in, with `proof`.
    PasswordToo { proof: String },
}

#[derive(Debug, thiserror::Error)]
pub enum KeySignInError {
    /// L2: the one answer for every way to fail that is not a lock.
    #[error("invalid credentials")]
    Invalid,
    /// L3's lock.
    #[error("locked")]
    Locked,
    /// Too many checks just now; nothing was counted.
    #[error("busy")]
    Busy,
    /// The ceremony expired or was used: nothing was checked.
    #[error("expired")]
    Expired,
    /// This deployment is no relying party (F12).
    #[error("not available")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<StoreError> for KeySignInError {
    fn from(e: StoreError) -> Self {
        KeySignInError::Internal(e.into())
    }
}

#[derive(Serialize, Deserialize)]
struct Ceremony {
    provider_code: String,
    login_name: String,
    /// The provider the code names, if any: its limit is the name's under L3.
    tenant_id: Option<TenantId>,
    /// An account that signs in with its password here: a wrong answer counts on it.
    user_id: Option<UserId>,
    /// The real ceremony, for a person who may sign in with a key; `None` for a decoy.
    state: Option<SecurityKeyAuthentication>,
    /// Why a decoy, for the activity record.
    why: String,
}

/// A key's proof waiting for the password: whose, which key, in which epoch — a reset or the
/// key's removal meanwhile voids it.
#[derive(Serialize, Deserialize)]
struct KeyProof {
    user_id: UserId,
    key_id: i32,
    epoch: String,
}

fn ceremony_key(id: &str) -> String {
    Ephemeral::secret_key("passkey-sign-in", id)
}

fn proof_key(id: &str) -> String {
    Ephemeral::secret_key("passkey-proof", id)
}

fn bounded(s: &str) -> String {
    s.chars().take(MAX_TYPED).collect()
}

impl KeySignIn<'_> {
    /// F10, first half: a ceremony for whoever was named — real or decoy, the same to see (L2),
    /// never sooner than `FLOOR` — within the address's budget of ceremonies (each is kept five
    /// minutes).
    pub async fn start(&self, provider_code: &str, login_name: &str, from: &str) -> Result<Challenge, KeySignInError> {
        let (started, ()) = tokio::join!(self.begin(provider_code, login_name, from), tokio::time::sleep(FLOOR));
        started
    }

    async fn begin(&self, provider_code: &str, login_name: &str, from: &str) -> Result<Challenge, KeySignInError> {
        let party = self.0.relying_party.as_ref().ok_or(KeySignInError::Unavailable)?;
        let now = self.0.clock.now();
        let window = now - now.rem_euclid(TTL);
        let budget = Ephemeral::secret_key("passkey-addr", &format!("{window}:{}", address_bucket(from)));
        if self.0.ephemeral.incr(&budget, TTL).await? > i64::from(self.0.limits.pending_per_address) {
            return Err(KeySignInError::Busy);
        }
        let tenant = match ProviderCode::parse(provider_code) {
            Some(code) => self.0.store.tenant_by_code(&code).await?,
            None => None,
        };
        let user = match (&tenant, LoginName::parse(login_name)) {
            (Some(t), Ok(name)) => self.0.store.user_by_login(t.id, &name).await?,
            _ => None,
        };
        // The same reads whoever it is: the keys of the person (those their provider accepts,
        // F11), or of nobody.
        let stored = match &user {
            Some(u) => self.0.usable_keys(u).await?,
            None => self.0.store.passkeys(0).await?,
        };
        let keys: Vec<SecurityKey> = stored.iter().filter_map(|k| serde_json::from_str(&k.credential).ok()).collect();
        // Where the password path would count a wrong password on the account, so does this.
        let account = match (&tenant, &user) {
            (Some(t), Some(u)) if t.active && can_sign_in(u.status) => Some(u.id),
            _ => None,
        };
        let why = match (&tenant, &user) {
            (None, _) => "unknown provider code",
            (Some(t), _) if !t.active => "provider inactive",
            (Some(t), _) if !t.passkey_sign_in => "the provider does not allow signing in with a passkey",
            (_, None) => "unknown login name",
            _ if account.is_none() => "account closed",
            _ if keys.is_empty() => "no passkey",
            _ => "",
        };
        let (options, state) = if why.is_empty() {
            let (options, state) = party
                .webauthn()
                .start_securitykey_authentication(&keys)
                .map_err(|e| Internal::Task(format!("passkey sign-in: {e}")))?;
            (browser_options(&options, true), Some(state))
        } else {
            (self.decoy(party.id(), provider_code, login_name)?, None)
        };
        let ceremony = random_token();
        let waiting = Ceremony {
            provider_code: bounded(provider_code),
            login_name: bounded(login_name),
            tenant_id: tenant.map(|t| t.id),
            user_id: account,
            state,
            why: why.into(),
        };
        let json = serde_json::to_string(&waiting).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.0.ephemeral.put(&ceremony_key(&ceremony), &json, TTL).await?;
        Ok(Challenge { ceremony, options })
    }

    /// F10, second half: the browser's answer. Taken once, whatever it says; never sooner than
    /// `FLOOR`.
    pub async fn finish(
        &self,
        ceremony: &str,
        answer: &str,
        client_id: Option<String>,
        origin: &Origin,
    ) -> Result<KeySignedIn, KeySignInError> {
        let (answered, ()) = tokio::join!(self.answer(ceremony, answer, client_id, origin), tokio::time::sleep(FLOOR));
        answered
    }

    async fn answer(
        &self,
        ceremony: &str,
        answer: &str,
        client_id: Option<String>,
        origin: &Origin,
    ) -> Result<KeySignedIn, KeySignInError> {
        let party = self.0.relying_party.clone().ok_or(KeySignInError::Unavailable)?;
        let Some(raw) = self.0.ephemeral.take(&ceremony_key(ceremony)).await? else {
            return Err(KeySignInError::Expired);
        };
        let c: Ceremony = serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = self.0.clock.now();
        let name =
            format!("{}:{}:{}", now - now.rem_euclid(CHECK_WINDOW), c.provider_code, LoginName::fold(&c.login_name));
        if self.0.ephemeral.incr(&Ephemeral::secret_key("passkey-checks", &name), CHECK_WINDOW).await?
            > CHECKS_PER_WINDOW
        {
            return Err(KeySignInError::Busy);
        }
        let note = Note { c: &c, client_id, origin };
        // Read afresh, not from a process's cache: a switch turned off on another node holds.
        let tenant = match ProviderCode::parse(&c.provider_code) {
            Some(code) => self.0.store.tenant_by_code(&code).await?.filter(|t| Some(t.id) == c.tenant_id),
            None => None,
        };
        let user = match c.user_id {
            Some(id) => self.0.store.user_by_id(id).await?,
            None => None,
        };
        let (tenant, user) = match (tenant, user) {
            (Some(t), Some(u)) if t.active && can_sign_in(u.status) && u.tenant_id == t.id => (t, u),
            (tenant, _) => return self.refuse(&note, tenant.as_ref()).await,
        };
        match &c.state {
            Some(state) if tenant.passkey_sign_in => {
                self.check(&note, party, state.clone(), answer, &tenant, &user).await
            }
            // L2, L3: a decoy at an account that exists counts as a wrong password there.
            _ => {
                let never = |_: Accounts| -> super::attempt::Check { Box::pin(async { Ok(false) }) };
                let why = if c.why.is_empty() { "no longer allowed" } else { c.why.as_str() };
                let verdict = self.0.counted_check(&user, max_of(&tenant), OnRight::Keep, never).await?;
                self.settle(&note, &tenant, &user, verdict, &format!("passkey sign-in: {why} (F10)")).await
            }
        }
    }

    /// A real ceremony's answer, checked under L3's slot.
    async fn check(
        &self,
        note: &Note<'_>,
        party: super::relying_party::RelyingParty,
        state: SecurityKeyAuthentication,
        answer: &str,
        tenant: &Tenant,
        user: &User,
    ) -> Result<KeySignedIn, KeySignInError> {
        // Read *before* verifying, as a password sign-in does: a reset racing it wins.
        let epoch = super::epoch::current(&self.0.ephemeral, user.id).await?;
        let answer = read_answer(answer);
        // L3: a key that verified its holder is the whole sign-in and clears the count; one that
        // did not is the first factor only and leaves it for the password's turn.
        let whole = answer.as_ref().is_some_and(claims_user_verified);
        let on_right = if whole { OnRight::SignedIn } else { OnRight::Keep };
        let outcome: Seen = Arc::default();
        // F11: the keys it accepts of this person now, not five minutes ago.
        let usable = self.0.usable_keys(user).await?.iter().map(|k| k.key.id).collect();
        let check = assertion::check(party, state, answer, user.id, Some(usable), outcome.clone());
        let verdict = self.0.counted_check(user, max_of(tenant), on_right, check).await?;
        let found = outcome.get().copied();
        if verdict != Verdict::Right {
            let detail = match found {
                Some(Outcome::Cloned { key_id }) => {
                    format!("passkey {key_id}: its sign counter went backwards, a cloned key? (F10)")
                }
                _ => "passkey or security key not accepted (F10)".into(),
            };
            return self.settle(note, tenant, user, verdict, &detail).await;
        }
        let Some(Outcome::Verified { key_id, user_verified, attested }) = found else {
            return Err(Internal::Task("a right key without its outcome".into()).into());
        };
        if user_verified && whole {
            note.record(self.0, tenant, user, ActivityKind::MfaVerified, &format!("passkey {key_id} (F10)")).await?;
            note.record(self.0, tenant, user, ActivityKind::SignIn, "").await?;
            let signed_in = SignedIn {
                user: user.clone(),
                tenant: tenant.clone(),
                must_change_password: user.must_change_password,
                second_factor: false,
                must_enrol: false,
                epoch,
                proofs: vec![if attested { Proof::HardwareKey } else { Proof::SoftwareKey }, Proof::UserVerified],
            };
            return Ok(KeySignedIn::Complete(Box::new(signed_in)));
        }
        let detail = format!("passkey {key_id} without user verification: the password is asked too (F10)");
        note.record(self.0, tenant, user, ActivityKind::MfaVerified, &detail).await?;
        let proof = random_token();
        let waiting = KeyProof { user_id: user.id, key_id, epoch };
        let json = serde_json::to_string(&waiting).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.0.ephemeral.put(&proof_key(&proof), &json, TTL).await?;
        Ok(KeySignedIn::PasswordToo { proof })
    }

    /// What a counted answer that was not right becomes, recorded; a lock ends every session.
    async fn settle(
        &self,
        note: &Note<'_>,
        tenant: &Tenant,
        user: &User,
        verdict: Verdict,
        detail: &str,
    ) -> Result<KeySignedIn, KeySignInError> {
        let max = max_of(tenant);
        match verdict {
            Verdict::Wrong { failures, locked } => {
                crate::telemetry::metrics::sign_in_failure("passkey");
                note.record(self.0, tenant, user, ActivityKind::SignInFailed, detail).await?;
                if locked {
                    let detail = format!("{failures} incorrect passwords or second factors (limit {max})");
                    note.record(self.0, tenant, user, ActivityKind::Locked, &detail).await?;
                    self.0.end_all_sessions(user).await?;
                }
                if failures >= i64::from(max) { Err(KeySignInError::Locked) } else { Err(KeySignInError::Invalid) }
            }
            Verdict::Locked => {
                note.record(self.0, tenant, user, ActivityKind::SignInFailed, "account locked").await?;
                Err(KeySignInError::Locked)
            }
            Verdict::Right | Verdict::Closed => Err(KeySignInError::Invalid),
            Verdict::Busy => Err(KeySignInError::Busy),
        }
    }

    /// F10: what `proof` proved of `user_id`, if it is a key's proof still waiting for the
    /// password — the key still theirs, in the same epoch; used up either way.
    pub(super) async fn take_proof(&self, proof: &str, user_id: UserId) -> Result<Option<Proof>, StoreError> {
        let Some(raw) = self.0.ephemeral.take(&proof_key(proof)).await? else { return Ok(None) };
        let Ok(p) = serde_json::from_str::<KeyProof>(&raw) else { return Ok(None) };
        if p.user_id != user_id || super::epoch::current(&self.0.ephemeral, user_id).await? != p.epoch {
            return Ok(None);
        }
        let keys = self.0.store.passkeys(user_id).await?;
        let key = keys.iter().find(|k| k.key.id == p.key_id);
        Ok(key.map(|k| if k.key.attested { Proof::HardwareKey } else { Proof::SoftwareKey }))
    }

    /// L2, L3: a decoy's answer at a name with no account that signs in here: counted on the
    /// name's virtual lock, at the provider's limit when the code names one.
    async fn refuse(&self, note: &Note<'_>, tenant: Option<&Tenant>) -> Result<KeySignedIn, KeySignInError> {
        let (attempt, max) = self.0.count_virtual(&note.c.provider_code, &note.c.login_name, tenant).await?;
        crate::telemetry::metrics::sign_in_failure("passkey");
        let why = if note.c.why.is_empty() { "no longer allowed" } else { note.c.why.as_str() };
        let entry = note.entry(tenant, None, ActivityKind::SignInFailed, &format!("passkey sign-in: {why} (F10)"));
        self.0.store.record_activity(&entry, self.0.clock.now()).await?;
        if attempt >= max { Err(KeySignInError::Locked) } else { Err(KeySignInError::Invalid) }
    }

    /// A decoy's options: what a real person's would look like, with credential ids that are
    /// the same for the same name every time.
    fn decoy(&self, rp_id: &str, provider_code: &str, login_name: &str) -> Result<String, KeySignInError> {
        let seed = self.0.mac.sign("passkey-decoy", "seed");
        let generator = WebauthnFakeCredentialGenerator::<FakePasskeyDistribution>::new(seed.as_bytes())
            .map_err(|e| Internal::Task(format!("passkey decoy: {e}")))?;
        let name = format!("{provider_code}\n{}", LoginName::fold(login_name));
        // The library's distribution has people without keys; a decoy always names one, as
        // every real ceremony does.
        let mut ids = Vec::new();
        for round in 0..8 {
            ids = generator
                .generate(format!("{round}\n{name}").as_bytes())
                .map_err(|e| Internal::Task(format!("passkey decoy: {e}")))?;
            if !ids.is_empty() {
                break;
            }
        }
        if ids.is_empty() {
            // Eight empty draws in a row (p < 1e-6): a name's own single key, still stable.
            let digest = self.0.mac.sign("passkey-decoy-id", &name);
            ids.push(digest.into_bytes().into_iter().take(20).collect::<Vec<u8>>().into());
        }
        let options = serde_json::json!({
            "publicKey": {
                "challenge": base64::Engine::encode(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                    crate::secret::random_bytes::<32>(),
                ),
                "timeout": super::relying_party::CEREMONY_SECS * 1000,
                "rpId": rp_id,
                "allowCredentials": ids.iter().map(|id| serde_json::json!({"type": "public-key", "id": id})).collect::<Vec<_>>(),
                "userVerification": "preferred",
            }
        });
        Ok(browser_options(&options, true))
    }
}

fn max_of(tenant: &Tenant) -> u32 {
    tenant.password_policy.max_failed_attempts.max(1)
}

/// Who may be signed in at all (a lock is answered with L3's message, after the key).
fn can_sign_in(status: UserStatus) -> bool {
    matches!(status, UserStatus::Active | UserStatus::PasswordLocked | UserStatus::AdminLocked)
}

/// What every activity record of one answer shares.
struct Note<'a> {
    c: &'a Ceremony,
    client_id: Option<String>,
    origin: &'a Origin,
}

impl Note<'_> {
    fn entry(&self, tenant: Option<&Tenant>, user: Option<&User>, kind: ActivityKind, detail: &str) -> NewActivity {
        NewActivity {
            tenant_id: tenant.map(|t| t.id),
            user_id: user.map(|u| u.id),
            login_name: user.map_or_else(|| self.c.login_name.clone(), |u| u.login_name.as_str().to_string()),
            kind,
            detail: detail.into(),
            login_type: "passkey".into(),
            client_id: self.client_id.clone(),
            origin: self.origin.clone(),
            actor: String::new(),
        }
    }

    async fn record(
        &self,
        accounts: &Accounts,
        tenant: &Tenant,
        user: &User,
        kind: ActivityKind,
        detail: &str,
    ) -> Result<(), StoreError> {
        accounts.store.record_activity(&self.entry(Some(tenant), Some(user), kind, detail), accounts.clock.now()).await
    }
}
