//! The stream's records: the KV buckets `chorus_stream_sessions` and
//! `chorus_stream_quota`, their keys and what is stored under them.

use chorus_nats::messages::stream::SessionInfo;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub(crate) use chorus_nats::records::stream::{ended_key, Skip, SESSIONS};
/// The free tier's full plays, `<user>.<day>` → plays used that day.
pub(crate) const QUOTA: &str = "chorus_stream_quota";

/// A stored session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Session {
    pub(crate) info: SessionInfo,
    pub(crate) user: Uuid,
    pub(crate) object: String,
    pub(crate) source: String,
    pub(crate) client: String,
    /// ms since the Unix epoch.
    pub(crate) opened_at: u64,
}

/// KV key of a session.
pub(crate) fn session_key(id: Uuid) -> String {
    format!("session.{id}")
}

/// KV key of the marker that a session recorded its play.
pub(crate) fn played_key(id: Uuid) -> String {
    format!("played.{id}")
}

/// KV key of a listener's full plays on a day (days since the Unix epoch).
pub(crate) fn quota_key(user: Uuid, day: u64) -> String {
    format!("{user}.{day}")
}
