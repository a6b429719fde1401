//! Benchmarks and tests only: writes that skip a rule's round trip or bounds, so a timing run
//! measures what it means to (an open account, a verified address) without the steps before.

use super::Admin;
use crate::domain::tenant::{ProviderCode, TenantChanges};
use crate::domain::user::User;
use crate::store::StoreError;

impl Admin<'_> {
    /// Marks an address verified without S2's code round trip.
    #[doc(hidden)]
    pub async fn set_verified_email_unchecked(&self, user: &User, email: &str) -> Result<(), StoreError> {
        self.store.set_verified_email(user.id, email, self.clock.now()).await
    }

    /// L3's limit beyond the 1-10 an administrator may set, so a timing run of hundreds of wrong
    /// passwords measures an open account, never a locked one.
    #[doc(hidden)]
    pub async fn set_lockout_limit_unchecked(&self, code: &str, limit: u32) -> Result<(), StoreError> {
        let Some(code) = ProviderCode::parse(code) else { return Ok(()) };
        let changes = TenantChanges { max_failed_attempts: Some(limit), ..Default::default() };
        self.store.update_tenant(&code, &changes).await.map(|_| ())
    }
}
