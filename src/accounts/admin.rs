//! A1 and the platform operator's commands: create and change tenants, users and applications.
//! Every change is written to the activity record (L7).

use super::mailed::Voiding;
use super::{Accounts, Internal};
use crate::domain::activity::{ActivityKind, NewActivity, Origin};
use crate::domain::application::{AdminGrant, ApplicationAccess, CONSOLE_CLIENT_ID, Client, ClientMetadata};
use crate::domain::tenant::{ProviderCode, Tenant, TenantChanges};
use crate::domain::user::{LoginName, User, UserStatus, UserType};
use crate::secret::{Secret, hex, random_bytes, random_token, token_hash};
use crate::store::{NewUser, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0} does not exist")]
    NotFound(String),
    #[error("{0} already exists")]
    Conflict(String),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => AdminError::Conflict(what),
            StoreError::NotFound(what) => AdminError::NotFound(what),
            other => AdminError::Internal(other.into()),
        }
    }
}

/// The administrative state changes of A1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusChange {
    Unlock,
    AdminLock,
    Deactivate,
    Reactivate,
    Delete,
}

/// L3: the wrong passwords a provider may allow before the lock (PRODUCT.md's default is 3).
pub const MAX_FAILED_ATTEMPTS: std::ops::RangeInclusive<u32> = 1..=10;

/// A provider's name: one line of 1-200 characters.
pub const NAME_MAX: usize = 200;

fn check_client_name(name: &str) -> Result<(), AdminError> {
    if name.trim().is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        return Err(AdminError::Invalid(format!("name: 1 to {NAME_MAX} characters on one line")));
    }
    Ok(())
}

fn check_tenant_name(name: &str) -> Result<&str, AdminError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        return Err(AdminError::Invalid(format!("name: 1 to {NAME_MAX} characters on one line")));
    }
    Ok(name)
}

/// The sign-in help page's contact line: one short line.
pub const HELP_CONTACT_MAX: usize = 200;

/// Characters that break a line or change what the reader sees without being seen themselves
/// (zero-width and direction marks and overrides, line and paragraph separators): a contact
/// line shows exactly what it says.
fn invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// A generated temporary password (L4: changed at first sign-in), shown once: at least 20
/// characters and at least the provider's minimum, and it meets the composition rules (upper,
/// lower, digit, special) whatever the random part holds.
pub fn temporary_password(min_length: u32) -> Secret {
    let length = usize::try_from(min_length).unwrap_or(64).clamp(20, 64);
    let random: String = format!("{}{}", random_token(), random_token()).chars().take(length - 4).collect();
    Secret::new(format!("{random}-Aa9"))
}

/// The console's registration is Lanyard's own (`accounts::console_client`): an administrator
/// who changed its URIs or secret would lock every administrator out of the console.
fn managed_elsewhere(client_id: &str) -> Result<(), AdminError> {
    if client_id == CONSOLE_CLIENT_ID {
        return Err(AdminError::Invalid(format!(
            "{CONSOLE_CLIENT_ID} is Lanyard's own console and is managed by Lanyard"
        )));
    }
    Ok(())
}

/// Who performs the administrative calls of an `Accounts` handle, for the activity record (L7):
/// the operator's CLI unless the administration API says otherwise.
#[derive(Clone, Debug)]
pub struct Acting {
    /// `cli`, `client:<client_id>`, `user:<provider code>/<login name>`.
    pub actor: String,
    pub origin: Origin,
}

impl Acting {
    pub fn cli() -> Self {
        Acting { actor: "cli".into(), origin: Origin::cli() }
    }
}

impl Accounts {
    /// The same accounts, with every administrative change recorded as made by `acting`.
    pub fn acting_as(&self, acting: Acting) -> Accounts {
        Accounts(std::sync::Arc::new(super::Held { acting: std::sync::Arc::new(acting), ..(*self.0).clone() }))
    }

    pub fn parse_code(raw: &str) -> Result<ProviderCode, AdminError> {
        ProviderCode::parse(raw).ok_or_else(|| {
            AdminError::Invalid(format!("provider code {raw:?}: use 1-64 letters, digits, '-', '_' or '.'"))
        })
    }

    pub async fn tenant(&self, code: &str) -> Result<Tenant, AdminError> {
        let code = Self::parse_code(code)?;
        self.store.tenant_by_code(&code).await?.ok_or_else(|| AdminError::NotFound(format!("tenant {code}")))
    }

