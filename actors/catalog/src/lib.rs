//! The catalog service: artists, albums, tracks, genres.
//!
//! The record is the JetStream KV bucket `chorus_catalog`; each instance keeps
//! a view of it (embedded SurrealDB for lists, memory for point reads), built
//! before the instance registers its endpoints and kept current by a
//! supervised projector.
#![warn(missing_docs, unreachable_pub)]

mod albums;
mod art;
mod artists;
mod config;
mod entity;
mod memory;
mod paging;
mod projection;
pub use chorus_nats::records::catalog as records;
pub mod synthetic;
mod tracks;
mod writes;

use std::sync::Arc;

use anyhow::Context as _;
use chorus_host::{HostContext, ServiceDef};
use chorus_nats::messages::catalog::ART_STORE;
use chorus_state::{catch_up, projector_child, Records, Source, View};
use futures::future::BoxFuture;

pub use config::CatalogConfig;
pub use projection::Catalog;

/// Cover art kept in memory per instance.
const ART_CACHE: u64 = 64 * 1024 * 1024;

/// Service name, micro name and queue group.
pub const NAME: &str = chorus_nats::subjects::catalog::SERVICE;

/// Open the catalog's records.
pub async fn open_records(js: &async_nats::jetstream::Context, replicas: usize) -> anyhow::Result<Records> {
    Records::open(js, records::BUCKET, replicas).await
}

/// Build a catalog instance: open the record and the view, catch the view up,
/// then hand the endpoints to the host.
pub fn service(ctx: HostContext) -> BoxFuture<'static, anyhow::Result<ServiceDef>> {
    Box::pin(async move {
        let config: CatalogConfig = ctx.config.section(NAME)?;
        let records = open_records(&ctx.jetstream(), config.shared.replicas).await?;
        let view = Arc::new(
            View::open(&config.view(ctx.config.data_dir.as_deref()), NAME).await.context("opening the catalog view")?,
        );
        view.define(projection::SCHEMA).await?;
        let catalog = Arc::new(Catalog::new(view.clone()));
        let started = std::time::Instant::now();
        let source = Source::Bucket(records.store().clone());
        let replayed = catch_up(&source, &view, catalog.as_ref()).await.context("catching the catalog view up")?;
        let took = started.elapsed();
        tracing::info!(
            tracks = catalog.memory().tracks.len(),
            revision = view.applied(),
            replayed,
            ?took,
            "catalog view caught up"
        );
        let writer = Arc::new(writes::Writer {
            catalog: catalog.clone(),
            records: records.clone(),
            enabled: config.allow_writes,
            attempts: config.write_attempts,
        });
        let mut endpoints = tracks::endpoints(&catalog);
        endpoints.extend(albums::endpoints(&catalog));
        endpoints.extend(artists::endpoints(&catalog));
        let art_store = chorus_state::ObjectReader::open(&ctx.jetstream(), ART_STORE, "Chorus cover art").await?;
        endpoints.extend(art::endpoints(&Arc::new(chorus_state::ObjectCache::new(art_store, ART_CACHE))));
        chorus_host::service::browse_access(&mut endpoints, config.shared.browse_access());
        endpoints.extend(writes::endpoints(&writer));
        Ok(ServiceDef {
            name: NAME,
            description: "Artists, albums, tracks and genres",
            version: env!("CARGO_PKG_VERSION"),
            endpoints,
            children: vec![projector_child(NAME, source, view.clone(), catalog)],
            workload: chorus_host::Workload::Compute,
            metadata: vec![
                ("view".into(), if view.is_durable() { "surrealkv" } else { "memory" }.into()),
                ("view_replayed".into(), replayed.to_string()),
                ("view_ready_ms".into(), took.as_millis().to_string()),
            ],
            gate: Some(view),
        })
    })
}
