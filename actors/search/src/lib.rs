//! The search service: typo-tolerant search as you type over the catalog,
//! with highlights, filters and facets.
//!
//! Search owns its index (tantivy, in memory unless configured): it is built
//! from the catalog's record, the KV bucket `chorus_catalog`, before the
//! instance registers its endpoints, and a supervised projector keeps it
//! current; every applied batch is committed at once, so a catalog change is
//! searchable well within a second. Queries never call the catalog.
#![warn(missing_docs, unreachable_pub)]

//!
//! Without the `service` feature (on by default) the crate is the index and
//! its queries alone, free of the state kit and SurrealDB: the fuzz targets
//! build it so.

mod config;
mod entry;
mod facets;
mod floor;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod highlight;
mod index;
#[cfg(feature = "service")]
mod instance;
mod lists;
mod normalize;
#[cfg(feature = "service")]
mod projection;
mod query;
mod schema;
mod search;
mod suggest;

pub use config::{IndexSpec, SearchConfig, MAX_QUERY_THREADS};
pub use index::SearchIndex;
#[cfg(feature = "service")]
pub use instance::{build, service, Built};
pub use search::{DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, MAX_QUERY_BYTES};
pub use suggest::{DEFAULT_SUGGESTIONS, MAX_SUGGESTIONS};

/// Service name, micro name and queue group.
pub const NAME: &str = chorus_nats::subjects::search::SERVICE;
