//! What only administration reads: providers and people by code and login, the lists of
//! providers, users and applications, and the activity record (L7). Nothing here changes state.
//! The lookups answer for any provider; [`Admin::provider`] and [`Admin::administered`] add
//! what the actor may see and touch.

use super::{Admin, AdminError};
use crate::accounts::Internal;
use crate::domain::activity::{ActivityEntry, ActivityQuery};
use crate::domain::application::Client;
use crate::domain::listing::{Listing, MAX_LIMIT, Position};
use crate::domain::tenant::{ProviderCode, Tenant};
use crate::domain::user::{LoginName, User};
use crate::domain::user_search::UserSearch;
use crate::store::StoreError;

/// A provider code as an administrator typed it (T1).
pub(super) fn parse_code(raw: &str) -> Result<ProviderCode, AdminError> {
    ProviderCode::parse(raw).ok_or_else(|| {
        AdminError::field("provider_code", format!("{raw:?}: use 1-64 letters, digits, '-', '_' or '.'"))
    })
}

impl Admin<'_> {
    pub async fn tenant(&self, code: &str) -> Result<Tenant, AdminError> {
        let code = parse_code(code)?;
        self.store.tenant_by_code(&code).await?.ok_or_else(|| AdminError::NotFound(format!("tenant {code}")))
    }

    pub async fn user(&self, code: &str, login: &str) -> Result<(Tenant, User), AdminError> {
        let tenant = self.tenant(code).await?;
        let name = LoginName::parse(login).map_err(|m| AdminError::field("login_name", m.english()))?;
        let user = self
            .store
            .user_by_login(tenant.id, &name)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("user {login} of {code}")))?;
        Ok((tenant, user))
    }

    /// One page of the providers this actor sees, by code (issue 31): only those whose code or
    /// name contains `contains` (ASCII case ignored).
    pub async fn tenants_page(
        &self,
        contains: Option<&str>,
        from: &Position,
        limit: u64,
    ) -> Result<Listing<Tenant>, StoreError> {
        let limit = limit.clamp(1, MAX_LIMIT);
        let rows = self.store.tenants_from(self.actor.own_provider(), contains, from, limit + 1).await?;
        Ok(Listing::of(rows, from, limit, |t| t.provider_code.as_str().to_string()))
    }

    /// One page of a provider's users in login-name order (issue 31): at most
    /// [`MAX_LIMIT`] of them, whatever was asked.
    pub async fn users_page(
        &self,
        tenant: &Tenant,
        search: &UserSearch,
        from: &Position,
        limit: u64,
    ) -> Result<Listing<User>, StoreError> {
        let limit = limit.clamp(1, MAX_LIMIT);
        let rows = self.store.users_from(tenant.id, search, from, limit + 1).await?;
        Ok(Listing::of(rows, from, limit, |u| u.login_name.key().to_string()))
    }

    /// The registration whether disabled or not.
    pub async fn client_registration(&self, client_id: &str) -> Result<Option<Client>, StoreError> {
        self.store.client_uncached(client_id).await
    }

    /// One page of registrations by client id (issue 31).
    pub async fn clients_page(&self, from: &Position, limit: u64) -> Result<Listing<Client>, StoreError> {
        let limit = limit.clamp(1, MAX_LIMIT);
        let rows = self.store.clients_from(from, limit + 1).await?;
        Ok(Listing::of(rows, from, limit, |c| c.client_id.clone()))
    }

    /// L7: a provider's activity, newest first; `before` pages backwards by entry id.
    pub async fn activity(
        &self,
        tenant: &Tenant,
        user: Option<&User>,
        before: Option<i32>,
        limit: u64,
    ) -> Result<Vec<ActivityEntry>, Internal> {
        let query = ActivityQuery { user_id: user.map(|u| u.id), before, limit, ..Default::default() };
        self.activity_matching(tenant, &query).await
    }

    /// Every entry of a provider's record matching `query`, newest first, a page at a time as
    /// it is read (an export: issue 31).
    pub fn activity_export(
        &self,
        tenant: &Tenant,
        query: ActivityQuery,
    ) -> tokio::sync::mpsc::Receiver<Result<Vec<ActivityEntry>, StoreError>> {
        self.store.activity_export(tenant.id, query)
    }

    /// One page of a provider's record (at most 1 000 entries).
    pub async fn activity_matching(
        &self,
        tenant: &Tenant,
        query: &ActivityQuery,
    ) -> Result<Vec<ActivityEntry>, Internal> {
        let query = ActivityQuery { limit: query.limit.clamp(1, 1000), ..query.clone() };
        Ok(self.store.list_activity(tenant.id, &query).await?)
    }
}
