//! L1–L3: signing in with Login Name, Password and Provider Code.
//!
//! Every way to fail that is not a lock is the one [`SignInError::InvalidCredentials`], and every
//! path does the same work (one argon2 verification), so neither text, status nor timing says
//! which part was wrong or whether the account exists (L2).

use super::attempt::Verdict;
use super::{Accounts, Internal};
use crate::domain::activity::{ActivityKind, NewActivity, Origin};
use crate::domain::second_factor::Proof;
use crate::domain::tenant::{ProviderCode, Tenant};
use crate::domain::user::{LoginName, User, UserStatus};
use crate::secret::Secret;
use crate::store::OnRight;

/// L3's virtual lock for names that cannot sign in lasts as long as a real one would in practice.
const VIRTUAL_LOCK_WINDOW: i64 = 90 * 24 * 3600;

#[derive(Debug)]
pub struct SignInRequest {
    pub login_name: String,
    pub password: Secret,
    pub provider_code: String,
    pub client_id: Option<String>,
    pub origin: Origin,
    /// F10: a passkey without user verification proved this person a moment ago
    /// (`accounts.key_sign_in()`); with the right password the two are the whole sign-in.
    pub key_proof: Option<String>,
}

#[derive(Debug)]
pub struct SignedIn {
    pub user: User,
    pub tenant: Tenant,
    /// L4: the user must choose a new password before anything else.
    pub must_change_password: bool,
    /// F5: the password was right and a second factor is still to be proved.
    pub second_factor: bool,
    /// F4: the provider's policy wants a second factor and none is enrolled.
    pub must_enrol: bool,
    /// The user's epoch, read *before* the password was checked: a sign-in racing a reset must
    /// not land in the epoch the reset created.
    pub epoch: String,
    /// F7: what this sign-in proved (the password, or a passkey and more).
    pub proofs: Vec<Proof>,
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// L2: "Invalid Credentials", whatever the cause.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// L3: "Your account has been locked. Please contact your agency administrator."
    #[error("account locked")]
    Locked,
    /// The account's other sign-ins did not finish in time; nothing was counted.
    #[error("busy")]
    Busy,
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<crate::store::StoreError> for SignInError {
    fn from(e: crate::store::StoreError) -> Self {
        SignInError::Internal(e.into())
    }
}

/// Why a sign-in failed, for the activity record only (never shown).
#[derive(Clone, Copy, Debug)]
enum Refusal {
    UnknownProvider,
    InactiveProvider,
    UnknownUser,
    NotActive(UserStatus),
    WrongPassword,
    Locked,
}

impl Refusal {
    fn cause(self) -> &'static str {
        match self {
            Refusal::UnknownProvider => "unknown_provider",
            Refusal::InactiveProvider => "inactive_provider",
            Refusal::UnknownUser => "unknown_user",
            Refusal::NotActive(_) => "not_active",
            Refusal::WrongPassword => "wrong_password",
            Refusal::Locked => "locked",
        }
    }

    fn detail(self) -> String {
        match self {
            Refusal::UnknownProvider => "unknown provider code".into(),
            Refusal::InactiveProvider => "provider inactive".into(),
            Refusal::UnknownUser => "unknown login name".into(),
            Refusal::NotActive(s) => format!("account {}", s.as_str()),
            Refusal::WrongPassword => "wrong password".into(),
            Refusal::Locked => "account locked".into(),
        }
    }
}

impl Accounts {
    pub async fn sign_in(&self, req: SignInRequest) -> Result<SignedIn, SignInError> {
        let tenant = match ProviderCode::parse(&req.provider_code) {
            Some(code) => self.store.tenant_by_code(&code).await?,
            None => None,
        };
        let user = match (&tenant, LoginName::parse(&req.login_name)) {
            (Some(t), Ok(name)) => self.store.user_by_login(t.id, &name).await?,
            _ => None,
        };
        match (tenant, user) {
            (None, _) => self.refuse_unknown(req, None, None, Refusal::UnknownProvider).await,
            (Some(t), u) if !t.active => self.refuse_unknown(req, Some(t), u, Refusal::InactiveProvider).await,
            (Some(t), None) => self.refuse_unknown(req, Some(t), None, Refusal::UnknownUser).await,
            (Some(t), Some(u)) => match u.status {
                UserStatus::Active | UserStatus::PasswordLocked | UserStatus::AdminLocked => {
                    self.sign_in_account(req, t, u).await
                }
                other => self.refuse_unknown(req, Some(t), Some(u), Refusal::NotActive(other)).await,
            },
        }
    }

