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

/// Every endpoint of every service, in `subjects.md` order.
pub fn all() -> Vec<Endpoint> {
    [auth::ALL, catalog::ALL].concat()
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
