//! Every radio as `chorus_recommend_radio` has it, in memory, on every
//! instance: `radio.next` reads its radio here and writes it back against
//! the revision it read, one JetStream round trip instead of two. The
//! bucket stays the record: a write against a revision another instance
//! (or the bucket's expiry) moved on fails, and the handler reads the
//! bucket itself then.

use std::sync::RwLock;
use std::time::{Duration, Instant};

use chorus_nats::messages::recommend::RadioSeed;
use chorus_state::{Change, Projection, View};
use futures::future::BoxFuture;
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A radio as kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Radio {
    pub(crate) user: Uuid,
    pub(crate) seed: RadioSeed,
    pub(crate) seed_tracks: Vec<Uuid>,
    pub(crate) adventurousness: f32,
    /// Every track given, oldest first.
    pub(crate) given: Vec<Uuid>,
    /// Given and skipped.
    pub(crate) skipped: Vec<Uuid>,
    pub(crate) batches: u64,
}

/// A radio's key in the bucket.
pub(crate) fn key(id: Uuid) -> String {
    format!("radio.{id}")
}

struct Known {
    radio: Radio,
    revision: u64,
    seen: Instant,
}

/// See the module docs.
pub(crate) struct Radios {
    /// How long a radio lives after its last batch (the bucket's max age).
    ttl: Duration,
    known: RwLock<HashMap<Uuid, Known>>,
    swept: RwLock<Instant>,
}

impl Radios {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self { ttl, known: RwLock::default(), swept: RwLock::new(Instant::now()) }
    }

    /// The radio and its revision as last seen here; none when unknown or
    /// past its lifetime (the bucket has dropped it by then).
    pub(crate) fn get(&self, id: Uuid) -> Option<(Radio, u64)> {
        let known = self.known.read().unwrap_or_else(|p| p.into_inner());
        known.get(&id).filter(|k| k.seen.elapsed() < self.ttl).map(|k| (k.radio.clone(), k.revision))
    }

    /// `radio` is at `revision` in the bucket (an older revision changes nothing).
    pub(crate) fn note(&self, id: Uuid, radio: Radio, revision: u64) {
        let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
        match known.get(&id) {
            Some(k) if k.revision >= revision => {}
            _ => {
                known.insert(id, Known { radio, revision, seen: Instant::now() });
            }
        }
    }

    /// Whether the radio is known here at `revision` or later.
    fn knows(&self, id: Uuid, revision: u64) -> bool {
        let known = self.known.read().unwrap_or_else(|p| p.into_inner());
        known.get(&id).is_some_and(|k| k.revision >= revision)
    }

    fn forget(&self, id: Uuid) {
        self.known.write().unwrap_or_else(|p| p.into_inner()).remove(&id);
    }

    /// Drop the radios past their lifetime, at most every tenth of it.
    fn sweep(&self) {
        if self.swept.read().unwrap_or_else(|p| p.into_inner()).elapsed() < self.ttl / 10 {
            return;
        }
        *self.swept.write().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        self.known.write().unwrap_or_else(|p| p.into_inner()).retain(|_, k| k.seen.elapsed() < self.ttl);
    }
}

impl Projection for Radios {
    fn apply<'a>(&'a self, _: &'a View, changes: Vec<Change>, _: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            for change in changes {
                let Some(id) = change.key.strip_prefix("radio.").and_then(|id| id.parse::<Uuid>().ok()) else {
                    continue;
                };
                // Most changes are this instance's own writes, noted when
                // they were acknowledged: nothing to decode.
                if change.value.is_some() && self.knows(id, change.revision) {
                    continue;
                }
                match change.decode::<Radio>() {
                    Some(radio) => self.note(id, radio, change.revision),
                    None => self.forget(id),
                }
            }
            self.sweep();
            Ok(())
        })
    }

    fn restore<'a>(&'a self, _: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}
