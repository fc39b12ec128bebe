//! `catalog.query`: ranked tracks, albums and artists with highlights and facets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a query may return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    /// Tracks.
    Tracks,
    /// Albums.
    Albums,
    /// Artists.
    Artists,
}

/// Filters; every one given must hold. Unknown fields are refused (400).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchFilters {
    /// Only this genre (case and diacritics ignored).
    #[serde(default)]
    pub genre: Option<String>,
    /// Only from this year on.
    #[serde(default)]
    pub year_from: Option<i32>,
    /// Only up to this year.
    #[serde(default)]
    pub year_to: Option<i32>,
    /// Only tracks and albums crediting this artist (and that artist itself).
    #[serde(default)]
    pub artist: Option<Uuid>,
}

/// `catalog.query` request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// What the listener typed; the last word is a prefix unless a space follows it.
    pub q: String,
    /// Hits per list, 1 to 100; 20 when absent.
    #[serde(default)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Filters.
    #[serde(default)]
    pub filters: SearchFilters,
    /// The lists wanted; all three when absent.
    #[serde(default)]
    pub kinds: Option<Vec<SearchKind>>,
}

/// One ranked hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// The track's, album's or artist's id.
    pub id: Uuid,
    /// Title, or an artist's name.
    pub title: String,
    /// The album title (tracks).
    #[serde(default)]
    pub album: Option<String>,
    /// The artist names, comma separated (tracks and albums).
    #[serde(default)]
    pub artist: Option<String>,
    /// Release year.
    #[serde(default)]
    pub year: Option<i32>,
    /// Genres.
    #[serde(default)]
    pub genres: Vec<String>,
    /// Relevance; higher is better, comparable within one list of one reply.
    pub score: f32,
    /// Matched fields (`title`, `album`, `artist`) as HTML-escaped text with
    /// the matched parts in `<em>`.
    #[serde(default)]
    pub highlight: BTreeMap<String, String>,
}

/// A facet value and how many matching tracks have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    /// The genre, or the decade (`1990s`).
    pub value: String,
    /// Matching tracks.
    pub count: u64,
}

/// Facet counts over every matching track (not only the page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// By genre, most first.
    pub genre: Vec<FacetCount>,
    /// By decade, oldest first.
    pub decade: Vec<FacetCount>,
}

/// `catalog.query` reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchReply {
    /// Tracks, best first.
    pub tracks: Vec<Hit>,
    /// Albums, best first.
    pub albums: Vec<Hit>,
    /// Artists, best first.
    pub artists: Vec<Hit>,
    /// Counts over the matching tracks.
    pub facets: Facets,
    /// Pass as `cursor` for the next page; none when no list has more.
    pub next_cursor: Option<String>,
}
