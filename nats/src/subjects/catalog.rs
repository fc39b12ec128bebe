//! The catalog service: artists, albums, tracks, genres.

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
