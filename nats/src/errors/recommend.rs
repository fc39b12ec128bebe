//! The recommend service's error codes (subjects.md, recommend).

codes! {
    /// 404: a track the catalog does not have (deleted, or never was).
    TRACK_NOT_FOUND = "track_not_found",
    /// 404: an artist the catalog does not have.
    ARTIST_NOT_FOUND = "artist_not_found",
    /// 404: an album the catalog does not have.
    ALBUM_NOT_FOUND = "album_not_found",
    /// 404: a genre no track has.
    GENRE_NOT_FOUND = "genre_not_found",
    /// 404: a playlist the listener cannot read.
    PLAYLIST_NOT_FOUND = "playlist_not_found",
    /// 404: a radio that is not there (or ended: radios live 24 h after their last batch).
    RADIO_NOT_FOUND = "radio_not_found",
    /// 403: another listener's radio.
    NOT_YOUR_RADIO = "not_your_radio",
    /// 400: adventurousness outside 0 to 1.
    INVALID_ADVENTUROUSNESS = "invalid_adventurousness",
    /// 400: more than 50 skipped tracks in one `radio.next`.
    TOO_MANY_SKIPS = "too_many_skips",
    /// 409: a `radio.next` of the same radio met a concurrent one; retry.
    CONFLICT = "conflict",
}