    /// L3 for a real account: the attempt is counted before its password is verified
    /// (`attempt.rs`); a right password is never counted, refused or locked out.
    async fn sign_in_account(&self, req: SignInRequest, tenant: Tenant, user: User) -> Result<SignedIn, SignInError> {
        let max = tenant.password_policy.max_failed_attempts.max(1);
        if user.status.is_locked() {
            self.note_failure(&req, Some(&tenant), Some(&user), Refusal::Locked).await?;
            return Err(SignInError::Locked);
        }
        // Read *before* verifying: a sign-in racing a reset must not land in the reset's epoch.
        let epoch = super::epoch::current(&self.ephemeral, user.id).await?;
        // F10: a key that proved this person a moment ago (single use, taken whatever the
        // password turns out to be) is the second factor of this sign-in.
        let key_proof = match &req.key_proof {
            Some(proof) => self.key_sign_in().take_proof(proof, user.id).await?,
            None => None,
        };
        let key_proved = key_proof.is_some();
        // F5: a factor enrolled is a factor asked, whatever the provider's policy says now (an
        // application may have required it): with a code to come, a right password leaves L3's
        // count as it is and only the whole sign-in clears it, or a known password would buy
        // fresh code guesses each time.
        let on_right =
            if key_proved { OnRight::SignedIn } else { self.password_settles(&user, OnRight::SignedIn).await? };
        let second_factor = on_right == OnRight::Keep;
        // F4, F9, F11: what is wanted and not enrolled yet — any factor, or a key of a kind the
        // provider accepts.
        let owes_key = !key_proved && self.owes_key_of(&user, &tenant).await?;
        let must_enrol =
            !key_proved && ((tenant.mfa_policy.requires(user.administers()) && !second_factor) || owes_key);
        match self.counted_verify(&user, max, &req.password, on_right).await? {
            Verdict::Right => {
                if !second_factor {
                    self.note(&req, Some(&tenant), Some(&user), ActivityKind::SignIn, String::new()).await?;
                }
                let must_change_password = user.must_change_password;
                let proofs = if key_proved { vec![Proof::Password, Proof::SoftwareKey] } else { vec![Proof::Password] };
                Ok(SignedIn { user, tenant, must_change_password, second_factor, must_enrol, epoch, proofs })
            }
            Verdict::Wrong { failures, locked } => {
                self.note_failure(&req, Some(&tenant), Some(&user), Refusal::WrongPassword).await?;
                if locked {
                    let detail = format!("{failures} incorrect passwords (limit {max})");
                    self.note(&req, Some(&tenant), Some(&user), ActivityKind::Locked, detail).await?;
                    self.end_all_sessions(&user).await?;
                }
                if failures >= i64::from(max) { Err(SignInError::Locked) } else { Err(SignInError::InvalidCredentials) }
            }
            Verdict::Locked => {
                self.note_failure(&req, Some(&tenant), Some(&user), Refusal::Locked).await?;
                Err(SignInError::Locked)
            }
            Verdict::Closed => {
                self.note_failure(&req, Some(&tenant), Some(&user), Refusal::NotActive(UserStatus::Deactivated))
                    .await?;
                Err(SignInError::InvalidCredentials)
            }
            Verdict::Busy => Err(SignInError::Busy),
        }
    }

    /// Names that cannot sign in burn one verification against the dummy hash and count in the
    /// ephemeral store, so after the same number of failures they too answer "locked" (L3).
    /// The tenant's own limit applies when the provider code is known, so its accounts and its
    /// unknown names lock after the same number of failures.
    async fn refuse_unknown(
        &self,
        req: SignInRequest,
        tenant: Option<Tenant>,
        user: Option<User>,
        refusal: Refusal,
    ) -> Result<SignedIn, SignInError> {
        let (attempt, max) = self.count_virtual(&req.provider_code, &req.login_name, tenant.as_ref()).await?;
        if attempt <= max {
            self.hasher.verify(&req.password, None).await.map_err(Internal::from)?;
        }
        self.note_failure(&req, tenant.as_ref(), user.as_ref(), refusal).await?;
        if attempt >= max { Err(SignInError::Locked) } else { Err(SignInError::InvalidCredentials) }
    }

