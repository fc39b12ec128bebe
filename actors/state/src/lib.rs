//! The state kit: JetStream is the record, an embedded SurrealDB is each
//! instance's view.
//!
//! - [`Records`]: a service's KV bucket, with create-if-absent, update at a
//!   revision and bounded re-read-and-retry on conflicts.
//! - [`View`]: SurrealDB in memory, or on disk (`surrealkv:<dir>`) where it
//!   remembers the last applied revision and resumes from it.
//! - [`Projection`] and the projector: every change of a [`Source`] (a KV
//!   bucket, or a stream such as a log), applied to the view in batches; an
//!   instance registers only after catching up.
//! - [`ObjectReader`] and [`ObjectCache`]: whole objects of a JetStream object
//!   store, read with direct gets and kept in memory.
//! - [`closures`]: account closures, each erased by every service that keeps a listener's data.
//! - [`jobs`]: a durable pull consumer shared by all instances of a service,
//!   so each job is handled by one instance.
//!
//! SurrealDB stays behind this crate: services query through [`View`].
#![warn(missing_docs, unreachable_pub)]

pub mod closures;
pub mod jobs;
mod object_cache;
pub mod objects;
mod projector;
mod records;
mod view;

pub use object_cache::ObjectCache;
pub use objects::ObjectReader;
pub use projector::{catch_up, projector_child, undecodable, undecodable_records, Change, Projection, Source};
pub use records::{publish_led, Records, WriteError};
pub use view::{View, ViewSpec};
