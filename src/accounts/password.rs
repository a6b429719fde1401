//! argon2id hashing on a fixed set of hash threads, behind admission control.
//!
//! A verify costs ~18–40 ms of one core and 19 MiB of memory. Running it on an async worker
//! would stall every other request on that worker, so it runs on `workers` threads of its own,
//! each of which reuses one argon2 memory block for every hash while work keeps coming: a login
//! flood needs `workers` × 19 MiB, instead of a fresh block per hash on elastic blocking threads
//! that the allocator kept long after the flood (805 MiB before this, measured with
//! `benches/login_flood.sh`). At most `queue` more
//! hashes wait for a thread; beyond that a hash is refused at once (`Overloaded`: 503 with
//! Retry-After for everybody) rather than queued for ever — an overload slows no one down more
//! than the queue allows, and locks out no provider in particular.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::config::Argon2Settings;
use crate::secret::{Secret, constant_time_eq, random_bytes, random_token};

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

/// One hash, run on a hash thread with that thread's memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    jobs: mpsc::Sender<Job>,
    /// Running plus waiting hashes: `workers + queue`.
    admission: Arc<Semaphore>,
    capacity: usize,
    /// Verified against when the account does not exist, so both paths do the same work (L2).
    dummy_hash: Arc<str>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher").field("admission", &self.admission.available_permits()).finish()
    }
}

