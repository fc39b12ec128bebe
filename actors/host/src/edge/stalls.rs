//! Restarting a stalled mirror without restarting the server.
//!
//! nats-server retries a mirror by itself when its heartbeats stop (within
//! 10–20 s), but there are known cases where a mirror across a flaky leaf
//! link stops until the server restarts (nats-server#3553). A stream update
//! does not restart a mirror (its `mirror` settings cannot change, and other
//! changes leave its consumer alone), and the consumer at the hub that feeds
//! it is not listed (a direct consumer, its name randomised), so: on a
//! replicated site stream, a leader stepdown (the new leader sets the mirror
//! up afresh from its last sequence); on one replica, the mirror is made
//! again, and copies the hub's stream anew. A mirror keeps the origin's
//! sequence numbers, so the views built from it resume where they were.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_nats::jetstream;

use super::mirrors::mirror_config;

/// How a stalled mirror was restarted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restart {
    /// The site stream's leader stepped down (a replicated site).
    SteppedDown,
    /// The mirror was made again (one replica): it copies the hub's stream anew.
    Remade,
}

/// Restart the mirror `name` of this site, fed from the hub's stream of the
/// same name in `hub_domain`.
pub async fn restart_mirror(nats: &async_nats::Client, hub_domain: &str, name: &str) -> anyhow::Result<Restart> {
    let site = jetstream::new(nats.clone());
    let replicas = site.get_stream(name).await?.info().await?.config.num_replicas;
    if replicas > 1 {
        let reply = nats
            .request(format!("$JS.API.STREAM.LEADER.STEPDOWN.{name}"), "".into())
            .await
            .with_context(|| format!("stepping down the leader of {name}"))?;
        let answer: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap_or_default();
        anyhow::ensure!(answer["success"] == true, "stepping down the leader of {name}: {answer}");
        return Ok(Restart::SteppedDown);
    }
    site.delete_stream(name).await.with_context(|| format!("deleting the stalled mirror {name}"))?;
    site.create_stream(mirror_config(name, hub_domain, replicas))
        .await
        .with_context(|| format!("making the mirror {name} again"))?;
    Ok(Restart::Remade)
}

/// A mirror silent this long while the hub answers has stalled: longer than
/// the server's own retries take (nats-server retries a silent mirror after
/// 10–20 s, backing off to two minutes after failures).
pub(super) const STALLED: Duration = Duration::from_secs(150);

/// The mirrors this node restarted, and when: one restart per mirror per
/// [`STALLED`], so a restart has the time to take.
#[derive(Default)]
pub(super) struct Stalls {
    restarted: HashMap<&'static str, Instant>,
}

impl Stalls {
    /// Restart `name` if it has stalled: heard before, silent for
    /// [`STALLED`] while the hub has answered all that time (`hub_up_for`:
    /// once the uplink is back, the server's own retries come first), and
    /// not restarted in that time. A mirror never heard is the server's to
    /// retry (its origin may not exist yet: no model trained, say).
    pub(super) async fn check(
        &mut self,
        nats: &async_nats::Client,
        hub_domain: &str,
        name: &'static str,
        active: Option<Duration>,
        hub_up_for: Duration,
    ) {
        if hub_up_for < STALLED || active.is_none_or(|a| a < STALLED) {
            return;
        }
        if self.restarted.get(name).is_some_and(|at| at.elapsed() < STALLED) {
            return;
        }
        self.restarted.insert(name, Instant::now());
        match restart_mirror(nats, hub_domain, name).await {
            Ok(how) => tracing::warn!(stream = name, ?active, ?how, "a mirror had stalled while the hub answers: restarted"),
            Err(e) => tracing::warn!(stream = name, error = %format!("{e:#}"), "restarting a stalled mirror"),
        }
    }
}
