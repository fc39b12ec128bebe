//! The catalog service's error codes (subjects.md, catalog). It also answers
//! `common`'s `invalid_limit` and `invalid_cursor` (its lists) and the
//! runtime's codes.

codes! {
    /// 404: `track.get`, `track.update`, `track.delete` of a track the catalog does not have.
    TRACK_NOT_FOUND = "track_not_found",
    /// 404: `album.get`, `album.update`, `album.delete` of an album the catalog does not have.
    ALBUM_NOT_FOUND = "album_not_found",
    /// 404: `artist.get`, `artist.update`, `artist.delete` of an artist the catalog does not have.
    ARTIST_NOT_FOUND = "artist_not_found",
    /// 400: `track.batch` with more `ids` than the page limit (500).
    TOO_MANY_IDS = "too_many_ids",
    /// 400: an `offset` over 1,000,000 (`album.list`, `artist.list`).
    INVALID_OFFSET = "invalid_offset",
    /// 400: `album.list` `by_genre` without a `genre`.
    MISSING_GENRE = "missing_genre",
    /// 400: `album.list` `by_year` without both `year_from` and `year_to`.
    MISSING_YEARS = "missing_years",
    /// 400: `album.browse` with a `decade` that is not a multiple of 10 from 0 to 3000.
    INVALID_DECADE = "invalid_decade",
    /// 400: `artist.browse` with a blank `from`, or one over 100 bytes.
    INVALID_FROM = "invalid_from",
    /// 400: `artist.browse` with both `cursor` and `from`.
    CURSOR_WITH_FROM = "cursor_with_from",
    /// 400: a track's or album's `title` is blank or over 500 bytes.
    INVALID_TITLE = "invalid_title",
    /// 400: an artist's `name` is blank or over 500 bytes.
    INVALID_NAME = "invalid_name",
    /// 400: a `year` outside 0 to 3000.
    INVALID_YEAR = "invalid_year",
    /// 400: a track with more than 50 `artists` or 50 `genres`.
    TOO_MANY_VALUES = "too_many_values",
    /// 400: a create or update naming an album the catalog does not have.
    UNKNOWN_ALBUM = "unknown_album",
    /// 400: a create or update naming an artist the catalog does not have.
    UNKNOWN_ARTIST = "unknown_artist",
    /// 403: a write where `[catalog] allow_writes` is off.
    WRITES_DISABLED = "writes_disabled",
    /// 409: a create with an `id` that is taken.
    ALREADY_EXISTS = "already_exists",
    /// 409: an update or delete of a record changed since the `revision` it was read at (or still contended after `write_attempts`).
    REVISION_CONFLICT = "revision_conflict",
    /// 400: `art.get` of a name that is not `<sha256 hex>.<ext>`.
    INVALID_ART_NAME = "invalid_art_name",
    /// 404: `art.get` of an image the art store does not have.
    ART_NOT_FOUND = "art_not_found",
    /// 413: `art.get` of an image over 1,000,000 bytes.
    ART_TOO_LARGE = "art_too_large",
}
