//! The profile's records: the KV bucket `chorus_profile` and the stream `chorus_plays`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Playlists (`playlist.<id>`), libraries (`library.<user>`), queues
/// (`queue.<user>`), and where each user's latest play is (`plays.<user>`).
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

/// Prefix of the keys that note plays in the bucket.
pub(crate) const PLAYS_PREFIX: &str = "plays.";

pub(crate) fn plays_key(user: Uuid) -> String {
    format!("{PLAYS_PREFIX}{user}")
}

/// A play noted in the bucket: its sequence in the plays stream. Writing it
/// gives the play a place in the bucket's sequence, the one clients hold for
/// profile (see `position`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct PlayNote {
    pub(crate) seq: u64,
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

#[cfg(test)]
mod tests {
    use chorus_nats::Encoding;

    use super::*;
    use crate::config::{ProfileConfig, FAVORITE_BYTES, RATING_BYTES};

    #[test]
    fn a_full_library_is_no_larger_than_its_estimate() {
        let cfg = ProfileConfig::default();
        let mut lib = Library::default();
        for i in 0..cfg.max_favorites {
            lib.tracks.insert(Uuid::now_v7(), u64::MAX - i as u64);
        }
        for _ in 0..cfg.max_ratings {
            lib.ratings.insert(Uuid::now_v7(), 5);
        }
        let bytes = Encoding::MsgPack.encode(&lib).unwrap().len();
        let estimate = cfg.max_favorites * FAVORITE_BYTES + cfg.max_ratings * RATING_BYTES;
        assert!(bytes <= estimate + 64, "{bytes} bytes, estimated {estimate}");
        assert!(bytes < 1024 * 1024 / 2, "{bytes} bytes: half the max payload at most");
    }
}
