//! Lists of albums and songs: `getAlbumList(2)` of every type,
//! `getRandomSongs`, `getSongsByGenre`.
//!
//! The catalog orders (`random`, `newest`, the alphabetical ones, `byYear`,
//! `byGenre`) are catalog's `album.list`; the listener's own (`frequent`,
//! `recent`, `highest`, `starred`) come from profile — the most played
//! albums (`play.albums`), recently played tracks' albums (`play.recent`),
//! the albums of their best-rated tracks (`rating.list`) and starred albums
//! (`favorite.list`) — each read with the album's tracks.

use std::collections::HashSet;

use chorus_nats::messages::catalog::{AlbumBrowse, AlbumGet, AlbumList, AlbumOrder, AlbumSort, TrackBatch, TrackList};
use chorus_nats::messages::profile::{FavoriteKind, FavoriteList, PlayAlbums, RatingList, RecentRequest};
use futures::StreamExt as _;
use rand::seq::SliceRandom as _;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::annotations;
use crate::browsing::albums_listed;
use crate::params::Params;
use crate::reply::{Failure, Reply};
use crate::server::Gateway;
use crate::shape::{self, Annotations};
use crate::signin::Listener;

/// How deep a list of the listener's own may be paged.
const MAX_OWN: usize = 10_000;

/// `getAlbumList` / `getAlbumList2`, answered under `key`.
pub(crate) async fn album_list(p: &Params, l: &Listener, key: &str) -> Result<Reply, Failure> {
    let kind = p.required("type")?;
    let size = p.number("size", 10, 1, 500)? as usize;
    let offset = p.number("offset", 0, 0, 1_000_000)? as usize;
    let notes = annotations::load(l).await?;
    let catalog = |order| AlbumList {
        order,
        offset: offset as u32,
        limit: Some(size as u32),
        year_from: None,
        year_to: None,
        genre: None,
    };
    let albums = match kind {
        "random" => catalog_list(l, catalog(AlbumOrder::Random), &notes).await?,
        "newest" => catalog_list(l, catalog(AlbumOrder::Newest), &notes).await?,
        "alphabeticalByName" => catalog_list(l, catalog(AlbumOrder::AlphabeticalByName), &notes).await?,
        "alphabeticalByArtist" => catalog_list(l, catalog(AlbumOrder::AlphabeticalByArtist), &notes).await?,
        "byYear" => {
            let from = p.number("fromYear", 0, 0, 3000).ok().filter(|_| p.get("fromYear").is_some());
            let to = p.number("toYear", 0, 0, 3000).ok().filter(|_| p.get("toYear").is_some());
            let from = from.ok_or_else(|| Failure::missing("fromYear"))? as i32;
            let to = to.ok_or_else(|| Failure::missing("toYear"))? as i32;
            let req = AlbumList { year_from: Some(from), year_to: Some(to), ..catalog(AlbumOrder::ByYear) };
            catalog_list(l, req, &notes).await?
        }
        "byGenre" => {
            let genre = p.required("genre")?.to_string();
            catalog_list(l, AlbumList { genre: Some(genre), ..catalog(AlbumOrder::ByGenre) }, &notes).await?
        }
        "starred" => {
            let ids = starred_albums(l, offset + size).await?;
            albums_by_id(l, ids.get(offset..).unwrap_or_default(), size, &notes).await
        }
        "frequent" => {
            let ids = most_played(l, offset + size).await?;
            albums_by_id(l, ids.get(offset..).unwrap_or_default(), size, &notes).await
        }
        "recent" => {
            let recent = l.call(&RecentRequest { limit: Some(200) }).await?;
            let tracks: Vec<Uuid> = recent.tracks.iter().map(|r| r.track_id).collect();
            let ids = albums_of(l, &tracks).await?;
            albums_by_id(l, ids.get(offset..).unwrap_or_default(), size, &notes).await
        }
        "highest" => {
            let ids = best_rated_albums(l).await?;
            albums_by_id(l, ids.get(offset..).unwrap_or_default(), size, &notes).await
        }
        other => return Err(Failure::invalid("type", &format!("{other:?} is not a list type"))),
    };
    Ok(Reply::with(key, json!({"album": albums})))
}

async fn catalog_list(l: &Listener, req: AlbumList, notes: &Annotations) -> Result<Vec<Value>, Failure> {
    let page = l.call(&req).await?;
    Ok(albums_listed(&page.albums, notes))
}

/// Albums by id, in order, at most `size`, skipping any the catalog no longer has.
async fn albums_by_id(l: &Listener, ids: &[Uuid], size: usize, notes: &Annotations) -> Vec<Value> {
    let ids: Vec<Uuid> = ids.iter().take(size).copied().collect();
    futures::stream::iter(ids.into_iter().map(|id| async move {
        l.call(&AlbumGet { id }).await.map(|d| Value::Object(shape::album(&d.album, Some(&d.tracks), notes)))
    }))
    .buffered(16)
    .filter_map(|r| async move { r.ok() })
    .collect()
    .await
}

