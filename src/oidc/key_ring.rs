//! The signing keys in use: loaded from the database (sealed at rest), rotated on command,
//! reloaded periodically so every node of a scale-out deployment signs with the same keys.

use std::sync::{Arc, RwLock};

use serde_json::{Value, json};

use super::keys::{Alg, KeyError, SigningKey};
use crate::clock::Clock;
use crate::secret::Sealer;
use crate::store::{Store, StoreError, StoredKey};

const SEAL_PURPOSE: &str = "lanyard signing key";

#[derive(Debug, thiserror::Error)]
pub enum RingError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("signing key {0} cannot be unsealed: is key_encryption_key the one it was sealed with?")]
    Unseal(String),
}

struct Live {
    key: Arc<SigningKey>,
    active_from: i64,
}

struct Snapshot {
    keys: Vec<Live>,
    /// Serialised once per reload: `/jwks` is served from these bytes (a clone is a count).
    jwks: axum::body::Bytes,
}

pub struct KeyRing {
    /// Where the sealed keys rest: the key ring is the only user of these rows.
    key_rows: Store,
    sealer: Sealer,
    clock: Clock,
    current: RwLock<Arc<Snapshot>>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyRing")
    }
}

/// What `lanyard keys list` shows.
#[derive(Debug, serde::Serialize)]
pub struct KeyInfo {
    pub kid: String,
    pub alg: String,
    pub created_at: i64,
    pub active_from: i64,
    pub retire_at: Option<i64>,
}

impl KeyRing {
    /// Loads the live keys, generating one per algorithm on first start.
    pub async fn load(store: Store, sealer: Sealer, clock: Clock) -> Result<Self, RingError> {
        let ring = KeyRing {
            key_rows: store,
            sealer,
            clock,
            current: RwLock::new(Arc::new(Snapshot {
                keys: vec![],
                jwks: axum::body::Bytes::from_static(b"{\"keys\":[]}"),
            })),
        };
        let stored = ring.key_rows.live_signing_keys(ring.clock.now()).await?;
        for alg in Alg::ALL {
            if !stored.iter().any(|k| k.alg == alg.as_str()) {
                ring.add(alg, 0).await?;
            }
        }
        ring.reload().await?;
        Ok(ring)
    }

    pub async fn reload(&self) -> Result<(), RingError> {
        let now = self.clock.now();
        let mut keys = Vec::new();
        for stored in self.key_rows.live_signing_keys(now).await? {
            let Some(alg) = Alg::parse(&stored.alg) else { continue };
            let pkcs8 = self
                .sealer
                .open(SEAL_PURPOSE, &stored.sealed_private_key)
                .ok_or_else(|| RingError::Unseal(stored.kid.clone()))?;
            keys.push(Live { key: Arc::new(SigningKey::from_pkcs8(alg, &pkcs8)?), active_from: stored.active_from });
        }
        let jwks = json!({ "keys": keys.iter().map(|l| l.key.public_jwk.clone()).collect::<Vec<Value>>() }).to_string();
        if let Ok(mut guard) = self.current.write() {
            *guard = Arc::new(Snapshot { keys, jwks: jwks.into_bytes().into() });
        }
        Ok(())
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The newest key of `alg` that is already active.
    pub fn signer(&self, alg: Alg) -> Option<Arc<SigningKey>> {
        let now = self.clock.now();
        let snap = self.snapshot();
        snap.keys
            .iter()
            .filter(|l| l.key.alg == alg && l.active_from <= now)
            .max_by_key(|l| l.active_from)
            .map(|l| l.key.clone())
    }

    pub fn by_kid(&self, kid: &str) -> Option<Arc<SigningKey>> {
        self.snapshot().keys.iter().find(|l| l.key.kid == kid).map(|l| l.key.clone())
    }

    /// Every key that may still verify a live token, including ones not yet signing (so relying
    /// parties have cached them before the switch).
    pub fn jwks(&self) -> axum::body::Bytes {
        self.snapshot().jwks.clone()
    }

    /// Adds a key of `alg` that signs from `now + grace`; the older keys of that alg retire once
    /// every token they signed has expired (`grace + longest token lifetime`).
    pub async fn rotate(&self, alg: Alg, grace: i64, longest_token_lifetime: i64) -> Result<KeyInfo, RingError> {
        let info = self.add(alg, grace).await?;
        self.key_rows.retire_signing_keys(alg.as_str(), &info.kid, info.active_from + longest_token_lifetime).await?;
        self.reload().await?;
        Ok(info)
    }

    /// Scheduled rotation (`key_rotation_days`): each algorithm whose newest key is `period`
    /// seconds old gets a new key, signing after `grace`; the older ones retire once every token
    /// they signed has expired. Once across every node: each node that finds the key due makes
    /// one, but stores it only in the transaction that claims the old key's retirement, which
    /// one node alone can win — no other node's key is ever seen. `period` 0: by hand only.
    pub async fn rotate_due(
        &self,
        period: i64,
        grace: i64,
        longest_token_lifetime: i64,
    ) -> Result<Vec<KeyInfo>, RingError> {
        if period <= 0 {
            return Ok(Vec::new());
        }
        let now = self.clock.now();
        let stored = self.key_rows.live_signing_keys(now).await?;
        let mut added = Vec::new();
        for alg in Alg::ALL {
            let newest = stored.iter().filter(|k| k.alg == alg.as_str()).max_by_key(|k| k.created_at);
            let Some(newest) = newest.filter(|k| now - k.created_at >= period) else { continue };
            let (stored, info) = self.generate(alg, grace)?;
            let retire_at = info.active_from + longest_token_lifetime;
            if self.key_rows.replace_signing_key(&newest.kid, stored, retire_at).await? {
                tracing::info!(kid = %info.kid, alg = %info.alg, replaces = %newest.kid, "signing key rotated on schedule");
                added.push(info);
            }
        }
        if !added.is_empty() {
            self.reload().await?;
        }
        Ok(added)
    }

    async fn add(&self, alg: Alg, grace: i64) -> Result<KeyInfo, RingError> {
        let (stored, info) = self.generate(alg, grace)?;
        self.key_rows.insert_signing_key(stored).await?;
        tracing::info!(kid = %info.kid, alg = %info.alg, "signing key added");
        Ok(info)
    }

    /// A new key of `alg`, sealed, signing from `now + grace`; not stored yet.
    fn generate(&self, alg: Alg, grace: i64) -> Result<(StoredKey, KeyInfo), RingError> {
        let (key, pkcs8) = SigningKey::generate(alg)?;
        let now = self.clock.now();
        let stored = StoredKey {
            kid: key.kid.clone(),
            alg: alg.as_str().into(),
            sealed_private_key: self.sealer.seal(SEAL_PURPOSE, &pkcs8),
            public_jwk: key.public_jwk.to_string(),
            created_at: now,
            active_from: now + grace,
            retire_at: None,
        };
        let info = KeyInfo {
            kid: stored.kid.clone(),
            alg: stored.alg.clone(),
            created_at: now,
            active_from: now + grace,
            retire_at: None,
        };
        Ok((stored, info))
    }

    pub async fn list(&self) -> Result<Vec<KeyInfo>, RingError> {
        let stored = self.key_rows.live_signing_keys(self.clock.now()).await?;
        Ok(stored
            .into_iter()
            .map(|s| KeyInfo {
                kid: s.kid,
                alg: s.alg,
                created_at: s.created_at,
                active_from: s.active_from,
                retire_at: s.retire_at,
            })
            .collect())
    }
}
