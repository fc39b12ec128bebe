//! The profile's records: the KV bucket `chorus_profile` and the stream `chorus_plays`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Playlists (`playlist.<id>`), libraries (`library.<user>`), queues (`queue.<user>`).
pub(crate) const BUCKET: &str = "chorus_profile";
/// Every play, on subject `chorus_plays.<user>`, deduplicated by play id.
pub(crate) const PLAYS: &str = "chorus_plays";

pub(crate) fn playlist_key(id: Uuid) -> String {
    format!("playlist.{id}")
}

pub(crate) fn library_key(user: Uuid) -> String {
    format!("library.{user}")
}

pub(crate) fn queue_key(user: Uuid) -> String {
    format!("queue.{user}")
}

pub(crate) fn play_subject(user: Uuid) -> String {
    format!("{PLAYS}.{user}")
}

/// A user's favorites and ratings, one record so each change is one write.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Library {
    /// id → starred at (ms).
    pub(crate) tracks: BTreeMap<Uuid, u64>,
    pub(crate) albums: BTreeMap<Uuid, u64>,
    pub(crate) artists: BTreeMap<Uuid, u64>,
    /// track → 1..=5.
    pub(crate) ratings: BTreeMap<Uuid, u8>,
}
