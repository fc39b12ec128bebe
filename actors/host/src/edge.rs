//! An edge site's node: the hub's catalog record, trust bucket, audio and
//! art, mirrored into the site's own JetStream domain.
//!
//! With `hub_domain` set, the node makes each mirror (when the site does not
//! have it yet) before any service opens its buckets: the stream of the same
//! name, mirroring the hub's through `$JS.<hub_domain>.API`. The services
//! then find the bucket as they would at the hub (async-nats reads a KV
//! mirror's keys under the origin's names, and sends its puts to the hub),
//! build their views from it, and keep serving from it while the uplink is
//! down. Everything else (sessions, limits, the site's own records) lives in
//! the site's domain.
//!
//! The node also watches its uplink ([`watch`]): while the hub does not
//! answer, sessions valid at the cut live on (see
//! [`crate::auth::trust::Outage`]), and the metrics say how long since the
//! hub was heard and how far each mirror is behind.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, stream};
use chorus_nats::records::profile::{site_plays_stream, PLAYS, SITE_PLAYS};

/// This site's JetStream domain (the site's nats-server config names it).
pub async fn site_domain(js: &jetstream::Context) -> anyhow::Result<String> {
    js.query_account()
        .await
        .context("reading this site's JetStream account")?
        .domain
        .context("this site's JetStream has no domain (nats/conf/edge/site.conf sets one)")
}

/// The streams a site mirrors from the hub: what the catalog, search, stream
/// and the token checks read.
pub const MIRRORED: [&str; 4] = ["KV_chorus_catalog", "KV_chorus_auth_trust", "OBJ_chorus_audio", "OBJ_chorus_art"];

/// Make every [`MIRRORED`] stream in this site's domain, as a mirror of the
/// hub's in `hub_domain`, and the site's plays stream, with `replicas` (the
/// site's cluster size).
pub async fn mirror_from_hub(js: &jetstream::Context, hub_domain: &str, replicas: usize) -> anyhow::Result<()> {
    let domain = site_domain(js).await?;
    let site_plays = site_plays_stream(&domain);
    if js.get_stream(&site_plays).await.is_err() {
        let plays = stream::Config {
            name: site_plays,
            subjects: vec![format!("{SITE_PLAYS}.*")],
            num_replicas: replicas.max(1),
            description: Some("the plays recorded at this edge site, which the hub sources".into()),
            ..Default::default()
        };
        js.create_stream(plays).await.context("creating the site's plays stream")?;
    }
    for name in MIRRORED {
        if js.get_stream(name).await.is_ok() {
            continue;
        }
        js.create_stream(mirror_config(name, hub_domain, replicas))
            .await
            .with_context(|| format!("mirroring {name} from the hub (domain {hub_domain})"))?;
        tracing::info!(stream = name, hub_domain, "mirroring from the hub");
    }
    Ok(())
}

/// A mirror of the hub's `name`: what a KV bucket or object store needs to
/// be opened as one (one message per subject for a KV, direct gets,
/// rollups), and nothing that would refuse what the origin stores.
fn mirror_config(name: &str, hub_domain: &str, replicas: usize) -> stream::Config {
    let kv = name.starts_with("KV_");
    stream::Config {
        name: name.to_string(),
        description: Some(format!("mirror of the hub's {name} (domain {hub_domain})")),
        mirror: Some(stream::Source {
            name: name.to_string(),
            external: Some(stream::External { api_prefix: format!("$JS.{hub_domain}.API"), delivery_prefix: None }),
            ..Default::default()
        }),
        max_messages_per_subject: if kv { 1 } else { -1 },
        allow_direct: true,
        mirror_direct: true,
        allow_rollup: true,
        deny_delete: true,
        discard: stream::DiscardPolicy::New,
        num_replicas: replicas.max(1),
        ..Default::default()
    }
}

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

