//! Catalog bodies: tracks, albums, artists, genres.

mod album;
mod artist;
mod genre;
mod track;
mod write;

pub use album::*;
pub use artist::*;
pub use genre::*;
pub use track::*;
pub use write::*;
