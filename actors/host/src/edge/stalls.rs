//! Restarting a stalled mirror without restarting the server.
//!
//! nats-server retries a mirror by itself when its heartbeats stop (within
//! 10–20 s, backing off to about two minutes after failed tries), but there
//! are known cases where a mirror across a flaky leaf link stops until the
//! server restarts (nats-server#3553). A stream update does not restart a
//! mirror (its `mirror` settings cannot change, and other changes leave its
//! consumer alone), and the consumer at the hub that feeds it is not listed
//! (a direct consumer, its name randomised), so: on a replicated site
//! stream, a leader stepdown (the new leader sets the mirror up afresh from
//! its last sequence); on one replica, a KV mirror is made again and copies
//! the hub's bucket anew. A mirror keeps the origin's sequence numbers, so
//! the views built from it resume where they were. An object store (audio,
//! art, models) on one replica is never made again by the node — copying
//! every file anew, and holding a partial store if the uplink drops during
//! the copy, is worse than a stale one: it is reported, for the operator.

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
    /// The KV mirror was made again (one replica): it copies the hub's bucket anew.
    Remade,
    /// Not restarted by the node: an object store on one replica (see the module docs).
    LeftToTheOperator,
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
    if !name.starts_with("KV_") {
        return Ok(Restart::LeftToTheOperator);
    }
    site.delete_stream(name).await.with_context(|| format!("deleting the stalled mirror {name}"))?;
    site.create_stream(mirror_config(name, hub_domain, replicas))
        .await
        .with_context(|| format!("making the mirror {name} again"))?;
    Ok(Restart::Remade)
}

/// A mirror silent this long while the hub answers has stalled: more than
/// two of the server's own retries after failed tries (each about 122 s
/// apart at most), so a mirror that is only waiting for its next retry is
/// left to it.
pub(super) const STALLED: Duration = Duration::from_secs(300);

/// What the check knows of one mirror.
#[derive(Debug, Clone, Copy)]
pub(super) struct Seen {
    /// Since the mirror last heard from the hub's stream; `None` if never.
    pub(super) active: Option<Duration>,
    /// How long the hub has answered every check.
    pub(super) hub_up_for: Duration,
    /// The mirror's last sequence, and the hub stream's (`None` when it did not answer).
    pub(super) mirror_last: u64,
    pub(super) origin_last: Option<u64>,
    /// Since this node last restarted it; `None` if never.
    pub(super) restarted_ago: Option<Duration>,
}

/// Whether a mirror has stalled: heard before (one never heard is the
/// server's to retry: its origin may not exist yet), silent for
/// [`STALLED`] while the hub has answered all that time (once the uplink is
/// back, the server's retries come first), behind a hub stream that answers
/// (an origin that is recovering or gone is no reason), and not restarted by
/// this node in that time.
pub(super) fn stalled(s: Seen) -> bool {
    let silent = s.active.is_some_and(|a| a >= STALLED) && s.hub_up_for >= STALLED;
    let behind = s.origin_last.is_some_and(|origin| origin > s.mirror_last);
    let rested = s.restarted_ago.is_none_or(|ago| ago >= STALLED);
    silent && behind && rested
}

/// The mirrors this node restarted, and when.
#[derive(Default)]
pub(super) struct Stalls {
    restarted: HashMap<&'static str, Instant>,
}

impl Stalls {
    /// Restart `name` if it has [`stalled`], reading its state afresh first
    /// (another node of the site may have restarted it since the check read
    /// it: a mirror made again has not been heard yet).
    pub(super) async fn check(
        &mut self,
        nats: &async_nats::Client,
        hub_domain: &str,
        name: &'static str,
        active: Option<Duration>,
        hub_up_for: Duration,
    ) {
        let restarted_ago = self.restarted.get(name).map(|at| at.elapsed());
        // First what the watch already knows (taking the mirror as behind);
        // only a mirror that may have stalled costs the two stream reads.
        let first = Seen { active, hub_up_for, mirror_last: 0, origin_last: Some(1), restarted_ago };
        if !stalled(first) {
            return;
        }
        let (active, mirror_last) = match jetstream::new(nats.clone()).get_stream(name).await {
            Ok(mut s) => match s.info().await {
                Ok(info) => (info.mirror.as_ref().and_then(|m| m.active), info.state.last_sequence),
                Err(_) => return,
            },
            Err(_) => return,
        };
        let origin_last = match jetstream::with_domain(nats.clone(), hub_domain).get_stream(name).await {
            Ok(mut s) => s.info().await.ok().map(|i| i.state.last_sequence),
            Err(_) => None,
        };
        if !stalled(Seen { active, hub_up_for, mirror_last, origin_last, restarted_ago }) {
            return;
        }
        self.restarted.insert(name, Instant::now());
        match restart_mirror(nats, hub_domain, name).await {
            Ok(Restart::LeftToTheOperator) => tracing::error!(
                stream = name,
                ?active,
                behind = origin_last.unwrap_or(0).saturating_sub(mirror_last),
                "a mirror has stalled while the hub answers; on one replica the node does not copy an object store \
                 anew: restart the site's nats-server, or delete the stream and restart a node to copy it again"
            ),
            Ok(how) => {
                tracing::warn!(stream = name, ?active, ?how, "a mirror had stalled while the hub answers: restarted")
            }
            Err(e) => tracing::warn!(stream = name, error = %format!("{e:#}"), "restarting a stalled mirror"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(301);
    const SHORT: Duration = Duration::from_secs(5);

    fn seen() -> Seen {
        Seen { active: Some(LONG), hub_up_for: LONG, mirror_last: 10, origin_last: Some(20), restarted_ago: None }
    }

    #[test]
    fn a_mirror_silent_and_behind_while_the_hub_answers_has_stalled() {
        assert!(stalled(seen()));
        assert!(stalled(Seen { restarted_ago: Some(LONG), ..seen() }), "restarted long ago");
    }

    #[test]
    fn waiting_for_the_servers_retry_or_an_origin_is_not_a_stall() {
        assert!(!stalled(Seen { active: Some(SHORT), ..seen() }), "heard lately");
        assert!(!stalled(Seen { active: None, ..seen() }), "never heard: the server retries");
        assert!(!stalled(Seen { hub_up_for: SHORT, ..seen() }), "the uplink just came back");
        assert!(!stalled(Seen { origin_last: None, ..seen() }), "the hub's stream does not answer");
        assert!(!stalled(Seen { origin_last: Some(10), ..seen() }), "nothing to catch up");
        assert!(!stalled(Seen { restarted_ago: Some(SHORT), ..seen() }), "restarted lately");
    }
}
