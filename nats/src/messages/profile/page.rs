//! Paging, the same shape as catalog's `track.list`: ask with the `next` of
//! the previous page as `cursor`; `next` is none on the last page.

use serde::{Deserialize, Serialize};

/// `playlist.list` and `rating.list` request: one page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageRequest {
    /// The `next` cursor of the previous page; none for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Page size (each endpoint says its range and default).
    #[serde(default)]
    pub limit: Option<u32>,
}
