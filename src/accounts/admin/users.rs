//! A1, T2, T4, S1: a provider's people, administered.

use super::{Admin, AdminError};
use crate::accounts::Internal;
use crate::accounts::mailed::Voiding;
use crate::accounts::session;
use crate::domain::activity::{ActivityKind, NewActivity};
use crate::domain::application::{ApplicationAccess, CONSOLE_CLIENT_ID};
use crate::domain::tenant::Tenant;
use crate::domain::user::{LoginName, User, UserStatus, UserType};
use crate::secret::{Secret, hex, random_bytes, random_token};
use crate::store::{NewUser, UserUpdate};

/// The administrative state changes of A1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusChange {
    Unlock,
    AdminLock,
    Deactivate,
    Reactivate,
    Delete,
}

/// A generated temporary password (L4: changed at first sign-in), shown once: at least 20
/// characters and at least the provider's minimum, and it meets the composition rules (upper,
/// lower, digit, special) whatever the random part holds.
pub fn temporary_password(min_length: u32) -> Secret {
    let length = usize::try_from(min_length).unwrap_or(64).clamp(20, 64);
    let random: String = format!("{}{}", random_token(), random_token()).chars().take(length - 4).collect();
    Secret::new(format!("{random}-Aa9"))
}

impl Admin<'_> {
    /// A new user must choose their own password at first sign-in (L4) unless `temporary` is false.
    pub async fn create_user(
        &self,
        code: &str,
        login: &str,
        user_type: UserType,
        password: &Secret,
        temporary: bool,
    ) -> Result<User, AdminError> {
        let tenant = self.provider(code).await?;
        if !self.actor.may_appoint(user_type) {
            return Err(AdminError::Forbidden("you cannot create users of this type".into()));
        }
        let name = LoginName::parse_new(login).map_err(|m| AdminError::field("login_name", m.english()))?;
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
        let (tenant, user) = self.administered(code, login).await?;
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
        let (tenant, user) = self.administered(code, login).await?;
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
            return Err(AdminError::Refused(format!(
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
            origin: self.actor.acting.origin.clone(),
            actor: self.actor.acting.actor.clone(),
        };
        self.store.record_activity(&entry, self.clock.now()).await?;
        Ok(self.store.user_by_id(user.id).await?.unwrap_or(user))
    }

    /// L6: an administrator's "sign out everywhere": every session and token of the user ends,
    /// and the applications that got tokens are told.
    pub async fn sign_out_everywhere(&self, code: &str, login: &str) -> Result<User, AdminError> {
        let (tenant, user) = self.administered(code, login).await?;
        self.end_all_sessions(&user).await?;
        self.audit(Some(&tenant), Some(&user), user.login_name.as_str(), "signed out everywhere (L6)".into()).await?;
        Ok(user)
    }

    /// T2: a provider's administrator gives or takes the "user administrator" role.
    pub async fn set_user_administrator(&self, code: &str, login: &str, enabled: bool) -> Result<User, AdminError> {
        self.update_user(code, login, &UserUpdate { is_user_admin: Some(enabled), ..UserUpdate::default() }).await
    }

    /// The user's live Lanyard sessions, for an administrator deciding on "sign out everywhere".
    pub async fn user_sessions(
        &self,
        code: &str,
        login: &str,
    ) -> Result<Vec<crate::accounts::session::LiveSession>, AdminError> {
        let (_, user) = self.administered(code, login).await?;
        Ok(session::live_sessions(&self.ephemeral, self.session_lifetime, self.clock.now(), user.id).await?)
    }

    /// A platform operator makes a user (of any provider) a platform operator, or no longer one.
    pub async fn set_platform_operator(&self, code: &str, login: &str, enabled: bool) -> Result<User, AdminError> {
        let update = UserUpdate { is_platform_operator: Some(enabled), ..UserUpdate::default() };
        self.update_user(code, login, &update).await
    }

    pub async fn platform_operators(&self) -> Result<Vec<User>, AdminError> {
        Ok(self.store.platform_operators().await?)
    }

    /// T2, A3: a provider's administrator changes a user's type.
    pub async fn set_user_type(&self, code: &str, login: &str, user_type: UserType) -> Result<User, AdminError> {
        self.update_user(code, login, &UserUpdate { user_type: Some(user_type), ..UserUpdate::default() }).await
    }

    /// S1: a user administrator switches self password reset on or off for one user.
    pub async fn set_user_self_reset(&self, code: &str, login: &str, enabled: bool) -> Result<User, AdminError> {
        let update = UserUpdate { self_reset_enabled: Some(enabled), ..UserUpdate::default() };
        self.update_user(code, login, &update).await
    }

    /// An administrator records a user's address. It is unverified: OIDC's `email` claim carries
    /// it with `email_verified: false`, and self reset ignores it until the user confirms it (S2).
    pub async fn set_user_email(&self, code: &str, login: &str, email: &str) -> Result<User, AdminError> {
        self.update_user(code, login, &UserUpdate { email: Some(email.to_string()), ..UserUpdate::default() }).await
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
            return Err(AdminError::field("status", format!("{status:?}: use active, admin_locked or deactivated")));
        }
        let (tenant, user) = self.administered(code, login).await?;
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
        let (tenant, user) = self.administered(code, login).await?;
        let set: std::collections::HashMap<String, String> =
            self.store.app_accesses(user.id).await?.into_iter().collect();
        let mut apps: Vec<ApplicationAccess> = self
            .store
            .clients_serving(tenant.id)
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

    fn check_policy(&self, tenant: &Tenant, password: &Secret, name: &LoginName) -> Result<(), AdminError> {
        let violations = tenant.password_policy.violations(password.expose(), name.as_str());
        if violations.is_empty() {
            Ok(())
        } else {
            // The administration API answers in English (issue 30: machine-facing).
            let english: Vec<String> = violations.iter().map(crate::i18n::Msg::english).collect();
            Err(AdminError::field("password", english.join(" ")))
        }
    }

    /// One change of a user (a PATCH): every check first — who may change what, the address —
    /// then one statement, so the change is whole or absent; then the record, entry by entry.
    pub async fn update_user(&self, code: &str, login: &str, changes: &UserUpdate) -> Result<User, AdminError> {
        let (tenant, user) = self.administered(code, login).await?;
        if (changes.is_user_admin.is_some() || changes.user_type.is_some()) && !self.actor.may_appoint_admins() {
            return Err(AdminError::Forbidden("a user administrator cannot change types or roles".into()));
        }
        if changes.is_platform_operator.is_some() {
            self.platform()?;
        }
        if changes.user_type.is_some_and(|kind| !self.actor.may_appoint(kind)) {
            return Err(AdminError::Forbidden("you cannot give this user type".into()));
        }
        let email = changes.email.as_deref().map(str::trim);
        if let Some(email) = email.filter(|e| !crate::accounts::enrolment::valid_email(e)) {
            return Err(AdminError::field("email", format!("{email:?}: not a single address")));
        }
        let update = UserUpdate { email: email.map(String::from), ..changes.clone() };
        self.store.update_user(user.id, &update, self.clock.now()).await?;
        let name = user.login_name.as_str();
        let mut said = Vec::new();
        if update.email.is_some() {
            said.push("email set by administrator (unverified)".to_string());
        }
        if let Some(on) = update.self_reset_enabled {
            said.push(if on { "self password reset enabled (S1)" } else { "self password reset disabled (S1)" }.into());
        }
        if let Some(on) = update.is_user_admin {
            said.push(
                if on { "user administrator role given (T2)" } else { "user administrator role taken (T2)" }.into(),
            );
        }
        if let Some(kind) = update.user_type {
            said.push(format!("user type {} -> {} (T2)", user.user_type.as_str(), kind.as_str()));
        }
        if let Some(on) = update.is_platform_operator {
            said.push(if on { "made a platform operator" } else { "no longer a platform operator" }.into());
        }
        for what in said {
            self.audit(Some(&tenant), Some(&user), name, what).await?;
        }
        if update.email.is_some() {
            self.mailed_voided_by_admin(&user, Voiding::AddressChanged).await?;
        }
        Ok(self.store.user_by_id(user.id).await?.unwrap_or(user))
    }

    /// S7's bookkeeping after an administrator's change: recorded as theirs.
    pub(in crate::accounts) async fn mailed_voided_by_admin(
        &self,
        user: &User,
        why: Voiding,
    ) -> Result<(), crate::store::StoreError> {
        let (origin, actor) = (self.actor.acting.origin.clone(), self.actor.acting.actor.clone());
        self.mailed_voided(user, why, None, &origin, &actor).await
    }
}
