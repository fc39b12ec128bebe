//! Radio: an endless station from a seed, steered by what the listener skips.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Pick;

/// What a radio starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RadioSeed {
    /// A track.
    Track {
        /// Its id.
        id: Uuid,
    },
    /// An artist.
    Artist {
        /// Its id.
        id: Uuid,
    },
    /// An album.
    Album {
        /// Its id.
        id: Uuid,
    },
    /// A genre, by name.
    Genre {
        /// As the catalog spells it.
        name: String,
    },
    /// One of the listener's playlists, or a public one.
    Playlist {
        /// Its id.
        id: Uuid,
    },
    /// The listener's whole library: their plays and stars.
    Library,
}

/// `radio.start` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RadioStart {
    /// Where it starts.
    pub seed: RadioSeed,
    /// 0 (close to the seed) to 1 (far from it); 0.3 when absent.
    #[serde(default)]
    pub adventurousness: Option<f32>,
    /// Tracks in this first batch, 1 to 50 (10).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// `radio.next` request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RadioNext {
    /// The radio `radio.start` made.
    pub radio_id: Uuid,
    /// Tracks in this batch, 1 to 50 (10).
    #[serde(default)]
    pub limit: Option<u32>,
    /// Tracks of earlier batches the listener skipped: the radio steers away from them.
    #[serde(default)]
    pub skipped: Vec<Uuid>,
}

/// `radio.start` and `radio.next` reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RadioTracks {
    /// The radio, for `radio.next`.
    pub radio_id: Uuid,
    /// This batch: none of them given before in this radio.
    pub tracks: Vec<Pick>,
}
