//! The search service: typo-tolerant search over the catalog.

use super::Endpoint;

/// Service name and queue group.
pub const SERVICE: &str = "search";

/// `chorus.search.v1.catalog.query`: ranked tracks, albums and artists, with facets.
pub const fn catalog_query() -> Endpoint {
    Endpoint::new(SERVICE, "catalog", "query")
}

/// `chorus.search.v1.catalog.suggest`: completions for a search box.
pub const fn catalog_suggest() -> Endpoint {
    Endpoint::new(SERVICE, "catalog", "suggest")
}

/// Every search endpoint.
pub const ALL: &[Endpoint] = &[catalog_query(), catalog_suggest()];
