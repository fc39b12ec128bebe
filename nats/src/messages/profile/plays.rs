//! Listening history: plays recorded, and what is read back from them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `play.record` request: one play, appended to the `chorus_plays` stream
/// (deduplicated by `play_id`, so a retried record counts once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlayRecord {
    /// Chosen by the client (or the stream service: the playback session id).
    pub play_id: Uuid,
    /// The track.
    pub track_id: Uuid,
    /// ms since the Unix epoch.
    pub started_at: u64,
    /// How much was heard.
    pub ms_played: u64,
    /// Where it was started from (`album`, `playlist`, `search`, ...).
    #[serde(default)]
    pub source: String,
    /// The client (`web`, `cli`, ...).
    #[serde(default)]
    pub client: String,
}

/// A play as stored in the stream (the record plus its user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Play {
    /// The listener.
    pub user: Uuid,
    /// The album of the track, when the catalog knew it.
    #[serde(default)]
    pub album: Option<Uuid>,
    /// The artists of the track.
    #[serde(default)]
    pub artists: Vec<Uuid>,
    /// What the client said.
    #[serde(flatten)]
    pub record: PlayRecord,
}

/// `play.recent` request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecentRequest {
    /// 1 to 200 (50).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// A track last played at some time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentPlay {
    /// The track.
    pub track_id: Uuid,
    /// When its latest play started (ms since the Unix epoch).
    pub played_at: u64,
}

/// `play.recent` reply: tracks, each once, most recently played first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentPlays {
    /// Newest first.
    pub tracks: Vec<RecentPlay>,
}

/// A count of plays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayCount {
    /// Track, album or artist id.
    pub id: Uuid,
    /// Plays.
    pub plays: u64,
}

/// `play.counts` request: the caller's most played, optionally in a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountsRequest {
    /// From (ms since the Unix epoch, inclusive); all time when absent.
    #[serde(default)]
    pub from: Option<u64>,
    /// Until (exclusive).
    #[serde(default)]
    pub until: Option<u64>,
    /// Entries per list, 1 to 200 (20).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// `play.counts` reply: most played first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayCounts {
    /// Top tracks.
    pub tracks: Vec<PlayCount>,
    /// Top albums.
    pub albums: Vec<PlayCount>,
    /// Top artists.
    pub artists: Vec<PlayCount>,
    /// Plays in the period.
    pub total: u64,
}

/// `play.albums` reply: the caller's albums by their plays, most played
/// first (ties by album id), a page at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayAlbumsPage {
    /// Album ids and the caller's plays of them.
    pub albums: Vec<PlayCount>,
    /// The cursor of the next page; none on the last.
    pub next: Option<String>,
}

/// `play.history` reply: every play the caller recorded, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayHistoryPage {
    /// As recorded.
    pub plays: Vec<PlayRecord>,
    /// The cursor of the next page; none on the last.
    pub next: Option<String>,
}
