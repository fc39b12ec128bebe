//! The recommend service: a personal mix, similar tracks and artists, and
//! radio, from Chorus's own plays, stars and ratings — no outside service.
//!
//! Each instance keeps in memory what it serves from: the catalog (which
//! tracks may be recommended, their artists, albums, genres), every
//! listener's latest plays, stars and skips (so a play counts at once), and the
//! newest trained model (`served`). Training is a job one instance at a
//! time does (`training`, asked for by `trigger`); every instance swaps the
//! new model in when its manifest appears.
#![warn(missing_docs, unreachable_pub)]

mod catalog;
mod config;
mod listening;
mod mix;
mod radio;
mod radios;
mod scoring;
mod served;
mod similar;
mod state;
mod top;
mod training;
mod trigger;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chorus_host::{Fail, HostContext, Routes, ServiceDef};
use chorus_nats::messages::recommend::{
    ArtistSimilar, ArtistTop, MixRequest, ModelGet, ModelTrain, RadioNext, RadioStart, ServedModel, TrackSimilar,
    TrainQueued,
};
use chorus_nats::records::{catalog as catalog_record, profile as profile_record};
use chorus_nats::subjects::recommend as subjects;
use chorus_state::{catch_up, projector_child, ObjectReader, Records, Source, View};
use futures::future::BoxFuture;

pub use config::RecommendConfig;
use state::Recommend;

/// Service name, micro name and queue group.
pub const NAME: &str = subjects::SERVICE;

/// How long a radio lives after its last batch.
const RADIO_TTL: Duration = Duration::from_secs(24 * 3600);

/// Build a recommend instance: follow the catalog, the plays, the stars
/// and the closures, load the newest model, then hand the endpoints over.
pub fn service(ctx: HostContext) -> BoxFuture<'static, anyhow::Result<ServiceDef>> {
    Box::pin(async move {
        let config: RecommendConfig = ctx.config.section(NAME)?;
        config.algorithm.validate().context("[recommend] algorithm")?;
        let js = ctx.jetstream();
        let replicas = config.replicas;
        let catalog_records = Records::open(&js, catalog_record::BUCKET, replicas).await?;
        let profile_records = Records::open(&js, profile_record::BUCKET, replicas).await?;
        let records = Records::open(&js, served::BUCKET, replicas).await?;
        let reader = ObjectReader::open(&js, served::MODELS, "Chorus recommend: trained models", replicas).await?;
        let models = reader.store().clone();
        let served = Arc::new(served::Served::new(reader));
        let catalog = Arc::new(catalog::Catalog::default());
        let listening = Arc::new(listening::Listening::new(config.recent_per_user));
        let window = profile_record::PLAYS_DUPLICATE_WINDOW;
        let plays = profile_record::open_plays(&js, replicas, window).await.context("the plays stream")?;
        let closures = chorus_state::closures::open(&js, replicas).await?;
        // Stream's sessions, for skips (created as stream would, if stream has not run yet).
        let ttl = Some(chorus_nats::records::stream::DEFAULT_SESSION_TTL);
        let sessions = Records::open_expiring(&js, chorus_nats::records::stream::SESSIONS, replicas, ttl).await?;
        let radios = Records::open_expiring(&js, "chorus_recommend_radio", replicas, Some(RADIO_TTL)).await?;
        let radio_book = Arc::new(radios::Radios::new(RADIO_TTL));
        // Closures first: a closed listener's plays are never taken in.
        let feeds: Vec<(&str, Source, Arc<View>, Feed)> = vec![
            (
                "recommend-closures",
                Source::Stream(closures),
                Arc::new(View::revision_only()),
                Feed::Closures(Arc::new(listening::Closures(listening.clone()))),
            ),
            (
                "recommend-catalog",
                Source::Bucket(catalog_records.store().clone()),
                Arc::new(View::revision_only()),
                Feed::Catalog(catalog.clone()),
            ),
            (
                "recommend-plays",
                Source::Stream(plays),
                Arc::new(View::revision_only()),
                Feed::Plays(Arc::new(listening::Plays(listening.clone()))),
            ),
            (
                "recommend-libraries",
                Source::Bucket(profile_records.store().clone()),
                Arc::new(View::revision_only()),
                Feed::Libraries(Arc::new(listening::Libraries(listening.clone()))),
            ),
            (
                "recommend-skips",
                Source::Bucket(sessions.store().clone()),
                Arc::new(View::revision_only()),
                Feed::Skips(Arc::new(listening::Skips(listening.clone()))),
            ),
            (
                "recommend-radios",
                Source::Bucket(radios.store().clone()),
                Arc::new(View::revision_only()),
                Feed::Radios(radio_book.clone()),
            ),
            (
                "recommend-model",
                Source::Bucket(records.store().clone()),
                Arc::new(View::revision_only()),
                Feed::Model(served.clone()),
            ),
        ];
        let mut children = Vec::new();
        for (name, source, view, feed) in feeds {
            children.push(feed.follow(name, source, view).await?);
        }
        let r = Arc::new(Recommend {
            radios,
            radio_book,
            config,
            js: js.clone(),
            nats: ctx.nats.clone(),
            records,
            models,
            catalog: catalog.clone(),
            listening: listening.clone(),
            served: served.clone(),
        });
        let ack_wait = Duration::from_millis(r.config.train_ack_wait_ms.max(1000));
        let queue = training::queue(replicas, ack_wait);
        queue.ensure(&js).await.context("the training queue")?;
        // An edge site serves the hub's models (mirrored): it never trains.
        let at_site = ctx.config.hub_domain.is_some();
        if r.config.trainer && !at_site {
            children.push(chorus_state::jobs::job_child(
                "recommend-training",
                js.clone(),
                queue,
                training::handler(r.clone()),
            ));
        }
        if !at_site {
            let trigger = r.clone();
            children.push(chorus_host::ChildSpec::actor("recommend-trigger", true, move || {
                (trigger::Trigger, trigger.clone())
            }));
        }
        let metadata = vec![
            ("model".into(), served.version().to_string()),
            ("tracks".into(), catalog.len().to_string()),
            ("listeners".into(), listening.listeners().to_string()),
        ];
        Ok(ServiceDef {
            name: NAME,
            description: "Personal mixes, similar tracks and artists, radio",
            version: env!("CARGO_PKG_VERSION"),
            endpoints: routes(r).into_endpoints(),
            children,
            gate: None,
            // Every radio batch waits on a JetStream write of its record, and
            // a worker waits with it: with the compute pool (twice the cores)
            // radio.next at 16 in flight left a tenth of the CPU idle while
            // requests queued for workers. Scoring never waits inside a
            // handler, so more workers do not run more of it at once than
            // there are runtime threads; they let one score while another waits.
            workload: chorus_host::Workload::Waiting,
            metadata,
        })
    })
}

