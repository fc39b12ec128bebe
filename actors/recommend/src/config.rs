//! The `[recommend]` configuration section (`CHORUS_RECOMMEND__<KEY>`).

use serde::Deserialize;

/// Recommend settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct RecommendConfig {
    /// JetStream replicas of the service's buckets and streams: 1 in dev, 3 in a cluster.
    pub replicas: usize,
    /// The model trained (see `chorus_recsys::Algorithm`).
    pub algorithm: chorus_recsys::Algorithm,
    /// Whether this instance takes training jobs (every instance serves).
    pub trainer: bool,
    /// A new model at least this often while plays arrive (s).
    pub train_every_s: u64,
    /// A new model once this many plays arrived since the last one.
    pub retrain_after_plays: u64,
    /// How often an instance checks whether a training is due (ms).
    pub check_every_ms: u64,
    /// A training job not heard from for this long goes to another trainer (ms).
    pub train_ack_wait_ms: u64,
    /// Fault injection for tests: a trainer waits this long before storing its model (ms).
    pub train_pause_ms: u64,
    /// Trained models kept in the object store (the newest).
    pub models_kept: usize,
    /// Plays kept in memory per listener, for their history at request time.
    pub recent_per_user: usize,
    /// How fast a play's weight in a listener's history fades (days to half).
    pub half_life_days: f64,
}

impl Default for RecommendConfig {
    fn default() -> Self {
        Self {
            replicas: 1,
            algorithm: chorus_recsys::Algorithm::default(),
            trainer: true,
            train_every_s: 3600,
            retrain_after_plays: 1000,
            check_every_ms: 5000,
            train_ack_wait_ms: 30_000,
            train_pause_ms: 0,
            models_kept: 3,
            recent_per_user: 500,
            half_life_days: 30.0,
        }
    }
}
