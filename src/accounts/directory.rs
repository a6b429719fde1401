//! Reading who and what exists — providers (T1), users (T2), applications (T4) — as the protocol
//! and the pages need them. Nothing here changes state; administration's own reads (lists,
//! lookups by code and login, the activity record) are in `admin/directory.rs`.

use super::Accounts;
use crate::domain::application::Client;
use crate::domain::tenant::{ProviderCode, Tenant, TenantId};
use crate::domain::user::{User, UserId};
use crate::store::StoreError;

impl Accounts {
    /// A registered application that is not disabled, from this process' short-lived cache:
    /// what every protocol path asks, so a disabled application is simply unknown there.
    pub async fn client(&self, client_id: &str) -> Result<Option<Client>, StoreError> {
        Ok(self.store.client(client_id).await?.filter(|c| !c.metadata.disabled))
    }

    /// The application as stored now, for decisions a stale copy must not make (a secret that
    /// was just rotated).
    pub async fn client_fresh(&self, client_id: &str) -> Result<Option<Client>, StoreError> {
        Ok(self.store.client_uncached(client_id).await?.filter(|c| !c.metadata.disabled))
    }

    /// Whether `origin` (scheme://host[:port]) is the origin of a registered redirect URI: the
    /// only origins whose scripts may call the token and userinfo endpoints (CORS).
    pub async fn origin_registered(&self, origin: &str) -> Result<bool, StoreError> {
        Ok(self.store.registered_origins().await?.contains(origin))
    }

    pub async fn user_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.store.user_by_id(id).await
    }

    pub async fn user_by_subject(&self, subject: &str) -> Result<Option<User>, StoreError> {
        self.store.user_by_subject(subject).await
    }

    /// The contact line the active provider `code` publishes on the sign-in help page. A code
    /// that names no provider, an inactive one and one without a line all answer `None`, so the
    /// page cannot tell them apart.
    pub async fn help_contact(&self, code: &str) -> Result<Option<String>, StoreError> {
        let Some(code) = ProviderCode::parse(code) else { return Ok(None) };
        let tenant = self.store.tenant_by_code(&code).await?;
        Ok(tenant.filter(|t| t.active).and_then(|t| t.help_contact))
    }

    pub async fn tenant_by_code(&self, code: &ProviderCode) -> Result<Option<Tenant>, StoreError> {
        self.store.tenant_by_code(code).await
    }

    pub async fn tenant_by_id(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        self.store.tenant_by_id(id).await
    }

    /// A user and their provider together, as a token or a page needs them; `None` when either
    /// no longer exists.
    pub async fn account(&self, user_id: UserId, tenant_id: TenantId) -> Result<Option<(User, Tenant)>, StoreError> {
        let (user, tenant) = tokio::try_join!(self.store.user_by_id(user_id), self.store.tenant_by_id(tenant_id))?;
        Ok(user.zip(tenant))
    }

    /// [`Accounts::account`] for stating claims only (userinfo): the user may come from a cache
    /// a few seconds old; every decision reads the user afresh or the user's epoch.
    pub async fn account_for_claims(
        &self,
        user_id: UserId,
        tenant_id: TenantId,
    ) -> Result<Option<(User, Tenant)>, StoreError> {
        let (user, tenant) = tokio::try_join!(self.store.user_for_claims(user_id), self.store.tenant_by_id(tenant_id))?;
        Ok(user.zip(tenant))
    }
}