    /// L3's count for a (provider code, login name) that cannot sign in: this attempt's number,
    /// and the limit it locks at — shared by the password and the passkey (F10), so either way
    /// such a name shows the lock when an account would.
    pub(super) async fn count_virtual(
        &self,
        provider_code: &str,
        login_name: &str,
        tenant: Option<&Tenant>,
    ) -> Result<(i64, i64), crate::store::StoreError> {
        let key = format!("virtual-lock:{provider_code}:{}", LoginName::fold(login_name));
        let policy = tenant.map(|t| t.password_policy.clone()).unwrap_or_default();
        let max = i64::from(policy.max_failed_attempts.max(1));
        let attempt =
            self.ephemeral.incr(&crate::store::Ephemeral::secret_key("signin", &key), VIRTUAL_LOCK_WINDOW).await?;
        Ok((attempt, max))
    }

    async fn note_failure(
        &self,
        req: &SignInRequest,
        tenant: Option<&Tenant>,
        user: Option<&User>,
        refusal: Refusal,
    ) -> Result<(), SignInError> {
        crate::telemetry::metrics::sign_in_failure(refusal.cause());
        self.note(req, tenant, user, ActivityKind::SignInFailed, refusal.detail()).await
    }

    async fn note(
        &self,
        req: &SignInRequest,
        tenant: Option<&Tenant>,
        user: Option<&User>,
        kind: ActivityKind,
        detail: String,
    ) -> Result<(), SignInError> {
        let entry = NewActivity {
            tenant_id: tenant.map(|t| t.id),
            user_id: user.map(|u| u.id),
            login_name: req.login_name.clone(),
            kind,
            detail,
            login_type: "password".into(),
            client_id: req.client_id.clone(),
            origin: req.origin.clone(),
            actor: String::new(),
        };
        self.store.record_activity(&entry, self.clock.now()).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! The rules on the domain function itself, over a scratch SQLite store and a manual clock.
    use super::*;
    use crate::accounts::throttle::SignInLimits;
    use crate::clock::Clock;
    use crate::config::Argon2Settings;
    use crate::domain::policy::PasswordPolicy;
    use crate::domain::tenant::TenantChanges;
    use crate::domain::user::UserType;
    use crate::mail::Outbox;
    use crate::store::{Ephemeral, Store};

    const PASSWORD: &str = "Correct-Horse9";

    async fn accounts() -> (Accounts, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store =
            Store::connect(&format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display()), 4).await.unwrap();
        store.migrate().await.unwrap();
        let (clock, _) = Clock::manual(1_800_000_000);
        let hasher =
            PasswordHasher::new(Argon2Settings { memory_kib: 64, iterations: 1, parallelism: 1 }, 2, 64).unwrap();
        let accounts = Accounts::new(crate::accounts::Parts {
            ephemeral: Ephemeral::sql(store.clone(), clock.clone()),
            store,
            hasher,
            clock,
            limits: SignInLimits::default(),
            outbox: Outbox::file(dir.path().join("outbox"), "Lanyard <no-reply@localhost>"),
            events: crate::accounts::events::channel().0,
            session_ttl: 3600,
            session_idle: 3600,
            mac: crate::secret::Mac::new(b"test"),
            sealer: crate::secret::Sealer::new(&"k".repeat(32)),
            internal_calls_ok: true,
            link_ttl: 48 * 3600,
            relying_party: None,
        });
        accounts.admin(crate::accounts::admin::Actor::operator()).create_tenant("ACME", "Acme").await.unwrap();
        accounts
            .admin(crate::accounts::admin::Actor::operator())
            .create_user("ACME", "alice", UserType::Regular, &Secret::new(PASSWORD), false)
            .await
            .unwrap();
        (accounts, dir)
    }

