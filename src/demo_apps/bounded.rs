//! The demo applications keep pending sign-ins and sessions in memory. Anyone can start a
//! sign-in, so each map keeps at most a fixed number of entries and forgets the oldest first:
//! a stranger's flood costs the demo its oldest pending sign-ins, never the process its memory.

use std::collections::{HashMap, VecDeque};

pub struct Bounded<V> {
    cap: usize,
    map: HashMap<String, V>,
    /// Keys in insertion order; may still hold keys removed since (skipped when evicting).
    order: VecDeque<String>,
}

impl<V> Bounded<V> {
    pub fn new(cap: usize) -> Self {
        Bounded { cap: cap.max(1), map: HashMap::new(), order: VecDeque::new() }
    }

    pub fn insert(&mut self, key: String, value: V) {
        if self.map.insert(key.clone(), value).is_none() {
            self.order.push_back(key);
        }
        while self.map.len() > self.cap {
            let Some(oldest) = self.order.pop_front() else { break };
            self.map.remove(&oldest);
        }
        // Removed keys linger in `order` until evicted; keep it within twice the map.
        if self.order.len() > 2 * self.cap {
            let map = &self.map;
            self.order.retain(|k| map.contains_key(k));
        }
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        self.map.get(key)
    }

    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.map.remove(key)
    }

    pub fn retain(&mut self, keep: impl FnMut(&String, &mut V) -> bool) {
        self.map.retain(keep);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_at_most_cap_entries_and_forgets_the_oldest() {
        let mut m = Bounded::new(3);
        for i in 0..10 {
            m.insert(format!("k{i}"), i);
        }
        assert_eq!(m.len(), 3);
        assert!(m.get("k6").is_none() && m.get("k7") == Some(&7) && m.get("k9") == Some(&9));
        // Insert-and-remove cycles do not grow the bookkeeping either.
        for i in 0..1000 {
            m.insert(format!("x{i}"), i);
            m.remove(&format!("x{i}"));
        }
        assert!(m.order.len() <= 6, "{}", m.order.len());
    }
}
