//! Training is a job: a JetStream work queue whose one consumer all
//! trainers share, with one job held at a time, so exactly one instance
//! trains while the others serve. The trainer reads every play of
//! `chorus_plays` and the listeners' stars, trains the configured
//! algorithm (off the async threads), measures it on a holdout of each
//! listener's newest plays, then stores the model as a new object and only
//! then names it in `model.latest`: a trainer that dies before that leaves
//! the previous model serving, and its job goes to another trainer once
//! the server stops hearing from it.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_nats::jetstream::stream;
use chorus_nats::messages::profile::Play;
use chorus_nats::messages::recommend::Manifest;
use chorus_nats::records::profile::PLAYS;
use chorus_nats::Encoding;
use chorus_recsys::{Event, Interactions, Model};
use chorus_state::jobs::{Job, JobQueue};
use chorus_state::{catch_up, Change, Projection, Source, View};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::served::{object_name, LATEST};
use crate::state::Recommend;

/// The training queue.
pub(crate) const JOBS: &str = "chorus_recommend_jobs";
/// Its one subject.
pub(crate) const TRAIN_SUBJECT: &str = "chorus_recommend_jobs.train";

/// The queue every instance publishes to and trainers consume, one job at a time.
pub(crate) fn queue(replicas: usize, ack_wait: Duration) -> JobQueue {
    JobQueue {
        stream: JOBS.into(),
        subjects: vec![TRAIN_SUBJECT.into()],
        durable: "recommend-training".into(),
        ack_wait,
        retry_delay: Duration::from_secs(5),
        replicas,
        retention: stream::RetentionPolicy::WorkQueue,
        max_ack_pending: 1,
    }
}

/// A training request: a model newer than `after` is wanted.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct TrainJob {
    pub(crate) after: u64,
}

/// The weight of a star in training, against 1 for a play.
const STAR_WEIGHT: f32 = 2.0;

/// Do one training job; `Err` is "try again later".
pub(crate) async fn train(r: &Recommend, job: Job) -> anyhow::Result<()> {
    let wanted: TrainJob = Encoding::MsgPack.decode(&job.payload).context("a training job")?;
    let latest = r.records.get::<Manifest>(LATEST).await?;
    let version = latest.as_ref().map_or(0, |(m, _)| m.version);
    if version > wanted.after {
        return Ok(()); // Trained since it was asked for.
    }
    let started = Instant::now();
    let (plays, plays_seq) = read_plays(r).await?;
    let liked = r.listening.liked();
    let world = World::of(&plays, &liked);
    let algorithm = r.config.algorithm.clone();
    let (events, n_users, n_items) = (world.events.clone(), world.users.len() as u32, world.items.len() as u32);
    let (model, metrics) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let metrics = chorus_recsys::eval::holdout_metrics(n_users, n_items, &events, &algorithm)?;
        let interactions = Interactions::new(n_users, n_items, events)?;
        Ok((Model::train(&interactions, &algorithm)?, metrics))
    })
    .await??;
    if r.config.train_pause_ms > 0 {
        tokio::time::sleep(Duration::from_millis(r.config.train_pause_ms)).await;
    }
    let manifest = Manifest {
        version: version + 1,
        trained_at: chorus_nats::clock::now_ms(),
        plays_seq,
        plays: plays.len() as u64,
        users: world.users.len() as u64,
        tracks: world.items.len() as u64,
        algorithm: format!("{:?}", r.config.algorithm),
        took_ms: started.elapsed().as_millis() as u64,
        metrics: metrics.into_iter().collect::<BTreeMap<String, f64>>(),
        object: object_name(version + 1),
    };
    let bytes = crate::served::encode(&manifest, &world.items, &model)?;
    r.models.put(manifest.object.as_str(), &mut bytes.as_slice()).await.context("storing a model")?;
    // Named only once stored: the newest model is always whole.
    // At the revision read: a model another trainer named meanwhile wins.
    match latest {
        Some((_, revision)) => r.records.update(LATEST, &manifest, revision).await,
        None => r.records.create(LATEST, &manifest).await,
    }
    .map_err(|e| anyhow::anyhow!("naming model {}: {e}", manifest.version))?;
    tracing::info!(version = manifest.version, plays = manifest.plays, took_ms = manifest.took_ms, "trained a model");
    for old in 1..=manifest.version.saturating_sub(r.config.models_kept.max(1) as u64) {
        // Older models go; one already gone is fine.
        let _ = r.models.delete(object_name(old).as_str()).await;
    }
    Ok(())
}

