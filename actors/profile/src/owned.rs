//! Every playlist by owner, in memory, without track ids: a projection of
//! the `playlist.*` records, from which lists are paged and caps counted.

use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;

use chorus_nats::messages::profile::{Playlist, PlaylistSummary};
use chorus_state::{Change, Projection, View};
use futures::future::BoxFuture;
use uuid::Uuid;

#[derive(Default)]
struct Index {
    by_owner: HashMap<Uuid, BTreeMap<Uuid, PlaylistSummary>>,
    /// playlist → owner, so a change finds its entry without a scan of every owner.
    owner_of: HashMap<Uuid, Uuid>,
}

/// See the module docs.
#[derive(Default)]
pub(crate) struct Owned {
    index: RwLock<Index>,
}

impl Owned {
    /// How many playlists `owner` has.
    pub(crate) fn count(&self, owner: Uuid) -> usize {
        let index = self.index.read().unwrap_or_else(|p| p.into_inner());
        index.by_owner.get(&owner).map_or(0, BTreeMap::len)
    }

    /// The ids of `owner`'s playlists.
    pub(crate) fn ids(&self, owner: Uuid) -> Vec<Uuid> {
        let index = self.index.read().unwrap_or_else(|p| p.into_inner());
        index.by_owner.get(&owner).map(|lists| lists.keys().copied().collect()).unwrap_or_default()
    }

    /// Up to `limit` of `owner`'s playlists older than `before` (all when
    /// none), newest first (ids are uuid v7), and whether more follow.
    pub(crate) fn page(&self, owner: Uuid, before: Option<Uuid>, limit: usize) -> (Vec<PlaylistSummary>, bool) {
        let index = self.index.read().unwrap_or_else(|p| p.into_inner());
        let Some(lists) = index.by_owner.get(&owner) else { return (Vec::new(), false) };
        let older = match before {
            Some(b) => lists.range(..b),
            None => lists.range(..),
        };
        let mut page: Vec<PlaylistSummary> = older.rev().take(limit + 1).map(|(_, p)| p.clone()).collect();
        let more = page.len() > limit;
        page.truncate(limit);
        (page, more)
    }
}

impl Projection for Owned {
    fn apply<'a>(&'a self, _: &'a View, changes: Vec<Change>, _: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let mut index = self.index.write().unwrap_or_else(|p| p.into_inner());
            for change in changes {
                let Some(id) = change.key.strip_prefix("playlist.").and_then(|id| Uuid::parse_str(id).ok()) else {
                    continue;
                };
                if let Some(owner) = index.owner_of.remove(&id) {
                    if let Some(lists) = index.by_owner.get_mut(&owner) {
                        lists.remove(&id);
                        if lists.is_empty() {
                            index.by_owner.remove(&owner);
                        }
                    }
                }
                if let Some(mut p) = change.decode::<Playlist>() {
                    p.revision = change.revision;
                    index.owner_of.insert(id, p.owner);
                    index.by_owner.entry(p.owner).or_default().insert(id, PlaylistSummary::from(&p));
                }
            }
            Ok(())
        })
    }

    fn restore<'a>(&'a self, _: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}
