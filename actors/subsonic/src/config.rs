//! The `[subsonic]` configuration section.

use serde::Deserialize;

/// Gateway settings (`CHORUS_SUBSONIC__<KEY>`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SubsonicConfig {
    /// Where the OpenSubsonic API listens (`/rest/...`); Navidrome's port by default.
    pub listen: String,
    /// How long a sign-in is reused for the same credentials before auth is
    /// asked again (a revoked app password stops working within this). 0: every request.
    pub credential_cache_s: u64,
    /// Each call to a service waits at most this long.
    pub request_timeout_ms: u64,
    /// The largest form body a POST may carry.
    pub max_form_bytes: usize,
    /// Behind a reverse proxy: count sign-in attempts by the first address
    /// of `X-Forwarded-For` (which the proxy must set) instead of the
    /// connection's, or every app behind the proxy shares one limit. Never
    /// turn it on without a proxy: a client could name any address.
    pub forwarded_for: bool,
    /// Requests served at once (a stream counts until its body is sent);
    /// past it an app is told to retry, at once.
    pub max_requests: usize,
}

impl Default for SubsonicConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:4533".into(),
            credential_cache_s: 60,
            request_timeout_ms: 10_000,
            max_form_bytes: 64 * 1024,
            forwarded_for: false,
            max_requests: 512,
        }
    }
}
