//! The catalog's system of record: the JetStream KV bucket `chorus_catalog`.
//!
//! Keys are `<kind>.<uuid>` (`track.…`, `album.…`, `artist.…`); values are
//! MessagePack entities ([`crate::messages::catalog`]). The catalog writes
//! it; search (and any other reader) follows it through this contract, not
//! through the catalog crate.

use serde::Deserialize;
use uuid::Uuid;

use crate::subjects::Access;

/// The bucket name.
pub const BUCKET: &str = "chorus_catalog";

/// The configuration section the settings below are read from, by the
/// catalog and by every service that follows its record.
pub const SECTION: &str = "catalog";

/// What every reader of the catalog's record shares from `[catalog]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Shared {
    /// JetStream replicas of the bucket (when the first reader creates it): 1 in dev, 3 in a cluster.
    pub replicas: usize,
    /// Whether browsing (the catalog's reads, cover art, search) needs a
    /// signed-in user: a private deployment. Public otherwise.
    pub require_sign_in: bool,
}

impl Default for Shared {
    fn default() -> Self {
        Self { replicas: 1, require_sign_in: false }
    }
}

impl Shared {
    /// Who may browse.
    pub fn browse_access(&self) -> Access {
        if self.require_sign_in {
            Access::Authenticated
        } else {
            Access::Public
        }
    }
}

/// The kinds of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A track.
    Track,
    /// An album.
    Album,
    /// An artist.
    Artist,
}

impl Kind {
    /// The key prefix and view table name.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Track => "track",
            Kind::Album => "album",
            Kind::Artist => "artist",
        }
    }

    /// The key of the record `id` of this kind.
    pub fn key(self, id: Uuid) -> String {
        format!("{}.{id}", self.name())
    }
}

/// The kind and id a key names, if it names one.
pub fn parse_key(key: &str) -> Option<(Kind, Uuid)> {
    let (kind, id) = key.split_once('.')?;
    let kind = match kind {
        "track" => Kind::Track,
        "album" => Kind::Album,
        "artist" => Kind::Artist,
        _ => return None,
    };
    Some((kind, Uuid::parse_str(id).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let id = Uuid::now_v7();
        assert_eq!(parse_key(&Kind::Album.key(id)), Some((Kind::Album, id)));
        assert_eq!(parse_key("playlist.x"), None);
        assert_eq!(parse_key("track.not-a-uuid"), None);
    }
}