async fn starred_albums(l: &Listener, want: usize) -> Result<Vec<Uuid>, Failure> {
    let mut ids = Vec::new();
    let mut cursor = None;
    while ids.len() < want.min(MAX_OWN) {
        let page = l.call(&FavoriteList { kind: Some(FavoriteKind::Album), cursor, limit: Some(500) }).await?;
        ids.extend(page.albums.iter().map(|s| s.id));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(ids)
}

async fn most_played(l: &Listener, want: usize) -> Result<Vec<Uuid>, Failure> {
    let mut ids = Vec::new();
    let mut cursor = None;
    while ids.len() < want.min(MAX_OWN) {
        let page = l.call(&PlayAlbums { cursor, limit: Some(200) }).await?;
        ids.extend(page.albums.iter().map(|a| a.id));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(ids)
}

/// The albums of `tracks`, in the tracks' order, each once.
async fn albums_of(l: &Listener, tracks: &[Uuid]) -> Result<Vec<Uuid>, Failure> {
    let mut albums = Vec::new();
    let mut seen = HashSet::new();
    for chunk in tracks.chunks(500) {
        let batch = l.call(&TrackBatch { ids: chunk.to_vec() }).await?;
        let by_id: std::collections::HashMap<Uuid, Option<Uuid>> =
            batch.tracks.iter().map(|t| (t.id, t.album.as_ref().map(|a| a.id))).collect();
        for id in chunk {
            if let Some(Some(album)) = by_id.get(id) {
                if seen.insert(*album) {
                    albums.push(*album);
                }
            }
        }
    }
    Ok(albums)
}

/// Albums of the listener's rated tracks, best rating first.
async fn best_rated_albums(l: &Listener) -> Result<Vec<Uuid>, Failure> {
    let mut ratings = Vec::new();
    let mut cursor = None;
    while ratings.len() < MAX_OWN {
        let page = l.call(&RatingList { cursor, limit: Some(500) }).await?;
        ratings.extend(page.ratings.iter().map(|r| (r.rating, r.track_id)));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    ratings.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let tracks: Vec<Uuid> = ratings.into_iter().map(|(_, t)| t).collect();
    albums_of(l, &tracks).await
}

/// `getRandomSongs`: a track from each of a random sample of albums (of
/// `genre`, within `fromYear`..`toYear`), then more from the same albums.
pub(crate) async fn random_songs(p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let size = p.number("size", 10, 1, 500)? as usize;
    let genre = p.get("genre").map(str::to_string);
    let from = p.optional_number("fromYear")?.map(|y| y as i32);
    let to = p.optional_number("toYear")?.map(|y| y as i32);
    // A range within one decade narrows the sample itself.
    let decade = match (from, to) {
        (Some(f), Some(t)) if f / 10 == t / 10 => Some(f / 10 * 10),
        _ => None,
    };
    let page =
        l.call(&AlbumBrowse { sort: AlbumSort::Random, cursor: None, limit: Some(size as u32), genre, decade }).await?;
    let in_range = |y: Option<i32>| match (from, to, y) {
        (None, None, _) => true,
        (_, _, None) => false,
        (f, t, Some(y)) => f.is_none_or(|f| y >= f) && t.is_none_or(|t| y <= t),
    };
    let mut pools: Vec<Vec<chorus_nats::messages::catalog::Track>> = futures::stream::iter(
        page.albums
            .iter()
            .map(|a| a.id)
            .collect::<Vec<_>>()
            .into_iter()
            .map(|id| async move { l.call(&AlbumGet { id }).await }),
    )
    .buffered(16)
    .filter_map(|r| async move { r.ok() })
    .map(|d| d.tracks.into_iter().filter(|t| t.audio_object.is_some() && in_range(t.year)).collect())
    .collect()
    .await;
    {
        let mut rng = rand::rng();
        for pool in &mut pools {
            pool.shuffle(&mut rng);
        }
    }
    let notes = annotations::load(l).await?;
    let mut songs = Vec::new();
    'rounds: for round in 0.. {
        let mut any = false;
        for pool in &pools {
            if let Some(t) = pool.get(round) {
                any = true;
                songs.push(shape::song(t, &notes));
                if songs.len() == size {
                    break 'rounds;
                }
            }
        }
        if !any {
            break;
        }
    }
    Ok(Reply::with("randomSongs", json!({"song": songs})))
}

/// `getSongsByGenre`: the genre's tracks in the catalog's order, by offset.
pub(crate) async fn songs_by_genre(gw: &Gateway, p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let genre = p.required("genre")?.to_string();
    let count = p.number("count", 10, 1, 500)? as usize;
    let offset = p.number("offset", 0, 0, 1_000_000)? as usize;
    let filter = TrackList { genre: Some(genre.clone()), ..Default::default() };
    let tracks = gw.cursors.tracks(l, &format!("genre:{}", genre.to_lowercase()), &filter, offset, count).await?;
    let notes = annotations::load(l).await?;
    Ok(Reply::with("songsByGenre", json!({"song": tracks.iter().map(|t| shape::song(t, &notes)).collect::<Vec<_>>()})))
}
