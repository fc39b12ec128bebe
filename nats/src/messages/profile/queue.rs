//! The play queue, saved so a listener can resume on another device.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `queue.save` request and `queue.get` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlayQueue {
    /// Track ids, at most `[profile] max_queue` (1,000).
    pub tracks: Vec<Uuid>,
    /// The current entry.
    #[serde(default)]
    pub index: usize,
    /// Position in the current track.
    #[serde(default)]
    pub position_ms: u64,
    /// Set by the service (ms since the Unix epoch).
    #[serde(default)]
    pub saved_at: u64,
}

/// `queue.save` request: the queue as the player has it now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSave {
    /// Track ids, at most `[profile] max_queue` (1,000).
    pub tracks: Vec<Uuid>,
    /// The current entry.
    #[serde(default)]
    pub index: usize,
    /// Position in the current track.
    #[serde(default)]
    pub position_ms: u64,
}

/// `queue.get` request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueGet {}
