//! Point reads in memory: every entity by id, and genre counts.
//!
//! A SurrealDB query costs several NATS round trips; a map lookup costs
//! nothing, so `get` never touches the view.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chorus_host::Packed;
use chorus_nats::messages::catalog::{Album, Artist, Genre, Track};
use uuid::Uuid;

use anyhow::Context as _;

use crate::entity::sort_key;
use crate::orders::Orders;
use crate::release::{self, Shape};
use crate::snapshot::Snapshot;

/// See the module docs.
#[derive(Default)]
pub(crate) struct Memory {
    /// Kept encoded only (in MessagePack, as `track.get` answers; decoded
    /// for a read that needs fields) and hashed: `track.get` is the
    /// catalog's most frequent request, and a hash lookup costs the same at
    /// any catalog size.
    pub(crate) tracks: HashMap<Uuid, Packed<Track>>,
    /// Track ids in order (uuid v7: creation order), which `track.list` pages through.
    order: BTreeSet<Uuid>,
    pub(crate) albums: HashMap<Uuid, Arc<Album>>,
    pub(crate) artists: HashMap<Uuid, Arc<Artist>>,
    /// By folded name.
    genres: BTreeMap<String, Genre>,
    /// The library's sorted orders (`album.browse`, `artist.browse`).
    pub(crate) orders: Orders,
    /// Each album's track count and length, from which a record without a
    /// release type gets one when read (`release.rs`). By album id, whether
    /// the album record exists yet or not.
    shapes: HashMap<Uuid, Shape>,
    /// Each album's tracks (by album id), which `album.get` lists in
    /// disc and track order: the view has no track rows unless it is on
    /// disk, where they are what memory is restored from.
    album_tracks: HashMap<Uuid, Vec<Uuid>>,
    /// The revision of the record memory is at.
    pub(crate) revision: u64,
}

/// One change, decoded.
pub(crate) enum Put {
    Track(Track),
    Album(Album),
    Artist(Artist),
}

impl Memory {
    pub(crate) fn put(&mut self, put: Put) {
        match put {
            Put::Track(t) => match Packed::new(&t) {
                Ok(packed) => self.put_track(t, packed),
                Err(e) => tracing::error!(track = %t.id, error = %e, "a track that does not encode is not served"),
            },
            Put::Album(a) => {
                let old = self.albums.remove(&a.id);
                self.orders.put_album(old.as_deref(), &a);
                self.count(old.as_ref().map(|o| &o.genres[..]).unwrap_or(&[]), -1, false);
                self.count(&a.genres, 1, false);
                self.albums.insert(a.id, Arc::new(a));
            }
            Put::Artist(a) => {
                let old = self.artists.remove(&a.id);
                self.orders.put_artist(old.as_deref(), &a);
                self.artists.insert(a.id, Arc::new(a));
            }
        }
    }

    pub(crate) fn remove(&mut self, kind: crate::records::Kind, id: Uuid) {
        use crate::records::Kind;
        match kind {
            Kind::Track => {
                self.order.remove(&id);
                if let Some(old) = self.tracks.remove(&id).and_then(|old| old.decode().ok()) {
                    self.count(&old.genres, -1, true);
                    self.shape(&old, -1);
                    self.file(&old, false);
                }
            }
            Kind::Album => {
                if let Some(old) = self.albums.remove(&id) {
                    self.orders.remove_album(&old);
                    self.count(&old.genres, -1, false);
                }
            }
            Kind::Artist => {
                if let Some(old) = self.artists.remove(&id) {
                    self.orders.remove_artist(&old);
                }
            }
        }
    }

    fn shape(&mut self, track: &Track, delta: i32) {
        let Some(album) = &track.album else { return };
        let shape = self.shapes.entry(album.id).or_default();
        shape.add(track.duration_ms, delta);
        if shape.tracks == 0 {
            self.shapes.remove(&album.id);
        }
    }

    /// Keep `t`, encoded as `packed`, in place of any track with its id.
    fn put_track(&mut self, t: Track, packed: Packed<Track>) {
        let old = self.tracks.remove(&t.id).and_then(|old| old.decode().ok());
        self.count(old.as_ref().map(|o| &o.genres[..]).unwrap_or(&[]), -1, true);
        self.count(&t.genres, 1, true);
        if let Some(old) = &old {
            self.shape(old, -1);
            self.file(old, false);
        }
        self.shape(&t, 1);
        self.file(&t, true);
        self.order.insert(t.id);
        self.tracks.insert(t.id, packed);
    }

