//! Search bodies: the query with its filters, ranked hits, facets, suggestions.

mod query;
mod suggest;

pub use query::*;
pub use suggest::*;
