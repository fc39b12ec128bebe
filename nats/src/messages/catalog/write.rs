//! Catalog writes: create, update, delete of tracks, albums and artists.
//!
//! `<entity>.create` takes the entity itself: a nil or absent `id` gets a new
//! uuid v7 of the moment it is written, so it sorts after every record there;
//! a given id is used as it is (a second create of the same id is 409
//! `already_exists`) and sorts where its timestamp puts it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Album, Artist, Track};

/// The three write requests of one kind of entity: `<Kind>Create` and
/// `<Kind>Update` carry the entity itself (the wire is the entity), and
/// `<Kind>Delete` names it by id.
macro_rules! writes {
    ($entity:ident, $create:ident, $update:ident, $delete:ident, $kind:literal) => {
        #[doc = concat!("`", $kind, ".create` request: the new ", $kind, " (see the module).")]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $create(pub $entity);

        #[doc = concat!("`", $kind, ".update` request: the ", $kind, " as it should be, at `revision` (as read, or 0).")]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $update(pub $entity);

        #[doc = concat!("`", $kind, ".delete` request.")]
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $delete {
            #[doc = concat!("The ", $kind, "'s id.")]
            pub id: Uuid,
            /// Only if the record is still at this revision (409 otherwise).
            #[serde(default)]
            pub revision: Option<u64>,
        }

        impl From<$create> for $entity {
            fn from(request: $create) -> Self {
                request.0
            }
        }

        impl From<$update> for $entity {
            fn from(request: $update) -> Self {
                request.0
            }
        }
    };
}

writes!(Track, TrackCreate, TrackUpdate, TrackDelete, "track");
writes!(Album, AlbumCreate, AlbumUpdate, AlbumDelete, "album");
writes!(Artist, ArtistCreate, ArtistUpdate, ArtistDelete, "artist");

/// Reply to a write: the entity as written (none for a delete) and the
/// record sequence, which the typed client sends back as `Chorus-Min-Seq`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Written<T> {
    /// The entity as stored.
    pub entity: Option<T>,
    /// The write's record sequence.
    pub seq: u64,
}
