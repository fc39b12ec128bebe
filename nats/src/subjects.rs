//! Every Chorus subject, built in one place.
//!
//! A subject reads `chorus.<service>.v1.<noun>.<verb>`. Code never types a
//! subject as a string elsewhere; `subjects.md` is checked against [`all`].

/// The version segment every subject carries, so v1 and v2 can run side by side.
pub const VERSION: &str = "v1";

/// Prefix of every Chorus subject.
pub const ROOT: &str = "chorus";

/// Who may call an endpoint; the runtime checks the bearer token before the handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone connected; the token is not looked at.
    Public,
    /// A signed-in user: a valid access token.
    Authenticated,
    /// A signed-in user with the `admin` role. Never reachable from browsers.
    Admin,
}

impl Access {
    /// As written in `subjects.md`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::Authenticated => "authenticated",
            Access::Admin => "admin",
        }
    }
}

/// One request/reply endpoint: the service that answers it, its noun and verb,
/// and who may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// Service name, also the queue group.
    pub service: &'static str,
    /// What the endpoint acts on (`track`).
    pub noun: &'static str,
    /// What it does (`get`).
    pub verb: &'static str,
    /// Who may call it.
    pub access: Access,
}

impl Endpoint {
    /// A public endpoint; services use the builders below, tests may define their own.
    pub const fn new(service: &'static str, noun: &'static str, verb: &'static str) -> Self {
        Self { service, noun, verb, access: Access::Public }
    }

    /// The same endpoint, for signed-in users only.
    pub const fn authenticated(self) -> Self {
        Self { access: Access::Authenticated, ..self }
    }

    /// The same endpoint, for admins only.
    pub const fn admin(self) -> Self {
        Self { access: Access::Admin, ..self }
    }

    /// The same endpoint with another access level (a deployment may require sign-in to browse).
    pub const fn with_access(self, access: Access) -> Self {
        Self { access, ..self }
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
        Endpoint::new(SERVICE, "track", "create").admin()
    }

    /// `chorus.catalog.v1.track.update`.
    pub const fn track_update() -> Endpoint {
        Endpoint::new(SERVICE, "track", "update").admin()
    }

    /// `chorus.catalog.v1.track.delete`.
    pub const fn track_delete() -> Endpoint {
        Endpoint::new(SERVICE, "track", "delete").admin()
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
        Endpoint::new(SERVICE, "album", "create").admin()
    }

    /// `chorus.catalog.v1.album.update`.
    pub const fn album_update() -> Endpoint {
        Endpoint::new(SERVICE, "album", "update").admin()
    }

    /// `chorus.catalog.v1.album.delete`.
    pub const fn album_delete() -> Endpoint {
        Endpoint::new(SERVICE, "album", "delete").admin()
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
        Endpoint::new(SERVICE, "artist", "create").admin()
    }

    /// `chorus.catalog.v1.artist.update`.
    pub const fn artist_update() -> Endpoint {
        Endpoint::new(SERVICE, "artist", "update").admin()
    }

    /// `chorus.catalog.v1.artist.delete`.
    pub const fn artist_delete() -> Endpoint {
        Endpoint::new(SERVICE, "artist", "delete").admin()
    }

    /// `chorus.catalog.v1.genre.list`: genres with track and album counts.
    pub const fn genre_list() -> Endpoint {
        Endpoint::new(SERVICE, "genre", "list")
    }

    /// `chorus.catalog.v1.art.get`: a cover art image by name.
    pub const fn art_get() -> Endpoint {
        Endpoint::new(SERVICE, "art", "get")
    }

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
        art_get(),
    ];
}

/// The auth service: accounts, sessions, roles, signing keys.
pub mod auth {
    use super::Endpoint;

    /// Service name and queue group.
    pub const SERVICE: &str = "auth";

    /// `chorus.auth.v1.user.register`: a new account.
    pub const fn user_register() -> Endpoint {
        Endpoint::new(SERVICE, "user", "register")
    }

