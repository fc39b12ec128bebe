//! The catalog's system of record: the JetStream KV bucket `chorus_catalog`.
//!
//! Keys are `<kind>.<uuid>` (`track.…`, `album.…`, `artist.…`); values are
//! MessagePack entities.

use uuid::Uuid;

/// The bucket name.
pub const BUCKET: &str = "chorus_catalog";

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
