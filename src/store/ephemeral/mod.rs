//! Short-lived state (sessions, pending authorizations, codes, counters, hand-offs) behind one
//! contract with two backends: the SQL database (default) or Redis (scale-out).
//!
//! Expiry is judged by Lanyard's [`Clock`], not the backend's: a manual clock in a test expires
//! a Redis entry exactly as it expires a SQL row. Backend TTLs only collect garbage.

mod redis_backend;
mod sql_backend;

use crate::clock::Clock;
use crate::secret::{token_hash, token_order};

use super::{Store, StoreError};
use redis_backend::RedisEphemeral;
use sql_backend::SqlEphemeral;

/// A key named by a field of a stored JSON value: `prefix` + the field's value.
#[derive(Clone, Copy, Debug)]
pub struct Follow<'a> {
    pub prefix: &'a str,
    /// A dotted path into the value: `grant_id`, `subject.user_id`.
    pub field: &'a str,
}

impl Follow<'_> {
    /// The key each of `follow` names in `json`, where its field holds a string or a number.
    pub(super) fn keys_in(follow: &[Follow<'_>], json: &str) -> Vec<Option<String>> {
        let doc: Option<serde_json::Value> = serde_json::from_str(json).ok();
        follow.iter().map(|f| doc.as_ref().and_then(|doc| f.key_in(doc))).collect()
    }

    fn key_in(&self, doc: &serde_json::Value) -> Option<String> {
        match self.field.split('.').try_fold(doc, |v, part| v.get(part))? {
            serde_json::Value::String(s) => Some(format!("{}{s}", self.prefix)),
            serde_json::Value::Number(n) => Some(format!("{}{n}", self.prefix)),
            _ => None,
        }
    }
}

/// What [`Ephemeral::get_following`] read: the value, and what each `Follow` named (in order).
#[derive(Debug, PartialEq, Eq)]
pub struct Followed {
    pub value: String,
    pub values: Vec<Option<String>>,
}

#[derive(Clone)]
pub enum Ephemeral {
    Sql(SqlEphemeral),
    Redis(RedisEphemeral),
}

impl std::fmt::Debug for Ephemeral {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.backend_name())
    }
}

impl Ephemeral {
    pub fn sql(store: Store, clock: Clock) -> Self {
        Ephemeral::Sql(SqlEphemeral::new(store, clock))
    }

    /// `prefix` namespaces every key, so several deployments (or test runs) share one Redis.
    pub async fn redis(url: &str, prefix: &str, clock: Clock) -> Result<Self, StoreError> {
        Ok(Ephemeral::Redis(RedisEphemeral::connect(url, prefix, clock).await?))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Ephemeral::Sql(_) => "sql",
            Ephemeral::Redis(_) => "redis",
        }
    }

    /// The key under which state named by a secret is kept: only its hash is stored.
    pub fn secret_key(namespace: &str, secret: &str) -> String {
        format!("{namespace}:{}", token_hash(secret))
    }

    /// The key for state named by a code or token. On SQLite, for a token made by
    /// `secret::ordered_token`, it begins with the token's time, so keys made together sit together
    /// at the end of the key index. Elsewhere, and for any other secret (an older token, a JWT, a
    /// guess), the plain [`Ephemeral::secret_key`]: Redis has no index to keep in order, and on a
    /// shared PostgreSQL or Redis a node of the previous release, during a rolling upgrade, still
    /// finds what a newer node wrote.
    pub fn token_key(&self, namespace: &str, token: &str) -> String {
        match (self, token_order(token)) {
            (Ephemeral::Sql(s), Some(order)) if s.is_sqlite() => format!("{namespace}:{order}{}", token_hash(token)),
            _ => Self::secret_key(namespace, token),
        }
    }

    /// Whether two writes sent one after the other, without waiting for the first's answer, take
    /// effect in that order: Redis's one connection and SQLite's writer queue keep it; pooled
    /// PostgreSQL connections do not.
    pub fn writes_in_order(&self) -> bool {
        match self {
            Ephemeral::Sql(s) => s.writes_in_order(),
            Ephemeral::Redis(_) => true,
        }
    }

    /// Stores `value` for `ttl` seconds, replacing any earlier value (and resetting a counter).
    pub async fn put(&self, key: &str, value: &str, ttl: i64) -> Result<(), StoreError> {
        match self {
            Ephemeral::Sql(s) => s.put(key, value, ttl).await,
            Ephemeral::Redis(r) => r.put(key, value, ttl).await,
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self {
            Ephemeral::Sql(s) => s.get(key).await,
            Ephemeral::Redis(r) => r.get(key).await,
        }
    }

    /// Several values in one round trip (absent or expired ones are `None`), in `keys` order.
    pub async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        match self {
            Ephemeral::Sql(s) => s.get_many(keys).await,
            Ephemeral::Redis(r) => r.get_many(keys).await,
        }
    }

    /// A JSON value and, in the same round trip, the values it names: for each `(prefix, field)`
    /// of `follow`, the value under `prefix` followed by the value's `field` (a dotted path to a
    /// string or a number; absent, null or anything else names nothing and reads `None`).
    /// `None` when `key` itself is absent or expired.
    pub async fn get_following(&self, key: &str, follow: &[Follow<'_>]) -> Result<Option<Followed>, StoreError> {
        match self {
            Ephemeral::Sql(s) => s.get_following(key, follow).await,
            Ephemeral::Redis(r) => r.get_following(key, follow).await,
        }
    }

    /// Atomic single use: of any number of concurrent callers, exactly one gets the value.
    pub async fn take(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self {
            Ephemeral::Sql(s) => s.take(key).await,
            Ephemeral::Redis(r) => r.take(key).await,
        }
    }

    /// Atomic compare-and-take: removes the value only if it is still `expected` (a replaced
    /// value — a new reset token, say — is left alone). True for the one caller that took it.
    pub async fn take_if(&self, key: &str, expected: &str) -> Result<bool, StoreError> {
        match self {
            Ephemeral::Sql(s) => s.take_if(key, expected).await,
            Ephemeral::Redis(r) => r.take_if(key, expected).await,
        }
    }

    /// Atomically adds one and returns the new count. The window of `ttl` seconds starts at the
    /// first increment; once it has passed the count starts again from 1.
    pub async fn incr(&self, key: &str, ttl: i64) -> Result<i64, StoreError> {
        match self {
            Ephemeral::Sql(s) => s.incr(key, ttl).await,
            Ephemeral::Redis(r) => r.incr(key, ttl).await,
        }
    }

    /// The current count (0 when absent or expired).
    pub async fn count(&self, key: &str) -> Result<i64, StoreError> {
        match self {
            Ephemeral::Sql(s) => s.count(key).await,
            Ephemeral::Redis(r) => r.count(key).await,
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self {
            Ephemeral::Sql(s) => s.delete(key).await,
            Ephemeral::Redis(r) => r.delete(key).await,
        }
    }

    /// Removes expired rows (SQL only; Redis expires keys itself). Returns how many went.
    pub async fn sweep(&self) -> Result<u64, StoreError> {
        match self {
            Ephemeral::Sql(s) => s.sweep().await,
            Ephemeral::Redis(_) => Ok(0),
        }
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Ephemeral::Sql(s) => s.ping().await,
            Ephemeral::Redis(r) => r.ping().await,
        }
    }
}
