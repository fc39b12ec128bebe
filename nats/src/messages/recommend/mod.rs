//! Recommend bodies: a listener's mix, similar tracks and artists, radio,
//! and the served model. Tracks are named by id; a client reads them with
//! catalog's `track.batch`.

mod mix;
mod model;
mod radio;
mod similar;

pub use mix::*;
pub use model::*;
pub use radio::*;
pub use similar::*;
