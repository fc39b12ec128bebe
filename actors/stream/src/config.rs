//! The `[stream]` configuration section.

use serde::Deserialize;

/// Stream settings (`CHORUS_STREAM__<KEY>`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct StreamConfig {
    /// JetStream replicas of the session and quota buckets.
    pub replicas: usize,
    /// Bytes per chunk; at most 256 KiB so a chunk and its headers fit NATS's default max payload.
    pub chunk_size: u32,
    /// Audio kept in memory per instance, in MiB (hot files are served without the object store).
    pub cache_mib: u64,
    /// Full plays a free listener gets per day (UTC); after them, previews.
    pub free_full_plays_per_day: u32,
    /// Length of a preview.
    pub preview_ms: u64,
    /// How long a playback session lives.
    pub session_ttl_s: u64,
    /// Playback that counts as a play (what scrobblers use).
    pub play_threshold_ms: u64,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self {
            replicas: 1,
            chunk_size: 256 * 1024,
            cache_mib: 256,
            free_full_plays_per_day: 10,
            preview_ms: 30_000,
            session_ttl_s: 12 * 3600,
            play_threshold_ms: 30_000,
        }
    }
}
