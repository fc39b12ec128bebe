//! Subsonic ids are strings naming any kind of thing (`getMusicDirectory`
//! takes an artist or an album). Chorus's ids are uuids, one space per kind,
//! so the gateway prefixes what is not a track: `ar-<uuid>` an artist,
//! `al-<uuid>` an album, `pl-<uuid>` a playlist; a track is its bare uuid.
//! Cover art ids are the catalog's `cover_art` names, or an entity's id.

use uuid::Uuid;

use crate::reply::Failure;

/// What an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Track,
    Album,
    Artist,
    Playlist,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Track => "",
            Kind::Album => "al-",
            Kind::Artist => "ar-",
            Kind::Playlist => "pl-",
        }
    }
}

/// The Subsonic id of `id` of `kind`.
pub(crate) fn show(kind: Kind, id: Uuid) -> String {
    format!("{}{id}", kind.prefix())
}

/// What `raw` names: its kind (by prefix) and uuid.
pub(crate) fn parse(raw: &str) -> Option<(Kind, Uuid)> {
    let raw = raw.trim();
    let (kind, rest) = match raw.get(..3) {
        Some("al-") => (Kind::Album, &raw[3..]),
        Some("ar-") => (Kind::Artist, &raw[3..]),
        Some("pl-") => (Kind::Playlist, &raw[3..]),
        _ => (Kind::Track, raw),
    };
    Uuid::try_parse(rest).ok().map(|id| (kind, id))
}

/// `raw` as an id of `kind`: a bare uuid is taken as that kind too (apps
/// that keep ids from another server's answers send them back bare).
pub(crate) fn parse_as(raw: &str, kind: Kind) -> Result<Uuid, Failure> {
    match parse(raw) {
        Some((k, id)) if k == kind || k == Kind::Track => Ok(id),
        _ => Err(Failure::not_found(format!("no {} with id {raw:?}", name(kind)))),
    }
}

fn name(kind: Kind) -> &'static str {
    match kind {
        Kind::Track => "song",
        Kind::Album => "album",
        Kind::Artist => "artist",
        Kind::Playlist => "playlist",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_by_kind() {
        let id = Uuid::now_v7();
        for kind in [Kind::Track, Kind::Album, Kind::Artist, Kind::Playlist] {
            assert_eq!(parse(&show(kind, id)), Some((kind, id)));
        }
        assert_eq!(parse_as(&id.to_string(), Kind::Album).unwrap(), id);
        assert_eq!(parse_as(&show(Kind::Artist, id), Kind::Album).unwrap_err().code, 70);
        assert_eq!(parse("nope"), None);
    }
}
