//! The stream service's error codes (subjects.md, stream). It also answers
//! `common`'s `invalid_request` (`source` or `client` over 64 bytes), passes
//! the catalog's `track_not_found` on from `session.open`, and what profile's
//! `play.record` answers from `session.progress`.

codes! {
    /// 404: `session.open` of a track without an audio file (`audio_object`).
    NO_AUDIO = "no_audio",
    /// 503: the catalog did not answer `session.open`'s track lookup in time.
    CATALOG_UNAVAILABLE = "catalog_unavailable",
    /// 503: many sessions of one listener opened at once; retry.
    BUSY = "busy",
    /// 404: a playback session that does not exist (or has expired).
    SESSION_NOT_FOUND = "session_not_found",
    /// 403: another listener's playback session.
    NOT_YOUR_SESSION = "not_your_session",
    /// 403: a chunk past the first 30 s of a preview session.
    PREVIEW_ONLY = "preview_only",
    /// 400: a chunk index past the end of the file.
    CHUNK_OUT_OF_RANGE = "chunk_out_of_range",
    /// 503: profile did not answer `session.progress`'s `play.record` in time.
    PROFILE_UNAVAILABLE = "profile_unavailable",
}
