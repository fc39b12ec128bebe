//! The stream service's record that others follow: the marker a playback
//! session leaves when it ended short of a play — a skip, which recommend
//! reads as taste.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Playback sessions (`session.<id>`), and a marker once a session recorded
/// its play (`played.<id>`) or ended short of one (`ended.<id>`).
pub const SESSIONS: &str = "chorus_stream_sessions";

/// How long sessions and their markers live unless `[stream] session_ttl_s` says otherwise.
pub const DEFAULT_SESSION_TTL: std::time::Duration = std::time::Duration::from_secs(12 * 3600);

/// The prefix of the markers of sessions that ended short of a play.
pub const ENDED_PREFIX: &str = "ended.";

/// The key of the marker that session `id` ended short of a play.
pub fn ended_key(id: Uuid) -> String {
    format!("{ENDED_PREFIX}{id}")
}

/// A session that ended short of a play: the listener skipped the track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skip {
    /// The listener.
    pub user: Uuid,
    /// The track.
    pub track_id: Uuid,
    /// How much was heard (ms).
    pub played_ms: u64,
    /// When it ended (ms since the Unix epoch).
    pub at: u64,
}
