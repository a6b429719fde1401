//! RFC 7591 `jwks_uri`: the keys of a `private_key_jwt` client that publishes them at a URL,
//! fetched through the public-only client (`backchannel::http_client`: no redirects, short
//! timeouts, no loopback or private addresses outside development), read within a size limit,
//! checked for shape as a registration's `jwks` is, and cached per process for `FRESH_SECS`. A
//! client that rotated its keys is asked again when an assertion names a `kid` the cache does
//! not know — at most once per `REFETCH_SECS`, so unknown `kid`s cannot turn Lanyard into a
//! request amplifier; a fetch that failed is not tried again within `REFETCH_SECS` either (a
//! request object at `/authorize` needs no authentication to ask for one).

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

use crate::domain::client_keys::{MAX_JWKS_BYTES, check_jwks};

/// How long fetched keys are used before they are fetched again.
const FRESH_SECS: i64 = 300;
/// The least time between two fetches for one client.
const REFETCH_SECS: i64 = 10;

#[derive(Debug, Default)]
pub struct JwksCache {
    /// (client id, URI) → (the keys, when fetched).
    entries: Mutex<HashMap<(String, String), (Value, i64)>>,
    /// (client id, URI) → when a fetch last failed.
    failures: Mutex<HashMap<(String, String), i64>>,
}

/// Why a client's keys could not be had.
#[derive(Debug, thiserror::Error)]
#[error("jwks_uri: {0}")]
pub struct FetchError(pub String);

impl JwksCache {
    fn cached(&self, key: &(String, String)) -> Option<(Value, i64)> {
        self.entries.lock().ok()?.get(key).cloned()
    }

    /// The client's keys at `uri`: cached while fresh, fetched otherwise; `again` asks for a
    /// fetch now (an unknown `kid`), unless the last was under `REFETCH_SECS` ago.
    pub async fn keys(
        &self,
        http: &reqwest::Client,
        client_id: &str,
        uri: &str,
        now: i64,
        again: bool,
    ) -> Result<Value, FetchError> {
        let key = (client_id.to_string(), uri.to_string());
        if let Some((keys, at)) = self.cached(&key) {
            let fresh = now - at < FRESH_SECS;
            let recent = now - at < REFETCH_SECS;
            if (fresh && !again) || recent {
                return Ok(keys);
            }
        }
        let failed_at = self.failures.lock().ok().and_then(|f| f.get(&key).copied());
        if failed_at.is_some_and(|at| now - at < REFETCH_SECS) {
            return Err(FetchError("failed moments ago; not asked again yet".into()));
        }
        let keys = match fetch(http, uri).await {
            Ok(keys) => keys,
            Err(e) => {
                if let Ok(mut failures) = self.failures.lock() {
                    // Bounded by the registered clients, as the entries are.
                    failures.retain(|(id, u), _| id != client_id || u == uri);
                    failures.insert(key, now);
                }
                return Err(e);
            }
        };
        if let Ok(mut entries) = self.entries.lock() {
            // Bounded by the registered clients; a client's old URI goes when it changes.
            entries.retain(|(id, u), _| id != client_id || u == uri);
            entries.insert(key, (keys.clone(), now));
        }
        Ok(keys)
    }
}

async fn fetch(http: &reqwest::Client, uri: &str) -> Result<Value, FetchError> {
    let mut res = http
        .get(uri)
        .header(reqwest::header::ACCEPT, "application/json, application/jwk-set+json")
        .send()
        .await
        .map_err(|e| FetchError(e.to_string()))?;
    if !res.status().is_success() {
        return Err(FetchError(format!("answered {}", res.status())));
    }
    if res.content_length().is_some_and(|n| n > MAX_JWKS_BYTES as u64) {
        return Err(FetchError(format!("larger than {MAX_JWKS_BYTES} bytes")));
    }
    // Read within the limit whatever the headers said.
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(|e| FetchError(e.to_string()))? {
        if body.len() + chunk.len() > MAX_JWKS_BYTES {
            return Err(FetchError(format!("larger than {MAX_JWKS_BYTES} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    let keys: Value = serde_json::from_slice(&body).map_err(|e| FetchError(format!("not JSON: {e}")))?;
    check_jwks(&keys).map_err(|e| FetchError(e.to_string()))?;
    Ok(keys)
}
