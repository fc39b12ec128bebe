//! The wall clock, in the units the wire uses: milliseconds since the Unix
//! epoch (`Chorus-Deadline`, `added_at`, plays) and seconds (token `iat`/`exp`).
//! Every service reads time through here.

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Seconds since the Unix epoch.
pub fn now_s() -> u64 {
    now_ms() / 1000
}
