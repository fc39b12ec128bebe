//! `search2` / `search3`: the search service's ranked hits, and, for an
//! empty query (`query=""`, what Symfonium sends to sync a whole library,
//! up to 500 of each kind a page), the whole catalog paged by offset.
//!
//! The catalog pages tracks by cursor (`track.list`, id order: a walk never
//! lists a track twice nor misses one), while Subsonic pages by offset. So
//! the gateway remembers, per listing, which cursor starts at which offset
//! ([`Cursors`]): a sync asking page after page resumes where the last page
//! ended, one catalog request a page, instead of walking from the start.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use chorus_nats::messages::catalog::{AlbumGet, AlbumList, AlbumOrder, ArtistGet, ArtistList, Track, TrackList};
use chorus_nats::messages::search::{SearchKind, SearchQuery};
use futures::StreamExt as _;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::annotations;
use crate::params::Params;
use crate::reply::{Failure, Reply};
use crate::server::Gateway;
use crate::shape::{self, Annotations};
use crate::signin::Listener;

/// Listings remembered, and places remembered in each.
const MAX_LISTINGS: usize = 256;
const MAX_PLACES: usize = 4096;
/// The search service's deepest page.
const SEARCH_DEPTH: usize = 1000;

/// Where each offset of a track listing starts: `(listing, offset) → cursor`.
#[derive(Default)]
pub(crate) struct Cursors {
    places: Mutex<HashMap<String, BTreeMap<usize, String>>>,
}

impl Cursors {
    /// `count` tracks from `offset` of the listing `filter` makes (`scope` names it).
    pub(crate) async fn tracks(
        &self,
        l: &Listener,
        scope: &str,
        filter: &TrackList,
        offset: usize,
        count: usize,
    ) -> Result<Vec<Track>, Failure> {
        // The nearest place at or before `offset` that is known.
        let (mut at, mut cursor) = self
            .lock()
            .get(scope)
            .and_then(|p| p.range(..=offset).next_back().map(|(o, c)| (*o, Some(c.clone()))))
            .unwrap_or((0, None));
        if at > 0 && cursor.is_none() {
            at = 0;
        }
        // Walk to `offset`, then read the page.
        let mut out = Vec::new();
        loop {
            let want = if at < offset { (offset - at).min(500) } else { count - out.len() };
            let req = TrackList { cursor: cursor.clone(), limit: Some(want.min(500) as u32), ..filter.clone() };
            let page = l.call(&req).await?;
            let got = page.tracks.len();
            if at >= offset {
                out.extend(page.tracks);
            }
            at += got;
            match page.next {
                Some(next) => {
                    self.remember(scope, at, next.clone());
                    cursor = Some(next);
                }
                None => break,
            }
            if at >= offset && out.len() >= count {
                break;
            }
        }
        Ok(out)
    }

