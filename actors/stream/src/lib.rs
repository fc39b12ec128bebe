//! The stream service: audio from the JetStream object store the catalog
//! import fills, in chunks over NATS request/reply.
//!
//! A listener opens a playback session (the plan in the access token decides
//! full play or preview), then fetches chunks by index in any order (seeking).
//! Sessions live in a KV bucket so any instance serves any chunk; hot audio
//! files are kept in memory. Past 30 s of playback, or at its end, a session
//! records one play into profile's history.
#![warn(missing_docs, unreachable_pub)]

mod chunks;
mod config;
mod progress;
mod quota;
mod records;
mod sessions;
mod site_plays;
mod state;

use std::sync::Arc;

use chorus_host::{Fail, HostContext, Routes, ServiceDef};
use chorus_nats::messages::catalog::AUDIO_STORE;
use chorus_nats::subjects::stream as subjects;
use futures::future::BoxFuture;

pub use config::StreamConfig;
use state::Stream;

/// Service name, micro name and queue group.
pub const NAME: &str = subjects::SERVICE;

/// Build a stream instance.
pub fn service(ctx: HostContext) -> BoxFuture<'static, anyhow::Result<ServiceDef>> {
    Box::pin(async move {
        let config: StreamConfig = ctx.config.section(NAME)?;
        let js = ctx.jetstream();
        let store = chorus_state::ObjectReader::open(&js, AUDIO_STORE, "Chorus audio", config.replicas).await?;
        let stream = Arc::new(Stream {
            sessions: sessions::Sessions::open_bucket(&js, ctx.nats.clone(), &config).await?,
            audio: chorus_state::ObjectCache::new(store, config.cache_mib * 1024 * 1024),
            nats: ctx.nats.clone(),
            threshold_ms: config.play_threshold_ms,
            site_plays: ctx.config.hub_domain.is_some().then(|| site_plays::SitePlays { js: js.clone() }),
        });
        Ok(ServiceDef {
            name: NAME,
            description: "Playback sessions and audio chunks",
            version: env!("CARGO_PKG_VERSION"),
            endpoints: routes(stream).into_endpoints(),
            children: Vec::new(),
            gate: None,
            workload: chorus_host::Workload::Waiting,
            metadata: vec![("chunk_size".into(), config.chunk_size.to_string())],
        })
    })
}

/// Every stream endpoint, in `subjects.md` order.
fn routes(stream: Arc<Stream>) -> Routes<Stream> {
    Routes::new(stream)
        .route(|s, ctx, req| async move { s.sessions.open(&ctx, req).await })
        .route(|s, ctx, req| async move { chunks::get(&s.sessions, &s.audio, &ctx, req).await })
        .route(|s, ctx, req| async move { progress::report(&s, &ctx, req).await })
}
