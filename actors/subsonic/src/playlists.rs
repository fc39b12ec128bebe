//! Playlists: `getPlaylists`, `getPlaylist`, `createPlaylist`,
//! `updatePlaylist`, `deletePlaylist`, over profile's `playlist.*` (each
//! change at the revision just read, so two apps editing at once never lose
//! an edit silently: the second is answered an error and may retry).

use chorus_nats::messages::profile::{
    Playlist, PlaylistCreate, PlaylistGet, PlaylistList, PlaylistOp, PlaylistRef, PlaylistSummary, PlaylistUpdate,
};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::annotations;
use crate::ids::{self, show, Kind};
use crate::params::Params;
use crate::reply::{Failure, Reply};
use crate::shape;
use crate::signin::Listener;

/// Pages of a listing or of one playlist read at most.
const MAX_PAGES: usize = 100;

fn summary(l: &Listener, s: &PlaylistSummary) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), show(Kind::Playlist, s.id).into());
    m.insert("name".into(), s.name.clone().into());
    m.insert("comment".into(), s.description.clone().into());
    m.insert("owner".into(), if s.owner == l.user { l.username.clone() } else { s.owner.to_string() }.into());
    m.insert("public".into(), s.public.into());
    m.insert("songCount".into(), s.track_count.into());
    // A listing has no tracks to add up; `getPlaylist` has.
    m.insert("duration".into(), 0.into());
    m.insert("created".into(), shape::iso(s.created_at).into());
    m.insert("changed".into(), shape::iso(s.updated_at).into());
    m
}

/// `getPlaylists`: the caller's, newest first.
pub(crate) async fn list(l: &Listener) -> Result<Reply, Failure> {
    let mut out = Vec::new();
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let page = l.call(&PlaylistList { cursor, limit: Some(50) }).await?;
        for s in &page.playlists {
            let m = summary(l, s);
            out.push(Value::Object(m));
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(Reply::with("playlists", json!({"playlist": out})))
}

/// `getPlaylist`: with every song, read page by page at one revision.
pub(crate) async fn get(p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let id = p.id("id", Kind::Playlist)?;
    Ok(Reply::with("playlist", Value::Object(read(l, id).await?)))
}

async fn read(l: &Listener, id: Uuid) -> Result<Map<String, Value>, Failure> {
    let notes = annotations::load(l).await?;
    let mut songs = Vec::new();
    let mut duration = 0;
    let mut cursor = None;
    let mut revision = None;
    let mut head: Option<Playlist> = None;
    for _ in 0..MAX_PAGES {
        let page = l.call(&PlaylistGet { id, revision, cursor, limit: Some(200) }).await?;
        revision = Some(page.playlist.revision);
        for t in &page.tracks {
            duration += t.duration_ms / 1000;
            songs.push(shape::song(t, &notes));
        }
        head.get_or_insert(page.playlist);
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let pl = head.ok_or_else(|| Failure::not_found("no such playlist"))?;
    let mut m = summary(l, &PlaylistSummary { track_count: songs.len(), ..PlaylistSummary::from(&pl) });
    m.insert("duration".into(), duration.into());
    m.insert("entry".into(), Value::Array(songs));
    Ok(m)
}

fn song_ids(p: &Params, name: &str) -> Result<Vec<Uuid>, Failure> {
    p.all(name).into_iter().map(|raw| ids::parse_as(raw, Kind::Track)).collect()
}

/// The playlist as it stands: its revision and tracks.
async fn current(l: &Listener, id: Uuid) -> Result<Playlist, Failure> {
    Ok(l.call(&PlaylistGet { id, revision: None, cursor: None, limit: Some(1) }).await?.playlist)
}

/// `createPlaylist`: a new one (`name`), or `playlistId`'s songs replaced.
pub(crate) async fn create(p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let songs = song_ids(p, "songId")?;
    let id = match p.get("playlistId") {
        Some(raw) => {
            let id = ids::parse_as(raw, Kind::Playlist)?;
            let pl = current(l, id).await?;
            let mut ops = Vec::new();
            if !pl.tracks.is_empty() {
                ops.push(PlaylistOp::Remove { positions: (0..pl.tracks.len()).collect() });
            }
            if !songs.is_empty() {
                ops.push(PlaylistOp::Add { tracks: songs, at: None });
            }
            let name = p.get("name").map(str::to_string);
            l.call(&PlaylistUpdate { id, revision: pl.revision, name, description: None, public: None, ops }).await?;
            id
        }
        None => {
            let name = p.required("name")?.to_string();
            l.call(&PlaylistCreate { name, tracks: songs, ..Default::default() }).await?.id
        }
    };
    Ok(Reply::with("playlist", Value::Object(read(l, id).await?)))
}

/// `updatePlaylist`: name, comment, public, songs removed by index, songs added.
pub(crate) async fn update(p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let id = p.id("playlistId", Kind::Playlist)?;
    let add = song_ids(p, "songIdToAdd")?;
    let remove = p
        .all("songIndexToRemove")
        .into_iter()
        .map(|i| i.trim().parse::<usize>().map_err(|_| Failure::invalid("songIndexToRemove", "a position")))
        .collect::<Result<Vec<_>, _>>()?;
    let pl = current(l, id).await?;
    let mut ops = Vec::new();
    if !remove.is_empty() {
        ops.push(PlaylistOp::Remove { positions: remove });
    }
    if !add.is_empty() {
        ops.push(PlaylistOp::Add { tracks: add, at: None });
    }
    let req = PlaylistUpdate {
        id,
        revision: pl.revision,
        name: p.get("name").map(str::to_string),
        description: p.get("comment").map(str::to_string),
        public: match p.get("public") {
            Some(_) => Some(p.flag("public", false)?),
            None => None,
        },
        ops,
    };
    l.call(&req).await?;
    Ok(Reply::empty())
}

/// `deletePlaylist`.
pub(crate) async fn delete(p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let id = p.id("id", Kind::Playlist)?;
    l.call(&PlaylistRef { id, revision: None }).await?;
    Ok(Reply::empty())
}
