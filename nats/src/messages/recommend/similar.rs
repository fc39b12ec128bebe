//! `track.similar`, `artist.similar` and `artist.top`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Pick;

/// `track.similar` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackSimilar {
    /// The track.
    pub track_id: Uuid,
    /// 1 to 100 (20).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// `track.similar` reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SimilarTracks {
    /// Closest first.
    pub tracks: Vec<Pick>,
}

/// `artist.similar` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtistSimilar {
    /// The artist.
    pub artist_id: Uuid,
    /// 1 to 50 (10).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// An artist close to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarArtist {
    /// The artist.
    pub artist_id: Uuid,
    /// Higher is closer.
    pub score: f32,
}

/// `artist.similar` reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SimilarArtists {
    /// Closest first.
    pub artists: Vec<SimilarArtist>,
}

/// `artist.top` request: the artist's most played tracks, by every listener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtistTop {
    /// The artist.
    pub artist_id: Uuid,
    /// 1 to 50 (10).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// A track and how often it was played.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopTrack {
    /// The track.
    pub track_id: Uuid,
    /// Plays by every listener, all time (as recorded by playback sessions).
    pub plays: u64,
}

/// `artist.top` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopTracks {
    /// Most played first; then the newest of the never-played.
    pub tracks: Vec<TopTrack>,
}
