//! Profile bodies: playlists, favorites and ratings, plays, the play queue.

mod library;
mod plays;
mod playlist;
mod queue;

pub use library::*;
pub use plays::*;
pub use playlist::*;
pub use queue::*;
