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
mod browse;
mod config;
mod entity;
mod memory;
mod orders;
mod paging;
mod projection;
mod release;
mod snapshot;
mod state;
pub use chorus_nats::records::catalog as records;
pub mod synthetic;
mod tracks;
mod writes;

use std::sync::Arc;

use anyhow::Context as _;
use chorus_host::{HostContext, Routes, ServiceDef};
use chorus_nats::messages::catalog::ART_STORE;
use chorus_nats::messages::catalog::{
    Album, AlbumBrowse, AlbumCreate, AlbumDelete, AlbumGet, AlbumList, AlbumUpdate, ArtGet, Artist, ArtistBrowse,
    ArtistCreate, ArtistDelete, ArtistGet, ArtistList, ArtistUpdate, GenreList, Track, TrackBatch, TrackCreate,
    TrackDelete, TrackGet, TrackList, TrackUpdate,
};
use chorus_nats::subjects::Access;
use chorus_state::{catch_up, projector_child, Records, Source, View};
use futures::future::BoxFuture;

pub use config::CatalogConfig;
pub use projection::Catalog;
use state::CatalogState;

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
        let config = CatalogConfig::read(&ctx.config)?;
        let records = open_records(&ctx.jetstream(), config.shared.replicas).await?;
        let spec = config.view(ctx.config.data_dir.as_deref());
        let view = Arc::new(View::open(&spec, NAME).await.context("opening the catalog view")?);
        view.define(projection::SCHEMA).await?;
        let snapshot_path = match &spec {
            chorus_state::ViewSpec::SurrealKv(dir) => Some(snapshot::path_for(dir)),
            chorus_state::ViewSpec::Memory => None,
        };
        let catalog = Arc::new(Catalog::new(view.clone(), snapshot_path.clone()));
        let started = std::time::Instant::now();
        let resumed = view.applied() > 0;
        let source = Source::Bucket(records.store().clone());
        let replayed = catch_up(&source, &view, catalog.as_ref()).await.context("catching the catalog view up")?;
        let took = started.elapsed();
        // Where memory came from: the record (a new view), the snapshot, or the view's rows.
        let restored = match (resumed, catalog.from_snapshot.load(std::sync::atomic::Ordering::Relaxed)) {
            (false, _) => "record",
            (true, true) => "snapshot",
            (true, false) => "view",
        };
        tracing::info!(
            tracks = catalog.memory().tracks.len(),
            revision = view.applied(),
            replayed,
            restored,
            ?took,
            "catalog view caught up"
        );
        let art_store =
            chorus_state::ObjectReader::open(&ctx.jetstream(), ART_STORE, "Chorus cover art", config.shared.replicas)
                .await?;
        let state = Arc::new(CatalogState {
            catalog: catalog.clone(),
            writer: writes::Writer {
                catalog: catalog.clone(),
                records: records.clone(),
                enabled: config.allow_writes,
                attempts: config.write_attempts,
            },
            art: chorus_state::ObjectCache::new(art_store, ART_CACHE),
        });
        Ok(ServiceDef {
            name: NAME,
            description: "Artists, albums, tracks and genres",
            version: env!("CARGO_PKG_VERSION"),
            endpoints: routes(state, config.shared.browse_access()).into_endpoints(),
            children: {
                let mut children = vec![projector_child(NAME, source, view.clone(), catalog.clone())];
                if let Some(path) = snapshot_path {
                    children.push(chorus_host::ChildSpec::actor("catalog-snapshot", true, move || {
                        (snapshot::Writer, snapshot::Writer::args(catalog.clone(), path.clone()))
                    }));
                }
                children
            },
            workload: chorus_host::Workload::Compute,
            metadata: vec![
                ("view".into(), if view.is_durable() { "surrealkv" } else { "memory" }.into()),
                ("view_replayed".into(), replayed.to_string()),
                ("view_restored".into(), restored.into()),
                ("view_ready_ms".into(), took.as_millis().to_string()),
            ],
            gate: Some(view),
        })
    })
}

/// Every catalog endpoint, in `subjects.md` order; the reads get the
/// deployment's browse access.
fn routes(state: Arc<CatalogState>, browse: Access) -> Routes<CatalogState> {
    Routes::new(state)
        .route(|s, _, req: TrackGet| async move { tracks::get(&s.catalog, req.id) })
        .route(|s, _, req: TrackBatch| async move { tracks::batch(&s.catalog, req) })
        .route(|s, _, req: TrackList| async move { tracks::list(&s.catalog, req).await })
        .route(|s, ctx, req: TrackCreate| async move { s.writer.create(ctx, Track::from(req)).await })
        .route(|s, ctx, req: TrackUpdate| async move { s.writer.update(ctx, Track::from(req)).await })
        .route(|s, ctx, req: TrackDelete| async move { s.writer.delete::<Track>(ctx, req.id, req.revision).await })
        .route(|s, _, req: AlbumGet| async move { albums::get(&s.catalog, req.id).await })
        .route(|s, _, req: AlbumList| async move { albums::list(&s.catalog, req).await })
        .route(|s, _, req: AlbumBrowse| async move { browse::albums(&s.catalog, req) })
        .route(|s, ctx, req: AlbumCreate| async move { s.writer.create(ctx, Album::from(req)).await })
        .route(|s, ctx, req: AlbumUpdate| async move { s.writer.update(ctx, Album::from(req)).await })
        .route(|s, ctx, req: AlbumDelete| async move { s.writer.delete::<Album>(ctx, req.id, req.revision).await })
        .route(|s, _, req: ArtistGet| async move { artists::get(&s.catalog, req.id).await })
        .route(|s, _, req: ArtistList| async move { artists::list(&s.catalog, req).await })
        .route(|s, _, req: ArtistBrowse| async move { browse::artists(&s.catalog, req) })
        .route(|s, ctx, req: ArtistCreate| async move { s.writer.create(ctx, Artist::from(req)).await })
        .route(|s, ctx, req: ArtistUpdate| async move { s.writer.update(ctx, Artist::from(req)).await })
        .route(|s, ctx, req: ArtistDelete| async move { s.writer.delete::<Artist>(ctx, req.id, req.revision).await })
        .route(|s, _, _: GenreList| async move { Ok(artists::genres(&s.catalog)) })
        .route(|s, _, req: ArtGet| async move { art::get(&s.art, req).await })
        .browse_access(browse)
}
