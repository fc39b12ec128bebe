//! The `[catalog]` configuration section.

use chorus_state::ViewSpec;
use serde::Deserialize;

/// Catalog settings (`CHORUS_CATALOG__<KEY>`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct CatalogConfig {
    /// What every reader of the catalog's record shares: `replicas`,
    /// `require_sign_in` (read by [`CatalogConfig::read`] from the same section:
    /// not flattened, so that a key neither reads is found as unknown).
    #[serde(skip)]
    pub shared: chorus_nats::records::catalog::Shared,
    /// `mem` or `surrealkv:<dir>` for a view that survives restarts. When
    /// absent: on disk under the node's `data_dir` if it has one, else in memory.
    pub view: Option<ViewSpec>,
    /// Whether create, update and delete are served. Off unless configured
    /// (the dev stack turns it on); admin-only.
    pub allow_writes: bool,
    /// Re-reads after a conflicting write before answering 409.
    pub write_attempts: usize,
}

impl CatalogConfig {
    /// The `[catalog]` section, with what it shares with the record's other readers.
    pub fn read(config: &chorus_host::Config) -> Result<Self, chorus_host::config::ConfigError> {
        let mut own: Self = config.section(chorus_nats::records::catalog::SECTION)?;
        own.shared = config.section(chorus_nats::records::catalog::SECTION)?;
        Ok(own)
    }

    /// Where this instance keeps its view.
    pub fn view(&self, data_dir: Option<&std::path::Path>) -> ViewSpec {
        match (&self.view, data_dir) {
            (Some(v), _) => v.clone(),
            (None, Some(dir)) => ViewSpec::SurrealKv(dir.join("catalog").join("view")),
            (None, None) => ViewSpec::Memory,
        }
    }
}

impl Default for CatalogConfig {
    fn default() -> Self {
        Self { shared: Default::default(), view: None, allow_writes: false, write_attempts: 5 }
    }
}
