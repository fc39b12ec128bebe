//! The model a recommend instance serves, and asking for a new one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `model.get` request (admin): the model this instance serves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelGet {}

/// `model.train` request (admin): train a new model now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelTrain {}

/// `model.train` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainQueued {
    /// Whether a training job was queued (false: one is queued already).
    pub queued: bool,
}

/// A trained model's manifest (kept beside it in the object store).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// 1, 2, 3, ...
    pub version: u64,
    /// ms since the Unix epoch.
    pub trained_at: u64,
    /// The last sequence of `chorus_plays` it learned from.
    pub plays_seq: u64,
    /// Plays, listeners and tracks it learned from.
    pub plays: u64,
    /// Listeners.
    pub users: u64,
    /// Tracks.
    pub tracks: u64,
    /// The algorithm and its settings, as configured.
    pub algorithm: String,
    /// Training time.
    pub took_ms: u64,
    /// Offline metrics on a holdout of the newest plays (`ndcg@10`, `recall@10`, ...).
    pub metrics: BTreeMap<String, f64>,
    /// The object holding the model.
    pub object: String,
}

/// `model.get` reply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServedModel {
    /// None until a model was trained.
    pub manifest: Option<Manifest>,
}
