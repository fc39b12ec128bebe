//! The endpoints: `catalog.query` and `catalog.suggest`.

use std::sync::Arc;

use chorus_host::{typed, EndpointDef};
use chorus_nats::messages::search::{SearchQuery, Suggest};
use chorus_nats::subjects::search;

use crate::index::SearchIndex;

pub(crate) fn endpoints(index: &Arc<SearchIndex>) -> Vec<EndpointDef> {
    let (i1, i2) = (index.clone(), index.clone());
    vec![
        EndpointDef {
            endpoint: search::catalog_query(),
            // A query takes about a millisecond of CPU: run it on the worker.
            handler: typed(move |_, req: SearchQuery| {
                let index = i1.clone();
                async move { index.search(&req) }
            }),
        },
        EndpointDef {
            endpoint: search::catalog_suggest(),
            handler: typed(move |_, req: Suggest| {
                let index = i2.clone();
                async move { index.suggest(&req) }
            }),
        },
    ]
}
