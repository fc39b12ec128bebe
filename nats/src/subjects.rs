//! Every Chorus subject, built in one place.
//!
//! A subject reads `chorus.<service>.v1.<noun>.<verb>`. Code never types a
//! subject as a string elsewhere; `subjects.md` is checked against [`all`].

/// The version segment every subject carries, so v1 and v2 can run side by side.
pub const VERSION: &str = "v1";

/// Prefix of every Chorus subject.
pub const ROOT: &str = "chorus";

/// One request/reply endpoint: the service that answers it, its noun and verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// Service name, also the queue group.
    pub service: &'static str,
    /// What the endpoint acts on (`track`).
    pub noun: &'static str,
    /// What it does (`get`).
    pub verb: &'static str,
}

impl Endpoint {
    /// An endpoint; services use the builders below, tests may define their own.
    pub const fn new(service: &'static str, noun: &'static str, verb: &'static str) -> Self {
        Self { service, noun, verb }
    }

    /// The full subject, `chorus.<service>.v1.<noun>.<verb>`.
    pub fn subject(&self) -> String {
        let mut s = String::with_capacity(
            ROOT.len() + VERSION.len() + self.service.len() + self.noun.len() + self.verb.len() + 4,
        );
        for (i, part) in [ROOT, self.service, VERSION, self.noun, self.verb].into_iter().enumerate() {
            if i > 0 {
                s.push('.');
            }
            s.push_str(part);
        }
        s
    }

    /// The micro endpoint name, `<noun>_<verb>` (the nats CLI rejects dots).
    pub fn name(&self) -> String {
        format!("{}_{}", self.noun, self.verb)
    }
}

/// The catalog service: artists, albums, tracks, genres.
pub mod catalog {
    use super::Endpoint;

    /// Service name and queue group.
    pub const SERVICE: &str = "catalog";

    /// `chorus.catalog.v1.track.get`: one track by id.
    pub const fn track_get() -> Endpoint {
        Endpoint::new(SERVICE, "track", "get")
    }

    /// `chorus.catalog.v1.track.batch`: several tracks by id.
    pub const fn track_batch() -> Endpoint {
        Endpoint::new(SERVICE, "track", "batch")
    }

    /// `chorus.catalog.v1.track.list`: tracks in id order, filtered, by cursor.
    pub const fn track_list() -> Endpoint {
        Endpoint::new(SERVICE, "track", "list")
    }

    /// `chorus.catalog.v1.track.create`.
    pub const fn track_create() -> Endpoint {
        Endpoint::new(SERVICE, "track", "create")
    }

    /// `chorus.catalog.v1.track.update`.
    pub const fn track_update() -> Endpoint {
        Endpoint::new(SERVICE, "track", "update")
    }

    /// `chorus.catalog.v1.track.delete`.
    pub const fn track_delete() -> Endpoint {
        Endpoint::new(SERVICE, "track", "delete")
    }

    /// `chorus.catalog.v1.album.get`: an album with its tracks.
    pub const fn album_get() -> Endpoint {
        Endpoint::new(SERVICE, "album", "get")
    }

    /// `chorus.catalog.v1.album.list`: browse lists (newest, alphabetical, by year, by genre, random).
    pub const fn album_list() -> Endpoint {
        Endpoint::new(SERVICE, "album", "list")
    }

    /// `chorus.catalog.v1.album.create`.
    pub const fn album_create() -> Endpoint {
        Endpoint::new(SERVICE, "album", "create")
    }

    /// `chorus.catalog.v1.album.update`.
    pub const fn album_update() -> Endpoint {
        Endpoint::new(SERVICE, "album", "update")
    }

    /// `chorus.catalog.v1.album.delete`.
    pub const fn album_delete() -> Endpoint {
        Endpoint::new(SERVICE, "album", "delete")
    }

    /// `chorus.catalog.v1.artist.get`: an artist with its albums.
    pub const fn artist_get() -> Endpoint {
        Endpoint::new(SERVICE, "artist", "get")
    }

    /// `chorus.catalog.v1.artist.list`: artists by name.
    pub const fn artist_list() -> Endpoint {
        Endpoint::new(SERVICE, "artist", "list")
    }

    /// `chorus.catalog.v1.artist.create`.
    pub const fn artist_create() -> Endpoint {
        Endpoint::new(SERVICE, "artist", "create")
    }

    /// `chorus.catalog.v1.artist.update`.
    pub const fn artist_update() -> Endpoint {
        Endpoint::new(SERVICE, "artist", "update")
    }

    /// `chorus.catalog.v1.artist.delete`.
    pub const fn artist_delete() -> Endpoint {
        Endpoint::new(SERVICE, "artist", "delete")
    }

    /// `chorus.catalog.v1.genre.list`: genres with track and album counts.
    pub const fn genre_list() -> Endpoint {
        Endpoint::new(SERVICE, "genre", "list")
    }

    /// Endpoints anyone connected may call (browsers included).
    pub const PUBLIC: &[Endpoint] = &[
        track_get(),
        track_batch(),
        track_list(),
        album_get(),
        album_list(),
        artist_get(),
        artist_list(),
        genre_list(),
    ];

    /// Every catalog endpoint.
    pub const ALL: &[Endpoint] = &[
        track_get(),
        track_batch(),
        track_list(),
        track_create(),
        track_update(),
        track_delete(),
        album_get(),
        album_list(),
        album_create(),
        album_update(),
        album_delete(),
        artist_get(),
        artist_list(),
        artist_create(),
        artist_update(),
        artist_delete(),
        genre_list(),
    ];
}

/// The search service: typo-tolerant search over the catalog.
pub mod search {
    use super::Endpoint;

    /// Service name and queue group.
    pub const SERVICE: &str = "search";

    /// `chorus.search.v1.catalog.query`: ranked tracks, albums and artists, with facets.
    pub const fn catalog_query() -> Endpoint {
        Endpoint::new(SERVICE, "catalog", "query")
    }

    /// `chorus.search.v1.catalog.suggest`: completions for a search box.
    pub const fn catalog_suggest() -> Endpoint {
        Endpoint::new(SERVICE, "catalog", "suggest")
    }

    /// Endpoints anyone connected may call (browsers included): all of them.
    pub const PUBLIC: &[Endpoint] = &[catalog_query(), catalog_suggest()];

    /// Every search endpoint.
    pub const ALL: &[Endpoint] = &[catalog_query(), catalog_suggest()];
}

/// Every endpoint of every service, in `subjects.md` order.
pub fn all() -> Vec<Endpoint> {
    [catalog::ALL, search::ALL].concat()
}

/// The endpoints browsers may call: the web user's publish permissions.
pub fn public() -> Vec<Endpoint> {
    [catalog::PUBLIC, search::PUBLIC].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_and_name_follow_the_pattern() {
        let e = catalog::track_get();
        assert_eq!(e.subject(), "chorus.catalog.v1.track.get");
        assert_eq!(e.name(), "track_get");
    }

    #[test]
    fn subjects_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for e in all() {
            assert!(seen.insert(e.subject()), "duplicate subject {}", e.subject());
        }
    }
}
