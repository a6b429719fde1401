//! argon2id hashing on a bounded blocking pool, behind admission control.
//!
//! A verify costs ~18 ms of one core. Running it on an async worker would stall every other
//! request on that worker, and running unboundedly many at once would only queue them in the OS,
//! so at most `workers` hashes run at a time on tokio's blocking threads. At most `queue` more
//! wait for them; beyond that a hash is refused at once (`Overloaded`: 503 with Retry-After for
//! everybody) rather than queued for ever — an overload slows no one down more than the queue
//! allows, and locks out no provider in particular.

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::config::Argon2Settings;
use crate::secret::{Secret, random_token};

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2 parameters are invalid: {0}")]
    Params(String),
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the hashing pool is gone")]
    Pool,
    /// Every worker is busy and the queue is full: try again in a moment.
    #[error("too many password checks at once")]
    Overloaded,
}

#[derive(Clone)]
pub struct PasswordHasher {
    argon2: Argon2<'static>,
    permits: Arc<Semaphore>,
    /// Running plus waiting hashes: `workers + queue`.
    admission: Arc<Semaphore>,
    /// Verified against when the account does not exist, so both paths do the same work (L2).
    dummy_hash: Arc<str>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher").field("permits", &self.permits.available_permits()).finish()
    }
}

impl PasswordHasher {
    pub fn new(settings: Argon2Settings, workers: usize, queue: usize) -> Result<Self, HashError> {
        let params = Params::new(settings.memory_kib, settings.iterations, settings.parallelism, None)
            .map_err(|e| HashError::Params(e.to_string()))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy_hash =
            argon2.hash_password(random_token().as_bytes()).map_err(|e| HashError::Hash(e.to_string()))?.to_string();
        let workers = workers.max(1);
        Ok(PasswordHasher {
            argon2,
            permits: Arc::new(Semaphore::new(workers)),
            admission: Arc::new(Semaphore::new(workers.saturating_add(queue))),
            dummy_hash: dummy_hash.into(),
        })
    }

    /// A place among the running and waiting hashes, or `Overloaded` at once. Take it before
    /// anything that must be undone when the hash cannot run (L3's slot on the user row).
    pub fn admit(&self) -> Result<Admitted, HashError> {
        let place = self.admission.clone().try_acquire_owned().map_err(|_| HashError::Overloaded)?;
        Ok(Admitted { hasher: self.clone(), _place: place })
    }

    pub async fn hash(&self, password: &Secret) -> Result<String, HashError> {
        self.admit()?.hash(password).await
    }

    /// True only when `hash` is present and matches; see [`Admitted::verify`].
    pub async fn verify(&self, password: &Secret, hash: Option<&str>) -> Result<bool, HashError> {
        self.admit()?.verify(password, hash).await
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, HashError> {
        let _permit = self.permits.acquire().await.map_err(|_| HashError::Pool)?;
        tokio::task::spawn_blocking(work).await.map_err(|_| HashError::Pool)
    }
}

/// A hash that was let in: it waits for a worker, however long that takes.
pub struct Admitted {
    hasher: PasswordHasher,
    _place: tokio::sync::OwnedSemaphorePermit,
}

impl Admitted {
    pub async fn hash(self, password: &Secret) -> Result<String, HashError> {
        let h = &self.hasher;
        let argon2 = h.argon2.clone();
        let password = password.clone();
        h.run(move || {
            argon2
                .hash_password(password.expose().as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| HashError::Hash(e.to_string()))
        })
        .await?
    }

    /// True only when `hash` is present and matches. `None` (unknown user, no password set)
    /// still burns one full verification against the dummy hash.
    pub async fn verify(self, password: &Secret, hash: Option<&str>) -> Result<bool, HashError> {
        let h = &self.hasher;
        let (hash, real) = match hash {
            Some(stored) => (Arc::<str>::from(stored), true),
            None => (h.dummy_hash.clone(), false),
        };
        let argon2 = h.argon2.clone();
        let password = password.clone();
        let matched = h
            .run(move || {
                // A malformed stored hash verifies as "wrong password", after the same work.
                let Ok(parsed) = PasswordHash::new(&hash) else {
                    let _ = argon2.hash_password(password.expose().as_bytes());
                    return false;
                };
                argon2.verify_password(password.expose().as_bytes(), &parsed).is_ok()
            })
            .await?;
        Ok(matched && real)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> PasswordHasher {
        PasswordHasher::new(Argon2Settings { memory_kib: 64, iterations: 1, parallelism: 1 }, 2, 4).unwrap()
    }

    #[tokio::test]
    async fn beyond_workers_and_queue_a_hash_is_refused_at_once() {
        let h = PasswordHasher::new(Argon2Settings { memory_kib: 64, iterations: 1, parallelism: 1 }, 1, 1).unwrap();
        let first = h.admit().unwrap();
        let second = h.admit().unwrap();
        assert!(matches!(h.admit(), Err(HashError::Overloaded)));
        assert!(matches!(h.verify(&Secret::new("x"), None).await, Err(HashError::Overloaded)));
        drop(first);
        assert!(!h.verify(&Secret::new("x"), None).await.unwrap(), "a place came free");
        drop(second);
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = fast();
        let hash = h.hash(&Secret::new("Correct-Horse9")).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
        assert!(h.verify(&Secret::new("Correct-Horse9"), Some(&hash)).await.unwrap());
        assert!(!h.verify(&Secret::new("correct-horse9"), Some(&hash)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        let h = fast();
        assert!(!h.verify(&Secret::new("anything"), None).await.unwrap());
        assert!(!h.verify(&Secret::new("anything"), Some("not a phc string")).await.unwrap());
    }
}
