//! What recommend knows of the catalog, in memory: a projection of the
//! catalog's record (`chorus_catalog`). Which tracks may be recommended
//! (they exist and have audio), their artists, album and genres (for cold
//! start, seeds, variety and the artist cap), and the titles and names the
//! reasons are written with.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

use chorus_nats::messages::catalog::{Artist, Track};
use chorus_nats::records::catalog::{parse_key, Kind};
use chorus_state::{Change, Projection, View};
use futures::future::BoxFuture;
use uuid::Uuid;

/// One track, as much as recommend needs.
#[derive(Debug, Clone)]
pub(crate) struct TrackInfo {
    pub(crate) title: String,
    pub(crate) artists: Vec<Uuid>,
    pub(crate) album: Option<Uuid>,
    /// Lower-case.
    pub(crate) genres: Vec<String>,
    /// It has audio: it may be recommended.
    pub(crate) playable: bool,
    pub(crate) added_at: u64,
}

#[derive(Default)]
struct Index {
    tracks: HashMap<Uuid, TrackInfo>,
    artist_names: HashMap<Uuid, String>,
    by_artist: HashMap<Uuid, HashSet<Uuid>>,
    by_album: HashMap<Uuid, HashSet<Uuid>>,
    /// Lower-case genre → tracks; and the genre as the catalog spells it.
    by_genre: HashMap<String, HashSet<Uuid>>,
    genre_names: HashMap<String, String>,
}

impl Index {
    fn remove_track(&mut self, id: Uuid) {
        let Some(old) = self.tracks.remove(&id) else { return };
        for a in &old.artists {
            remove_member(&mut self.by_artist, a, id);
        }
        if let Some(album) = &old.album {
            remove_member(&mut self.by_album, album, id);
        }
        for g in &old.genres {
            remove_member(&mut self.by_genre, g, id);
        }
    }

    fn put_track(&mut self, t: Track) {
        self.remove_track(t.id);
        let mut artists: Vec<Uuid> = t.artists.iter().map(|a| a.id).collect();
        if artists.is_empty() {
            artists.extend(t.album_artist.as_ref().map(|a| a.id));
        }
        for credit in t.artists.iter().chain(t.album_artist.iter()) {
            self.artist_names.entry(credit.id).or_insert_with(|| credit.name.clone());
        }
        let genres: Vec<String> = t.genres.iter().map(|g| g.trim().to_lowercase()).filter(|g| !g.is_empty()).collect();
        for (g, spelt) in genres.iter().zip(&t.genres) {
            self.genre_names.entry(g.clone()).or_insert_with(|| spelt.trim().to_string());
            self.by_genre.entry(g.clone()).or_default().insert(t.id);
        }
        for a in &artists {
            self.by_artist.entry(*a).or_default().insert(t.id);
        }
        let album = t.album.as_ref().map(|a| a.id);
        if let Some(album) = album {
            self.by_album.entry(album).or_default().insert(t.id);
        }
        let info = TrackInfo {
            title: t.title,
            artists,
            album,
            genres,
            playable: t.audio_object.is_some(),
            added_at: t.added_at,
        };
        self.tracks.insert(t.id, info);
    }
}

fn remove_member<K: std::hash::Hash + Eq>(map: &mut HashMap<K, HashSet<Uuid>>, key: &K, id: Uuid) {
    if let Some(set) = map.get_mut(key) {
        set.remove(&id);
        if set.is_empty() {
            map.remove(key);
        }
    }
}

/// See the module docs.
#[derive(Default)]
pub(crate) struct Catalog {
    index: RwLock<Index>,
    /// Changes applied so far, moved on under the write lock: what was
    /// read under one generation holds until the next (see [`Lookup::generation`]).
    generation: AtomicU64,
}

impl Catalog {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Index> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The track, if the catalog has it.
    pub(crate) fn track(&self, id: Uuid) -> Option<TrackInfo> {
        self.read().tracks.get(&id).cloned()
    }

    /// Whether `id` may be recommended: it exists and has audio.
    pub(crate) fn playable(&self, id: Uuid) -> bool {
        self.lookup().playable(id)
    }

