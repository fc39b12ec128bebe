//! The projector: applies every change of a source (a KV bucket of records,
//! or a stream such as a log of plays) to the view.
//!
//! [`catch_up`] runs before the instance registers its endpoints; the
//! projector actor then follows live changes from the last applied revision.
//! After a restart (of the actor, or of a process with an on-disk view) it
//! resumes from there: nothing is missed and nothing replayed twice.

use std::sync::Arc;

use anyhow::Context as _;
use async_nats::jetstream::consumer::{pull, DeliverPolicy};
use async_nats::jetstream::kv::{self, Operation};
use async_nats::jetstream::stream;
use bytes::Bytes;
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use ractor::{Actor, ActorProcessingErr, ActorRef};

use crate::view::View;

/// Changes applied per view transaction: batches of about a hundred are fastest.
const BATCH: usize = 100;

/// One change of the source.
#[derive(Debug, Clone)]
pub struct Change {
    /// The key (`track.<id>`), or for a stream the message's subject.
    pub key: String,
    /// The new value; `None` when the key was deleted.
    pub value: Option<Bytes>,
    /// Its revision (the stream sequence).
    pub revision: u64,
}

/// Records skipped because they did not decode, in this process.
static UNDECODABLE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Change {
    /// The new value decoded as `T`; `None` for a delete, and for a value that
    /// does not decode, which is reported and skipped: a record anyone could
    /// write (or an older or newer build's) must never stop a projector.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        let value = self.value.as_ref()?;
        match chorus_nats::Encoding::MsgPack.decode(value) {
            Ok(v) => Some(v),
            Err(e) => {
                undecodable(&self.key, self.revision, &e);
                None
            }
        }
    }
}

/// Report a record at `key` that did not decode and is skipped.
pub fn undecodable(key: &str, revision: u64, error: &dyn std::fmt::Display) {
    UNDECODABLE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    tracing::error!(%key, revision, %error, "skipping a record that does not decode");
}

/// How many records this process skipped because they did not decode.
pub fn undecodable_records() -> u64 {
    UNDECODABLE.load(std::sync::atomic::Ordering::Relaxed)
}

/// Where a view's changes come from. One view follows one source; its
/// applied revision is that source's sequence.
#[derive(Clone)]
pub enum Source {
    /// A KV bucket: a fresh view reads the latest value of each key.
    Bucket(kv::Store),
    /// A stream (an append-only log): every message, keyed by subject.
    Stream(stream::Stream),
}

/// A started feed of changes.
enum Feed {
    Bucket(kv::Watch),
    Stream(pull::Ordered),
}

impl Source {
    /// The source's last sequence and its message count, read fresh.
    pub async fn state(&self) -> anyhow::Result<(u64, u64)> {
        // `kv::Store::status` returns what was cached at open: ask the stream.
        let info = match self {
            Source::Bucket(kv) => kv.stream.get_info().await,
            Source::Stream(s) => s.get_info().await,
        }
        .context("reading the source state")?;
        Ok((info.state.last_sequence, info.state.messages))
    }

    /// Changes after `applied`; from the beginning when `applied` is 0.
    async fn feed(&self, applied: u64) -> anyhow::Result<Feed> {
        Ok(match self {
            // Only the latest value of each key: a fresh view skips superseded history.
            Source::Bucket(kv) if applied == 0 => Feed::Bucket(kv.watch_with_history(">").await?),
            Source::Bucket(kv) => Feed::Bucket(kv.watch_all_from_revision(applied + 1).await?),
            Source::Stream(s) => {
                let deliver_policy = match applied {
                    0 => DeliverPolicy::All,
                    n => DeliverPolicy::ByStartSequence { start_sequence: n + 1 },
                };
                let consumer = s.create_consumer(pull::OrderedConfig { deliver_policy, ..Default::default() }).await?;
                Feed::Stream(consumer.messages().await?)
            }
        })
    }
}

/// How a service turns record changes into its view (and its in-memory maps).
pub trait Projection: Send + Sync + 'static {
    /// Apply `changes` (in record order) up to `revision`: write the view with
    /// [`View::write`] (which records the revision) and update memory.
    fn apply<'a>(&'a self, view: &'a View, changes: Vec<Change>, revision: u64) -> BoxFuture<'a, anyhow::Result<()>>;

    /// Fill memory from an on-disk view opened at a saved revision.
    fn restore<'a>(&'a self, view: &'a View) -> BoxFuture<'a, anyhow::Result<()>>;
}

