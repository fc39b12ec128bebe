//! The profile's records that others follow: listeners' stars and ratings
//! (recommend reads them as taste) and the plays stream.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Playlists (`playlist.<id>`), libraries (`library.<user>`), queues
/// (`queue.<user>`), and where each user's latest play is (`plays.<user>`).
pub const BUCKET: &str = "chorus_profile";

/// Every play (`crate::messages::profile::Play`), on subject
/// `chorus_plays.<user>`, deduplicated by play id.
pub const PLAYS: &str = "chorus_plays";

/// The key of `user`'s library.
pub fn library_key(user: Uuid) -> String {
    format!("library.{user}")
}

/// The subject of `user`'s plays.
pub fn play_subject(user: Uuid) -> String {
    format!("{PLAYS}.{user}")
}

/// A user's favorites and ratings, one record so each change is one write.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Library {
    /// Starred tracks: id → starred at (ms).
    pub tracks: BTreeMap<Uuid, u64>,
    /// Starred albums.
    pub albums: BTreeMap<Uuid, u64>,
    /// Starred artists.
    pub artists: BTreeMap<Uuid, u64>,
    /// track → 1..=5.
    pub ratings: BTreeMap<Uuid, u8>,
}
