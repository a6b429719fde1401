//! The administration wing: every administrative write of Lanyard — A1, T1–T4, P1–P3, A2, M1–M3
//! and the platform operator's — is a method of [`Admin`], which exists only with an [`Actor`]:
//! who acts is an argument, never a default, and every write records that actor in the activity
//! record (L7). What an actor may touch is decided here ([`actor`]), for the API, the console and
//! the CLI alike; the HTTP layer only finds out who is calling.
//!
//! `Admin` dereferences to [`Accounts`] for the reads every surface shares; what only
//! administration reads (the lists, the activity record, lookups by code and login) is its own.

pub mod actor;
mod answers;
mod clients;
mod directory;
mod error;
mod factors;
mod key_models;
mod tenants;
mod unchecked;
mod users;

pub use crate::store::UserUpdate;
pub use actor::{Acting, Actor, Role};
pub use answers::{Me, Page, SecretShown, WithPassword, WithSecret};
pub use error::AdminError;
pub use tenants::{HELP_CONTACT_MAX, MAX_FAILED_ATTEMPTS, NAME_MAX};
pub use users::{StatusChange, temporary_password};

use super::Accounts;
use crate::domain::activity::{ActivityKind, NewActivity};
use crate::domain::tenant::Tenant;
use crate::domain::user::User;

/// Administrative calls made by one [`Actor`].
pub struct Admin<'a> {
    accounts: &'a Accounts,
    pub(in crate::accounts) actor: Actor,
}

impl std::ops::Deref for Admin<'_> {
    type Target = Accounts;

    fn deref(&self) -> &Accounts {
        self.accounts
    }
}

impl Accounts {
    /// The only door to administrative writes: they are made by `actor`, and recorded as theirs.
    pub fn admin(&self, actor: Actor) -> Admin<'_> {
        Admin { accounts: self, actor }
    }
}

impl Admin<'_> {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Platform operators only.
    pub fn platform(&self) -> Result<(), AdminError> {
        self.actor.platform()
    }

    /// The provider named by `code`, if this actor may see it at all: another provider's is
    /// answered as if it did not exist, so one agency does not learn what another has.
    pub async fn provider(&self, code: &str) -> Result<Tenant, AdminError> {
        let tenant = self.tenant(code).await?;
        if self.actor.sees(tenant.id) { Ok(tenant) } else { Err(AdminError::NotFound(format!("tenant {code}"))) }
    }

    /// The provider, if this actor may change its settings (policy, S1 switch).
    pub async fn provider_settings(&self, code: &str) -> Result<Tenant, AdminError> {
        let tenant = self.provider(code).await?;
        if self.actor.may_change_settings() {
            Ok(tenant)
        } else {
            Err(AdminError::Forbidden("a user administrator cannot change provider settings".into()))
        }
    }

    /// The provider's user `login`, if this actor may administer them (nobody administers
    /// someone above them, [`Actor::may_administer`]).
    pub async fn administered(&self, code: &str, login: &str) -> Result<(Tenant, User), AdminError> {
        let tenant = self.provider(code).await?;
        let (tenant, user) = self.user(tenant.provider_code.as_str(), login).await?;
        if !self.actor.may_administer(&user) {
            return Err(AdminError::Forbidden("this user is administered by someone with more rights".into()));
        }
        Ok((tenant, user))
    }

    pub(super) async fn audit(
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
            origin: self.actor.acting.origin.clone(),
            actor: self.actor.acting.actor.clone(),
        };
        self.store.record_activity(&entry, self.clock.now()).await?;
        Ok(())
    }
}
