//! `user.mix`: a personal mix, each pick with its reason.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `user.mix` request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixRequest {
    /// Tracks, 1 to 100 (30).
    #[serde(default)]
    pub limit: Option<u32>,
    /// Also tracks played in the last `recent_days` (left out by default).
    #[serde(default)]
    pub include_recent: bool,
    /// 1 to 30 days (3).
    #[serde(default)]
    pub recent_days: Option<u32>,
}

/// Why a track was picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// Close to a track the listener played (`because_track`).
    Played,
    /// Close to a track the listener starred or rated well (`because_track`).
    Liked,
    /// Played by listeners of an artist (`because_artist`).
    ListenersOf,
    /// Played a lot lately, by everyone.
    Popular,
    /// From a genre (`genre`).
    Genre,
    /// From the radio's seed: its artist, album, genre or playlist.
    Seed,
    /// New in the catalog (when nothing else fills the list).
    New,
}

/// One recommended track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    /// The track.
    pub track_id: Uuid,
    /// Higher is closer; comparable within one reply only.
    pub score: f32,
    /// Why.
    pub reason: ReasonKind,
    /// For a listener to read: "Because you played Blue in Green".
    pub reason_text: String,
    /// The track the reason names.
    #[serde(default)]
    pub because_track: Option<Uuid>,
    /// The artist the reason names.
    #[serde(default)]
    pub because_artist: Option<Uuid>,
    /// The genre the reason names.
    #[serde(default)]
    pub genre: Option<String>,
}

/// `user.mix` reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Mix {
    /// Best first; at most two tracks of one artist in the first ten.
    pub tracks: Vec<Pick>,
    /// The model version that scored it (0: none trained yet).
    pub model: u64,
    /// The listener has no history yet: popular and per-genre picks.
    pub cold_start: bool,
}
