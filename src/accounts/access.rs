//! T4 (and U3's wording later): may this user use this application right now?

use super::{Accounts, Internal};
use crate::domain::application::Client;
use crate::domain::tenant::{Tenant, TenantId};
use crate::domain::user::{User, UserId, UserStatus};
use crate::store::StoreError;

/// Why a signed-in user may not enter an application.
#[derive(Debug, PartialEq, Eq)]
pub enum AccessRefusal {
    /// The provider is not registered for the application, or inactive.
    ProviderNotAllowed,
    /// The user does not exist in, or is deactivated for, the application.
    NoAccess,
    /// Locked for this application (or at Lanyard).
    Locked,
}

/// What T4 decides on, read together: the person, their provider, and their status in the
/// application (`None`: never set, so active).
pub struct AccessFacts {
    pub user: User,
    pub tenant: Tenant,
    app_status: Option<String>,
}

impl AccessFacts {
    /// T4 on facts already read (the refresh grant reads them beside its rotation).
    pub fn check(&self, client: &Client) -> Result<(), AccessRefusal> {
        decide(&self.user, &self.tenant, client, self.app_status.as_deref())
    }
}

fn decide(user: &User, tenant: &Tenant, client: &Client, app_status: Option<&str>) -> Result<(), AccessRefusal> {
    if !tenant.active || !client.serves(tenant.id) {
        return Err(AccessRefusal::ProviderNotAllowed);
    }
    match user.status {
        UserStatus::Active => {}
        UserStatus::PasswordLocked | UserStatus::AdminLocked => return Err(AccessRefusal::Locked),
        UserStatus::Deactivated | UserStatus::Deleted => return Err(AccessRefusal::NoAccess),
    }
    match app_status {
        None | Some("active") => Ok(()),
        Some("password_locked" | "admin_locked") => Err(AccessRefusal::Locked),
        Some(_) => Err(AccessRefusal::NoAccess),
    }
}

impl Accounts {
    pub async fn check_access(&self, user: &User, tenant: &Tenant, client: &Client) -> Result<(), CheckError> {
        // The cheap refusals first: no read for a locked person or a provider the client does not serve.
        decide(user, tenant, client, None).map_err(CheckError::Refused)?;
        let status = self.store.app_access(user.id, &client.client_id).await.map_err(Internal::from)?;
        decide(user, tenant, client, status.as_deref()).map_err(CheckError::Refused)
    }

    /// The person, their provider and their status in `client`, in one round of concurrent
    /// reads; `None` when the person or the provider is gone.
    pub async fn access_facts(
        &self,
        user_id: UserId,
        tenant_id: TenantId,
        client: &Client,
    ) -> Result<Option<AccessFacts>, StoreError> {
        let ((user, app_status), tenant) = tokio::try_join!(
            self.store.user_and_app_access(user_id, &client.client_id),
            self.store.tenant_by_id(tenant_id),
        )?;
        Ok(user.zip(tenant).map(|(user, tenant)| AccessFacts { user, tenant, app_status }))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("access refused: {0:?}")]
    Refused(AccessRefusal),
    #[error(transparent)]
    Internal(#[from] Internal),
}
