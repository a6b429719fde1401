//! What the operator and the process itself ask of storage: readiness, housekeeping,
//! migrations and which backends are in use.

use super::Accounts;
use super::password::PasswordHasher;
use crate::domain::user::User;
use crate::store::StoreError;

const READY_WAIT: std::time::Duration = std::time::Duration::from_millis(800);

/// Each store's answer to a ping: `/readyz` routes traffic only to nodes where both answer.
pub struct Readiness {
    pub database: Result<(), StoreError>,
    pub ephemeral_store: Result<(), StoreError>,
}

impl Accounts {
    /// Each store gets `READY_WAIT`: a load balancer's probe is answered within a second and
    /// names what is down, however the dependency fails.
    pub async fn readiness(&self) -> Readiness {
        let bounded = |r: Result<Result<(), StoreError>, tokio::time::error::Elapsed>| {
            r.unwrap_or_else(|_| {
                Err(StoreError::Unavailable(format!("no answer within {} ms", READY_WAIT.as_millis())))
            })
        };
        let (database, ephemeral) = tokio::join!(
            tokio::time::timeout(READY_WAIT, self.store.ping()),
            tokio::time::timeout(READY_WAIT, self.ephemeral.ping())
        );
        Readiness { database: bounded(database), ephemeral_store: bounded(ephemeral) }
    }

    /// Drops expired short-lived state (Redis expires its own; SQL rows need a sweep).
    pub async fn sweep_expired(&self) -> Result<u64, StoreError> {
        self.ephemeral.sweep().await
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.store.migrate().await
    }

    pub async fn applied_migrations(&self) -> Result<Vec<String>, StoreError> {
        self.store.applied_migrations().await
    }

    /// (database, ephemeral store), e.g. ("sqlite", "sql") or ("postgresql", "redis").
    pub fn backends(&self) -> (&'static str, &'static str) {
        (self.store.backend_name(), self.ephemeral.backend_name())
    }

    /// Benchmarks and tests only: marks an address verified without S2's code round trip.
    #[doc(hidden)]
    pub async fn set_verified_email_unchecked(&self, user: &User, email: &str) -> Result<(), StoreError> {
        self.store.set_verified_email(user.id, email, self.clock.now()).await
    }

    /// Benchmarks only: L3's limit beyond the 1-10 an administrator may set, so a timing run of
    /// hundreds of wrong passwords measures an open account, never a locked one.
    #[doc(hidden)]
    pub async fn set_lockout_limit_unchecked(&self, code: &str, limit: u32) -> Result<(), StoreError> {
        let Some(code) = crate::domain::tenant::ProviderCode::parse(code) else { return Ok(()) };
        let changes = crate::domain::tenant::TenantChanges { max_failed_attempts: Some(limit), ..Default::default() };
        self.store.update_tenant(&code, &changes).await.map(|_| ())
    }

    /// The argon2 pool, so benchmarks can measure one verification on its own.
    #[doc(hidden)]
    pub fn hasher(&self) -> &PasswordHasher {
        &self.hasher
    }

    /// Where mail goes (an SMTP server or the file outbox), for the operator.
    pub fn mail_destination(&self) -> String {
        self.outbox.describe()
    }

    /// Closes the database pool (tests and the CLI end cleanly; SQLite checkpoints its WAL).
    pub async fn close(&self) -> Result<(), StoreError> {
        self.store.clone().close().await
    }
}
