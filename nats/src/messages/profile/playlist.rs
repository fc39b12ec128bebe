//! Playlists: a user's ordered lists of tracks, private or public.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::messages::catalog::Track;

/// A stored playlist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Playlist {
    /// Stable id (uuid v7).
    pub id: Uuid,
    /// The user who owns it.
    pub owner: Uuid,
    /// 1 to 200 characters.
    pub name: String,
    /// Up to 2,000 characters.
    pub description: String,
    /// Whether any signed-in user may read it.
    pub public: bool,
    /// Track ids in play order (at most `[profile] max_playlist_tracks`, 10,000).
    pub tracks: Vec<Uuid>,
    /// ms since the Unix epoch.
    pub created_at: u64,
    /// ms since the Unix epoch.
    pub updated_at: u64,
    /// Record revision: send it back with an edit (a stale one gets 409).
    #[serde(default)]
    pub revision: u64,
}

/// `playlist.create` request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaylistCreate {
    /// 1 to 200 characters.
    pub name: String,
    /// Optional.
    #[serde(default)]
    pub description: String,
    /// Private unless said.
    #[serde(default)]
    pub public: bool,
    /// Initial tracks.
    #[serde(default)]
    pub tracks: Vec<Uuid>,
}

/// `playlist.delete` request (and a `playlist.get` of the first page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaylistRef {
    /// The playlist.
    pub id: Uuid,
    /// Only at this revision (else 409 `revision_conflict`).
    #[serde(default)]
    pub revision: Option<u64>,
}

/// `playlist.get` request: a page of a playlist's tracks, by position.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaylistGet {
    /// The playlist.
    pub id: Uuid,
    /// Only at this revision (else 409 `revision_conflict`): pass the first
    /// page's revision with each later page, so a walk never mixes two versions.
    #[serde(default)]
    pub revision: Option<u64>,
    /// The `next` cursor of the previous page; none for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Tracks per page, 1 to 200; 100 when absent.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// `playlist.get` reply: the playlist and a page of its tracks as the catalog has them now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaylistView {
    /// The playlist (its `tracks` keeps every id, also of deleted tracks).
    pub playlist: Playlist,
    /// This page's tracks still in the catalog, in playlist order; deleted ones are hidden.
    pub tracks: Vec<Track>,
    /// How many entries of this page are hidden because the catalog no longer has them.
    pub hidden: usize,
    /// The cursor of the next page; none on the last page.
    #[serde(default)]
    pub next: Option<String>,
}

/// A playlist without its track ids, as `playlist.list` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaylistSummary {
    /// Stable id (uuid v7).
    pub id: Uuid,
    /// The user who owns it.
    pub owner: Uuid,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Whether any signed-in user may read it.
    pub public: bool,
    /// How many entries it has.
    pub track_count: usize,
    /// ms since the Unix epoch.
    pub created_at: u64,
    /// ms since the Unix epoch.
    pub updated_at: u64,
    /// Record revision.
    pub revision: u64,
}

impl From<&Playlist> for PlaylistSummary {
    fn from(p: &Playlist) -> Self {
        Self {
            id: p.id,
            owner: p.owner,
            name: p.name.clone(),
            description: p.description.clone(),
            public: p.public,
            track_count: p.tracks.len(),
            created_at: p.created_at,
            updated_at: p.updated_at,
            revision: p.revision,
        }
    }
}

/// `playlist.list` reply: a page of the caller's playlists, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaylistPage {
    /// Without their track ids (`playlist.get` pages those).
    pub playlists: Vec<PlaylistSummary>,
    /// The cursor of the next page; none on the last page.
    #[serde(default)]
    pub next: Option<String>,
}

/// One change to a playlist's tracks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum PlaylistOp {
    /// Insert `tracks` at `at` (the end when absent).
    Add {
        /// Track ids (must exist in the catalog).
        tracks: Vec<Uuid>,
        /// Position.
        #[serde(default)]
        at: Option<usize>,
    },
    /// Remove the entries at these positions.
    Remove {
        /// Positions, any order.
        positions: Vec<usize>,
    },
    /// Move the entry at `from` to `to`.
    Move {
        /// From this position.
        from: usize,
        /// To this one.
        to: usize,
    },
}

/// `playlist.update` request: rename, describe, publish, edit tracks, at a revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaylistUpdate {
    /// The playlist.
    pub id: Uuid,
    /// The revision the client last read: a stale one gets 409 `revision_conflict`.
    pub revision: u64,
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New description.
    #[serde(default)]
    pub description: Option<String>,
    /// New visibility.
    #[serde(default)]
    pub public: Option<bool>,
    /// Track edits, applied in order (at most `[profile] max_playlist_ops`, 500).
    #[serde(default)]
    pub ops: Vec<PlaylistOp>,
}
