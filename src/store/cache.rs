//! A small per-process cache for rows read on every request and changed rarely (client
//! registrations, tenants). Entries live a few seconds by the Lanyard clock; writes made by this
//! process forget their entry at once. Another process (a second node, the CLI) is seen once the
//! entry expires: the price of not reading the database on every token request.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, RwLock};

use crate::clock::Clock;

/// A cache of users keyed by id would otherwise grow with every user who ever called userinfo.
const MAX_ENTRIES: usize = 10_000;

#[derive(Clone)]
pub struct TtlCache<K, V> {
    clock: Option<Clock>,
    ttl: i64,
    map: Arc<RwLock<HashMap<K, (i64, V)>>>,
}

impl<K, V> Default for TtlCache<K, V> {
    /// Off: every read goes to the database (the CLI, and stores built in tests).
    fn default() -> Self {
        TtlCache { clock: None, ttl: 0, map: Arc::default() }
    }
}

impl<K, V> std::fmt::Debug for TtlCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TtlCache(ttl {})", self.ttl)
    }
}

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    pub fn new(clock: Clock, ttl: i64) -> Self {
        TtlCache { clock: Some(clock), ttl, map: Arc::default() }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let now = self.clock.as_ref()?.now();
        let map = self.map.read().ok()?;
        map.get(key).filter(|(at, _)| now - at < self.ttl).map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: K, value: &V) {
        if let (Some(clock), Ok(mut map)) = (&self.clock, self.map.write()) {
            let now = clock.now();
            if map.len() >= MAX_ENTRIES {
                // Bounded whatever is looked up: drop the stale entries, or all when none is.
                map.retain(|_, (at, _)| now - *at < self.ttl);
                if map.len() >= MAX_ENTRIES {
                    map.clear();
                }
            }
            map.insert(key, (now, value.clone()));
        }
    }

    pub fn forget(&self, key: &K) {
        if let Ok(mut map) = self.map.write() {
            map.remove(key);
        }
    }
}
