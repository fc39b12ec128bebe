//! The host: builds the configured services, serves them, drains them.

use futures::StreamExt as _;
use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use ractor::{Actor, ActorRef};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::auth::{self, Trust};
use crate::config::Config;
use crate::health::Health;
pub use crate::host_context::HostContext;
use crate::metrics::{Metrics, ServiceMetrics};
use crate::micro::{self, EndpointInfo, Identity};
use crate::pool::ServiceRuntime;
use crate::service::{ServiceBuilder, ServiceDef};
use crate::supervisor::{RestartPolicy, ServiceSupervisor, SupervisorArgs, SupervisorMsg};
use crate::{ingress, worker};

struct RunningService {
    runtime: Arc<ServiceRuntime>,
    ingress: Vec<JoinHandle<()>>,
    micro: JoinHandle<anyhow::Result<()>>,
    supervisor: ActorRef<SupervisorMsg>,
    identity: Arc<Identity>,
}

/// Services being served on one NATS connection.
pub struct RunningHost {
    nats: async_nats::Client,
    /// The endpoint subscriptions' own connection (see [`crate::connect::connect_ingress`]).
    ingress_nats: async_nats::Client,
    config: Arc<Config>,
    services: Vec<RunningService>,
    drain: watch::Sender<bool>,
    fatal: mpsc::UnboundedReceiver<String>,
    /// Stops following the trust bucket when the host goes.
    _trust_watch: AbortOnDrop,
    /// At an edge site: the uplink's watch (stopped when the host goes).
    _uplink_watch: Option<AbortOnDrop>,
    health: Arc<Health>,
    metrics: Arc<Metrics>,
    /// The HTTP listener's address, and the listener (stopped when the host goes).
    http: Option<(SocketAddr, AbortOnDrop)>,
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Run the configured services until `shutdown` resolves, then drain.
/// Returns an error when a service cannot start or its restart budget is spent.
pub async fn run(
    config: Config,
    registry: &[(&'static str, ServiceBuilder)],
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let host = RunningHost::start(config, registry).await?;
    host.serve_until(shutdown).await
}

impl RunningHost {
    /// Connect, build every service the config names and start serving them.
    pub async fn start(config: Config, registry: &[(&'static str, ServiceBuilder)]) -> anyhow::Result<Self> {
        // On the heap: starting every service is a large future, and a caller
        // holding it on its stack (a test's thread has 2 MiB) overflowed it.
        Box::pin(Self::start_services(config, registry)).await
    }

    async fn start_services(config: Config, registry: &[(&'static str, ServiceBuilder)]) -> anyhow::Result<Self> {
        for wanted in &config.services {
            if wanted != "all" && !registry.iter().any(|(name, _)| name == wanted) {
                let known: Vec<_> = registry.iter().map(|(n, _)| *n).collect();
                anyhow::bail!("unknown service {wanted:?}; this node can host {known:?} or \"all\"");
            }
        }
        let node_id = config.node_id.clone().unwrap_or_else(|| format!("{}-{}", hostname(), short_id()));
        // Listening first: a probe sees the node alive (and not ready) while it catches up.
        let health = Arc::new(Health::default());
        let metrics = Arc::new(Metrics::new(node_id.clone(), health.clone()));
        let http = match &config.http_listen {
            Some(addr) => {
                let (bound, task) = crate::http::listen(addr, health.clone(), metrics.clone()).await?;
                Some((bound, AbortOnDrop(task)))
            }
            None => None,
        };
        let nats = crate::connect::connect(&config, &format!("chorus-node {node_id}")).await?;
        let ingress_nats = crate::connect::connect_ingress(
            &config,
            &format!("chorus-node {node_id} ingress"),
            metrics.ingress_dropped(),
        )
        .await?;
        let config = Arc::new(config);
        // A site's mirrors exist before any service opens its buckets.
        let uplink = match &config.hub_domain {
            Some(hub) => {
                let js = async_nats::jetstream::new(nats.clone());
                crate::edge::mirror_from_hub(&js, hub, config.trust_replicas).await?;
                Some(Arc::new(crate::edge::Uplink::new(hub)))
            }
            None => None,
        };
        // Tokens are checked from the first request on: load the trust first.
        let trust = Arc::new(Trust::default());
        let trust_bucket = auth::watch::open(&async_nats::jetstream::new(nats.clone()), config.trust_replicas).await?;
        let trust_watch = AbortOnDrop(auth::watch::load_and_follow(trust_bucket, trust.clone()).await?);
        let uplink_watch = uplink.map(|uplink| {
            metrics.set_uplink(uplink.clone());
            let (every, grace) =
                (Duration::from_millis(config.uplink_check_ms), Duration::from_secs(config.offline_grace_s));
            // What the site does not run, it answers for while the hub is away.
            let absent = registry
                .iter()
                .map(|(name, _)| *name)
                .filter(|name| !config.hosts(name) && chorus_nats::subjects::all().iter().any(|e| e.service == *name))
                .collect();
            AbortOnDrop(crate::edge::watch(nats.clone(), uplink, trust.clone(), every, grace, absent))
        });
        let (drain, draining) = watch::channel(false);
        let ctx = HostContext { nats: nats.clone(), config: config.clone(), node_id: node_id.clone(), trust, draining };
        let (fatal_tx, fatal) = mpsc::unbounded_channel();
        let mut services = Vec::new();
        for (name, build) in registry.iter().filter(|(name, _)| config.hosts(name)) {
            let def = build(ctx.clone()).await.with_context(|| format!("starting service {name}"))?;
            services.push(serve(&ctx, &ingress_nats, def, &drain, fatal_tx.clone(), &metrics).await?);
        }
        if services.is_empty() {
            anyhow::bail!("no services to host (services = {:?})", config.services);
        }
        health.ready();
        Ok(Self {
            nats,
            ingress_nats,
            config,
            services,
            drain,
            fatal,
            _trust_watch: trust_watch,
            _uplink_watch: uplink_watch,
            health,
            metrics,
            http,
        })
    }

    /// Where the HTTP listener (`http_listen`) is bound, when there is one.
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http.as_ref().map(|(addr, _)| *addr)
    }

    /// The node's metrics, as `/metrics` renders them.
    pub async fn metrics_text(&self) -> String {
        self.metrics.render().await
    }

    /// The micro ids of the running instances, by service name.
    pub fn instance_ids(&self) -> BTreeMap<String, String> {
        self.services.iter().map(|s| (s.identity.name.clone(), s.identity.id.clone())).collect()
    }

    /// Serve until `shutdown` resolves (then drain) or a service gives up (then fail).
    pub async fn serve_until(mut self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        tokio::select! {
            _ = shutdown => {}
            why = self.fatal.recv() => {
                anyhow::bail!(why.unwrap_or_else(|| "supervisor stopped".into()));
            }
        }
        self.drain().await
    }

    /// Stop taking requests, finish in-flight ones within the drain bound, flush.
    pub async fn drain(mut self) -> anyhow::Result<()> {
        let started = Instant::now();
        let bound = self.config.drain_timeout();
        self.health.draining();
        let _ = self.drain.send(true);
        let until = tokio::time::Instant::now() + bound;
        for s in &mut self.services {
            for handle in &mut s.ingress {
                let _ = tokio::time::timeout_at(until, handle).await;
            }
        }
        let idle = futures::future::join_all(self.services.iter().map(|s| s.runtime.idle()));
        let _ = tokio::time::timeout_at(until, idle).await;
        let left: usize = self.services.iter().map(|s| s.runtime.pending()).sum();
        let _ = tokio::time::timeout(Duration::from_secs(2), self.nats.flush()).await;
        let _ = tokio::time::timeout(Duration::from_secs(2), self.ingress_nats.flush()).await;
        for s in self.services {
            let _ = s.supervisor.stop_and_wait(Some("drained".into()), Some(Duration::from_secs(5))).await;
            s.micro.abort();
            let _ = s.micro.await;
            // Awaited above unless the bound was reached: then cut them off.
            for handle in s.ingress.into_iter().filter(|h| !h.is_finished()) {
                handle.abort();
                let _ = handle.await;
            }
            if let Some(gate) = &s.runtime.gate {
                gate.close().await;
            }
        }
        if left > 0 {
            tracing::warn!(left, ?bound, "drain bound reached with requests unanswered");
        } else {
            tracing::info!(took = ?started.elapsed(), "drained");
        }
        Ok(())
    }
}

/// Start one service: supervisor with workers and children, ingress per endpoint, discovery.
async fn serve(
    ctx: &HostContext,
    ingress_nats: &async_nats::Client,
    def: ServiceDef,
    drain: &watch::Sender<bool>,
    fatal: mpsc::UnboundedSender<String>,
    metrics: &Metrics,
) -> anyhow::Result<RunningService> {
    let config = &ctx.config;
    let (tx, rx) = async_channel::bounded(config.queue_bound.max(1));
    let runtime =
        Arc::new(ServiceRuntime::new(def.name, ctx.nats.clone(), def.endpoints, def.gate, ctx.trust.clone(), rx));
    let workers = config.workers_for(def.workload);
    let mut children = def.children;
    let views = children.iter().filter_map(|c| c.lag.clone()).collect();
    let restarts = Arc::new(AtomicU64::new(0));
    children.extend((0..workers).map(|i| worker::child(runtime.clone(), i)));
    let policy = RestartPolicy {
        budget: config.restart_budget,
        window: Duration::from_millis(config.restart_window_ms),
        backoff: Duration::from_millis(config.restart_backoff_ms),
        backoff_max: Duration::from_millis(config.restart_backoff_max_ms),
    };
    let args = SupervisorArgs { service: def.name.to_string(), children, policy, fatal, restarts: restarts.clone() };
    let (supervisor, _) = Actor::spawn(None, ServiceSupervisor, args)
        .await
        .with_context(|| format!("starting the {} supervisor", def.name))?;

    let default_timeout = Duration::from_millis(config.handler_timeout_ms);
    let mut ingress = Vec::new();
    let mut endpoints = Vec::new();
    for (i, e) in runtime.endpoints.iter().enumerate() {
        let subject = e.endpoint.subject();
        let sub = ingress_nats
            .queue_subscribe(subject.clone(), def.name.to_string())
            .await
            .with_context(|| format!("subscribing to {subject}"))?;
        ingress.push(tokio::spawn(ingress::run(
            runtime.clone(),
            i,
            sub,
            tx.clone(),
            drain.subscribe(),
            default_timeout,
        )));
        endpoints.push(EndpointInfo {
            name: e.endpoint.name(),
            subject,
            queue_group: def.name.to_string(),
            stats: runtime.stats[i].clone(),
        });
    }
    drop(tx);
    let identity = Arc::new(Identity {
        name: def.name.to_string(),
        id: short_id(),
        version: def.version.to_string(),
        description: def.description.to_string(),
        metadata: def
            .metadata
            .into_iter()
            .chain([
                ("node".to_string(), ctx.node_id.clone()),
                ("host".to_string(), hostname()),
                ("workers".to_string(), workers.to_string()),
            ])
            .collect(),
        started: chrono::Utc::now(),
        endpoints,
        uplink: metrics.uplink(),
    });
    let responder =
        micro::Responder::subscribe(ctx.nats.clone(), identity.clone()).await.context("subscribing to $SRV")?;
    let micro = tokio::spawn(responder.run(drain.subscribe()));
    subscribed(&ctx.nats).await.context("registering subscriptions with the server")?;
    subscribed(ingress_nats).await.context("registering endpoint subscriptions with the server")?;
    metrics.add(ServiceMetrics {
        name: def.name,
        version: identity.version.clone(),
        instance: identity.id.clone(),
        endpoints: identity.endpoints.iter().map(|e| (e.name.clone(), e.stats.clone())).collect(),
        runtime: runtime.clone(),
        restarts,
        views,
    });
    tracing::info!(service = def.name, id = %identity.id, endpoints = identity.endpoints.len(), "service ready");
    Ok(RunningService { runtime, ingress, micro, supervisor, identity })
}

fn short_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()[20..].to_string()
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// Return once the server has processed every subscription this connection
/// sent so far. `flush` only writes them to the socket: a request from another
/// connection right after could still find no responders. The server handles
/// one connection's messages in order, so a message to a fresh inbox coming
/// back means everything sent before it is in place.
async fn subscribed(nats: &async_nats::Client) -> anyhow::Result<()> {
    let inbox = nats.new_inbox();
    let mut echo = nats.subscribe(inbox.clone()).await?;
    nats.publish(inbox, bytes::Bytes::new()).await?;
    tokio::time::timeout(Duration::from_secs(10), echo.next())
        .await
        .context("no echo from the server within 10 s")?
        .context("the echo subscription closed")?;
    Ok(())
}
