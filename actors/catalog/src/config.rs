//! The `[catalog]` configuration section.

use chorus_state::ViewSpec;
use serde::Deserialize;

/// Catalog settings (`CHORUS_CATALOG__<KEY>`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct CatalogConfig {
    /// JetStream replicas of the catalog bucket: 1 in dev, 3 in a cluster.
    pub replicas: usize,
    /// `mem` or `surrealkv:<dir>` for a view that survives restarts. When
    /// absent: on disk under the node's `data_dir` if it has one, else in memory.
    pub view: Option<ViewSpec>,
    /// Whether create, update and delete are served. Off unless configured
    /// (the dev stack turns it on); admin-only.
    pub allow_writes: bool,
    /// Re-reads after a conflicting write before answering 409.
    pub write_attempts: usize,
    /// Whether browsing needs a signed-in user (a private deployment); reads are public otherwise.
    pub require_sign_in: bool,
}

impl CatalogConfig {
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
        Self { replicas: 1, view: None, allow_writes: false, write_attempts: 5, require_sign_in: false }
    }
}

impl CatalogConfig {
    /// With `require_sign_in`, every public endpoint among `endpoints` (the
    /// catalog's reads, cover art, search) needs an access token.
    pub fn apply_sign_in(&self, endpoints: &mut [chorus_host::EndpointDef]) {
        if self.require_sign_in {
            for e in endpoints.iter_mut().filter(|e| e.endpoint.access == chorus_nats::subjects::Access::Public) {
                e.endpoint = e.endpoint.with_access(chorus_nats::subjects::Access::Authenticated);
            }
        }
    }
}
