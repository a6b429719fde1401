//! L1–L3: signing in with Login Name, Password and Provider Code.
//!
//! Every way to fail that is not a lock is the one [`SignInError::InvalidCredentials`], and every
//! path does the same work (one argon2 verification), so neither text, status nor timing says
//! which part was wrong or whether the account exists (L2).

use super::activity::{ActivityKind, NewActivity, Origin};
use super::tenant::{ProviderCode, Tenant};
use super::user::{LoginName, User, UserStatus};
use super::{Accounts, Internal};
use crate::secret::Secret;

/// L3's virtual lock for names that cannot sign in lasts as long as a real one would in practice.
const VIRTUAL_LOCK_WINDOW: i64 = 90 * 24 * 3600;

#[derive(Debug)]
pub struct SignInRequest {
    pub login_name: String,
    pub password: Secret,
    pub provider_code: String,
    pub client_id: Option<String>,
    pub origin: Origin,
}

#[derive(Debug)]
pub struct SignedIn {
    pub user: User,
    pub tenant: Tenant,
    /// L4: the user must choose a new password before anything else.
    pub must_change_password: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// L2: "Invalid Credentials", whatever the cause.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// L3: "Your account has been locked. Please contact your agency administrator."
    #[error("account locked")]
    Locked,
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

    /// L3 for a real account: the attempt is counted *before* the password is verified, in one
    /// conditional UPDATE, so concurrent attempts can neither exceed the limit nor run more
    /// verifications than it allows (GHSA-7h8m-vrxx-vr4m).
    async fn sign_in_account(&self, req: SignInRequest, tenant: Tenant, user: User) -> Result<SignedIn, SignInError> {
        let max = tenant.password_policy.max_failed_attempts.max(1);
        if user.status.is_locked() {
            self.note_failure(&req, Some(&tenant), Some(&user), Refusal::Locked).await?;
            return Err(SignInError::Locked);
        }
        let Some(attempt) = self.store.reserve_sign_in_attempt(user.id, max).await? else {
            self.note_failure(&req, Some(&tenant), Some(&user), Refusal::Locked).await?;
            return Err(SignInError::Locked);
        };
        let ok = self.hasher.verify(&req.password, user.password_hash.as_deref()).await.map_err(Internal::from)?;
        if ok {
            self.store.clear_sign_in_failures(user.id).await?;
            self.note(&req, Some(&tenant), Some(&user), ActivityKind::SignIn, String::new()).await?;
            let must_change_password = user.must_change_password;
            return Ok(SignedIn { user, tenant, must_change_password });
        }
        self.note_failure(&req, Some(&tenant), Some(&user), Refusal::WrongPassword).await?;
        if attempt >= i64::from(max) {
            let now = self.clock.now();
            if self.store.lock_after_failures(user.id, max, now).await? {
                let detail = format!("{attempt} incorrect passwords (limit {max})");
                self.note(&req, Some(&tenant), Some(&user), ActivityKind::Locked, detail).await?;
            }
            return Err(SignInError::Locked);
        }
        Err(SignInError::InvalidCredentials)
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
        let key = format!("virtual-lock:{}:{}", req.provider_code, LoginName::fold(&req.login_name));
        let policy = tenant.as_ref().map(|t| t.password_policy.clone()).unwrap_or_default();
        let max = i64::from(policy.max_failed_attempts.max(1));
        let attempt =
            self.ephemeral.incr(&crate::store::Ephemeral::secret_key("signin", &key), VIRTUAL_LOCK_WINDOW).await?;
        if attempt <= max {
            self.hasher.verify(&req.password, None).await.map_err(Internal::from)?;
        }
        self.note_failure(&req, tenant.as_ref(), user.as_ref(), refusal).await?;
        if attempt >= max { Err(SignInError::Locked) } else { Err(SignInError::InvalidCredentials) }
    }

    async fn note_failure(
        &self,
        req: &SignInRequest,
        tenant: Option<&Tenant>,
        user: Option<&User>,
        refusal: Refusal,
    ) -> Result<(), SignInError> {
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
        };
        self.store.record_activity(&entry, self.clock.now()).await?;
        Ok(())
    }
}
