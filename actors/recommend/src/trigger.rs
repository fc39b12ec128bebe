//! When a new model is due: every instance looks every
//! `[recommend] check_every_ms` and queues a training when there is no
//! model yet but there are plays, when `retrain_after_plays` plays arrived
//! since the newest model, or when it is older than `train_every_s` and
//! plays arrived since. The job's id names the model it follows, so the
//! instances' requests for one new model are one job.

use std::sync::Arc;
use std::time::Duration;

use chorus_nats::records::profile::PLAYS;
use ractor::{Actor, ActorProcessingErr, ActorRef};

use crate::state::Recommend;

/// The supervised checker of one instance.
pub(crate) struct Trigger;

/// Check now.
pub(crate) struct Check;

impl Actor for Trigger {
    type Msg = Check;
    type State = Arc<Recommend>;
    type Arguments = Arc<Recommend>;

    async fn pre_start(
        &self,
        myself: ActorRef<Check>,
        r: Arc<Recommend>,
    ) -> Result<Arc<Recommend>, ActorProcessingErr> {
        myself.cast(Check)?;
        Ok(r)
    }

    async fn handle(
        &self,
        myself: ActorRef<Check>,
        _: Check,
        r: &mut Arc<Recommend>,
    ) -> Result<(), ActorProcessingErr> {
        if let Err(e) = check(r).await {
            tracing::warn!(error = %format!("{e:#}"), "checking whether a model is due");
        }
        tokio::time::sleep(Duration::from_millis(r.config.check_every_ms.max(100))).await;
        myself.cast(Check)?;
        Ok(())
    }
}

async fn check(r: &Recommend) -> anyhow::Result<()> {
    // No plays stream yet (profile never ran): nothing to learn from.
    let Ok(mut plays) = r.js.get_stream(PLAYS).await else { return Ok(()) };
    let last = plays.info().await?.state.last_sequence;
    if last == 0 {
        return Ok(());
    }
    let latest = r.records.get::<chorus_nats::messages::recommend::Manifest>(crate::served::LATEST).await?;
    let why = match &latest {
        None => Some("no model yet"),
        Some((m, _)) if last.saturating_sub(m.plays_seq) >= r.config.retrain_after_plays.max(1) => Some("new plays"),
        Some((m, _))
            if last > m.plays_seq
                && chorus_nats::clock::now_ms().saturating_sub(m.trained_at) >= r.config.train_every_s * 1000 =>
        {
            Some("the model is old")
        }
        _ => None,
    };
    if let Some(why) = why {
        crate::training::request(&r.js, latest.map_or(0, |(m, _)| m.version), why).await?;
    }
    Ok(())
}
