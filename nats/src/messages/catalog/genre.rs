//! Genre bodies.

use serde::{Deserialize, Serialize};

/// A genre and how much of the catalog has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genre {
    /// The genre's name.
    pub name: String,
    /// Tracks with this genre.
    pub tracks: u64,
    /// Albums with this genre.
    pub albums: u64,
}

/// `genre.list` request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenreList {}

/// `genre.list` reply: every genre, most tracks first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genres {
    /// The genres.
    pub genres: Vec<Genre>,
}