    fn req(login: &str, password: &str, code: &str) -> SignInRequest {
        SignInRequest {
            login_name: login.into(),
            password: Secret::new(password),
            provider_code: code.into(),
            client_id: None,
            origin: Origin::cli(),
            key_proof: None,
        }
    }

    use super::super::password::PasswordHasher;

    #[tokio::test]
    async fn l1_l2_the_right_credentials_sign_in_and_every_wrong_part_is_invalid_credentials() {
        let (a, _d) = accounts().await;
        assert!(a.sign_in(req("ALICE", PASSWORD, "ACME")).await.is_ok(), "T2: any case of the login name");
        for (login, password, code) in
            [("bob", PASSWORD, "ACME"), ("alice", "correct-horse9", "ACME"), ("alice", PASSWORD, "acme")]
        {
            assert!(
                matches!(a.sign_in(req(login, password, code)).await, Err(SignInError::InvalidCredentials)),
                "{login} {code}"
            );
        }
    }

    #[tokio::test]
    async fn l3_third_wrong_password_locks_account() {
        let (a, _d) = accounts().await;
        assert!(matches!(a.sign_in(req("alice", "Wrong-1!aa", "ACME")).await, Err(SignInError::InvalidCredentials)));
        assert!(matches!(a.sign_in(req("alice", "Wrong-2!aa", "ACME")).await, Err(SignInError::InvalidCredentials)));
        assert!(matches!(a.sign_in(req("alice", "Wrong-3!aa", "ACME")).await, Err(SignInError::Locked)));
        assert!(
            matches!(a.sign_in(req("alice", PASSWORD, "ACME")).await, Err(SignInError::Locked)),
            "right password or not"
        );
        let (_, alice) = a.admin(crate::accounts::admin::Actor::operator()).user("ACME", "alice").await.unwrap();
        assert_eq!(alice.status, UserStatus::PasswordLocked);
    }

    #[tokio::test]
    async fn l3_a_successful_sign_in_resets_the_count() {
        let (a, _d) = accounts().await;
        for _ in 0..3 {
            let _ = a.sign_in(req("alice", "Wrong-1!aa", "ACME")).await;
            let _ = a.sign_in(req("alice", "Wrong-1!aa", "ACME")).await;
            assert!(a.sign_in(req("alice", PASSWORD, "ACME")).await.is_ok());
        }
    }

    #[tokio::test]
    async fn l3_unknown_names_show_the_lock_after_the_tenants_limit() {
        let (a, _d) = accounts().await;
        a.admin(crate::accounts::admin::Actor::operator())
            .update_tenant("ACME", &TenantChanges { max_failed_attempts: Some(4), ..Default::default() })
            .await
            .unwrap();
        for _ in 0..3 {
            assert!(matches!(a.sign_in(req("ghost", "x", "ACME")).await, Err(SignInError::InvalidCredentials)));
        }
        assert!(matches!(a.sign_in(req("ghost", "x", "ACME")).await, Err(SignInError::Locked)));
        assert_eq!(PasswordPolicy::default().max_failed_attempts, 3, "PRODUCT.md's default");
    }

    #[tokio::test]
    async fn l4_first_sign_in_reports_the_forced_change() {
        let (a, _d) = accounts().await;
        a.admin(crate::accounts::admin::Actor::operator())
            .create_user("ACME", "newbie", UserType::Regular, &Secret::new("Temporary-Pass1"), true)
            .await
            .unwrap();
        let signed = a.sign_in(req("newbie", "Temporary-Pass1", "ACME")).await.unwrap();
        assert!(signed.must_change_password);
        assert!(!a.sign_in(req("alice", PASSWORD, "ACME")).await.unwrap().must_change_password);
    }

    #[tokio::test]
    async fn t1_an_inactive_provider_signs_nobody_in() {
        let (a, _d) = accounts().await;
        a.admin(crate::accounts::admin::Actor::operator())
            .update_tenant("ACME", &TenantChanges { active: Some(false), ..Default::default() })
            .await
            .unwrap();
        assert!(matches!(a.sign_in(req("alice", PASSWORD, "ACME")).await, Err(SignInError::InvalidCredentials)));
    }
}