    pub async fn create_tenant(&self, code: &str, name: &str) -> Result<Tenant, AdminError> {
        let code = Self::parse_code(code)?;
        let name = check_tenant_name(name)?;
        let tenant = self.store.create_tenant(&code, name, self.clock.now()).await?;
        self.audit(Some(&tenant), None, "", format!("tenant {code} created")).await?;
        Ok(tenant)
    }

    pub async fn update_tenant(&self, code: &str, changes: &TenantChanges) -> Result<Tenant, AdminError> {
        let code = Self::parse_code(code)?;
        if let Some(name) = &changes.name {
            check_tenant_name(name)?;
        }
        // L3 cannot be switched off by a limit nobody reaches.
        if changes.max_failed_attempts.is_some_and(|n| !MAX_FAILED_ATTEMPTS.contains(&n)) {
            return Err(AdminError::Invalid(format!(
                "max-failed-attempts: must be between {} and {}",
                MAX_FAILED_ATTEMPTS.start(),
                MAX_FAILED_ATTEMPTS.end()
            )));
        }
        // A provider may make the policy stricter than PRODUCT.md's default, never weaker (L5).
        if changes.min_password_length.is_some_and(|n| !(8..=64).contains(&n)) {
            return Err(AdminError::Invalid("min-password-length: must be between 8 and 64".into()));
        }
        if changes.password_history.is_some_and(|n| n > 24) {
            return Err(AdminError::Invalid("password-history: at most 24".into()));
        }
        if let Some(line) = &changes.help_contact {
            if line.trim().chars().count() > HELP_CONTACT_MAX {
                return Err(AdminError::Invalid(format!("help-contact: at most {HELP_CONTACT_MAX} characters")));
            }
            if line.chars().any(|c| c.is_control() || invisible(c)) {
                return Err(AdminError::Invalid("help-contact: one line of plain text".into()));
            }
        }
        let tenant = self.store.update_tenant(&code, changes).await?;
        self.audit(Some(&tenant), None, "", format!("tenant {code} changed: {changes:?}")).await?;
        Ok(tenant)
    }

