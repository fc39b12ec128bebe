//! The catalog service: artists, albums, tracks, genres.
//!
//! The record is the JetStream KV bucket `chorus_catalog`; each instance keeps
//! an embedded SurrealDB view of it (plus point reads in memory), built by
//! the projector before the instance registers its endpoints.
#![warn(missing_docs, unreachable_pub)]

mod config;
mod projector;
pub mod records;
pub mod synthetic;
mod tracks;
mod view;

use std::sync::Arc;

use anyhow::Context as _;
use chorus_host::{HostContext, ServiceDef};
use futures::future::BoxFuture;

pub use config::CatalogConfig;
pub use view::CatalogView;

/// Service name, micro name and queue group.
pub const NAME: &str = chorus_nats::subjects::catalog::SERVICE;

/// Build a catalog instance: open the record, catch the view up, then hand the
/// endpoints to the host.
pub fn service(ctx: HostContext) -> BoxFuture<'static, anyhow::Result<ServiceDef>> {
    Box::pin(async move {
        let config: CatalogConfig = ctx.config.section(NAME)?;
        let kv = records::open(&ctx.jetstream(), config.replicas).await?;
        let view = Arc::new(CatalogView::open().await.context("opening the catalog view")?);
        let caught_up = projector::catch_up(&kv, &view).await.context("catching the catalog view up")?;
        tracing::info!(tracks = view.len(), revision = caught_up, "catalog view caught up");
        Ok(ServiceDef {
            name: NAME,
            description: "Artists, albums, tracks and genres",
            version: env!("CARGO_PKG_VERSION"),
            endpoints: tracks::endpoints(view.clone()),
            children: vec![projector::child(kv, view)],
        })
    })
}
