//! The profile's records: the KV bucket `chorus_profile` and the stream `chorus_plays`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub(crate) use chorus_nats::records::profile::{library_key, play_subject, Library, BUCKET};

pub(crate) fn playlist_key(id: Uuid) -> String {
    format!("playlist.{id}")
}

pub(crate) fn queue_key(user: Uuid) -> String {
    format!("queue.{user}")
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
