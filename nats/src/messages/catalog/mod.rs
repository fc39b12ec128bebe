//! Catalog bodies: tracks, albums, artists, genres.

mod album;
mod art;
mod artist;
mod genre;
mod track;
mod write;

pub use album::*;
pub use art::*;
pub use artist::*;
pub use genre::*;
pub use track::*;
pub use write::*;
