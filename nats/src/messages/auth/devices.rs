//! The signed-in user's own sessions: list them, end one, end all others.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `session.list` request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionList {}

/// One of the caller's live sessions (a sign-in and the refreshes since).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// The session id (the `sid` of its access tokens).
    pub id: Uuid,
    /// When it signed in, ms since the Unix epoch (0 for sessions older than this field).
    pub started_at: u64,
    /// When it last signed in or refreshed, ms since the Unix epoch.
    pub last_used_at: u64,
    /// Whether it is the session of the token that asked.
    pub current: bool,
}

/// `session.list` reply: the caller's live sessions, most recently used first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionListing {
    /// The sessions.
    pub sessions: Vec<SessionSummary>,
}

/// `session.end` request: end one of the caller's sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionEnd {
    /// The session's id, as `session.list` gives it.
    pub id: Uuid,
}

/// `session.end_others` request: sign out everywhere but here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionEndOthers {}

/// `session.end_others` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionsEnded {
    /// How many live sessions ended.
    pub ended: u32,
}
