//! Listening history in memory: a projection of the `chorus_plays` stream,
//! per user, from which recent plays and counts are read.
//!
//! Each listener's plays per album are also counted as they arrive, so that
//! `play.albums` pages through them without going over every play.

use std::cmp::Reverse;
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

/// One listener's plays, and their plays per album.
#[derive(Default)]
struct Listener {
    plays: Vec<Entry>,
    albums: HashMap<Uuid, u64>,
}

/// A place in `play.albums` order: most played first, ties by album id.
pub(crate) type AlbumKey = (Reverse<u64>, Uuid);

/// See the module docs.
#[derive(Default)]
pub(crate) struct History {
    users: RwLock<HashMap<Uuid, Listener>>,
}

impl History {
    /// `user`'s tracks, each once, latest play first.
    pub(crate) fn recent(&self, user: Uuid, limit: usize) -> Vec<RecentPlay> {
        let users = self.users.read().unwrap_or_else(|p| p.into_inner());
        let Some(listener) = users.get(&user) else { return Vec::new() };
        let mut order: Vec<&Entry> = listener.plays.iter().collect();
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
        let plays = users.get(&user).into_iter().flat_map(|l| &l.plays);
        for e in plays.filter(|e| (from..until).contains(&e.started_at)) {
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

    /// Up to `limit` of `user`'s albums after `after` in `play.albums`
    /// order, and the key of the last when more follow. One pass over the
    /// listener's albums, whichever the page.
    pub(crate) fn albums(
        &self,
        user: Uuid,
        after: Option<AlbumKey>,
        limit: usize,
    ) -> (Vec<PlayCount>, Option<AlbumKey>) {
        let users = self.users.read().unwrap_or_else(|p| p.into_inner());
        let Some(listener) = users.get(&user) else { return (Vec::new(), None) };
        let mut keys: Vec<AlbumKey> = listener
            .albums
            .iter()
            .map(|(id, plays)| (Reverse(*plays), *id))
            .filter(|k| after.is_none_or(|a| *k > a))
            .collect();
        let more = keys.len() > limit;
        if more {
            keys.select_nth_unstable(limit);
            keys.truncate(limit);
        }
        keys.sort_unstable();
        let next = if more { keys.last().copied() } else { None };
        (keys.into_iter().map(|(Reverse(plays), id)| PlayCount { id, plays }).collect(), next)
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
                let listener = users.entry(play.user).or_default();
                if let Some(album) = play.album {
                    *listener.albums.entry(album).or_insert(0) += 1;
                }
                listener.plays.push(Entry {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn history(user: Uuid, albums: &[(u128, u64)]) -> History {
        let h = History::default();
        let listener =
            Listener { plays: Vec::new(), albums: albums.iter().map(|(a, n)| (Uuid::from_u128(*a), *n)).collect() };
        h.users.write().unwrap().insert(user, listener);
        h
    }

    #[test]
    fn album_pages_walk_most_played_first_ties_by_id() {
        let user = Uuid::from_u128(1);
        let h = history(user, &[(5, 2), (3, 7), (4, 2), (9, 1), (2, 2)]);
        let ids = |page: &[PlayCount]| page.iter().map(|c| (c.id.as_u128(), c.plays)).collect::<Vec<_>>();
        let (first, next) = h.albums(user, None, 2);
        assert_eq!(ids(&first), [(3, 7), (2, 2)]);
        let (second, next) = h.albums(user, next, 2);
        assert_eq!(ids(&second), [(4, 2), (5, 2)]);
        let (last, next) = h.albums(user, next, 2);
        assert_eq!((ids(&last), next), (vec![(9, 1)], None));
        // A full last page says nothing more follows.
        assert_eq!(h.albums(user, None, 5).1, None);
        assert_eq!(h.albums(Uuid::from_u128(2), None, 5), (vec![], None));
    }
}
