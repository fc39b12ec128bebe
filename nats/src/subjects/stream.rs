//! The stream service: playback sessions and audio chunks.

use super::Endpoint;
use crate::messages::stream::{Chunk, ChunkGet, Progress, ProgressReply, SessionInfo, SessionOpen};

/// Service name and queue group.
pub const SERVICE: &str = "stream";

endpoints! {
    /// `chorus.stream.v1.session.open`: open a playback session for a track.
    session_open: session.open, Authenticated, SessionOpen => SessionInfo;
    /// `chorus.stream.v1.chunk.get`: one chunk of a session's audio.
    chunk_get: chunk.get, Authenticated, ChunkGet => Chunk;
    /// `chorus.stream.v1.session.progress`: report playback progress; records the play past 30 s or at the end.
    session_progress: session.progress, Authenticated, Progress => ProgressReply;
}
