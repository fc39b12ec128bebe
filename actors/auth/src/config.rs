//! The `[auth]` configuration section.

use std::path::PathBuf;

use serde::Deserialize;

/// Auth settings (`CHORUS_AUTH__<KEY>`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct AuthConfig {
    /// JetStream replicas of the auth buckets: 1 in dev, 3 in a cluster.
    pub replicas: usize,
    /// Signing keys, one `<kid>:<base64url 32-byte seed>` per line; the first
    /// signs, all verify (`CHORUS_AUTH__SIGNING_KEYS`). `chorus keygen` makes one.
    pub signing_keys: Option<chorus_host::Secret>,
    /// Or a file holding them (the dev stack writes `.dev/signing.keys`).
    pub signing_keys_file: Option<PathBuf>,
    /// Access-token lifetime.
    pub access_ttl_s: u64,
    /// A session (refresh-token family) unused this long ends.
    pub refresh_ttl_s: u64,
    /// Argon2id memory in KiB (OWASP: 19,456).
    pub argon2_memory_kib: u32,
    /// Argon2id passes (OWASP: 2).
    pub argon2_iterations: u32,
    /// Password hashes computed at once; each holds `argon2_memory_kib`.
    pub hashing_concurrency: usize,
    /// Password hashes that may wait or run at once; past it, 503 `busy` at once.
    pub hashing_queue: usize,
    /// This instance's budget of failed sign-ins a second (and its burst);
    /// past it, sign-ins get 429 `login_busy` before any hashing.
    pub failed_logins_per_s: u32,
    /// See `failed_logins_per_s`.
    pub failed_logins_burst: u32,
    /// Failed logins before backoff starts.
    pub free_failures: u32,
    /// Longest lockout after repeated failures.
    pub max_backoff_s: u64,
    /// An admin account created at start when no user has that name.
    pub bootstrap_admin: Option<BootstrapAdmin>,
    /// Answer nats-server's auth callout for browser connections (see `callout`).
    pub callout: Option<crate::callout::CalloutConfig>,
}

/// The first admin (`[auth.bootstrap_admin]`).
#[derive(Clone, Deserialize)]
pub struct BootstrapAdmin {
    /// Username.
    pub username: String,
    /// Email.
    pub email: String,
    /// Password (same rules as any).
    pub password: String,
}

impl std::fmt::Debug for BootstrapAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BootstrapAdmin").field("username", &self.username).finish()
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            replicas: 1,
            signing_keys: None,
            signing_keys_file: None,
            access_ttl_s: 15 * 60,
            refresh_ttl_s: 30 * 24 * 3600,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            hashing_concurrency: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            hashing_queue: 32,
            failed_logins_per_s: 50,
            failed_logins_burst: 200,
            free_failures: 5,
            max_backoff_s: 15 * 60,
            bootstrap_admin: None,
            callout: None,
        }
    }
}
