//! The profile service's error codes (subjects.md, profile). It also answers
//! `common`'s `invalid_limit`, `invalid_cursor`, `invalid_request` (a
//! `favorite.set` `kind` it does not know) and `not_caught_up` (a playlist
//! create whose count cannot catch up), and passes the catalog's
//! `track_not_found`, `album_not_found` and `artist_not_found` on as they came.

codes! {
    /// 404: a play of a closed account (`play.record`).
    ACCOUNT_CLOSED = "account_closed",
    /// 404: a playlist that does not exist, or someone else's private one.
    PLAYLIST_NOT_FOUND = "playlist_not_found",
    /// 403: a change to someone else's public playlist.
    NOT_OWNER = "not_owner",
    /// 400: a playlist name that is blank or over 200 characters.
    INVALID_NAME = "invalid_name",
    /// 400: a playlist description over 2,000 characters.
    INVALID_DESCRIPTION = "invalid_description",
    /// 409: a create past `max_playlists` (1,000 playlists).
    PLAYLIST_LIMIT = "playlist_limit",
    /// 413: a create or update whose playlist would pass `max_playlist_tracks` (10,000), midway included.
    TOO_MANY_TRACKS = "too_many_tracks",
    /// 400: an update with more ops than `max_playlist_ops` (500), refused before anything is read.
    TOO_MANY_OPS = "too_many_ops",
    /// 400: an update op naming a position outside the playlist.
    INVALID_POSITION = "invalid_position",
    /// 409: a playlist no longer at the `revision` sent (read again), or a library still contended after 5 attempts (retry).
    REVISION_CONFLICT = "revision_conflict",
    /// 409: a new star past `max_favorites` (10,000 tracks, albums and artists together).
    FAVORITE_LIMIT = "favorite_limit",
    /// 400: a rating other than 1 to 5, or 0 to clear.
    INVALID_RATING = "invalid_rating",
    /// 409: rating another track past `max_ratings` (10,000).
    RATING_LIMIT = "rating_limit",
    /// 400: a play whose `started_at` is in the future, or whose `source` or `client` is over 64 bytes.
    INVALID_PLAY = "invalid_play",
    /// 400: `play.counts` with `from` not before `until`.
    INVALID_PERIOD = "invalid_period",
    /// 400: a queue `index` that names no entry of the queue.
    INVALID_INDEX = "invalid_index",
    /// 413: a queue longer than `max_queue` (1,000).
    QUEUE_TOO_LONG = "queue_too_long",
    /// 429: a listener's writes past `write_burst`, then `writes_per_s`; `retry_after_ms` in the body.
    TOO_MANY_WRITES = "too_many_writes",
    /// 503: the catalog did not answer a track check in time.
    CATALOG_UNAVAILABLE = "catalog_unavailable",
}