/// A PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) for `password`, computed in `memory`.
fn hash_in(params: &Params, password: &[u8], memory: &mut Vec<Block>) -> Result<String, HashError> {
    let fail = |e: &dyn std::fmt::Display| HashError::Hash(e.to_string());
    let salt = random_bytes::<16>();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    fit(memory, params.block_count());
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, &salt, &mut out, memory.as_mut_slice())
        .map_err(|e| fail(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| fail(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| fail(&e))?),
        hash: Some(Output::new(&out).map_err(|e| fail(&e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored`, computed in `memory` with the string's
/// own algorithm and parameters (hashes made under older settings still verify). A string that
/// does not parse is `None`.
fn verify_in(password: &[u8], stored: &str, memory: &mut Vec<Block>) -> Option<bool> {
    let parsed = PasswordHash::new(stored).ok()?;
    let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).ok()?;
    let version = parsed.version.map(Version::try_from).transpose().ok()?.unwrap_or_default();
    let params = Params::try_from(&parsed).ok()?;
    let (salt, expected) = (parsed.salt?, parsed.hash?);
    let mut out = vec![0u8; expected.len()];
    fit(memory, params.block_count());
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, &salt, &mut out, memory.as_mut_slice())
        .ok()?;
    Some(constant_time_eq(&out, expected.as_bytes()))
}

/// At least `blocks` blocks: grown once for a stored hash with a larger memory cost.
fn fit(memory: &mut Vec<Block>, blocks: usize) {
    if memory.len() < blocks {
        memory.resize(blocks, Block::new());
    }
}

impl PasswordHasher {
    pub fn new(settings: Argon2Settings, workers: usize, queue: usize) -> Result<Self, HashError> {
        let params = Params::new(settings.memory_kib, settings.iterations, settings.parallelism, None)
            .map_err(|e| HashError::Params(e.to_string()))?;
        let dummy_hash = hash_in(&params, random_token().as_bytes(), &mut Vec::new())?;
        let workers = workers.max(1);
        let (jobs, inbox) = mpsc::channel::<Job>();
        let inbox = Arc::new(Mutex::new(inbox));
        for i in 0..workers {
            let inbox = inbox.clone();
            let blocks = params.block_count();
            std::thread::Builder::new()
                .name(format!("lanyard-hash-{i}"))
                .spawn(move || hash_thread(&inbox, blocks))
                .map_err(|e| HashError::Hash(format!("cannot start a hash thread: {e}")))?;
        }
        Ok(PasswordHasher {
            params,
            jobs,
            admission: Arc::new(Semaphore::new(workers.saturating_add(queue))),
            capacity: workers.saturating_add(queue),
            dummy_hash: dummy_hash.into(),
        })
    }

    /// A place among the running and waiting hashes, or `Overloaded` at once. Take it before
    /// anything that must be undone when the hash cannot run (L3's slot on the user row).
    pub fn admit(&self) -> Result<Admitted, HashError> {
        let Ok(place) = self.admission.clone().try_acquire_owned() else {
            crate::telemetry::metrics::hash_overloaded();
            return Err(HashError::Overloaded);
        };
        crate::telemetry::metrics::hash_in_flight(self.capacity - self.admission.available_permits());
        Ok(Admitted { hasher: self.clone(), _place: place })
    }

    pub async fn hash(&self, password: &Secret) -> Result<String, HashError> {
        self.admit()?.hash(password).await
    }

    /// True only when `hash` is present and matches; see [`Admitted::verify`].
    pub async fn verify(&self, password: &Secret, hash: Option<&str>) -> Result<bool, HashError> {
        self.admit()?.verify(password, hash).await
    }

    /// Runs `work` on a hash thread and waits for it. The work runs to the end even if the
    /// waiting request goes away.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let queued = crate::clock::monotonic_now();
        let job: Job = Box::new(move |memory| {
            crate::telemetry::metrics::hash_waited(queued.elapsed());
            let _ = done.send(work(memory));
        });
        self.jobs.send(job).map_err(|_| HashError::Pool)?;
        result.await.map_err(|_| HashError::Pool)
    }
}

/// A hash thread: takes jobs until every `PasswordHasher` is dropped. Its memory is allocated
/// at the first job and reused while jobs keep coming (argon2 writes every block before it reads
/// it, so nothing carries over between hashes); after `IDLE` without work it is cleared and given
/// back, so no password-derived state lingers and an idle server holds no hash memory.
fn hash_thread(inbox: &Mutex<mpsc::Receiver<Job>>, blocks: usize) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let next = match inbox.lock() {
            Ok(rx) => rx.recv_timeout(IDLE),
            Err(_) => return,
        };
        match next {
            Ok(job) => {
                fit(&mut memory, blocks);
                job(&mut memory);
            }
            Err(mpsc::RecvTimeoutError::Timeout) if !memory.is_empty() => {
                memory.fill(Block::new());
                memory = Vec::new();
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// How long a hash thread keeps its memory without work.
const IDLE: std::time::Duration = std::time::Duration::from_secs(1);

/// A hash that was let in: it waits for a worker, however long that takes.
pub struct Admitted {
    hasher: PasswordHasher,
    _place: tokio::sync::OwnedSemaphorePermit,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        // This place is still held until the fields drop, hence the one less.
        let h = &self.hasher;
        crate::telemetry::metrics::hash_in_flight(h.capacity.saturating_sub(h.admission.available_permits() + 1));
    }
}

impl Admitted {
    pub async fn hash(self, password: &Secret) -> Result<String, HashError> {
        let params = self.hasher.params.clone();
        let password = password.clone();
        self.hasher.run(move |memory| hash_in(&params, password.expose().as_bytes(), memory)).await?
    }

    /// True only when `hash` is present and matches. `None` (unknown user, no password set)
    /// still burns one full verification against the dummy hash.
    pub async fn verify(self, password: &Secret, hash: Option<&str>) -> Result<bool, HashError> {
        let h = &self.hasher;
        let (hash, real) = match hash {
            Some(stored) => (Arc::<str>::from(stored), true),
            None => (h.dummy_hash.clone(), false),
        };
        let (params, password) = (h.params.clone(), password.clone());
        let matched = h
            .run(move |memory| match verify_in(password.expose().as_bytes(), &hash, memory) {
                Some(matched) => matched,
                // A malformed stored hash verifies as "wrong password", after the same work.
                None => {
                    let _ = hash_in(&params, password.expose().as_bytes(), memory);
                    false
                }
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

    #[tokio::test]
    async fn hashes_made_elsewhere_and_under_other_settings_verify() {
        use argon2::password_hash::PasswordHasher as _;
        // Made by the argon2 crate's own hasher with other costs (an older configuration).
        let params = Params::new(128, 2, 1, None).unwrap();
        let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let stored = other.hash_password(b"Older-Setting-1").unwrap().to_string();
        let h = fast();
        assert!(h.verify(&Secret::new("Older-Setting-1"), Some(&stored)).await.unwrap());
        assert!(!h.verify(&Secret::new("Older-Setting-2"), Some(&stored)).await.unwrap());
        // And ours verify with the crate's verifier.
        use argon2::password_hash::PasswordVerifier as _;
        let ours = h.hash(&Secret::new("Ours-1")).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"Ours-1", &parsed).is_ok());
    }
}