/// Bring the view up to the source's current sequence. Returns how many
/// changes were applied (0 when an on-disk view was already current).
pub async fn catch_up<P: Projection>(source: &Source, view: &View, projection: &P) -> anyhow::Result<usize> {
    if view.applied() > 0 {
        projection.restore(view).await.context("restoring memory from the view")?;
    }
    let (target, messages) = source.state().await?;
    if messages == 0 || view.applied() >= target {
        return Ok(0);
    }
    let mut feed = source.feed(view.applied()).await?;
    let mut applied = 0;
    while view.applied() < target {
        let (changes, revision, current) = feed.next_batch().await?;
        applied += changes.len();
        projection.apply(view, changes, revision).await?;
        view.mark_applied(revision);
        if current {
            break;
        }
    }
    Ok(applied)
}

impl Feed {
    /// Wait for the next change, then take what else is ready, up to [`BATCH`].
    /// Returns the changes, the highest revision, and whether the feed is current.
    async fn next_batch(&mut self) -> anyhow::Result<(Vec<Change>, u64, bool)> {
        match self {
            Feed::Bucket(watch) => {
                let first = watch.next().await.context("the record watch ended")??;
                let mut entries = vec![first];
                while entries.len() < BATCH {
                    match watch.next().now_or_never() {
                        Some(Some(entry)) => entries.push(entry?),
                        _ => break,
                    }
                }
                let revision = entries.iter().map(|e| e.revision).max().unwrap_or(0);
                let current = entries.last().is_some_and(|e| e.seen_current || e.delta == 0);
                let changes = entries
                    .into_iter()
                    .map(|e| Change {
                        value: (e.operation == Operation::Put).then_some(e.value),
                        key: e.key,
                        revision: e.revision,
                    })
                    .collect();
                Ok((changes, revision, current))
            }
            Feed::Stream(messages) => {
                let mut changes = Vec::new();
                let mut current = false;
                let mut next = Some(messages.next().await.context("the stream feed ended")??);
                while let Some(msg) = next.take() {
                    let info = msg.info().map_err(|e| anyhow::anyhow!("stream message metadata: {e}"))?;
                    current = info.pending == 0;
                    changes.push(Change {
                        key: msg.subject.to_string(),
                        value: Some(msg.payload.clone()),
                        revision: info.stream_sequence,
                    });
                    if changes.len() < BATCH {
                        if let Some(Some(m)) = messages.next().now_or_never() {
                            next = Some(m?);
                        }
                    }
                }
                let revision = changes.last().map(|c| c.revision).unwrap_or(0);
                Ok((changes, revision, current))
            }
        }
    }
}

/// Follows live changes; see the module docs.
struct Projector<P>(std::marker::PhantomData<P>);

/// Take the next batch.
struct Follow;

struct FollowState<P> {
    view: Arc<View>,
    projection: Arc<P>,
    feed: Feed,
}

impl<P: Projection> Actor for Projector<P> {
    type Msg = Follow;
    type State = FollowState<P>;
    type Arguments = (Source, Arc<View>, Arc<P>);

    async fn pre_start(
        &self,
        myself: ActorRef<Follow>,
        (source, view, projection): Self::Arguments,
    ) -> Result<FollowState<P>, ActorProcessingErr> {
        // From the last applied revision: for a bucket, every later change
        // (not just the latest per key), so nothing in between is missed.
        let feed = match &source {
            Source::Bucket(kv) => Feed::Bucket(kv.watch_all_from_revision(view.applied() + 1).await?),
            Source::Stream(_) => source.feed(view.applied()).await?,
        };
        myself.cast(Follow)?;
        Ok(FollowState { view, projection, feed })
    }

    async fn handle(
        &self,
        myself: ActorRef<Follow>,
        _: Follow,
        state: &mut FollowState<P>,
    ) -> Result<(), ActorProcessingErr> {
        let (changes, revision, _) = state.feed.next_batch().await?;
        state.projection.apply(&state.view, changes, revision).await?;
        state.view.mark_applied(revision);
        myself.cast(Follow)?;
        Ok(())
    }
}

/// The supervised projector that keeps `view` following `source`.
pub fn projector_child<P: Projection>(
    name: &str,
    source: Source,
    view: Arc<View>,
    projection: Arc<P>,
) -> chorus_host::ChildSpec {
    let lag = Arc::new(Lag { name: name.to_string(), source: source.clone(), view: view.clone() });
    chorus_host::ChildSpec::actor(format!("{name}-projector"), true, move || {
        (Projector::<P>(std::marker::PhantomData), (source.clone(), view.clone(), projection.clone()))
    })
    .with_lag(lag)
}

/// A projector's view and its source, for the node's metrics.
struct Lag {
    name: String,
    source: Source,
    view: Arc<View>,
}

impl chorus_host::ViewLag for Lag {
    fn view(&self) -> &str {
        &self.name
    }

    fn applied(&self) -> u64 {
        self.view.applied()
    }

    fn head(&self) -> BoxFuture<'_, anyhow::Result<u64>> {
        Box::pin(async { Ok(self.source.state().await?.0) })
    }
}
