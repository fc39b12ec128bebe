//! The stream service: playback sessions and audio chunks.

use super::Endpoint;

/// Service name and queue group.
pub const SERVICE: &str = "stream";

/// `chorus.stream.v1.session.open`: open a playback session for a track.
pub const fn session_open() -> Endpoint {
    Endpoint::new(SERVICE, "session", "open").authenticated()
}

/// `chorus.stream.v1.chunk.get`: one chunk of a session's audio.
pub const fn chunk_get() -> Endpoint {
    Endpoint::new(SERVICE, "chunk", "get").authenticated()
}

/// `chorus.stream.v1.session.progress`: report playback progress; records the play past 30 s or at the end.
pub const fn session_progress() -> Endpoint {
    Endpoint::new(SERVICE, "session", "progress").authenticated()
}

/// Every stream endpoint.
pub const ALL: &[Endpoint] = &[session_open(), chunk_get(), session_progress()];
