//! Catalog bodies: tracks, albums, artists, genres.

mod album;
mod art;
mod artist;
mod browse;
mod genre;
mod track;
mod write;
mod years;

pub use album::*;
pub use art::*;
pub use artist::*;
pub use browse::*;
pub use genre::*;
pub use track::*;
pub use write::*;
pub use years::year_range;