    /// `chorus.auth.v1.session.login`: username and password for a session.
    pub const fn session_login() -> Endpoint {
        Endpoint::new(SERVICE, "session", "login")
    }

    /// `chorus.auth.v1.session.refresh`: a refresh token for new tokens (rotated).
    pub const fn session_refresh() -> Endpoint {
        Endpoint::new(SERVICE, "session", "refresh")
    }

    /// `chorus.auth.v1.session.logout`: revoke a refresh token's session.
    pub const fn session_logout() -> Endpoint {
        Endpoint::new(SERVICE, "session", "logout")
    }

    /// `chorus.auth.v1.key.list`: the public keys tokens are signed with.
    pub const fn key_list() -> Endpoint {
        Endpoint::new(SERVICE, "key", "list")
    }

    /// `chorus.auth.v1.user.me`: the signed-in user.
    pub const fn user_me() -> Endpoint {
        Endpoint::new(SERVICE, "user", "me").authenticated()
    }

    /// `chorus.auth.v1.password.change`: a new password; every other session ends.
    pub const fn password_change() -> Endpoint {
        Endpoint::new(SERVICE, "password", "change").authenticated()
    }

    /// `chorus.auth.v1.user.list`: every user, by username (admin).
    pub const fn user_list() -> Endpoint {
        Endpoint::new(SERVICE, "user", "list").admin()
    }

    /// `chorus.auth.v1.user.disable`: lock a user out (admin).
    pub const fn user_disable() -> Endpoint {
        Endpoint::new(SERVICE, "user", "disable").admin()
    }

    /// `chorus.auth.v1.user.enable`: let a disabled user back in (admin).
    pub const fn user_enable() -> Endpoint {
        Endpoint::new(SERVICE, "user", "enable").admin()
    }

    /// `chorus.auth.v1.role.grant` (admin).
    pub const fn role_grant() -> Endpoint {
        Endpoint::new(SERVICE, "role", "grant").admin()
    }

    /// `chorus.auth.v1.role.revoke` (admin).
    pub const fn role_revoke() -> Endpoint {
        Endpoint::new(SERVICE, "role", "revoke").admin()
    }

    /// Every auth endpoint.
    pub const ALL: &[Endpoint] = &[
        user_register(),
        session_login(),
        session_refresh(),
        session_logout(),
        key_list(),
        user_me(),
        password_change(),
        user_list(),
        user_disable(),
        user_enable(),
        role_grant(),
        role_revoke(),
    ];
}

/// The profile service: playlists, favorites, ratings, listening history, play queue.
pub mod profile {
    use super::Endpoint;

    /// Service name and queue group.
    pub const SERVICE: &str = "profile";

    /// `chorus.profile.v1.playlist.create`: a new playlist of the caller's.
    pub const fn playlist_create() -> Endpoint {
        Endpoint::new(SERVICE, "playlist", "create").authenticated()
    }

    /// `chorus.profile.v1.playlist.get`: a playlist of the caller's, or a public one, with its tracks.
    pub const fn playlist_get() -> Endpoint {
        Endpoint::new(SERVICE, "playlist", "get").authenticated()
    }

    /// `chorus.profile.v1.playlist.list`: the caller's playlists.
    pub const fn playlist_list() -> Endpoint {
        Endpoint::new(SERVICE, "playlist", "list").authenticated()
    }

    /// `chorus.profile.v1.playlist.update`: rename, describe, publish, edit tracks, at a revision.
    pub const fn playlist_update() -> Endpoint {
        Endpoint::new(SERVICE, "playlist", "update").authenticated()
    }

    /// `chorus.profile.v1.playlist.delete`: delete one of the caller's playlists.
    pub const fn playlist_delete() -> Endpoint {
        Endpoint::new(SERVICE, "playlist", "delete").authenticated()
    }

