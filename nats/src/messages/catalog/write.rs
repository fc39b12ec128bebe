//! Catalog writes: create, update, delete of tracks, albums and artists.
//!
//! `<entity>.create` takes the entity itself: a nil or absent `id` gets a new
//! uuid v7 of the moment it is written, so it sorts after every record there;
//! a given id is used as it is (a second create of the same id is 409
//! `already_exists`) and sorts where its timestamp puts it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `<entity>.delete` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delete {
    /// The entity's id.
    pub id: Uuid,
    /// Only if the record is still at this revision (409 otherwise).
    #[serde(default)]
    pub revision: Option<u64>,
}

/// Reply to a write: the entity as written (none for a delete) and the
/// record sequence, which the typed client sends back as `Chorus-Min-Seq`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Written<T> {
    /// The entity as stored.
    pub entity: Option<T>,
    /// The write's record sequence.
    pub seq: u64,
}
