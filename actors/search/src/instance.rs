//! A search instance: the index built from the catalog's record and kept
//! current by a supervised projector, and its endpoints.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chorus_host::{HostContext, Routes, ServiceDef};
use chorus_nats::records::catalog as catalog_record;
use chorus_state::{catch_up, projector_child, Source, View};
use futures::future::BoxFuture;

use crate::{projection, SearchConfig, SearchIndex, NAME};

/// An index caught up with the catalog, and what keeps it current.
pub struct Built {
    /// The index.
    pub index: Arc<SearchIndex>,
    /// Its applied catalog revision (the read-your-writes gate).
    pub view: Arc<View>,
    /// The catalog bucket it follows.
    pub source: Source,
    /// Catalog records indexed while catching up.
    pub replayed: usize,
    /// How long catching up took.
    pub took: Duration,
}

/// Build an index from the catalog's record: everything in it now is
/// searchable when this returns. Follow it live with [`Built::follower`].
pub async fn build(
    js: &async_nats::jetstream::Context,
    config: &SearchConfig,
    replicas: usize,
) -> anyhow::Result<Built> {
    let started = std::time::Instant::now();
    let records = chorus_state::Records::open(js, catalog_record::BUCKET, replicas).await?;
    let source = Source::Bucket(records.store().clone());
    let (catalog_last, _) = source.state().await?;
    let mut index = SearchIndex::open(&config.index(), config.writer_memory_mb, catalog_last)?;
    index.set_query_threads(config.query_threads())?;
    let index = Arc::new(index);
    // The state kit's view only keeps the applied revision here (SurrealDB
    // in memory, empty): the index is what search reads. A resumed index
    // only needs the changes after its revision.
    let view = Arc::new(View::revision_only());
    if index.resumed_at() > 0 {
        view.mark_applied(index.resumed_at());
    }
    let indexer = projection::Indexer { index: index.clone() };
    let replayed = catch_up(&source, &view, &indexer).await.context("indexing the catalog")?;
    index.publish(true, view.applied()).await?;
    index.go_live();
    Ok(Built { index, view, source, replayed, took: started.elapsed() })
}

impl Built {
    /// The supervised projector that keeps the index following the catalog.
    pub fn follower(&self) -> chorus_host::ChildSpec {
        let indexer = Arc::new(projection::Indexer { index: self.index.clone() });
        projector_child(NAME, self.source.clone(), self.view.clone(), indexer)
    }
}

/// Build a search instance: index the catalog, then hand the endpoints to the host.
pub fn service(ctx: HostContext) -> BoxFuture<'static, anyhow::Result<ServiceDef>> {
    Box::pin(async move {
        let config: SearchConfig = ctx.config.section(NAME)?;
        let catalog: catalog_record::Shared = ctx.config.section(catalog_record::SECTION)?;
        let built = build(&ctx.jetstream(), &config, catalog.replicas).await?;
        let documents = built.index.documents();
        tracing::info!(documents, replayed = built.replayed, took = ?built.took, "search index caught up");
        Ok(ServiceDef {
            name: NAME,
            description: "Typo-tolerant search over the catalog",
            version: env!("CARGO_PKG_VERSION"),
            endpoints: routes(built.index.clone()).browse_access(catalog.browse_access()).into_endpoints(),
            children: vec![built.follower()],
            workload: chorus_host::Workload::Compute,
            metadata: vec![
                ("index".into(), built.index.kind().into()),
                ("documents".into(), documents.to_string()),
                ("index_replayed".into(), built.replayed.to_string()),
                ("index_ready_ms".into(), built.took.as_millis().to_string()),
            ],
            gate: Some(built.view.clone()),
        })
    })
}

/// Every search endpoint, in `subjects.md` order. A query takes about a
/// millisecond of CPU: it runs on the worker.
fn routes(index: Arc<SearchIndex>) -> Routes<SearchIndex> {
    Routes::new(index)
        .route(|index, _, req| async move { index.search(&req) })
        .route(|index, _, req| async move { index.suggest(&req) })
}
