//! Whole objects in memory, bounded by bytes, least recently used out first.
//! Fifty listeners of one track read it from the object store once: loads
//! of the same object wait for the first.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::sync::OnceCell;

use crate::objects::ObjectReader;

struct Slot {
    data: Arc<OnceCell<Bytes>>,
    used: u64,
}

/// See the module docs.
pub struct ObjectCache {
    store: ObjectReader,
    capacity: u64,
    slots: Mutex<(HashMap<String, Slot>, u64)>,
}

impl ObjectCache {
    /// A cache of `store`'s objects holding at most `capacity` bytes.
    pub fn new(store: ObjectReader, capacity: u64) -> Self {
        Self { store, capacity, slots: Mutex::new((HashMap::new(), 0)) }
    }

    /// The whole object `name`, from memory or the object store.
    pub async fn get(&self, name: &str) -> anyhow::Result<Bytes> {
        let cell = {
            let mut guard = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            let (slots, clock) = &mut *guard;
            *clock += 1;
            let now = *clock;
            // A hit (every chunk after the first) allocates nothing.
            match slots.get_mut(name) {
                Some(slot) => {
                    slot.used = now;
                    slot.data.clone()
                }
                None => {
                    let data: Arc<OnceCell<Bytes>> = Arc::default();
                    slots.insert(name.to_string(), Slot { data: data.clone(), used: now });
                    data
                }
            }
        };
        if let Some(data) = cell.get() {
            return Ok(data.clone());
        }
        let data = match cell.get_or_try_init(|| self.store.read(name)).await {
            Ok(data) => data.clone(),
            Err(e) => {
                // Names come from clients: a name that fails to load must not keep a slot.
                let mut guard = self.slots.lock().unwrap_or_else(|p| p.into_inner());
                if guard.0.get(name).is_some_and(|s| s.data.get().is_none()) {
                    guard.0.remove(name);
                }
                return Err(e);
            }
        };
        // Only a load adds bytes: only then can the cache be over its bound.
        self.evict();
        Ok(data)
    }

    /// Drop the least recently used objects until the loaded ones fit.
    fn evict(&self) {
        let mut guard = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let (slots, _) = &mut *guard;
        let size = |s: &Slot| s.data.get().map_or(0, |b| b.len() as u64);
        let mut total: u64 = slots.values().map(size).sum();
        while total > self.capacity {
            let Some(oldest) = slots
                .iter()
                .filter(|(_, s)| s.data.get().is_some())
                .min_by_key(|(_, s)| s.used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(s) = slots.remove(&oldest) {
                total -= size(&s);
            }
        }
    }
}
