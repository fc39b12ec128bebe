//! `album.browse` and `artist.browse`: the library's pages, paged by cursor
//! (subjects.md, catalog: Browsing the library).

use serde::{Deserialize, Serialize};

use super::{Album, Artist};

/// How `album.browse` sorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlbumSort {
    /// Most recently added first.
    Added,
    /// By sort title.
    Name,
    /// Oldest year first; albums without a year last.
    Year,
    /// Newest year first; albums without a year last.
    YearDesc,
    /// A new random sample on every request (no `next`).
    Random,
}

/// `album.browse` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlbumBrowse {
    /// The order.
    pub sort: AlbumSort,
    /// The `next` of the previous page; none for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// 1 to 500; 50 when absent.
    #[serde(default)]
    pub limit: Option<u32>,
    /// Only albums of this genre (case ignored).
    #[serde(default)]
    pub genre: Option<String>,
    /// Only albums of this decade: its first year, a multiple of 10 (1990: 1990 to 1999).
    #[serde(default)]
    pub decade: Option<i32>,
}

/// `album.browse` reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlbumBrowsePage {
    /// The albums on this page.
    pub albums: Vec<Album>,
    /// The cursor of the next page; none on the last page (and for `random`).
    pub next: Option<String>,
}

/// `artist.browse` request: artists A to Z by sort name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtistBrowse {
    /// The `next` of the previous page; none for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// 1 to 500; 50 when absent.
    #[serde(default)]
    pub limit: Option<u32>,
    /// Where the first page starts: at the first artist filed at or after
    /// this (a letter, for an A–Z jump). Not with `cursor`.
    #[serde(default)]
    pub from: Option<String>,
}

/// `artist.browse` reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtistBrowsePage {
    /// The artists on this page.
    pub artists: Vec<Artist>,
    /// The cursor of the next page; none on the last page.
    pub next: Option<String>,
}
