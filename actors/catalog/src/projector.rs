//! The projector: applies every change of the catalog record to the view.
//!
//! [`catch_up`] runs before the instance registers its endpoints; the
//! [`Projector`] actor then follows live changes from the last applied
//! revision, and after a restart resumes from there with nothing missed.

use std::sync::Arc;

use anyhow::Context as _;
use async_nats::jetstream::kv::{self, Operation};
use futures::{FutureExt, StreamExt};
use ractor::{Actor, ActorProcessingErr, ActorRef};

use crate::records;
use crate::view::{CatalogView, Change};

/// Changes applied per SurrealDB query: batches of about a hundred are fastest.
const BATCH: usize = 100;

/// Bring `view` up to the record's current revision. Returns the revision reached.
pub(crate) async fn catch_up(kv: &kv::Store, view: &CatalogView) -> anyhow::Result<u64> {
    let status = kv.status().await.context("reading the catalog bucket status")?;
    let target = status.info.state.last_sequence;
    if status.values() == 0 || view.applied() >= target {
        return Ok(view.applied());
    }
    let mut watch = if view.applied() == 0 {
        // Only the latest value of each key: a fresh view skips superseded history.
        kv.watch_with_history(">").await?
    } else {
        kv.watch_all_from_revision(view.applied() + 1).await?
    };
    while view.applied() < target {
        let (changes, revision, current) = next_batch(&mut watch).await?;
        view.apply(changes, revision).await?;
        if current {
            break;
        }
    }
    Ok(view.applied())
}

/// Wait for the next change, then take what else is ready, up to [`BATCH`].
/// Returns the changes, the highest revision seen, and whether the watch is current.
async fn next_batch(watch: &mut kv::Watch) -> anyhow::Result<(Vec<Change>, u64, bool)> {
    let first = watch.next().await.context("the catalog watch ended")??;
    let mut entries = vec![first];
    while entries.len() < BATCH {
        match watch.next().now_or_never() {
            Some(Some(entry)) => entries.push(entry?),
            _ => break,
        }
    }
    let revision = entries.iter().map(|e| e.revision).max().unwrap_or(0);
    let current = entries.last().is_some_and(|e| e.seen_current || e.delta == 0);
    let changes = entries.into_iter().filter_map(change_of).collect();
    Ok((changes, revision, current))
}

/// The view change an entry makes; `None` for keys the view does not hold.
fn change_of(entry: kv::Entry) -> Option<Change> {
    let id = records::track_id(&entry.key)?;
    match entry.operation {
        Operation::Put => match records::decode_track(&entry.value) {
            Ok(track) => Some(Change::Put(track)),
            Err(e) => {
                // One bad record must not stop the view; it is skipped and logged.
                tracing::error!(key = %entry.key, revision = entry.revision, error = %e, "skipping undecodable record");
                None
            }
        },
        Operation::Delete | Operation::Purge => Some(Change::Delete(id)),
    }
}

/// Follows live changes; see the module docs.
pub(crate) struct Projector;

/// Take the next batch.
pub(crate) struct Follow;

pub(crate) struct ProjectorState {
    view: Arc<CatalogView>,
    watch: kv::Watch,
}

impl Actor for Projector {
    type Msg = Follow;
    type State = ProjectorState;
    type Arguments = (kv::Store, Arc<CatalogView>);

    async fn pre_start(&self, myself: ActorRef<Follow>, (kv, view): Self::Arguments) -> Result<ProjectorState, ActorProcessingErr> {
        let watch = kv.watch_all_from_revision(view.applied() + 1).await?;
        myself.cast(Follow)?;
        Ok(ProjectorState { view, watch })
    }

    async fn handle(&self, myself: ActorRef<Follow>, _: Follow, state: &mut ProjectorState) -> Result<(), ActorProcessingErr> {
        let (changes, revision, _) = next_batch(&mut state.watch).await?;
        state.view.apply(changes, revision).await?;
        myself.cast(Follow)?;
        Ok(())
    }
}

/// The supervised projector of one instance.
pub(crate) fn child(kv: kv::Store, view: Arc<CatalogView>) -> chorus_host::ChildSpec {
    chorus_host::ChildSpec {
        name: "catalog-projector".into(),
        start: Arc::new(move |supervisor| {
            let args = (kv.clone(), view.clone());
            Box::pin(async move {
                let (actor, _) = Actor::spawn_linked(None, Projector, args, supervisor).await?;
                Ok(actor.get_cell())
            })
        }),
    }
}
