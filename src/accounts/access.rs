//! T4 (and U3's wording later): may this user use this application right now?

use super::{Accounts, Internal};
use crate::domain::application::Client;
use crate::domain::tenant::Tenant;
use crate::domain::user::{User, UserStatus};

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

impl Accounts {
    pub async fn check_access(&self, user: &User, tenant: &Tenant, client: &Client) -> Result<(), CheckError> {
        if !tenant.active || !client.serves(tenant.id) {
            return Err(CheckError::Refused(AccessRefusal::ProviderNotAllowed));
        }
        match user.status {
            UserStatus::Active => {}
            UserStatus::PasswordLocked | UserStatus::AdminLocked => {
                return Err(CheckError::Refused(AccessRefusal::Locked));
            }
            UserStatus::Deactivated | UserStatus::Deleted => return Err(CheckError::Refused(AccessRefusal::NoAccess)),
        }
        match self.store.app_access(user.id, &client.client_id).await.map_err(Internal::from)?.as_deref() {
            None | Some("active") => Ok(()),
            Some("password_locked" | "admin_locked") => Err(CheckError::Refused(AccessRefusal::Locked)),
            Some(_) => Err(CheckError::Refused(AccessRefusal::NoAccess)),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("access refused: {0:?}")]
    Refused(AccessRefusal),
    #[error(transparent)]
    Internal(#[from] Internal),
}
