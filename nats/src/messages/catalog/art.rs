//! Cover art, for clients that cannot read the object store (browsers).

use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// `art.get` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtGet {
    /// What an album's or track's `cover_art` says (`<sha256>.<ext>`).
    pub name: String,
}

/// `art.get` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Art {
    /// The name asked.
    pub name: String,
    /// `image/jpeg`, `image/png`, ...
    pub mime: String,
    /// The image (MessagePack `bin`).
    pub data: Bytes,
}