/// One thing an instance follows, caught up with before it serves.
enum Feed {
    Closures(Arc<listening::Closures>),
    Catalog(Arc<catalog::Catalog>),
    Plays(Arc<listening::Plays>),
    Libraries(Arc<listening::Libraries>),
    Skips(Arc<listening::Skips>),
    Model(Arc<served::Served>),
    Radios(Arc<radios::Radios>),
}

impl Feed {
    async fn follow(self, name: &str, source: Source, view: Arc<View>) -> anyhow::Result<chorus_host::ChildSpec> {
        macro_rules! follow {
            ($p:expr) => {{
                catch_up(&source, &view, $p.as_ref()).await.with_context(|| format!("catching up: {name}"))?;
                Ok(projector_child(name, source, view, $p))
            }};
        }
        match self {
            Feed::Closures(p) => follow!(p),
            Feed::Catalog(p) => follow!(p),
            Feed::Plays(p) => follow!(p),
            Feed::Libraries(p) => follow!(p),
            Feed::Skips(p) => follow!(p),
            Feed::Model(p) => follow!(p),
            Feed::Radios(p) => follow!(p),
        }
    }
}

/// Every recommend endpoint, in `subjects.md` order.
fn routes(r: Arc<Recommend>) -> Routes<Recommend> {
    Routes::new(r)
        .route(|r, ctx, req: MixRequest| async move { mix::mix(&r, &ctx, req) })
        .route(|r, ctx, req: TrackSimilar| async move { similar::tracks(&r, &ctx, req) })
        .route(|r, ctx, req: ArtistSimilar| async move { similar::artists(&r, &ctx, req) })
        .route(|r, ctx, req: ArtistTop| async move { top::artist_top(&r, &ctx, req) })
        .route(|r, ctx, req: RadioStart| async move { radio::start(&r, &ctx, req).await })
        .route(|r, ctx, req: RadioNext| async move { radio::next(&r, &ctx, req).await })
        .route(|r, _, _: ModelGet| async move {
            Ok::<_, Fail>(ServedModel { manifest: r.served.get().map(|m| m.manifest.clone()) })
        })
        .route(|r, _, _: ModelTrain| async move {
            let queued = training::request(&r.js, r.served.version(), "asked by an admin").await?;
            Ok::<_, Fail>(TrainQueued { queued })
        })
}