    fn remember(&self, scope: &str, offset: usize, cursor: String) {
        let mut all = self.lock();
        if all.len() >= MAX_LISTINGS && !all.contains_key(scope) {
            all.clear();
        }
        let places = all.entry(scope.to_string()).or_default();
        if places.len() >= MAX_PLACES {
            places.clear();
        }
        places.insert(offset, cursor);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, BTreeMap<usize, String>>> {
        self.places.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `search2` / `search3`, answered under `key`.
pub(crate) async fn search(gw: &Gateway, p: &Params, l: &Listener, key: &str) -> Result<Reply, Failure> {
    let query = p.get("query").unwrap_or("").trim();
    let query = query.trim_matches('"').trim();
    let counts = |name: &str| p.number(name, 20, 0, 500).map(|n| n as usize);
    let offsets = |name: &str| p.number(name, 0, 0, 1_000_000).map(|n| n as usize);
    let (artists_n, artists_at) = (counts("artistCount")?, offsets("artistOffset")?);
    let (albums_n, albums_at) = (counts("albumCount")?, offsets("albumOffset")?);
    let (songs_n, songs_at) = (counts("songCount")?, offsets("songOffset")?);
    let notes = &annotations::load(l).await?;
    let (artists, albums, songs) = if query.is_empty() || query == "*" {
        whole_library(gw, l, notes, (artists_n, artists_at), (albums_n, albums_at), (songs_n, songs_at)).await?
    } else {
        let artist_ids = hits(l, query, SearchKind::Artists, artists_n, artists_at).await?;
        let album_ids = hits(l, query, SearchKind::Albums, albums_n, albums_at).await?;
        let song_ids = hits(l, query, SearchKind::Tracks, songs_n, songs_at).await?;
        let artists: Vec<Value> = futures::stream::iter(artist_ids.into_iter().map(|id| async move {
            l.call(&ArtistGet { id })
                .await
                .map(|d| Value::Object(shape::artist(&d.artist, Some(d.albums.len()), notes)))
        }))
        .buffered(16)
        .filter_map(|r| async move { r.ok() })
        .collect()
        .await;
        let albums: Vec<Value> = futures::stream::iter(album_ids.into_iter().map(|id| async move {
            l.call(&AlbumGet { id }).await.map(|d| Value::Object(shape::album(&d.album, Some(&d.tracks), notes)))
        }))
        .buffered(16)
        .filter_map(|r| async move { r.ok() })
        .collect()
        .await;
        let songs = annotations::songs_by_id(l, &song_ids, notes).await?;
        (artists, albums, songs)
    };
    Ok(Reply::with(key, json!({"artist": artists, "album": albums, "song": songs})))
}

type Page = (usize, usize);

/// Every artist (by name), album (by name) and track (in id order), by offset.
async fn whole_library(
    gw: &Gateway,
    l: &Listener,
    notes: &Annotations,
    (artists_n, artists_at): Page,
    (albums_n, albums_at): Page,
    (songs_n, songs_at): Page,
) -> Result<(Vec<Value>, Vec<Value>, Vec<Value>), Failure> {
    let mut artists = Vec::new();
    if artists_n > 0 {
        let page = l.call(&ArtistList { offset: artists_at as u32, limit: Some(artists_n as u32) }).await?;
        artists = page.artists.iter().map(|a| Value::Object(shape::artist(a, None, notes))).collect();
    }
    let mut albums = Vec::new();
    if albums_n > 0 {
        let req = AlbumList {
            order: AlbumOrder::AlphabeticalByName,
            offset: albums_at as u32,
            limit: Some(albums_n as u32),
            year_from: None,
            year_to: None,
            genre: None,
        };
        // Without each album's tracks: a sync reads the songs in their own pages.
        albums = l.call(&req).await?.albums.iter().map(|a| Value::Object(shape::album(a, None, notes))).collect();
    }
    let mut songs = Vec::new();
    if songs_n > 0 {
        let tracks = gw.cursors.tracks(l, "all", &TrackList::default(), songs_at, songs_n).await?;
        songs = tracks.iter().map(|t| shape::song(t, notes)).collect();
    }
    Ok((artists, albums, songs))
}

/// The ids of hits `offset..offset + count` of one kind.
async fn hits(l: &Listener, q: &str, kind: SearchKind, count: usize, offset: usize) -> Result<Vec<Uuid>, Failure> {
    let mut ids = Vec::new();
    if count == 0 || offset >= SEARCH_DEPTH {
        return Ok(ids);
    }
    let mut cursor = None;
    while ids.len() < offset + count {
        let req =
            SearchQuery { q: q.to_string(), limit: Some(100), cursor, kinds: Some(vec![kind]), ..Default::default() };
        let page = l.call(&req).await?;
        let list = match kind {
            SearchKind::Tracks => page.tracks,
            SearchKind::Albums => page.albums,
            SearchKind::Artists => page.artists,
        };
        if list.is_empty() {
            break;
        }
        ids.extend(list.iter().map(|h| h.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(ids.into_iter().skip(offset).take(count).collect())
}
