//! Album bodies.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ArtistCredit, Track};

/// An album.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Album {
    /// uuid v7.
    #[serde(default)]
    pub id: Uuid,
    /// Title as tagged.
    pub title: String,
    /// Title for sorting.
    #[serde(default)]
    pub sort_title: String,
    /// The album artist.
    #[serde(default)]
    pub artist: Option<ArtistCredit>,
    /// Release year.
    #[serde(default)]
    pub year: Option<i32>,
    /// Genre names.
    #[serde(default)]
    pub genres: Vec<String>,
    /// Cover art object name, if any.
    #[serde(default)]
    pub cover_art: Option<String>,
    /// MusicBrainz release id.
    #[serde(default)]
    pub mbid: Option<Uuid>,
    /// What kind of release it is, as tagged or given; in a read reply, when
    /// the record has none, the one its tracks suggest (see `release_type_inferred`).
    #[serde(default)]
    pub release_type: Option<ReleaseType>,
    /// True when `release_type` was inferred from the tracks at read time,
    /// not stored. A write that sends it back true stores no type, so the
    /// inference goes on following the tracks.
    #[serde(default)]
    pub release_type_inferred: bool,
    /// In a read reply: how many tracks the album has now, as the catalog
    /// counts them (never stored; ignored in a write).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_count: Option<u32>,
    /// In a read reply: their total length, ms (never stored; ignored in a write).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// ms since the Unix epoch.
    #[serde(default)]
    pub added_at: u64,
    /// Record revision.
    #[serde(default)]
    pub revision: u64,
}

/// The kind of a release (MusicBrainz's release group types, one value:
/// the primary type, or the secondary type that decides how a player
/// files it, `live` for "album; live").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseType {
    /// A full-length album.
    Album,
    /// An extended play: a few tracks, longer than a single.
    Ep,
    /// One to three tracks.
    Single,
    /// Tracks gathered from other releases (a best-of, a various-artists set).
    Compilation,
    /// Recorded in concert.
    Live,
    /// Music of a film, game or show.
    Soundtrack,
    /// Remixes of other recordings.
    Remix,
    /// Anything else (a broadcast, spoken word, ...).
    Other,
}

/// `album.get` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlbumGet {
    /// The album's id.
    pub id: Uuid,
}

/// `album.get` reply: the album and its tracks in disc and track order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlbumDetail {
    /// The album.
    pub album: Album,
    /// Its tracks.
    pub tracks: Vec<Track>,
}

/// How `album.list` orders albums (Subsonic's getAlbumList2 types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlbumOrder {
    /// Most recently added first.
    Newest,
    /// By title.
    AlphabeticalByName,
    /// By album artist, then title.
    AlphabeticalByArtist,
    /// By year between `year_from` and `year_to` (descending when from > to).
    ByYear,
    /// Of `genre`, by title.
    ByGenre,
    /// A random sample.
    Random,
}

/// `album.list` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlbumList {
    /// The order.
    #[serde(rename = "type")]
    pub order: AlbumOrder,
    /// Skip this many.
    #[serde(default)]
    pub offset: u32,
    /// 1 to 500; 50 when absent.
    #[serde(default)]
    pub limit: Option<u32>,
    /// For `by_year`.
    #[serde(default)]
    pub year_from: Option<i32>,
    /// For `by_year`.
    #[serde(default)]
    pub year_to: Option<i32>,
    /// For `by_genre`.
    #[serde(default)]
    pub genre: Option<String>,
}

/// `album.list` reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlbumPage {
    /// The albums.
    pub albums: Vec<Album>,
}