    /// One read of the catalog for many questions in a row.
    pub(crate) fn lookup(&self) -> Lookup<'_> {
        let index = self.read();
        // Stable while the read lock is held: it moves only under the write lock.
        let generation = self.generation.load(Ordering::Acquire);
        Lookup { index, generation }
    }

    /// The tracks' first artists (none for a track the catalog lacks).
    pub(crate) fn first_artists(&self, ids: &[Uuid]) -> Vec<Option<Uuid>> {
        let index = self.read();
        ids.iter().map(|id| index.tracks.get(id).and_then(|t| t.artists.first().copied())).collect()
    }

    /// A track's first artist.
    pub(crate) fn first_artist(&self, id: Uuid) -> Option<Uuid> {
        self.lookup().first_artist(id)
    }

    /// An artist's name.
    pub(crate) fn artist_name(&self, id: Uuid) -> Option<String> {
        self.read().artist_names.get(&id).cloned()
    }

    /// A track's title.
    pub(crate) fn title(&self, id: Uuid) -> Option<String> {
        self.read().tracks.get(&id).map(|t| t.title.clone())
    }

    /// Whether the catalog has the artist (a name, or a track by them).
    pub(crate) fn has_artist(&self, id: Uuid) -> bool {
        let index = self.read();
        index.by_artist.contains_key(&id) || index.artist_names.contains_key(&id)
    }

    /// The playable tracks of an artist, an album or a genre (lower-case), newest first.
    pub(crate) fn tracks_of(&self, of: Of<'_>) -> Vec<Uuid> {
        let index = self.read();
        let set = match of {
            Of::Artist(id) => index.by_artist.get(&id),
            Of::Album(id) => index.by_album.get(&id),
            Of::Genre(g) => index.by_genre.get(g),
        };
        let mut ids: Vec<(u64, Uuid)> = set
            .into_iter()
            .flatten()
            .filter_map(|id| index.tracks.get(id).filter(|t| t.playable).map(|t| (t.added_at, *id)))
            .collect();
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.into_iter().map(|(_, id)| id).collect()
    }

    /// Whether the genre (any case) has a track; its spelling in the catalog.
    pub(crate) fn genre(&self, name: &str) -> Option<String> {
        let key = name.trim().to_lowercase();
        let index = self.read();
        index.by_genre.contains_key(&key).then(|| index.genre_names.get(&key).cloned().unwrap_or(key))
    }

    /// Every genre (lower-case) with its playable track count, largest first.
    pub(crate) fn genres(&self) -> Vec<(String, usize)> {
        let index = self.read();
        let mut g: Vec<(String, usize)> = index
            .by_genre
            .iter()
            .map(|(name, ids)| {
                (name.clone(), ids.iter().filter(|id| index.tracks.get(id).is_some_and(|t| t.playable)).count())
            })
            .filter(|(_, n)| *n > 0)
            .collect();
        g.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        g
    }

    /// The genre's spelling in the catalog.
    pub(crate) fn genre_name(&self, lower: &str) -> String {
        self.read().genre_names.get(lower).cloned().unwrap_or_else(|| lower.to_string())
    }

    /// The newest playable tracks, at most `n`.
    pub(crate) fn newest(&self, n: usize) -> Vec<Uuid> {
        let index = self.read();
        let mut v: Vec<(u64, Uuid)> =
            index.tracks.iter().filter(|(_, t)| t.playable).map(|(id, t)| (t.added_at, *id)).collect();
        let n = n.min(v.len());
        if n == 0 {
            return Vec::new();
        }
        v.select_nth_unstable_by(n - 1, |a, b| b.cmp(a));
        v.truncate(n);
        v.sort_unstable_by(|a, b| b.cmp(a));
        v.into_iter().map(|(_, id)| id).collect()
    }

    /// Tracks known.
    pub(crate) fn len(&self) -> usize {
        self.read().tracks.len()
    }
}

/// The catalog read once, for a ranking that asks about hundreds of
/// candidates: a read of the lock each was a contended atomic each, the
/// most of what the filter of a ranking cost. While it is held, ask the
/// catalog nothing else: a writer waiting between two reads of one thread
/// would wait for ever.
pub(crate) struct Lookup<'a> {
    index: std::sync::RwLockReadGuard<'a, Index>,
    generation: u64,
}

impl Lookup<'_> {
    /// See [`Catalog::playable`].
    pub(crate) fn playable(&self, id: Uuid) -> bool {
        self.index.tracks.get(&id).is_some_and(|t| t.playable)
    }

    /// See [`Catalog::first_artist`].
    pub(crate) fn first_artist(&self, id: Uuid) -> Option<Uuid> {
        self.index.tracks.get(&id).and_then(|t| t.artists.first().copied())
    }

    /// The catalog's changes applied when it was read: an answer noted
    /// with it is the catalog's answer for as long as it is unchanged.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }
}

/// A group of tracks.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Of<'a> {
    Artist(Uuid),
    Album(Uuid),
    /// Lower-case.
    Genre(&'a str),
}

impl Projection for Catalog {
    fn apply<'a>(&'a self, _: &'a View, changes: Vec<Change>, _: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let mut index = self.index.write().unwrap_or_else(|p| p.into_inner());
            for change in changes {
                match parse_key(&change.key) {
                    Some((Kind::Track, id)) => match change.decode::<Track>() {
                        Some(t) => index.put_track(t),
                        None => index.remove_track(id),
                    },
                    Some((Kind::Artist, id)) => {
                        if let Some(a) = change.decode::<Artist>() {
                            index.artist_names.insert(id, a.name);
                        }
                    }
                    _ => {}
                }
            }
            self.generation.fetch_add(1, Ordering::Release);
            Ok(())
        })
    }

    fn restore<'a>(&'a self, _: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}
