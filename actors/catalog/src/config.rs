//! The `[catalog]` configuration section.

use serde::Deserialize;

/// Catalog settings (`CHORUS_CATALOG__<KEY>`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct CatalogConfig {
    /// JetStream replicas of the catalog bucket: 1 in dev, 3 in a cluster.
    pub replicas: usize,
}

impl Default for CatalogConfig {
    fn default() -> Self {
        Self { replicas: 1 }
    }
}
