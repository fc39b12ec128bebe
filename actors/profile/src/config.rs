//! The `[profile]` configuration section.

use serde::Deserialize;

/// Profile settings (`CHORUS_PROFILE__<KEY>`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ProfileConfig {
    /// JetStream replicas of the profile bucket and the plays stream: 1 in dev, 3 in a cluster.
    pub replicas: usize,
    /// How long a play id is remembered for deduplication.
    pub dedup_window_s: u64,
}

impl Default for ProfileConfig {
    fn default() -> Self {
        Self { replicas: 1, dedup_window_s: 24 * 3600 }
    }
}