    /// Memory as a [`Snapshot`] (copies of references: cheap under the lock).
    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot {
            revision: self.revision,
            tracks: self.order.iter().filter_map(|id| Some(self.tracks.get(id)?.bytes().clone())).collect(),
            albums: self.albums.values().cloned().collect(),
            artists: self.artists.values().cloned().collect(),
        }
    }

    /// Memory as `snapshot` has it, or an error for a track that does not
    /// decode (then memory is restored from the view instead).
    pub(crate) fn restored(snapshot: Snapshot) -> anyhow::Result<Self> {
        let mut memory = Memory { revision: snapshot.revision, ..Default::default() };
        for bytes in snapshot.tracks {
            let (track, packed) = Packed::from_kept(bytes).context("a track of the snapshot")?;
            memory.put_track(track, packed);
        }
        snapshot.albums.into_iter().for_each(|a| memory.put(Put::Album(Arc::unwrap_or_clone(a))));
        snapshot.artists.into_iter().for_each(|a| memory.put(Put::Artist(Arc::unwrap_or_clone(a))));
        Ok(memory)
    }

    /// File `track` under its album, or take it out.
    fn file(&mut self, track: &Track, filed: bool) {
        let Some(album) = &track.album else { return };
        let tracks = self.album_tracks.entry(album.id).or_default();
        tracks.retain(|t| *t != track.id);
        if filed {
            tracks.push(track.id);
        } else if tracks.is_empty() {
            self.album_tracks.remove(&album.id);
        }
    }

    /// The tracks of album `id`, by disc, track number and title.
    pub(crate) fn tracks_of_album(&self, id: &Uuid) -> Vec<Track> {
        let ids = self.album_tracks.get(id).map_or(&[][..], |v| &v[..]);
        let mut tracks: Vec<(u32, u32, String, Track)> = ids
            .iter()
            .filter_map(|t| self.tracks.get(t)?.decode().ok())
            .map(|t| (t.disc_number.unwrap_or(1), t.track_number.unwrap_or(0), sort_key(&t), t))
            .collect();
        tracks.sort_by(|a, b| (a.0, a.1, &a.2, a.3.id).cmp(&(b.0, b.1, &b.2, b.3.id)));
        tracks.into_iter().map(|(_, _, _, t)| t).collect()
    }

    /// `album` as reads serve it: with the release type its tracks suggest
    /// when the record has none.
    pub(crate) fn served(&self, album: Album) -> Album {
        let shape = self.shapes.get(&album.id);
        release::served(album, shape)
    }

    /// The album `id`, as reads serve it.
    pub(crate) fn album(&self, id: &Uuid) -> Option<Album> {
        self.albums.get(id).map(|a| self.served(Album::clone(a)))
    }

    fn count(&mut self, genres: &[String], delta: i64, tracks: bool) {
        for name in genres {
            let key = name.trim().to_lowercase();
            if key.is_empty() {
                continue;
            }
            let g = self.genres.entry(key.clone()).or_insert_with(|| Genre {
                name: name.trim().to_string(),
                tracks: 0,
                albums: 0,
            });
            let n = if tracks { &mut g.tracks } else { &mut g.albums };
            *n = n.saturating_add_signed(delta);
            if g.tracks == 0 && g.albums == 0 {
                self.genres.remove(&key);
            }
        }
    }

    /// Up to `limit` tracks after `after` in id order that `keep` accepts.
    /// An ordered walk in memory: a cursor page costs the same at the start
    /// of 100,000 tracks as at the end, which an ORDER BY in the view does not.
    /// Without `keep`, no track is decoded.
    pub(crate) fn tracks_after(
        &self,
        after: Option<Uuid>,
        limit: usize,
        keep: Option<impl Fn(&Track) -> bool>,
    ) -> Vec<(Uuid, Packed<Track>)> {
        use std::ops::Bound::{Excluded, Unbounded};
        let from = after.map_or(Unbounded, Excluded);
        let kept =
            |(_, p): &(&Uuid, &Packed<Track>)| keep.as_ref().is_none_or(|keep| p.decode().is_ok_and(|t| keep(&t)));
        self.order
            .range((from, Unbounded))
            .filter_map(|id| Some((id, self.tracks.get(id)?)))
            .filter(kept)
            .take(limit)
            .map(|(id, p)| (*id, p.clone()))
            .collect()
    }

    /// The albums named by view keys, as reads serve them.
    pub(crate) fn albums_of(&self, keys: &[String]) -> Vec<Album> {
        keys.iter().filter_map(|k| Uuid::parse_str(k).ok()).filter_map(|id| self.album(&id)).collect()
    }

    /// The artists named by view keys.
    pub(crate) fn artists_of(&self, keys: &[String]) -> Vec<Artist> {
        hydrate(&self.artists, keys)
    }

    /// Every genre with its counts, most tracks first.
    pub(crate) fn genres(&self) -> Vec<Genre> {
        let mut all: Vec<Genre> = self.genres.values().cloned().collect();
        all.sort_by_cached_key(|g| (std::cmp::Reverse(g.tracks), crate::entity::sort::key(&g.name)));
        all
    }
}

fn hydrate<T: Clone>(map: &HashMap<Uuid, Arc<T>>, keys: &[String]) -> Vec<T> {
    keys.iter().filter_map(|k| Uuid::parse_str(k).ok()).filter_map(|id| map.get(&id).map(|v| T::clone(v))).collect()
}
