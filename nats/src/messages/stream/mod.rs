//! Stream bodies: playback sessions and audio chunks.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `session.open` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionOpen {
    /// The track to play.
    pub track_id: Uuid,
    /// Where it was started from, for the play record.
    #[serde(default)]
    pub source: String,
    /// The client, for the play record.
    #[serde(default)]
    pub client: String,
}

/// `session.open` reply: what the player needs to fetch and play the audio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Names the session in chunk requests.
    pub session_id: Uuid,
    /// The track.
    pub track_id: Uuid,
    /// Audio codec (`opus`, `mp3`, `flac`, `aac`).
    pub codec: String,
    /// MIME type for the audio element (`audio/ogg; codecs=opus`).
    pub mime: String,
    /// Bytes in the whole file.
    pub size: u64,
    /// Length of the track.
    pub duration_ms: u64,
    /// Bytes per chunk (the last may be shorter); at most 256 KiB.
    pub chunk_size: u32,
    /// Chunks in the whole file.
    pub chunk_count: u32,
    /// Chunks this session may fetch: all, or those of a preview.
    pub chunks_allowed: u32,
    /// `full`, or `preview` (the free tier past its daily full plays).
    pub entitlement: String,
}

/// `chunk.get` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChunkGet {
    /// From `session.open`.
    pub session_id: Uuid,
    /// 0-based.
    pub index: u32,
}

/// `chunk.get` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chunk {
    /// The index asked.
    pub index: u32,
    /// The bytes (MessagePack `bin`).
    pub data: Bytes,
}

/// `session.progress` request: how far playback got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// The session.
    pub session_id: Uuid,
    /// Position reached.
    pub position_ms: u64,
    /// Whether playback ended (the track finished or the listener moved on);
    /// an ended session counts as a play when it passed the threshold or
    /// reached the track's end.
    #[serde(default)]
    pub ended: bool,
}

/// `session.progress` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressReply {
    /// Whether this session's play is recorded (now or before).
    pub play_recorded: bool,
}
