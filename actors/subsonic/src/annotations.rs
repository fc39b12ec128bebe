//! Stars and ratings: `star`, `unstar`, `setRating`, `getStarred(2)`, and
//! the listener's annotations every song, album and artist is shown with
//! (profile's `favorite.*` and `rating.*`).

use chorus_nats::messages::catalog::{AlbumGet, ArtistGet, TrackBatch};
use chorus_nats::messages::profile::{FavoriteKind, FavoriteList, FavoriteSet, RatingList, RatingSet};
use futures::StreamExt as _;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::ids::{self, Kind};
use crate::params::Params;
use crate::reply::{codes, Failure, Reply};
use crate::shape::{self, Annotations};
use crate::signin::Listener;

/// Pages read at most for one listener's favorites or ratings (10,000 each is their cap).
const MAX_PAGES: usize = 25;

/// The listener's stars and ratings.
pub(crate) async fn load(l: &Listener) -> Result<Annotations, Failure> {
    let mut notes = Annotations::default();
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let page = l.call(&FavoriteList { kind: None, cursor, limit: Some(500) }).await?;
        for s in page.tracks.iter().chain(&page.albums).chain(&page.artists) {
            notes.starred.insert(s.id, s.starred_at);
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let page = l.call(&RatingList { cursor, limit: Some(500) }).await?;
        notes.ratings.extend(page.ratings.iter().map(|r| (r.track_id, r.rating)));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(notes)
}

/// `star` / `unstar`: `id` (songs, or any prefixed id), `albumId`, `artistId`, each repeatable.
pub(crate) async fn star(p: &Params, l: &Listener, starred: bool) -> Result<Reply, Failure> {
    let mut targets: Vec<(FavoriteKind, Uuid)> = Vec::new();
    for raw in p.all("id") {
        let (kind, id) = ids::parse(raw).ok_or_else(|| Failure::not_found(format!("no item {raw:?}")))?;
        targets.push(match kind {
            Kind::Album => (FavoriteKind::Album, id),
            Kind::Artist => (FavoriteKind::Artist, id),
            Kind::Track => (FavoriteKind::Track, id),
            Kind::Playlist => return Err(Failure::invalid("id", "a playlist cannot be starred")),
        });
    }
    for raw in p.all("albumId") {
        targets.push((FavoriteKind::Album, ids::parse_as(raw, Kind::Album)?));
    }
    for raw in p.all("artistId") {
        targets.push((FavoriteKind::Artist, ids::parse_as(raw, Kind::Artist)?));
    }
    if targets.is_empty() {
        return Err(Failure::missing("id"));
    }
    for (kind, id) in targets {
        l.call(&FavoriteSet { kind, id, starred }).await?;
    }
    Ok(Reply::empty())
}

/// `setRating`: songs only (Chorus rates tracks); 0 clears.
pub(crate) async fn rate(p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let raw = p.required("id")?;
    let rating = p.required("rating")?;
    let rating: u8 =
        rating.trim().parse().ok().filter(|r| *r <= 5).ok_or_else(|| Failure::invalid("rating", "0 to 5"))?;
    match ids::parse(raw) {
        Some((Kind::Track, id)) => {
            l.call(&RatingSet { track_id: id, rating }).await?;
            Ok(Reply::empty())
        }
        Some(_) => Err(Failure::new(codes::GENERIC, "only songs can be rated")),
        None => Err(Failure::not_found(format!("no song {raw:?}"))),
    }
}

/// `getStarred` / `getStarred2`: everything the listener starred, newest first.
pub(crate) async fn starred(l: &Listener, key: &str) -> Result<Reply, Failure> {
    let notes = &load(l).await?;
    let mut lists: [Vec<Uuid>; 3] = Default::default();
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let page = l.call(&FavoriteList { kind: None, cursor, limit: Some(500) }).await?;
        lists[0].extend(page.tracks.iter().map(|s| s.id));
        lists[1].extend(page.albums.iter().map(|s| s.id));
        lists[2].extend(page.artists.iter().map(|s| s.id));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let [tracks, albums, artists] = lists;
    let songs = songs_by_id(l, &tracks, notes).await?;
    let albums: Vec<Value> = futures::stream::iter(albums.into_iter().map(|id| async move {
        l.call(&AlbumGet { id }).await.map(|d| Value::Object(shape::album(&d.album, Some(&d.tracks), notes)))
    }))
    .buffered(16)
    .filter_map(|r| async move { r.ok() })
    .collect()
    .await;
    let artists: Vec<Value> = futures::stream::iter(artists.into_iter().map(|id| async move {
        l.call(&ArtistGet { id }).await.map(|d| Value::Object(shape::artist(&d.artist, Some(d.albums.len()), notes)))
    }))
    .buffered(16)
    .filter_map(|r| async move { r.ok() })
    .collect()
    .await;
    Ok(Reply::with(key, json!({"artist": artists, "album": albums, "song": songs})))
}

/// Songs for `ids`, in that order, skipping any the catalog no longer has.
pub(crate) async fn songs_by_id(l: &Listener, ids: &[Uuid], notes: &Annotations) -> Result<Vec<Value>, Failure> {
    let mut songs = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let batch = l.call(&TrackBatch { ids: chunk.to_vec() }).await?;
        let by_id: std::collections::HashMap<Uuid, _> = batch.tracks.iter().map(|t| (t.id, t)).collect();
        songs.extend(chunk.iter().filter_map(|id| by_id.get(id)).map(|t| shape::song(t, notes)));
    }
    Ok(songs)
}