/// A mirror silent this long while the hub answers has stalled (nats-server
/// retries a mirror within seconds once the link is back).
const STALLED: Duration = Duration::from_secs(60);

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
/// server restarted too). Each check also reads every mirror's lag and last contact, and
/// says so when one has stalled.
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
        let mut refusing: Option<Refusals> = None;
        loop {
            let asked =
                tokio::time::timeout(every.max(Duration::from_millis(100)), nats.request(info.clone(), "".into()));
            let heard = matches!(asked.await, Ok(Ok(m)) if !m.payload.is_empty());
            let mut mirrors = Vec::with_capacity(MIRRORED.len());
            for name in MIRRORED {
                let Ok(mut stream) = js.get_stream(name).await else { continue };
                let Ok(info) = stream.info().await else { continue };
                let Some(m) = info.mirror.as_ref() else { continue };
                if heard && m.active.is_none_or(|a| a >= STALLED) {
                    tracing::warn!(stream = name, lag = m.lag, active = ?m.active, "mirror stalled while the hub answers");
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

/// The hub's `chorus_plays` sourcing this site's plays: added when missing,
/// and restarted when it has stalled (after the hub restarts, nats-server
/// was seen not to resume a source from a leaf's domain for minutes; an
/// update of the source restarts it at once, and the source's position and
/// the play ids keep every play to one).
#[derive(Default)]
struct Sourcing {
    /// The site's domain, read once.
    domain: Option<String>,
    /// When this node last restarted the source.
    nudged: Option<std::time::Instant>,
}

/// A source with nothing heard this long while the site has plays has stalled.
const SOURCE_STALLED: Duration = Duration::from_secs(20);

impl Sourcing {
    async fn check(
        &mut self,
        nats: &async_nats::Client,
        js: &jetstream::Context,
        hub_domain: &str,
    ) -> anyhow::Result<()> {
        let domain = match &self.domain {
            Some(d) => d.clone(),
            None => {
                let d = site_domain(js).await?;
                self.domain = Some(d.clone());
                d
            }
        };
        let (api, name) = (format!("$JS.{domain}.API"), site_plays_stream(&domain));
        let site_last = js.get_stream(&name).await?.info().await?.state.last_sequence;
        let hub = jetstream::with_domain(nats.clone(), hub_domain);
        let mut plays = hub.get_stream(PLAYS).await.context("the hub's plays stream")?;
        let info = plays.info().await?.clone();
        let ours = |s: &stream::Source| s.name == name;
        let mut config = info.config.clone();
        match config.sources.as_mut().and_then(|s| s.iter_mut().find(|s| ours(s))) {
            None => {
                config.sources.get_or_insert_with(Vec::new).push(stream::Source {
                    name: name.clone(),
                    external: Some(stream::External { api_prefix: api.clone(), delivery_prefix: None }),
                    subject_transforms: vec![stream::SubjectTransform {
                        source: format!("{SITE_PLAYS}.*"),
                        destination: format!("{PLAYS}.{{{{wildcard(1)}}}}"),
                    }],
                    ..Default::default()
                });
                hub.update_stream(config).await.context("adding this site to the hub's plays sources")?;
                tracing::info!(site = %domain, "the hub's plays now source this site's");
            }
            Some(source) => {
                let state = info.sources.iter().find(|s| s.name == name);
                let silent = state.is_none_or(|s| s.active.is_none_or(|a| a >= SOURCE_STALLED));
                let recently = self.nudged.is_some_and(|at| at.elapsed() < SOURCE_STALLED);
                if site_last > 0 && silent && !recently {
                    // The same source, its filter written out or left out: an
                    // update that restarts it and changes nothing it takes.
                    source.filter_subject = match source.filter_subject.take() {
                        Some(_) => None,
                        None => Some(format!("{SITE_PLAYS}.*")),
                    };
                    hub.update_stream(config).await.context("restarting the hub's source of this site's plays")?;
                    self.nudged = Some(std::time::Instant::now());
                    tracing::warn!(site = %domain, "the hub's source of this site's plays had stalled: restarted");
                }
            }
        }
        Ok(())
    }
}

/// While the uplink is down, the services this site does not run (sign-in,
/// playlists, payment) are answered here, in their queue groups, with 503
/// `hub_unreachable`: a listener's edit is refused with a code, never left
/// to time out unanswered. Dropped (unsubscribed) once the hub answers.
struct Refusals {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Refusals {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Refusals {
    async fn start(nats: &async_nats::Client, absent: &[&'static str]) -> anyhow::Result<Self> {
        let mut tasks = Vec::new();
        for service in absent {
            let subject = format!("chorus.{service}.v1.>");
            let mut sub = nats.queue_subscribe(subject.clone(), service.to_string()).await?;
            let nats = nats.clone();
            tasks.push(tokio::spawn(async move {
                use futures::StreamExt as _;
                while let Some(msg) = sub.next().await {
                    refuse(&nats, msg).await;
                }
            }));
        }
        tracing::warn!(services = ?absent, "uplink down: the hub's services answer 503 hub_unreachable here");
        Ok(Self { tasks })
    }
}

async fn refuse(nats: &async_nats::Client, msg: async_nats::Message) {
    let Some(reply) = msg.reply.clone() else { return };
    if !crate::ingress::expected_reply(&reply) {
        return;
    }
    let content_type = msg.headers.as_ref().and_then(|h| h.get(chorus_nats::headers::CONTENT_TYPE)).map(|v| v.as_str());
    let encoding = chorus_nats::Encoding::detect(content_type, &msg.payload);
    let e = chorus_nats::ServiceError::unavailable(
        chorus_nats::errors::common::HUB_UNREACHABLE,
        "this edge site cannot reach the hub, which runs this service; retry once it is back",
    );
    let mut h = async_nats::HeaderMap::new();
    if encoding == chorus_nats::Encoding::Json {
        h.insert(chorus_nats::headers::names::CONTENT_TYPE, encoding.content_type());
    }
    let body = crate::reply::error_body(&mut h, encoding, &e);
    let _ = nats.publish_with_headers(reply, h, body).await;
}
