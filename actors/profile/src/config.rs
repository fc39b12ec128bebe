//! The `[profile]` configuration section.

use serde::Deserialize;

/// Largest `max_playlist_tracks`: a playlist's ids in a JSON reply (39 bytes
/// each) plus a page of its tracks must stay under NATS's 1 MB max payload.
const CEILING_PLAYLIST_TRACKS: usize = 10_000;
/// Largest `max_queue`, for the same reason.
const CEILING_QUEUE: usize = 10_000;
/// A user's favorites and ratings are one record (one write per change), and
/// a record must stay under the max payload: a favorite costs at most 27
/// bytes in it (16-byte id, 9-byte time, MessagePack framing), a rating 19.
const CEILING_LIBRARY_BYTES: usize = 900_000;
/// What a favorite and a rating cost in the library record, at most.
pub(crate) const FAVORITE_BYTES: usize = 27;
/// See [`FAVORITE_BYTES`].
pub(crate) const RATING_BYTES: usize = 19;

/// Profile settings (`CHORUS_PROFILE__<KEY>`).
///
/// The caps are what one listener may keep; the defaults are those of
/// mainstream music apps (10,000 tracks per playlist and liked songs), and
/// keep every record and every reply well under the max payload.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ProfileConfig {
    /// JetStream replicas of the profile bucket and the plays stream: 1 in dev, 3 in a cluster.
    pub replicas: usize,
    /// How long a play id is remembered for deduplication.
    pub dedup_window_s: u64,
    /// Playlists one listener may own (409 `playlist_limit` past it).
    pub max_playlists: usize,
    /// Entries one playlist may hold (413 `too_many_tracks`); at most 10,000.
    pub max_playlist_tracks: usize,
    /// Ops one `playlist.update` may carry (400 `too_many_ops`).
    pub max_playlist_ops: usize,
    /// Starred tracks, albums and artists together (409 `favorite_limit`).
    pub max_favorites: usize,
    /// Rated tracks (409 `rating_limit`).
    pub max_ratings: usize,
    /// Entries of a saved play queue (413 `queue_too_long`); at most 10,000.
    pub max_queue: usize,
    /// Writes per second one listener may sustain on one instance; 0 turns the limit off.
    pub writes_per_s: u32,
    /// Writes one listener may make at once before `writes_per_s` applies.
    pub write_burst: u32,
}

impl Default for ProfileConfig {
    fn default() -> Self {
        Self {
            replicas: 1,
            dedup_window_s: 24 * 3600,
            max_playlists: 1_000,
            max_playlist_tracks: 10_000,
            max_playlist_ops: 500,
            max_favorites: 10_000,
            max_ratings: 10_000,
            max_queue: 1_000,
            writes_per_s: 20,
            write_burst: 100,
        }
    }
}

impl ProfileConfig {
    /// Refuse settings that would let a record or a reply outgrow the max payload.
    pub(crate) fn validate(&self) -> anyhow::Result<()> {
        let positive = [
            ("max_playlists", self.max_playlists),
            ("max_playlist_tracks", self.max_playlist_tracks),
            ("max_playlist_ops", self.max_playlist_ops),
            ("max_favorites", self.max_favorites),
            ("max_ratings", self.max_ratings),
            ("max_queue", self.max_queue),
        ];
        if let Some((name, _)) = positive.iter().find(|(_, v)| *v == 0) {
            anyhow::bail!("[profile] {name} must be at least 1");
        }
        if self.max_playlist_tracks > CEILING_PLAYLIST_TRACKS {
            anyhow::bail!("[profile] max_playlist_tracks is at most {CEILING_PLAYLIST_TRACKS}");
        }
        if self.max_queue > CEILING_QUEUE {
            anyhow::bail!("[profile] max_queue is at most {CEILING_QUEUE}");
        }
        let library = self.max_favorites * FAVORITE_BYTES + self.max_ratings * RATING_BYTES;
        if library > CEILING_LIBRARY_BYTES {
            anyhow::bail!(
                "[profile] max_favorites and max_ratings would make a library record of {library} bytes \
                 (at most {CEILING_LIBRARY_BYTES}: it must fit NATS's max payload)"
            );
        }
        if self.writes_per_s > 0 && self.write_burst == 0 {
            anyhow::bail!("[profile] write_burst must be at least 1 while writes_per_s is on");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_ceilings_hold() {
        ProfileConfig::default().validate().unwrap();
        let too_big = ProfileConfig { max_playlist_tracks: 20_000, ..Default::default() };
        assert!(too_big.validate().is_err());
        let too_big = ProfileConfig { max_favorites: 40_000, ..Default::default() };
        assert!(too_big.validate().is_err());
        let zero = ProfileConfig { max_playlists: 0, ..Default::default() };
        assert!(zero.validate().is_err());
    }
}
