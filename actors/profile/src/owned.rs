//! Every playlist by owner, in memory: a projection of the `playlist.*` records.

use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;

use chorus_nats::messages::profile::Playlist;
use chorus_nats::Encoding;
use chorus_state::{Change, Projection, View};
use futures::future::BoxFuture;
use uuid::Uuid;

/// See the module docs.
#[derive(Default)]
pub(crate) struct Owned {
    by_owner: RwLock<HashMap<Uuid, BTreeMap<Uuid, Playlist>>>,
}

impl Owned {
    /// `owner`'s playlists, newest first (ids are uuid v7).
    pub(crate) fn of(&self, owner: Uuid) -> Vec<Playlist> {
        let map = self.by_owner.read().unwrap_or_else(|p| p.into_inner());
        map.get(&owner).map(|p| p.values().rev().cloned().collect()).unwrap_or_default()
    }
}

impl Projection for Owned {
    fn apply<'a>(&'a self, _: &'a View, changes: Vec<Change>, _: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let mut map = self.by_owner.write().unwrap_or_else(|p| p.into_inner());
            for change in changes {
                let Some(id) = change.key.strip_prefix("playlist.").and_then(|id| Uuid::parse_str(id).ok()) else {
                    continue;
                };
                for lists in map.values_mut() {
                    lists.remove(&id);
                }
                if let Some(value) = change.value {
                    let mut p: Playlist = Encoding::MsgPack.decode(&value)?;
                    p.revision = change.revision;
                    map.entry(p.owner).or_default().insert(id, p);
                }
            }
            Ok(())
        })
    }

    fn restore<'a>(&'a self, _: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}
