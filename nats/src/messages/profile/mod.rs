//! Profile bodies: playlists, favorites and ratings, plays, the play queue.

mod library;
mod page;
mod playlist;
mod plays;
mod queue;

pub use library::*;
pub use page::*;
pub use playlist::*;
pub use plays::*;
pub use queue::*;
