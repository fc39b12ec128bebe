//! Whether the hub answers, how far each mirror is behind, and what the
//! node does while the hub is away.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream;

use super::refusals::Refusals;
use super::sourcing::Sourcing;
use super::stalls::Stalls;
use super::MIRRORED;

/// What a site node knows of its uplink and its mirrors, for the metrics.
#[derive(Debug)]
pub struct Uplink {
    hub_domain: String,
    /// When the hub last answered (ms since the Unix epoch).
    last_heard_ms: AtomicU64,
    /// Since when it has not (the moment it was last heard); 0 while it answers.
    down_since_ms: AtomicU64,
    mirrors: Mutex<Vec<MirrorStatus>>,
}

/// One mirror as its stream info says.
#[derive(Debug, Clone)]
pub struct MirrorStatus {
    /// The mirror's stream.
    pub stream: String,
    /// Messages it is behind the hub's.
    pub lag: u64,
    /// Since it last heard from the hub's stream; `None` if never.
    pub active: Option<Duration>,
}

impl Uplink {
    /// A site node's view, counting the hub as heard now (it started).
    pub fn new(hub_domain: &str) -> Self {
        Self {
            hub_domain: hub_domain.to_string(),
            last_heard_ms: AtomicU64::new(chorus_nats::clock::now_ms()),
            down_since_ms: AtomicU64::new(0),
            mirrors: Mutex::default(),
        }
    }

    /// The hub's JetStream domain.
    pub fn hub_domain(&self) -> &str {
        &self.hub_domain
    }

    /// Whether the hub answered at the last check.
    pub fn up(&self) -> bool {
        self.down_since_ms.load(Ordering::Relaxed) == 0
    }

    /// How long since the hub last answered.
    pub fn last_heard_age(&self) -> Duration {
        let ms = chorus_nats::clock::now_ms().saturating_sub(self.last_heard_ms.load(Ordering::Relaxed));
        Duration::from_millis(ms)
    }

    /// The mirrors at the last check.
    pub fn mirrors(&self) -> Vec<MirrorStatus> {
        self.mirrors.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

/// Check the uplink every `every`: ask the hub's JetStream for its account
/// info. Two checks without an answer make it an outage, which the trust
/// hears (sessions valid at the cut live on for `grace`); the first answer
/// ends it. The cut is when this node last heard the hub; a node started
/// during the outage takes it from its site's mirrors (their last contact
/// with the hub), or from its own start when they know none (the site's
/// server restarted too). Each check also reads every mirror's lag and last
/// contact, and restarts one that has stalled while the hub answers.
pub fn watch(
    nats: async_nats::Client,
    uplink: Arc<Uplink>,
    trust: Arc<crate::auth::trust::Trust>,
    every: Duration,
    grace: Duration,
    absent: Vec<&'static str>,
) -> tokio::task::JoinHandle<()> {
    let js = jetstream::new(nats.clone());
    let info = format!("$JS.{}.API.INFO", uplink.hub_domain);
    tokio::spawn(async move {
        let mut heard_once = false;
        let mut sourcing = Sourcing::default();
        let mut stalls = Stalls::default();
        // Since when the hub has answered every check.
        let mut up_since: Option<std::time::Instant> = None;
        let mut refusing: Option<Refusals> = None;
        loop {
            let asked =
                tokio::time::timeout(every.max(Duration::from_millis(100)), nats.request(info.clone(), "".into()));
            let heard = matches!(asked.await, Ok(Ok(m)) if !m.payload.is_empty());
            up_since = if heard { up_since.or(Some(std::time::Instant::now())) } else { None };
            let mut mirrors = Vec::with_capacity(MIRRORED.len());
            for name in MIRRORED {
                let Ok(mut stream) = js.get_stream(name).await else { continue };
                let Ok(info) = stream.info().await else { continue };
                let Some(m) = info.mirror.as_ref() else { continue };
                if let Some(since) = up_since.filter(|_| heard) {
                    stalls.check(&nats, &uplink.hub_domain, name, m.active, since.elapsed()).await;
                }
                mirrors.push(MirrorStatus { stream: name.to_string(), lag: m.lag, active: m.active });
            }
            let now = chorus_nats::clock::now_ms();
            if heard {
                heard_once = true;
                uplink.last_heard_ms.store(now, Ordering::Relaxed);
                if uplink.down_since_ms.swap(0, Ordering::Relaxed) != 0 {
                    tracing::info!(hub = %uplink.hub_domain, "uplink restored: the hub answers again");
                    trust.set_outage(None);
                }
                // The hub's instances answer again.
                refusing = None;
            } else {
                // A node that has not heard the hub itself (it started during
                // the outage) takes the cut from its mirrors' last contact.
                let newest = mirrors.iter().filter_map(|m| m.active).min();
                let last = match newest {
                    Some(active) if !heard_once => now.saturating_sub(active.as_millis() as u64),
                    _ => uplink.last_heard_ms.load(Ordering::Relaxed),
                };
                let missed = Duration::from_millis(now.saturating_sub(last)) >= every * 2;
                if missed && uplink.down_since_ms.load(Ordering::Relaxed) == 0 {
                    uplink.down_since_ms.store(last.max(1), Ordering::Relaxed);
                    tracing::warn!(hub = %uplink.hub_domain, "uplink down: serving from the site's mirrors");
                    trust.set_outage(Some(crate::auth::trust::Outage { since: last / 1000, grace: grace.as_secs() }));
                }
                if uplink.down_since_ms.load(Ordering::Relaxed) != 0 && refusing.is_none() {
                    match Refusals::start(&nats, &absent).await {
                        Ok(r) => refusing = Some(r),
                        Err(e) => tracing::warn!(error = %format!("{e:#}"), "answering for the hub's services"),
                    }
                }
            }
            if let Ok(mut m) = uplink.mirrors.lock() {
                *m = mirrors;
            }
            if heard {
                if let Err(e) = sourcing.check(&nats, &js, &uplink.hub_domain).await {
                    tracing::debug!(error = %format!("{e:#}"), "checking the hub's source of this site's plays");
                }
            }
            tokio::time::sleep(every).await;
        }
    })
}
