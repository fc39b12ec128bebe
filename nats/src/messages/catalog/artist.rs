//! Artist bodies.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Album;

/// An artist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artist {
    /// uuid v7.
    #[serde(default)]
    pub id: Uuid,
    /// Name as credited.
    pub name: String,
    /// Name for sorting ("Beatles, The").
    #[serde(default)]
    pub sort_name: String,
    /// MusicBrainz artist id.
    #[serde(default)]
    pub mbid: Option<Uuid>,
    /// Cover art object name, if any.
    #[serde(default)]
    pub image: Option<String>,
    /// ms since the Unix epoch.
    #[serde(default)]
    pub added_at: u64,
    /// Record revision.
    #[serde(default)]
    pub revision: u64,
}

/// `artist.get` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtistGet {
    /// The artist's id.
    pub id: Uuid,
}

/// `artist.get` reply: the artist and its albums (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtistDetail {
    /// The artist.
    pub artist: Artist,
    /// Albums whose album artist it is.
    pub albums: Vec<Album>,
}

/// `artist.list` request: artists by sort name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtistList {
    /// Skip this many.
    #[serde(default)]
    pub offset: u32,
    /// 1 to 500; 50 when absent.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// `artist.list` reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtistPage {
    /// The artists.
    pub artists: Vec<Artist>,
}
