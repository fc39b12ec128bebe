//! The profile service: playlists, favorites, ratings, listening history, play queue.

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

/// `chorus.profile.v1.play.record`: append a play to the listening history
/// (deduplicated by play id); stream calls it for the playback session's listener.
pub const fn play_record() -> Endpoint {
    Endpoint::new(SERVICE, "play", "record").service_only()
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
