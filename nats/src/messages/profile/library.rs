//! Favorites (starred tracks, albums, artists) and ratings.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What can be starred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FavoriteKind {
    /// A track.
    Track,
    /// An album.
    Album,
    /// An artist.
    Artist,
}

/// `favorite.set` request: star or unstar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FavoriteSet {
    /// Kind of thing.
    pub kind: FavoriteKind,
    /// Its catalog id.
    pub id: Uuid,
    /// Star (true) or unstar (false).
    pub starred: bool,
}

/// One starred thing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Starred {
    /// Catalog id.
    pub id: Uuid,
    /// ms since the Unix epoch.
    pub starred_at: u64,
}

/// `favorite.list` request: a page of starred things, tracks first, then
/// albums, then artists, each kind newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FavoriteList {
    /// Only this kind; every kind when absent.
    #[serde(default)]
    pub kind: Option<FavoriteKind>,
    /// The `next` cursor of the previous page; none for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Entries per page (all kinds together), 1 to 500; 100 when absent.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// `favorite.list` reply: one page, each kind newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Favorites {
    /// Starred tracks.
    pub tracks: Vec<Starred>,
    /// Starred albums.
    pub albums: Vec<Starred>,
    /// Starred artists.
    pub artists: Vec<Starred>,
    /// The cursor of the next page; none on the last page.
    #[serde(default)]
    pub next: Option<String>,
}

/// `rating.set` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingSet {
    /// The track.
    pub track_id: Uuid,
    /// 1 to 5; 0 clears the rating.
    pub rating: u8,
}

/// One rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    /// The track.
    pub track_id: Uuid,
    /// 1 to 5.
    pub rating: u8,
}

/// `rating.list` reply: a page of ratings in track id order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratings {
    /// Rated tracks on this page.
    pub ratings: Vec<Rating>,
    /// The cursor of the next page; none on the last page.
    #[serde(default)]
    pub next: Option<String>,
}
