//! The `[catalog]` configuration section.

use chorus_state::ViewSpec;
use serde::Deserialize;

/// Catalog settings (`CHORUS_CATALOG__<KEY>`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct CatalogConfig {
    /// JetStream replicas of the catalog bucket: 1 in dev, 3 in a cluster.
    pub replicas: usize,
    /// `mem` (default) or `surrealkv:<dir>` for a view that survives restarts.
    pub view: ViewSpec,
    /// Whether create, update and delete are served. Off unless configured
    /// (the dev stack turns it on); admin-only once auth exists.
    pub allow_writes: bool,
    /// Re-reads after a conflicting write before answering 409.
    pub write_attempts: usize,
}

impl Default for CatalogConfig {
    fn default() -> Self {
        Self { replicas: 1, view: ViewSpec::Memory, allow_writes: false, write_attempts: 5 }
    }
}
