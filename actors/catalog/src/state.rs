//! What every catalog endpoint is given.

use std::sync::Arc;

use chorus_state::ObjectCache;

use crate::projection::Catalog;
use crate::writes::Writer;

/// The catalog's shared state: the view it reads, what writes, the cover art.
pub(crate) struct CatalogState {
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) writer: Writer,
    pub(crate) art: ObjectCache,
}