    /// `chorus.profile.v1.favorite.set`: star or unstar a track, album or artist.
    pub const fn favorite_set() -> Endpoint {
        Endpoint::new(SERVICE, "favorite", "set").authenticated()
    }

    /// `chorus.profile.v1.favorite.list`: the caller's starred tracks, albums and artists.
    pub const fn favorite_list() -> Endpoint {
        Endpoint::new(SERVICE, "favorite", "list").authenticated()
    }

    /// `chorus.profile.v1.rating.set`: rate a track 1 to 5 (0 clears).
    pub const fn rating_set() -> Endpoint {
        Endpoint::new(SERVICE, "rating", "set").authenticated()
    }

    /// `chorus.profile.v1.rating.list`: the caller's ratings.
    pub const fn rating_list() -> Endpoint {
        Endpoint::new(SERVICE, "rating", "list").authenticated()
    }

    /// `chorus.profile.v1.play.record`: append a play to the listening history (deduplicated by play id).
    pub const fn play_record() -> Endpoint {
        Endpoint::new(SERVICE, "play", "record").authenticated()
    }

    /// `chorus.profile.v1.play.recent`: recently played tracks, each once, newest first.
    pub const fn play_recent() -> Endpoint {
        Endpoint::new(SERVICE, "play", "recent").authenticated()
    }

    /// `chorus.profile.v1.play.counts`: play counts per track, album and artist, optionally in a period.
    pub const fn play_counts() -> Endpoint {
        Endpoint::new(SERVICE, "play", "counts").authenticated()
    }

    /// `chorus.profile.v1.queue.save`: save the play queue (tracks, index, position).
    pub const fn queue_save() -> Endpoint {
        Endpoint::new(SERVICE, "queue", "save").authenticated()
    }

    /// `chorus.profile.v1.queue.get`: the saved play queue.
    pub const fn queue_get() -> Endpoint {
        Endpoint::new(SERVICE, "queue", "get").authenticated()
    }

    /// Every profile endpoint.
    pub const ALL: &[Endpoint] = &[
        playlist_create(),
        playlist_get(),
        playlist_list(),
        playlist_update(),
        playlist_delete(),
        favorite_set(),
        favorite_list(),
        rating_set(),
        rating_list(),
        play_record(),
        play_recent(),
        play_counts(),
        queue_save(),
        queue_get(),
    ];
}

/// The stream service: playback sessions and audio chunks.
pub mod stream {
    use super::Endpoint;

    /// Service name and queue group.
    pub const SERVICE: &str = "stream";

    /// `chorus.stream.v1.session.open`: open a playback session for a track.
    pub const fn session_open() -> Endpoint {
        Endpoint::new(SERVICE, "session", "open").authenticated()
    }

    /// `chorus.stream.v1.chunk.get`: one chunk of a session's audio.
    pub const fn chunk_get() -> Endpoint {
        Endpoint::new(SERVICE, "chunk", "get").authenticated()
    }

    /// `chorus.stream.v1.session.progress`: report playback progress; records the play past 30 s or at the end.
    pub const fn session_progress() -> Endpoint {
        Endpoint::new(SERVICE, "session", "progress").authenticated()
    }

    /// Every stream endpoint.
    pub const ALL: &[Endpoint] = &[
        session_open(),
        chunk_get(),
        session_progress(),
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


    /// Every search endpoint.
    pub const ALL: &[Endpoint] = &[catalog_query(), catalog_suggest()];
}

/// Every endpoint of every service, in `subjects.md` order.
pub fn all() -> Vec<Endpoint> {
    [auth::ALL, catalog::ALL, search::ALL, profile::ALL, stream::ALL].concat()
}

/// The endpoints browsers may call (the web user's publish permissions):
/// all but the admin ones, which only operators' connections reach.
pub fn browser() -> Vec<Endpoint> {
    all().into_iter().filter(|e| e.access != Access::Admin).collect()
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
