//! The search service's error codes (subjects.md, search). It also answers
//! `common`'s `invalid_limit` and `invalid_cursor` and the runtime's codes.

codes! {
    /// 413: a `q` longer than 1024 bytes (`catalog.query`, `catalog.suggest`).
    QUERY_TOO_LONG = "query_too_long",
}
