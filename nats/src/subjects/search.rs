//! The search service: typo-tolerant search over the catalog.

use super::Endpoint;
use crate::messages::search::{SearchQuery, SearchReply, Suggest, SuggestReply};

/// Service name and queue group.
pub const SERVICE: &str = "search";

endpoints! {
    /// `chorus.search.v1.catalog.query`: ranked tracks, albums and artists, with facets.
    catalog_query: catalog.query, Public, SearchQuery => SearchReply;
    /// `chorus.search.v1.catalog.suggest`: completions for a search box.
    catalog_suggest: catalog.suggest, Public, Suggest => SuggestReply;
}
