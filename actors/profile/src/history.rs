//! Listening history in memory: a projection of the `chorus_plays` stream,
//! per user, from which recent plays and counts are read.

use std::collections::{HashMap, HashSet};
use std::sync::RwLock;

use chorus_nats::messages::profile::{Play, PlayCount, PlayCounts, RecentPlay};
use chorus_state::{Change, Projection, View};
use futures::future::BoxFuture;
use uuid::Uuid;

/// One play, as much as the reads need.
struct Entry {
    track: Uuid,
    album: Option<Uuid>,
    artists: Vec<Uuid>,
    started_at: u64,
}

/// See the module docs.
#[derive(Default)]
pub(crate) struct History {
    users: RwLock<HashMap<Uuid, Vec<Entry>>>,
}

impl History {
    /// `user`'s tracks, each once, latest play first.
    pub(crate) fn recent(&self, user: Uuid, limit: usize) -> Vec<RecentPlay> {
        let users = self.users.read().unwrap_or_else(|p| p.into_inner());
        let Some(plays) = users.get(&user) else { return Vec::new() };
        let mut order: Vec<&Entry> = plays.iter().collect();
        order.sort_by_key(|e| std::cmp::Reverse(e.started_at));
        let mut seen = HashSet::new();
        order
            .into_iter()
            .filter(|e| seen.insert(e.track))
            .take(limit)
            .map(|e| RecentPlay { track_id: e.track, played_at: e.started_at })
            .collect()
    }

    /// Drop `user`'s plays (a closed account).
    pub(crate) fn forget(&self, user: Uuid) {
        self.users.write().unwrap_or_else(|p| p.into_inner()).remove(&user);
    }

    /// `user`'s most played tracks, albums and artists in `[from, until)`.
    pub(crate) fn counts(&self, user: Uuid, from: u64, until: u64, limit: usize) -> PlayCounts {
        let users = self.users.read().unwrap_or_else(|p| p.into_inner());
        let (mut tracks, mut albums, mut artists) = (HashMap::new(), HashMap::new(), HashMap::new());
        let mut total = 0;
        for e in users.get(&user).into_iter().flatten().filter(|e| (from..until).contains(&e.started_at)) {
            total += 1;
            *tracks.entry(e.track).or_insert(0u64) += 1;
            if let Some(a) = e.album {
                *albums.entry(a).or_insert(0u64) += 1;
            }
            for a in &e.artists {
                *artists.entry(*a).or_insert(0u64) += 1;
            }
        }
        PlayCounts { tracks: top(tracks, limit), albums: top(albums, limit), artists: top(artists, limit), total }
    }
}

fn top(counts: HashMap<Uuid, u64>, limit: usize) -> Vec<PlayCount> {
    let mut v: Vec<PlayCount> = counts.into_iter().map(|(id, plays)| PlayCount { id, plays }).collect();
    // Most played first; ties by id so the order is stable.
    v.sort_by(|a, b| b.plays.cmp(&a.plays).then(a.id.cmp(&b.id)));
    v.truncate(limit);
    v
}

impl Projection for History {
    fn apply<'a>(&'a self, _: &'a View, changes: Vec<Change>, _: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let mut users = self.users.write().unwrap_or_else(|p| p.into_inner());
            for change in changes {
                let Some(play) = change.decode::<Play>() else { continue };
                users.entry(play.user).or_default().push(Entry {
                    track: play.record.track_id,
                    album: play.album,
                    artists: play.artists,
                    started_at: play.record.started_at,
                });
            }
            Ok(())
        })
    }

    fn restore<'a>(&'a self, _: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}
