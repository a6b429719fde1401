//! What the operator and the process itself ask of storage: readiness, housekeeping,
//! migrations and which backends are in use.

use super::Accounts;
use super::password::PasswordHasher;
use crate::store::StoreError;

const READY_WAIT: std::time::Duration = std::time::Duration::from_millis(800);

/// Each store's answer to a ping: `/readyz` routes traffic only to nodes where both answer.
pub struct Readiness {
    pub database: Result<(), StoreError>,
    pub ephemeral_store: Result<(), StoreError>,
}

/// The operator's and the process's view of [`Accounts`]: `accounts.operations()`.
/// `Copy`, and its calls take it by value, so `accounts.operations().readiness()` is one
/// expression whose future borrows only `accounts`.
#[derive(Clone, Copy)]
pub struct Operations<'a>(&'a Accounts);

impl Accounts {
    pub fn operations(&self) -> Operations<'_> {
        Operations(self)
    }
}

impl<'a> Operations<'a> {
    /// Each store gets `READY_WAIT`: a load balancer's probe is answered within a second and
    /// names what is down, however the dependency fails.
    pub async fn readiness(self) -> Readiness {
        let bounded = |r: Result<Result<(), StoreError>, tokio::time::error::Elapsed>| {
            r.unwrap_or_else(|_| {
                Err(StoreError::Unavailable(format!("no answer within {} ms", READY_WAIT.as_millis())))
            })
        };
        let (database, ephemeral) = tokio::join!(
            tokio::time::timeout(READY_WAIT, self.0.store.ping()),
            tokio::time::timeout(READY_WAIT, self.0.ephemeral.ping())
        );
        Readiness { database: bounded(database), ephemeral_store: bounded(ephemeral) }
    }

    /// Drops expired short-lived state (Redis expires its own; SQL rows need a sweep).
    pub async fn sweep_expired(self) -> Result<u64, StoreError> {
        self.0.ephemeral.sweep().await
    }

    pub async fn migrate(self) -> Result<(), StoreError> {
        self.0.store.migrate().await
    }

    pub async fn applied_migrations(self) -> Result<Vec<String>, StoreError> {
        self.0.store.applied_migrations().await
    }

    /// (database, ephemeral store), e.g. ("sqlite", "sql") or ("postgresql", "redis").
    pub fn backends(self) -> (&'static str, &'static str) {
        (self.0.store.backend_name(), self.0.ephemeral.backend_name())
    }

    /// The argon2 pool, so benchmarks can measure one verification on its own.
    #[doc(hidden)]
    pub fn hasher(self) -> &'a PasswordHasher {
        &self.0.hasher
    }

    /// Where mail goes (an SMTP server or the file outbox), for the operator.
    pub fn mail_destination(self) -> String {
        self.0.outbox.describe()
    }

    /// For short-lived CLI processes: wait until the mail they dispatched is out.
    pub async fn flush_mail(self) {
        self.0.outbox.flush().await;
    }

    /// Closes the database pool (tests and the CLI end cleanly; SQLite checkpoints its WAL).
    pub async fn close(self) -> Result<(), StoreError> {
        self.0.store.clone().close().await
    }
}
