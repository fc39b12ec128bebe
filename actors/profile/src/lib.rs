//! The profile service: playlists, favorites and ratings, listening history,
//! and the play queue, each reachable only by its owner (public playlists by
//! anyone signed in), enforced from the access token.
//!
//! Records live in the JetStream KV bucket `chorus_profile`; plays are
//! appended to the stream `chorus_plays` (and noted in the bucket, so that
//! every write has a bucket sequence: see `position`). Each instance keeps
//! in memory the playlists by owner and the listening history, both built
//! before it registers and followed by supervised projectors.
//!
//! What one listener may keep is capped (`[profile]` settings: playlists,
//! tracks per playlist, favorites, ratings, queue length), their writes are
//! rate limited per instance, and every list is read in pages, so that no
//! record and no reply outgrows the server's max payload.
#![warn(missing_docs, unreachable_pub)]

mod catalog_check;
mod closing;
mod config;
mod edits;
mod history;
mod library;
mod owned;
mod playlists;
mod plays;
mod position;
mod queue;
mod rate;
mod records;
mod serial;
mod state;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::stream;
use chorus_host::{Fail, HostContext, Routes, ServiceDef};
use chorus_nats::messages::profile::{
    CountsRequest, FavoriteList, FavoriteSet, PlayAlbums, PlayHistory, PlayRecord, PlaylistCreate, PlaylistGet,
    PlaylistList, PlaylistRef, PlaylistUpdate, QueueGet, QueueSave, RatingList, RatingSet, RecentRequest,
};
use chorus_nats::subjects::profile as subjects;
use chorus_state::{catch_up, projector_child, Records, Source, View};
use futures::future::BoxFuture;

pub use config::ProfileConfig;

use state::Profile;

/// Service name, micro name and queue group.
pub const NAME: &str = subjects::SERVICE;

/// Build a profile instance: open the bucket and the plays stream, load both
/// projections, then hand the endpoints over.
pub fn service(ctx: HostContext) -> BoxFuture<'static, anyhow::Result<ServiceDef>> {
    Box::pin(async move {
        let config: ProfileConfig = ctx.config.section(NAME)?;
        config.validate()?;
        let js = ctx.jetstream();
        let records = Records::open(&js, records::BUCKET, config.replicas).await?;
        let plays = open_plays(&js, &config).await?;
        let owned = Arc::new(owned::Owned::default());
        let owned_view = Arc::new(View::revision_only());
        let owned_source = Source::Bucket(records.store().clone());
        let bucket = Arc::new(position::Bucket::new(owned.clone()));
        catch_up(&owned_source, &owned_view, bucket.as_ref()).await.context("loading playlists")?;
        let history = Arc::new(history::History::default());
        let history_view = Arc::new(View::revision_only());
        let history_source = Source::Stream(plays.clone());
        let replayed = catch_up(&history_source, &history_view, history.as_ref()).await.context("loading plays")?;
        bucket.forget_plays_after(history_view.applied());
        let closed = Arc::new(closing::Closed::new(history.clone()));
        let (closed_view, closed_source) = (
            Arc::new(View::revision_only()),
            Source::Stream(chorus_state::closures::open(&js, config.replicas).await?),
        );
        catch_up(&closed_source, &closed_view, closed.as_ref()).await.context("loading closed accounts")?;
        let gate = position::Position {
            bucket: bucket.clone(),
            bucket_view: owned_view.clone(),
            history_view: history_view.clone(),
        };
        let profile = Arc::new(Profile {
            records,
            js,
            nats: ctx.nats.clone(),
            owned: owned.clone(),
            owned_view: owned_view.clone(),
            owned_source: owned_source.clone(),
            history: history.clone(),
            history_view: history_view.clone(),
            plays,
            closed: closed.clone(),
            writes: rate::WriteRate::new(config.writes_per_s, config.write_burst),
            creating: serial::PerUser::default(),
            config,
        });
        let eraser = {
            let profile = profile.clone();
            Arc::new(move |closure| {
                let p = profile.clone();
                Box::pin(async move { closing::erase(&p, closure).await }) as BoxFuture<'static, _>
            })
        };
        let (replicas, js) = (profile.config.replicas, profile.js.clone());
        Ok(ServiceDef {
            name: NAME,
            description: "Playlists, favorites, ratings, listening history, play queue",
            version: env!("CARGO_PKG_VERSION"),
            endpoints: routes(profile).into_endpoints(),
            children: vec![
                projector_child("profile-playlists", owned_source, owned_view, bucket),
                projector_child("profile-plays", history_source, history_view, history),
                projector_child("profile-closed", closed_source, closed_view, closed),
                chorus_state::closures::eraser_child(NAME, js, replicas, eraser),
            ],
            // Read-your-writes in the bucket's sequence, which every write's reply carries.
            gate: Some(Arc::new(gate)),
            workload: chorus_host::Workload::Waiting,
            metadata: vec![("plays_replayed".into(), replayed.to_string())],
        })
    })
}

async fn open_plays(js: &async_nats::jetstream::Context, config: &ProfileConfig) -> anyhow::Result<stream::Stream> {
    let window = Duration::from_secs(config.dedup_window_s);
    chorus_nats::records::profile::open_plays(js, config.replicas, window).await.context("opening the plays stream")
}

/// Every profile endpoint, in `subjects.md` order.
fn routes(profile: Arc<Profile>) -> Routes<Profile> {
    Routes::new(profile)
        .route(|p, ctx, req: PlaylistCreate| async move { playlists::create(&p, &ctx, req).await })
        .route(|p, ctx, req: PlaylistGet| async move { playlists::get(&p, &ctx, req).await })
        .route(|p, ctx, req: PlaylistList| async move { playlists::list(&p, &ctx, req) })
        .route(|p, ctx, req: PlaylistUpdate| async move { playlists::update(&p, &ctx, req).await })
        .route(|p, ctx, req: PlaylistRef| async move { playlists::delete(&p, &ctx, req).await })
        .route(|p, ctx, req: FavoriteSet| async move { library::set_favorite(&p, &ctx, req).await })
        .route(|p, ctx, req: FavoriteList| async move { library::favorites(&p, &ctx, req).await })
        .route(|p, ctx, req: RatingSet| async move { library::set_rating(&p, &ctx, req).await })
        .route(|p, ctx, req: RatingList| async move { library::ratings(&p, &ctx, req).await })
        .route(|p, ctx, req: PlayRecord| async move { plays::record(&p, &ctx, req).await })
        .route(|p, ctx, req: RecentRequest| async move { plays::recent(&p, &ctx, req) })
        .route(|p, ctx, req: PlayHistory| async move { plays::history(&p, &ctx, req).await })
        .route(|p, ctx, req: CountsRequest| async move { plays::counts(&p, &ctx, req) })
        .route(|p, ctx, req: PlayAlbums| async move { plays::albums(&p, &ctx, req) })
        .route(|p, ctx, req: QueueSave| async move { queue::save(&p, &ctx, req).await })
        .route(|p, ctx, _: QueueGet| async move { queue::get(&p, &ctx).await })
}