    pub async fn user(&self, code: &str, login: &str) -> Result<(Tenant, User), AdminError> {
        let tenant = self.tenant(code).await?;
        let name = LoginName::parse(login).map_err(|m| AdminError::Invalid(m.into()))?;
        let user = self
            .store
            .user_by_login(tenant.id, &name)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("user {login} of {code}")))?;
        Ok((tenant, user))
    }

    /// A new user must choose their own password at first sign-in (L4) unless `temporary` is false.
    pub async fn create_user(
        &self,
        code: &str,
        login: &str,
        user_type: UserType,
        password: &Secret,
        temporary: bool,
    ) -> Result<User, AdminError> {
        let tenant = self.tenant(code).await?;
        let name = LoginName::parse_new(login).map_err(|m| AdminError::Invalid(format!("login-name: {m}")))?;
        self.check_policy(&tenant, password, &name)?;
        let hash = self.hasher.hash(password).await.map_err(Internal::from)?;
        let new = NewUser {
            tenant_id: tenant.id,
            subject: hex(&random_bytes::<16>()),
            login_name: &name,
            user_type,
            password_hash: hash,
            must_change_password: temporary,
        };
        let user = self.store.create_user(new, self.clock.now()).await?;
        self.audit(Some(&tenant), Some(&user), user.login_name.as_str(), "user created".into()).await?;
        Ok(user)
    }

    /// A1: an administrator sets a password, even on a locked account. `temporary` makes the user
    /// choose a new one at next sign-in (L4). A password lock goes with the old password (the
    /// guesses were against it); an admin lock or a deactivation stays until lifted on purpose.
    /// Every session and token of the old password ends.
    pub async fn set_password(
        &self,
        code: &str,
        login: &str,
        password: &Secret,
        temporary: bool,
    ) -> Result<User, AdminError> {
        let (tenant, user) = self.user(code, login).await?;
        self.check_policy(&tenant, password, &user.login_name)?;
        let hash = self.hasher.hash(password).await.map_err(Internal::from)?;
        let now = self.clock.now();
        self.store.set_password(user.id, hash, temporary, now).await?;
        let unlocked = self.store.lift_password_lock(user.id, now).await?;
        self.store.clear_sign_in_failures(user.id).await?;
        self.end_all_sessions(&user).await?;
        self.mailed_voided_by_admin(&user, Voiding::PasswordSet).await?;
        let what = match (temporary, unlocked) {
            (true, true) => "temporary password set; password lock lifted (A1)",
            (true, false) => "temporary password set (A1)",
            (false, true) => "password set; password lock lifted",
            (false, false) => "password set",
        };
        self.audit(Some(&tenant), Some(&user), user.login_name.as_str(), what.into()).await?;
        Ok(self.store.user_by_id(user.id).await?.unwrap_or(user))
    }

    pub async fn change_status(&self, code: &str, login: &str, change: StatusChange) -> Result<User, AdminError> {
        let (tenant, user) = self.user(code, login).await?;
        let (allowed, to, kind) = match change {
            StatusChange::Unlock => (user.status.is_locked(), UserStatus::Active, ActivityKind::Unlocked),
            StatusChange::AdminLock => {
                (user.status != UserStatus::Deleted, UserStatus::AdminLocked, ActivityKind::Locked)
            }
            StatusChange::Deactivate => {
                (user.status != UserStatus::Deleted, UserStatus::Deactivated, ActivityKind::AdminAction)
            }
            StatusChange::Reactivate => {
                (user.status == UserStatus::Deactivated, UserStatus::Active, ActivityKind::AdminAction)
            }
            StatusChange::Delete => (true, UserStatus::Deleted, ActivityKind::AdminAction),
        };
        if !allowed {
            return Err(AdminError::Invalid(format!(
                "user {} is {}; cannot {change:?}",
                user.login_name.as_str(),
                user.status.as_str()
            )));
        }
        self.store.set_status(user.id, to, self.clock.now()).await?;
        let voiding = match change {
            StatusChange::AdminLock => Some(Voiding::AdminLocked),
            StatusChange::Deactivate => Some(Voiding::Deactivated),
            StatusChange::Delete => Some(Voiding::Deleted),
            StatusChange::Unlock | StatusChange::Reactivate => None,
        };
        if let Some(why) = voiding {
            self.end_all_sessions(&user).await?;
            self.mailed_voided_by_admin(&user, why).await?;
        }
        let entry = NewActivity {
            tenant_id: Some(tenant.id),
            user_id: Some(user.id),
            login_name: user.login_name.as_str().to_string(),
            kind,
            detail: format!("{} -> {} by administrator", user.status.as_str(), to.as_str()),
            login_type: "admin".into(),
            client_id: None,
            origin: self.acting.origin.clone(),
            actor: self.acting.actor.clone(),
        };
        self.store.record_activity(&entry, self.clock.now()).await?;
        Ok(self.store.user_by_id(user.id).await?.unwrap_or(user))
    }

    /// L6: an administrator's "sign out everywhere": every session and token of the user ends,
    /// and the applications that got tokens are told.
    pub async fn sign_out_everywhere(&self, code: &str, login: &str) -> Result<User, AdminError> {
        let (tenant, user) = self.user(code, login).await?;
        self.end_all_sessions(&user).await?;
        self.audit(Some(&tenant), Some(&user), user.login_name.as_str(), "signed out everywhere (L6)".into()).await?;
        Ok(user)
    }

    /// T2: a provider's administrator gives or takes the "user administrator" role.
    pub async fn set_user_administrator(&self, code: &str, login: &str, enabled: bool) -> Result<User, AdminError> {
        let (tenant, user) = self.user(code, login).await?;
        self.store.set_user_admin(user.id, enabled, self.clock.now()).await?;
        let what = if enabled { "user administrator role given (T2)" } else { "user administrator role taken (T2)" };
        self.audit(Some(&tenant), Some(&user), user.login_name.as_str(), what.into()).await?;
        Ok(self.store.user_by_id(user.id).await?.unwrap_or(user))
    }

    /// The user's live Lanyard sessions, for an administrator deciding on "sign out everywhere".
    pub async fn user_sessions(&self, code: &str, login: &str) -> Result<Vec<super::session::LiveSession>, AdminError> {
        let (_, user) = self.user(code, login).await?;
        Ok(self.live_sessions(user.id).await?)
    }

    /// A platform operator makes a user (of any provider) a platform operator, or no longer one.
    pub async fn set_platform_operator(&self, code: &str, login: &str, enabled: bool) -> Result<User, AdminError> {
        let (tenant, user) = self.user(code, login).await?;
        self.store.set_platform_operator(user.id, enabled, self.clock.now()).await?;
        let what = if enabled { "made a platform operator" } else { "no longer a platform operator" };
        self.audit(Some(&tenant), Some(&user), user.login_name.as_str(), what.into()).await?;
        Ok(self.store.user_by_id(user.id).await?.unwrap_or(user))
    }

    pub async fn platform_operators(&self) -> Result<Vec<User>, AdminError> {
        Ok(self.store.platform_operators().await?)
    }

    /// T2, A3: a provider's administrator changes a user's type.
    pub async fn set_user_type(&self, code: &str, login: &str, user_type: UserType) -> Result<User, AdminError> {
        let (tenant, user) = self.user(code, login).await?;
        self.store.set_user_type(user.id, user_type, self.clock.now()).await?;
        let what = format!("user type {} -> {} (T2)", user.user_type.as_str(), user_type.as_str());
        self.audit(Some(&tenant), Some(&user), user.login_name.as_str(), what).await?;
        Ok(self.store.user_by_id(user.id).await?.unwrap_or(user))
    }

    /// S1: a user administrator switches self password reset on or off for one user.
    pub async fn set_user_self_reset(&self, code: &str, login: &str, enabled: bool) -> Result<User, AdminError> {
        let (tenant, user) = self.user(code, login).await?;
        self.store.set_self_reset(user.id, enabled, self.clock.now()).await?;
        let what = if enabled { "self password reset enabled (S1)" } else { "self password reset disabled (S1)" };
        self.audit(Some(&tenant), Some(&user), user.login_name.as_str(), what.into()).await?;
        Ok(self.store.user_by_id(user.id).await?.unwrap_or(user))
    }

    /// An administrator records a user's address. It is unverified: OIDC's `email` claim carries
    /// it with `email_verified: false`, and self reset ignores it until the user confirms it (S2).
    pub async fn set_user_email(&self, code: &str, login: &str, email: &str) -> Result<User, AdminError> {
        if !super::enrolment::valid_email(email) {
            return Err(AdminError::Invalid(format!("email {email:?}: not a single address")));
        }
        let (tenant, user) = self.user(code, login).await?;
        self.store.set_email(user.id, email.trim(), false, self.clock.now()).await?;
        self.mailed_voided_by_admin(&user, Voiding::AddressChanged).await?;
        self.audit(
            Some(&tenant),
            Some(&user),
            user.login_name.as_str(),
            "email set by administrator (unverified)".into(),
        )
        .await?;
        Ok(self.store.user_by_id(user.id).await?.unwrap_or(user))
    }

    /// T4: a user's status in one application, independent of every other application.
    pub async fn set_app_access(
        &self,
        code: &str,
        login: &str,
        client_id: &str,
        status: &str,
    ) -> Result<User, AdminError> {
        if !["active", "admin_locked", "password_locked", "deactivated"].contains(&status) {
            return Err(AdminError::Invalid(format!("status {status:?}: use active, admin_locked or deactivated")));
        }
        let (tenant, user) = self.user(code, login).await?;
        if self.store.client(client_id).await?.is_none() {
            return Err(AdminError::NotFound(format!("client {client_id}")));
        }
        self.store.set_app_access(user.id, client_id, status).await?;
        self.audit(
            Some(&tenant),
            Some(&user),
            user.login_name.as_str(),
            format!("access to {client_id}: {status} (T4)"),
        )
        .await?;
        Ok(user)
    }

    /// T4: the user's status in each application their provider uses.
    pub async fn user_applications(&self, code: &str, login: &str) -> Result<Vec<ApplicationAccess>, AdminError> {
        let (tenant, user) = self.user(code, login).await?;
        let set: std::collections::HashMap<String, String> =
            self.store.app_accesses(user.id).await?.into_iter().collect();
        let mut apps: Vec<ApplicationAccess> = self
            .store
            .list_clients()
            .await?
            .into_iter()
            // The console's access is the administrator's role, not a per-application status.
            .filter(|c| c.serves(tenant.id) && c.client_id != CONSOLE_CLIENT_ID)
            .map(|c| ApplicationAccess {
                status: set.get(&c.client_id).cloned().unwrap_or_else(|| "active".into()),
                client_id: c.client_id,
                name: c.name,
            })
            .collect();
        apps.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(apps)
    }

    /// Registers an application. Confidential clients get a generated secret, returned once and
    /// stored only as its SHA-256.
    pub async fn create_client(
        &self,
        client_id: Option<&str>,
        name: &str,
        metadata: &ClientMetadata,
        tenant_codes: &[String],
    ) -> Result<(Client, Option<Secret>), AdminError> {
        // An automation role brings what it needs: the client_credentials grant and the admin
        // scope (as the CLI's --admin-role always did).
        let mut metadata = metadata.clone();
        if metadata.admin_role.is_some() {
            for (list, item) in [
                (&mut metadata.grant_types, "client_credentials"),
                (&mut metadata.scopes, crate::domain::application::ADMIN_SCOPE),
            ] {
                if !list.iter().any(|x| x == item) {
                    list.push(item.to_string());
                }
            }
        }
        let metadata = &metadata;
        metadata.validate(self.internal_calls_ok).map_err(AdminError::Invalid)?;
        check_client_name(name)?;
        let client_id = match client_id {
            // RFC 3986's unreserved characters: an id is always one clean path segment.
            Some(id)
                if id.is_empty()
                    || id.len() > 128
                    || !id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '~' | '-')) =>
            {
                return Err(AdminError::Invalid(format!(
                    "client-id: {id:?}: use 1-128 letters, digits, '.', '_', '~' or '-'"
                )));
            }
            Some(id) => managed_elsewhere(id).map(|()| id.to_string())?,
            None => hex(&random_bytes::<12>()),
        };
        if let Some(AdminGrant::ProviderAdmin { provider } | AdminGrant::UserAdministrator { provider }) =
            &metadata.admin_role
        {
            self.tenant(provider).await?;
        }
        let mut tenants = Vec::new();
        for code in tenant_codes {
            tenants.push(self.tenant(code).await?.id);
        }
        // A provider named twice is served once (it was a 500: the second row broke a unique key).
        tenants.sort_unstable();
        tenants.dedup();
        let secret = (metadata.token_endpoint_auth_method != crate::domain::application::TokenEndpointAuthMethod::None)
            .then(|| Secret::new(random_token()));
        let hash = secret.as_ref().map(|s| token_hash(s.expose()));
        let client = self.store.create_client(&client_id, name, metadata, hash, &tenants, self.clock.now()).await?;
        let marked = if metadata.administration { "; marked for administration" } else { "" };
        self.audit(None, None, "", format!("client {client_id} registered{marked}")).await?;
        Ok((client, secret))
    }

    /// Replaces an application's name and registration metadata (its providers and secret stay).
    pub async fn update_client(
        &self,
        client_id: &str,
        name: &str,
        metadata: &ClientMetadata,
    ) -> Result<(), AdminError> {
        managed_elsewhere(client_id)?;
        metadata.validate(self.internal_calls_ok).map_err(AdminError::Invalid)?;
        check_client_name(name)?;
        let before = self.store.client_uncached(client_id).await?.map(|c| c.metadata.administration);
        self.store.update_client(client_id, name, metadata).await?;
        let marked = match (before, metadata.administration) {
            (Some(false), true) => "; marked for administration",
            (Some(true), false) => "; no longer marked for administration",
            _ => "",
        };
        self.audit(None, None, "", format!("client {client_id} updated{marked}")).await?;
        Ok(())
    }

    /// Deletes an application: no sign-in, token or refresh for it any more; its users'
    /// per-application statuses (T4) go with it.
    pub async fn delete_client(&self, client_id: &str) -> Result<(), AdminError> {
        managed_elsewhere(client_id)?;
        self.store.delete_client(client_id).await?;
        self.audit(None, None, "", format!("client {client_id} deleted")).await?;
        Ok(())
    }

    pub async fn rotate_client_secret(&self, client_id: &str) -> Result<Secret, AdminError> {
        managed_elsewhere(client_id)?;
        let client =
            self.store.client(client_id).await?.ok_or_else(|| AdminError::NotFound(format!("client {client_id}")))?;
        if client.is_public() {
            return Err(AdminError::Invalid(format!("client {client_id} is public (PKCE) and has no secret")));
        }
        let secret = Secret::new(random_token());
        self.store.set_client_secret(client_id, token_hash(secret.expose())).await?;
        self.audit(None, None, "", format!("client {client_id} secret rotated")).await?;
        Ok(secret)
    }

    fn check_policy(&self, tenant: &Tenant, password: &Secret, name: &LoginName) -> Result<(), AdminError> {
        let violations = tenant.password_policy.violations(password.expose(), name.as_str());
        if violations.is_empty() { Ok(()) } else { Err(AdminError::Invalid(violations.join(" "))) }
    }

    async fn audit(
        &self,
        tenant: Option<&Tenant>,
        user: Option<&User>,
        login: &str,
        detail: String,
    ) -> Result<(), AdminError> {
        let entry = NewActivity {
            tenant_id: tenant.map(|t| t.id),
            user_id: user.map(|u| u.id),
            login_name: login.to_string(),
            kind: ActivityKind::AdminAction,
            detail,
            login_type: "admin".into(),
            client_id: None,
            origin: self.acting.origin.clone(),
            actor: self.acting.actor.clone(),
        };
        self.store.record_activity(&entry, self.clock.now()).await?;
        Ok(())
    }
}
