//! Chorus's tracks, albums and artists as Subsonic's `Child` (a song),
//! `AlbumID3` and `ArtistID3`, with the listener's stars and ratings.

use std::collections::HashMap;

use chorus_nats::messages::catalog::{Album, Artist, Track};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::ids::{show, Kind};

/// The listener's stars (by id, when) and track ratings.
#[derive(Debug, Default, Clone)]
pub(crate) struct Annotations {
    pub(crate) starred: HashMap<Uuid, u64>,
    pub(crate) ratings: HashMap<Uuid, u8>,
}

impl Annotations {
    fn annotate(&self, id: Uuid, m: &mut Map<String, Value>) {
        if let Some(at) = self.starred.get(&id) {
            m.insert("starred".into(), iso(*at).into());
        }
        if let Some(r) = self.ratings.get(&id) {
            m.insert("userRating".into(), (*r).into());
        }
    }
}

/// ms since the Unix epoch as ISO 8601 (UTC).
pub(crate) fn iso(ms: u64) -> String {
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A codec's MIME type and file suffix.
pub(crate) fn content_type(codec: &str) -> (&'static str, &'static str) {
    match codec.to_ascii_lowercase().as_str() {
        "opus" => ("audio/ogg", "opus"),
        "vorbis" | "ogg" => ("audio/ogg", "ogg"),
        "mp3" | "mpeg" => ("audio/mpeg", "mp3"),
        "flac" => ("audio/flac", "flac"),
        "aac" | "alac" | "m4a" | "mp4" => ("audio/mp4", "m4a"),
        "wav" => ("audio/wav", "wav"),
        _ => ("application/octet-stream", "bin"),
    }
}

fn credits(list: &[chorus_nats::messages::catalog::ArtistCredit]) -> Value {
    Value::Array(list.iter().map(|a| json!({"id": show(Kind::Artist, a.id), "name": a.name})).collect())
}

fn genres(list: &[String]) -> Value {
    Value::Array(list.iter().map(|g| json!({"name": g})).collect())
}

/// A track as a song (`Child`).
pub(crate) fn song(t: &Track, notes: &Annotations) -> Value {
    let (mime, suffix) = content_type(&t.codec);
    let artist = t.artists.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ");
    let mut m = Map::new();
    m.insert("id".into(), show(Kind::Track, t.id).into());
    m.insert("isDir".into(), false.into());
    m.insert("title".into(), t.title.clone().into());
    m.insert("sortName".into(), t.sort_title.clone().into());
    if let Some(album) = &t.album {
        m.insert("parent".into(), show(Kind::Album, album.id).into());
        m.insert("album".into(), album.title.clone().into());
        m.insert("albumId".into(), show(Kind::Album, album.id).into());
    }
    if !artist.is_empty() {
        m.insert("artist".into(), artist.clone().into());
        m.insert("displayArtist".into(), artist.into());
    }
    if let Some(first) = t.artists.first() {
        m.insert("artistId".into(), show(Kind::Artist, first.id).into());
    }
    m.insert("artists".into(), credits(&t.artists));
    if let Some(aa) = &t.album_artist {
        m.insert("albumArtists".into(), credits(std::slice::from_ref(aa)));
        m.insert("displayAlbumArtist".into(), aa.name.clone().into());
    }
    if let Some(n) = t.track_number {
        m.insert("track".into(), n.into());
    }
    if let Some(n) = t.disc_number {
        m.insert("discNumber".into(), n.into());
    }
    if let Some(y) = t.year {
        m.insert("year".into(), y.into());
    }
    if let Some(g) = t.genres.first() {
        m.insert("genre".into(), g.clone().into());
    }
    m.insert("genres".into(), genres(&t.genres));
    if let Some(art) = &t.cover_art {
        m.insert("coverArt".into(), art.clone().into());
    }
    m.insert("size".into(), t.file_size.into());
    m.insert("contentType".into(), mime.into());
    m.insert("suffix".into(), suffix.into());
    m.insert("duration".into(), (t.duration_ms / 1000).into());
    m.insert("bitRate".into(), t.bitrate_kbps.into());
    m.insert("type".into(), "music".into());
    m.insert("mediaType".into(), "song".into());
    m.insert("isVideo".into(), false.into());
    m.insert("created".into(), iso(t.added_at).into());
    if let Some(mbid) = t.mbid {
        m.insert("musicBrainzId".into(), mbid.to_string().into());
    }
    notes.annotate(t.id, &mut m);
    Value::Object(m)
}

/// An album (`AlbumID3`); `tracks`, when known, give its song count and length.
pub(crate) fn album(a: &Album, tracks: Option<&[Track]>, notes: &Annotations) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), show(Kind::Album, a.id).into());
    m.insert("name".into(), a.title.clone().into());
    m.insert("title".into(), a.title.clone().into());
    m.insert("sortName".into(), a.sort_title.clone().into());
    m.insert("isDir".into(), true.into());
    if let Some(artist) = &a.artist {
        m.insert("artist".into(), artist.name.clone().into());
        m.insert("displayArtist".into(), artist.name.clone().into());
        m.insert("artistId".into(), show(Kind::Artist, artist.id).into());
        m.insert("parent".into(), show(Kind::Artist, artist.id).into());
        m.insert("artists".into(), credits(std::slice::from_ref(artist)));
    }
    if let Some(art) = &a.cover_art {
        m.insert("coverArt".into(), art.clone().into());
    }
    if let Some(y) = a.year {
        m.insert("year".into(), y.into());
    }
    if let Some(g) = a.genres.first() {
        m.insert("genre".into(), g.clone().into());
    }
    m.insert("genres".into(), genres(&a.genres));
    if let Some(t) = a.release_type {
        let name = serde_json::to_value(t).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        m.insert("isCompilation".into(), (name == "compilation").into());
        m.insert("releaseTypes".into(), json!([name]));
    }
    // The tracks when the caller has them, else the catalog's count of them.
    let counted = match tracks {
        Some(tracks) => Some((tracks.len() as u64, tracks.iter().map(|t| t.duration_ms).sum::<u64>())),
        None => a.track_count.map(|n| (u64::from(n), a.duration_ms.unwrap_or(0))),
    };
    if let Some((songs, ms)) = counted {
        m.insert("songCount".into(), songs.into());
        m.insert("duration".into(), (ms / 1000).into());
    }
    m.insert("created".into(), iso(a.added_at).into());
    if let Some(mbid) = a.mbid {
        m.insert("musicBrainzId".into(), mbid.to_string().into());
    }
    notes.annotate(a.id, &mut m);
    m
}

/// An artist (`ArtistID3`); `album_count` when known.
pub(crate) fn artist(a: &Artist, album_count: Option<usize>, notes: &Annotations) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), show(Kind::Artist, a.id).into());
    m.insert("name".into(), a.name.clone().into());
    m.insert("sortName".into(), a.sort_name.clone().into());
    if let Some(image) = &a.image {
        m.insert("coverArt".into(), image.clone().into());
    } else {
        m.insert("coverArt".into(), show(Kind::Artist, a.id).into());
    }
    if let Some(n) = album_count {
        m.insert("albumCount".into(), n.into());
    }
    if let Some(mbid) = a.mbid {
        m.insert("musicBrainzId".into(), mbid.to_string().into());
    }
    notes.annotate(a.id, &mut m);
    m
}
