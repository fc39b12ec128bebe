//! Track bodies.

use serde::{Deserialize, Serialize};

/// The JetStream object store holding the audio files a track's `audio_object` names.
pub const AUDIO_STORE: &str = "chorus_audio";

/// The JetStream object store holding the cover art a `cover_art` field names.
pub const ART_STORE: &str = "chorus_art";
use uuid::Uuid;

/// An artist credited on a track, with the name as credited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtistCredit {
    /// The artist's id.
    pub id: Uuid,
    /// The name as credited.
    pub name: String,
}

/// The album a track belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlbumRef {
    /// The album's id.
    pub id: Uuid,
    /// The album's title.
    pub title: String,
}

/// A track, as a music library knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    /// uuid v7.
    #[serde(default)]
    pub id: Uuid,
    /// Title as tagged.
    pub title: String,
    /// Title for sorting ("Beatles, The").
    #[serde(default)]
    pub sort_title: String,
    /// Credited artists, in order.
    #[serde(default)]
    pub artists: Vec<ArtistCredit>,
    /// The album artist.
    #[serde(default)]
    pub album_artist: Option<ArtistCredit>,
    /// The album.
    #[serde(default)]
    pub album: Option<AlbumRef>,
    /// Position on its disc.
    #[serde(default)]
    pub track_number: Option<u32>,
    /// Disc number.
    #[serde(default)]
    pub disc_number: Option<u32>,
    /// Release year.
    #[serde(default)]
    pub year: Option<i32>,
    /// Genre names.
    #[serde(default)]
    pub genres: Vec<String>,
    /// Duration in milliseconds.
    #[serde(default)]
    pub duration_ms: u64,
    /// Audio codec (`opus`, `mp3`, `flac`, `aac`).
    #[serde(default)]
    pub codec: String,
    /// Bit rate in kbit/s.
    #[serde(default)]
    pub bitrate_kbps: u32,
    /// Size of the audio object in bytes.
    #[serde(default)]
    pub file_size: u64,
    /// Cover art object name, if any.
    #[serde(default)]
    pub cover_art: Option<String>,
    /// Audio object name in the `chorus_audio` object store.
    #[serde(default)]
    pub audio_object: Option<String>,
    /// MusicBrainz recording id.
    #[serde(default)]
    pub mbid: Option<Uuid>,
    /// When the track entered the catalog, ms since the Unix epoch.
    #[serde(default)]
    pub added_at: u64,
    /// The record revision this copy is at; send it back to update or delete
    /// only if nobody changed the track since.
    #[serde(default)]
    pub revision: u64,
}

/// `track.get` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackGet {
    /// The track's id.
    pub id: Uuid,
}

/// `track.batch` request: several tracks by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackBatch {
    /// Up to 500 ids.
    pub ids: Vec<Uuid>,
}

/// `track.batch` reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackBatchReply {
    /// The tracks found, in request order.
    pub tracks: Vec<Track>,
    /// Ids with no track.
    pub missing: Vec<Uuid>,
}

/// `track.list` request: a page of tracks in id order, optionally filtered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackList {
    /// The `next` cursor of the previous page; none for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Page size, 1 to 500; 50 when absent.
    #[serde(default)]
    pub limit: Option<u32>,
    /// Only tracks crediting this artist.
    #[serde(default)]
    pub artist: Option<Uuid>,
    /// Only tracks of this album.
    #[serde(default)]
    pub album: Option<Uuid>,
    /// Only tracks of this genre (case-insensitive).
    #[serde(default)]
    pub genre: Option<String>,
    /// Only tracks from this year on.
    #[serde(default)]
    pub year_from: Option<i32>,
    /// Only tracks up to this year.
    #[serde(default)]
    pub year_to: Option<i32>,
}

/// A page of tracks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackPage {
    /// The tracks on this page.
    pub tracks: Vec<Track>,
    /// The cursor of the next page; none on the last page.
    pub next: Option<String>,
}

impl crate::messages::ListPage for TrackPage {
    type Item = Track;
    const FIELD: &'static str = "tracks";
}
