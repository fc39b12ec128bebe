//! Profile bodies: playlists, favorites and ratings, plays, the play queue.

mod library;
mod playlist;
mod plays;
mod queue;

pub use library::*;
pub use playlist::*;
pub use plays::*;
pub use queue::*;