/// Every play recorded so far, and the last sequence read.
async fn read_plays(r: &Recommend) -> anyhow::Result<(Vec<(Uuid, Uuid, u64)>, u64)> {
    let stream = r.js.get_stream(PLAYS).await.context("the plays stream")?;
    let collector = Collect::default();
    let view = View::revision_only();
    catch_up(&Source::Stream(stream), &view, &collector).await.context("reading the plays")?;
    let plays = std::mem::take(&mut *collector.plays.lock().unwrap_or_else(|p| p.into_inner()));
    Ok((plays, view.applied()))
}

#[derive(Default)]
struct Collect {
    plays: Mutex<Vec<(Uuid, Uuid, u64)>>,
}

impl Projection for Collect {
    fn apply<'a>(&'a self, _: &'a View, changes: Vec<Change>, _: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let mut plays = self.plays.lock().unwrap_or_else(|p| p.into_inner());
            plays.extend(
                changes
                    .iter()
                    .filter_map(Change::decode::<Play>)
                    .map(|p| (p.user, p.record.track_id, p.record.started_at)),
            );
            Ok(())
        })
    }

    fn restore<'a>(&'a self, _: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

/// Plays and stars numbered for the model.
struct World {
    users: Vec<Uuid>,
    items: Vec<Uuid>,
    events: Vec<Event>,
}

impl World {
    fn of(plays: &[(Uuid, Uuid, u64)], liked: &[(Uuid, Uuid, u64)]) -> Self {
        let (mut users, mut items) = (Numbering::default(), Numbering::default());
        // A track played n times weighs 1 + ln n: repeats count, without
        // one favourite drowning the rest (ALS's confidence grows with weight).
        let mut heard: HashMap<(u32, u32), (u32, u64)> = HashMap::default();
        for (user, track, at) in plays {
            let e = heard.entry((users.of(*user), items.of(*track))).or_insert((0, 0));
            *e = (e.0 + 1, e.1.max(*at));
        }
        let mut events = Vec::with_capacity(heard.len() + liked.len());
        for ((user, item), (n, at)) in heard {
            events.push(Event { user, item, weight: 1.0 + (n as f32).ln(), at });
        }
        for (user, track, at) in liked {
            events.push(Event { user: users.of(*user), item: items.of(*track), weight: STAR_WEIGHT, at: *at });
        }
        Self { users: users.ids, items: items.ids, events }
    }
}

#[derive(Default)]
struct Numbering {
    ids: Vec<Uuid>,
    of: HashMap<Uuid, u32>,
}

impl Numbering {
    fn of(&mut self, id: Uuid) -> u32 {
        *self.of.entry(id).or_insert_with(|| {
            self.ids.push(id);
            (self.ids.len() - 1) as u32
        })
    }
}

/// Ask for a model newer than `after`; false if that was asked already (a
/// duplicate within the queue's window).
pub(crate) async fn request(js: &async_nats::jetstream::Context, after: u64, why: &str) -> anyhow::Result<bool> {
    let payload = Encoding::MsgPack.encode(&TrainJob { after })?;
    let publish = async_nats::jetstream::message::PublishMessage::build()
        .payload(payload)
        .message_id(format!("train-after-{after}"));
    let ack = js.send_publish(TRAIN_SUBJECT, publish).await?.await.context("queueing a training")?;
    if !ack.duplicate {
        tracing::info!(after, why, "training queued");
    }
    Ok(!ack.duplicate)
}

/// Keeps a shared handle to the recommend state for the job handler.
pub(crate) fn handler(r: Arc<Recommend>) -> chorus_state::jobs::JobHandler {
    Arc::new(move |job| {
        let r = r.clone();
        Box::pin(async move { train(&r, job).await })
    })
}
