//! Chorus's recommender: pure Rust, no I/O, no async.
//!
//! Train a [`Model`] from [`Interactions`] with an [`Algorithm`]; serve it
//! with [`Model::recommend`] (a listener's picks from their weighted
//! history, each with the history item it is "because" of),
//! [`Model::similar`] and [`Model::popular`]; store it with
//! [`Model::to_bytes`].
//!
//! Item-to-item models (item kNN, RP3beta, EASE) serve from each item's
//! top-k neighbour lists; ALS keeps item factors and folds the listener in
//! per request. Either way the history is read at request time, so the
//! latest plays count without retraining — weight them with [`Recency`].
//!
//! [`eval`] is the offline protocol the default algorithm was chosen with
//! (MovieLens-100k via [`movielens`]); [`synthetic`] generates a world with
//! known taste for tests and benchmarks.
//!
//! ```
//! use chorus_recsys::{synthetic::World, Algorithm, Model, Recency};
//!
//! let world = World::generate(300, 100, 5_000, 3, 1);
//! let data = world.interactions()?;
//! let model = Model::train(&data, &Algorithm::Rp3Beta { alpha: 0.6, beta: 0.4, k: 50 })?;
//! let (items, _) = data.user_items(0);
//! let times = data.user_times(0);
//! let weights = Recency::default().weights(times, times.last().copied().unwrap_or(0));
//! let history: Vec<(u32, f32)> = items.iter().copied().zip(weights).collect();
//! let picks = model.recommend(&history, 10, &|_| false);
//! assert_eq!(picks.len(), 10);
//! let restored = Model::from_bytes(&model.to_bytes()?)?;
//! assert_eq!(restored.recommend(&history, 10, &|_| false), picks);
//! # Ok::<(), anyhow::Error>(())
//! ```
#![warn(missing_docs, unreachable_pub)]

mod algorithm;
mod als;
mod csr;
mod dataset;
mod dense;
mod ease;
pub mod eval;
mod factors;
mod format;
mod interactions;
mod knn;
mod model;
pub mod movielens;
mod neighbours;
mod parallel;
mod popularity;
mod recency;
mod rp3beta;
mod scorer;
mod splitmix;
pub mod synthetic;
mod top_k;

pub use algorithm::{Algorithm, InvalidAlgorithm, DEFAULT_NEIGHBOURS};
pub use dataset::{Dataset, Play};
pub use ease::{EaseTooLarge, DEFAULT_MAX_ITEMS as EASE_DEFAULT_MAX_ITEMS};
pub use format::{FormatError, FORMAT_VERSION};
pub use interactions::{Event, Interactions, InteractionsError};
pub use model::{Model, Scored};
pub use recency::{position_weights, recency_weights, Recency};
