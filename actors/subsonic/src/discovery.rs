//! Discovery from the recommend service: `getSimilarSongs(2)` (a track's
//! similar tracks; for an artist or an album, a radio from it) and
//! `getArtistInfo(2)`'s similar artists, `getTopSongs`.

use chorus_nats::messages::catalog::ArtistGet;
use chorus_nats::messages::recommend::{ArtistSimilar, ArtistTop, RadioSeed, RadioStart, TrackSimilar};
use chorus_nats::messages::search::{SearchKind, SearchQuery};
use futures::StreamExt as _;
use serde_json::{json, Value};

use crate::annotations;
use crate::ids::{self, Kind};
use crate::params::Params;
use crate::reply::{Failure, Reply};
use crate::shape;
use crate::signin::Listener;

/// `getSimilarSongs` / `getSimilarSongs2`, answered under `key`.
pub(crate) async fn similar_songs(p: &Params, l: &Listener, key: &str) -> Result<Reply, Failure> {
    let raw = p.required("id")?;
    let count = p.number("count", 50, 1, 100)? as u32;
    let picks = match ids::parse(raw) {
        Some((Kind::Track, id)) => l.call(&TrackSimilar { track_id: id, limit: Some(count) }).await?.tracks,
        Some((Kind::Artist, id)) => radio(l, RadioSeed::Artist { id }, count).await?,
        Some((Kind::Album, id)) => radio(l, RadioSeed::Album { id }, count).await?,
        _ => return Err(Failure::not_found(format!("nothing with id {raw:?}"))),
    };
    let ids: Vec<_> = picks.iter().map(|p| p.track_id).collect();
    let notes = annotations::load(l).await?;
    let songs = annotations::songs_by_id(l, &ids, &notes).await?;
    Ok(Reply::with(key, json!({"song": songs})))
}

async fn radio(
    l: &Listener,
    seed: RadioSeed,
    count: u32,
) -> Result<Vec<chorus_nats::messages::recommend::Pick>, Failure> {
    Ok(l.call(&RadioStart { seed, adventurousness: None, limit: Some(count.min(50)) }).await?.tracks)
}

/// `getArtistInfo` / `getArtistInfo2`: similar artists (no biography: Chorus keeps none).
pub(crate) async fn artist_info(p: &Params, l: &Listener, key: &str) -> Result<Reply, Failure> {
    let id = p.id("id", Kind::Artist)?;
    let count = p.number("count", 20, 1, 50)? as u32;
    let similar = l.call(&ArtistSimilar { artist_id: id, limit: Some(count) }).await?;
    let notes = annotations::load(l).await?;
    let notes = &notes;
    let ids: Vec<_> = similar.artists.iter().map(|s| s.artist_id).collect();
    let artists: Vec<Value> = futures::stream::iter(ids.into_iter().map(|id| async move {
        l.call(&ArtistGet { id }).await.map(|d| Value::Object(shape::artist(&d.artist, Some(d.albums.len()), notes)))
    }))
    .buffered(16)
    .filter_map(|r| async move { r.ok() })
    .collect()
    .await;
    Ok(Reply::with(key, json!({"similarArtist": artists})))
}

/// `getTopSongs`: the artist's most played tracks (recommend's
/// `artist.top`); `artist` is a name, as Subsonic has it (the search
/// service finds it: the exact name, else the best hit), or an artist id.
pub(crate) async fn top_songs(p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let name = p.required("artist")?;
    let count = p.number("count", 50, 1, 50)? as u32;
    let artist = match ids::parse(name) {
        Some((Kind::Artist, id)) => id,
        _ => {
            let query = SearchQuery {
                q: name.to_string(),
                limit: Some(20),
                kinds: Some(vec![SearchKind::Artists]),
                ..Default::default()
            };
            let hits = l.call(&query).await?.artists;
            let exact = hits.iter().find(|h| h.title.eq_ignore_ascii_case(name.trim()));
            match exact.or(hits.first()) {
                Some(hit) => hit.id,
                None => return Ok(Reply::with("topSongs", json!({"song": []}))),
            }
        }
    };
    let top = l.call(&ArtistTop { artist_id: artist, limit: Some(count) }).await?;
    let ids: Vec<_> = top.tracks.iter().map(|t| t.track_id).collect();
    let notes = annotations::load(l).await?;
    let songs = annotations::songs_by_id(l, &ids, &notes).await?;
    Ok(Reply::with("topSongs", json!({"song": songs})))
}
