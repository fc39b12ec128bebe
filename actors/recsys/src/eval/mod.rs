//! Offline evaluation: the temporal hold-out protocol of the Python anchor
//! (`anchors/recsys_ml100k.py`), with every setting chosen on a validation
//! split inside train and only the choice measured on test.

mod grid;
mod holdout;
mod metrics;
mod protocol;
mod report;
mod selection;
mod split;

use std::path::Path;

pub use grid::Grid;
pub use holdout::holdout_metrics;
pub use metrics::{Metrics, K};
pub use protocol::evaluate;
pub use report::{Report, Row};
pub use selection::select;
pub use split::{temporal_split, Split, HOLD_OUT, MIN_PLAYS};

/// Ratings at or above this are a play, as in the anchor.
pub const ML_MIN_RATING: f32 = 4.0;

/// Runs [`Grid::ml100k`] on recbole's `ml-100k.inter` at `path`.
pub fn ml100k_report(path: impl AsRef<Path>) -> anyhow::Result<Report> {
    let ml = crate::movielens::load(path, ML_MIN_RATING)?;
    select(&ml.dataset, &Grid::ml100k())
}
