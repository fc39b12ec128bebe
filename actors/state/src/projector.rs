//! The projector: applies every change of a record bucket to the view.
//!
//! [`catch_up`] runs before the instance registers its endpoints; the
//! projector actor then follows live changes from the last applied revision.
//! After a restart (of the actor, or of a process with an on-disk view) it
//! resumes from there: nothing is missed and nothing replayed twice.

use std::sync::Arc;

use anyhow::Context as _;
use async_nats::jetstream::kv::{self, Operation};
use bytes::Bytes;
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use ractor::{Actor, ActorProcessingErr, ActorRef};

use crate::view::View;

/// Changes applied per view transaction: batches of about a hundred are fastest.
const BATCH: usize = 100;

/// One change of the record.
#[derive(Debug, Clone)]
pub struct Change {
    /// The key (`track.<id>`).
    pub key: String,
    /// The new value; `None` when the key was deleted.
    pub value: Option<Bytes>,
    /// Its revision.
    pub revision: u64,
}

/// How a service turns record changes into its view (and its in-memory maps).
pub trait Projection: Send + Sync + 'static {
    /// Apply `changes` (in record order) up to `revision`: write the view with
    /// [`View::write`] (which records the revision) and update memory.
    fn apply<'a>(&'a self, view: &'a View, changes: Vec<Change>, revision: u64) -> BoxFuture<'a, anyhow::Result<()>>;

    /// Fill memory from an on-disk view opened at a saved revision.
    fn restore<'a>(&'a self, view: &'a View) -> BoxFuture<'a, anyhow::Result<()>>;
}

/// Bring the view up to the record's current revision. Returns how many
/// changes were applied (0 when an on-disk view was already current).
pub async fn catch_up<P: Projection>(kv: &kv::Store, view: &View, projection: &P) -> anyhow::Result<usize> {
    if view.applied() > 0 {
        projection.restore(view).await.context("restoring memory from the view")?;
    }
    // Fresh stream state: `kv::Store::status` returns what was cached at open.
    let state = kv.stream.get_info().await.context("reading the bucket state")?.state;
    let target = state.last_sequence;
    if state.messages == 0 || view.applied() >= target {
        return Ok(0);
    }
    let mut watch = if view.applied() == 0 {
        // Only the latest value of each key: a fresh view skips superseded history.
        kv.watch_with_history(">").await?
    } else {
        kv.watch_all_from_revision(view.applied() + 1).await?
    };
    let mut applied = 0;
    while view.applied() < target {
        let (changes, revision, current) = next_batch(&mut watch).await?;
        applied += changes.len();
        projection.apply(view, changes, revision).await?;
        view.mark_applied(revision);
        if current {
            break;
        }
    }
    Ok(applied)
}

/// Wait for the next change, then take what else is ready, up to [`BATCH`].
/// Returns the changes, the highest revision, and whether the watch is current.
async fn next_batch(watch: &mut kv::Watch) -> anyhow::Result<(Vec<Change>, u64, bool)> {
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
        .map(|e| Change { value: (e.operation == Operation::Put).then_some(e.value), key: e.key, revision: e.revision })
        .collect();
    Ok((changes, revision, current))
}

/// Follows live changes; see the module docs.
struct Projector<P>(std::marker::PhantomData<P>);

/// Take the next batch.
struct Follow;

struct FollowState<P> {
    view: Arc<View>,
    projection: Arc<P>,
    watch: kv::Watch,
}

impl<P: Projection> Actor for Projector<P> {
    type Msg = Follow;
    type State = FollowState<P>;
    type Arguments = (kv::Store, Arc<View>, Arc<P>);

    async fn pre_start(
        &self,
        myself: ActorRef<Follow>,
        (kv, view, projection): Self::Arguments,
    ) -> Result<FollowState<P>, ActorProcessingErr> {
        let watch = kv.watch_all_from_revision(view.applied() + 1).await?;
        myself.cast(Follow)?;
        Ok(FollowState { view, projection, watch })
    }

    async fn handle(
        &self,
        myself: ActorRef<Follow>,
        _: Follow,
        state: &mut FollowState<P>,
    ) -> Result<(), ActorProcessingErr> {
        let (changes, revision, _) = next_batch(&mut state.watch).await?;
        state.projection.apply(&state.view, changes, revision).await?;
        state.view.mark_applied(revision);
        myself.cast(Follow)?;
        Ok(())
    }
}

/// The supervised projector that keeps `view` following `kv`.
pub fn projector_child<P: Projection>(
    name: &str,
    kv: kv::Store,
    view: Arc<View>,
    projection: Arc<P>,
) -> chorus_host::ChildSpec {
    chorus_host::ChildSpec::actor(format!("{name}-projector"), true, move || {
        (Projector::<P>(std::marker::PhantomData), (kv.clone(), view.clone(), projection.clone()))
    })
}
