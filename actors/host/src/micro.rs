//! NATS micro discovery (ADR-32): `$SRV.PING|INFO|STATS[.<name>[.<id>]]`.
//!
//! Implemented here rather than with async-nats's `service` module because
//! Chorus needs error replies that carry a body *and* count in the stats, and
//! a drain that finishes in-flight requests; the module gives one or the other.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use futures::StreamExt;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;

use crate::stats::EndpointStats;

/// One endpoint as discovery shows it.
#[derive(Debug, Clone)]
pub struct EndpointInfo {
    /// `track_get`.
    pub name: String,
    /// `chorus.catalog.v1.track.get`.
    pub subject: String,
    /// The service name.
    pub queue_group: String,
    /// Its counters.
    pub stats: Arc<EndpointStats>,
}

/// Who this instance is.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Service name.
    pub name: String,
    /// Unique per instance.
    pub id: String,
    /// Semver.
    pub version: String,
    /// One line.
    pub description: String,
    /// `node`, `host`.
    pub metadata: BTreeMap<String, String>,
    /// Start time.
    pub started: DateTime<Utc>,
    /// At an edge site: the uplink, whose state every reply's metadata says.
    pub uplink: Option<std::sync::Arc<crate::edge::Uplink>>,
    /// Endpoints, in registration order.
    pub endpoints: Vec<EndpointInfo>,
}

/// What every discovery reply starts with.
#[derive(Serialize)]
struct Base<'a> {
    #[serde(rename = "type")]
    kind: String,
    name: &'a str,
    id: &'a str,
    version: &'a str,
    metadata: BTreeMap<String, String>,
}

/// `io.nats.micro.v1.info_response`.
#[derive(Serialize)]
struct Info<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    description: &'a str,
    endpoints: Vec<EndpointEntry<'a>>,
}

/// An endpoint in an info reply.
#[derive(Serialize)]
struct EndpointEntry<'a> {
    name: &'a str,
    subject: &'a str,
    queue_group: &'a str,
    metadata: Option<BTreeMap<String, String>>,
}

/// `io.nats.micro.v1.stats_response`.
#[derive(Serialize)]
struct Stats<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    started: String,
    endpoints: Vec<EndpointStatsEntry<'a>>,
}

/// An endpoint in a stats reply.
#[derive(Serialize)]
struct EndpointStatsEntry<'a> {
    name: &'a str,
    subject: &'a str,
    queue_group: &'a str,
    num_requests: u64,
    num_errors: u64,
    last_error: String,
    processing_time: u64,
    average_processing_time: u64,
}

impl Identity {
    fn base(&self, kind: &str) -> Base<'_> {
        Base {
            kind: format!("io.nats.micro.v1.{kind}_response"),
            name: &self.name,
            id: &self.id,
            version: &self.version,
            metadata: self.metadata_now(),
        }
    }

    /// The metadata, with an edge site's uplink as it is now: `hub_domain`,
    /// `uplink` (`up` or `down`), `uplink_last_heard_s`, and
    /// `mirrors_behind` (messages all mirrors together are behind the hub).
    fn metadata_now(&self) -> BTreeMap<String, String> {
        let mut metadata = self.metadata.clone();
        if let Some(uplink) = &self.uplink {
            let behind: u64 = uplink.mirrors().iter().map(|m| m.lag).sum();
            metadata.extend([
                ("hub_domain".to_string(), uplink.hub_domain().to_string()),
                ("uplink".to_string(), if uplink.up() { "up" } else { "down" }.to_string()),
                ("uplink_last_heard_s".to_string(), uplink.last_heard_age().as_secs().to_string()),
                ("mirrors_behind".to_string(), behind.to_string()),
            ]);
        }
        metadata
    }

    /// The `$SRV.PING` reply.
    pub fn ping(&self) -> Value {
        to_value(&self.base("ping"))
    }

    /// The `$SRV.INFO` reply.
    pub fn info(&self) -> Value {
        let endpoints = self
            .endpoints
            .iter()
            .map(|e| EndpointEntry { name: &e.name, subject: &e.subject, queue_group: &e.queue_group, metadata: None })
            .collect();
        to_value(&Info { base: self.base("info"), description: &self.description, endpoints })
    }

    /// The `$SRV.STATS` reply.
    pub fn stats(&self) -> Value {
        let endpoints = self
            .endpoints
            .iter()
            .map(|e| {
                let s = e.stats.snapshot();
                EndpointStatsEntry {
                    name: &e.name,
                    subject: &e.subject,
                    queue_group: &e.queue_group,
                    num_requests: s.requests,
                    num_errors: s.errors,
                    last_error: s.last_error,
                    processing_time: s.processing_ns,
                    average_processing_time: s.processing_ns.checked_div(s.requests).unwrap_or(0),
                }
            })
            .collect();
        let started = self.started.to_rfc3339_opts(SecondsFormat::Nanos, true);
        to_value(&Stats { base: self.base("stats"), started, endpoints })
    }
}

// These structs hold strings and numbers only: serializing them cannot fail.
fn to_value(reply: &impl Serialize) -> Value {
    serde_json::to_value(reply).unwrap_or(Value::Null)
}

/// Discovery subscriptions of one instance, made before the instance is
/// announced ready, so `$SRV` requests never find it half registered.
pub(crate) struct Responder {
    nats: async_nats::Client,
    identity: Arc<Identity>,
    subs: Vec<async_nats::Subscriber>,
}

impl Responder {
    /// Subscribe to `$SRV.<verb>`, `.<name>` and `.<name>.<id>` for the three verbs.
    pub(crate) async fn subscribe(nats: async_nats::Client, identity: Arc<Identity>) -> anyhow::Result<Self> {
        let mut subs = Vec::new();
        for verb in VERBS {
            for subject in [
                format!("$SRV.{verb}"),
                format!("$SRV.{verb}.{}", identity.name),
                format!("$SRV.{verb}.{}.{}", identity.name, identity.id),
            ] {
                subs.push(nats.subscribe(subject).await?);
            }
        }
        Ok(Self { nats, identity, subs })
    }

    /// Answer until `drain` turns true.
    pub(crate) async fn run(self, mut drain: watch::Receiver<bool>) -> anyhow::Result<()> {
        let Self { nats, identity, subs } = self;
        // Subscriptions were made in VERBS order, three per verb.
        let tagged = subs.into_iter().enumerate().map(|(i, sub)| sub.map(move |m| (VERBS[i / 3], m)));
        let mut all = futures::stream::select_all(tagged);
        loop {
            tokio::select! {
                _ = async { let _ = drain.wait_for(|d| *d).await; } => break,
                next = all.next() => {
                    let Some((verb, msg)) = next else { break };
                    // Like every endpoint, discovery answers only inboxes (see the ingress).
                    let Some(reply) = msg.reply.filter(|r| crate::ingress::expected_reply(r)) else { continue };
                    let body = match verb {
                        "PING" => identity.ping(),
                        "INFO" => identity.info(),
                        _ => identity.stats(),
                    };
                    if let Err(e) = nats.publish(reply, body.to_string().into()).await {
                        tracing::warn!(error = %e, "discovery reply not sent");
                    }
                }
            }
        }
        // Dropping the subscriptions unsubscribes: a draining instance leaves `nats micro ls`.
        Ok(())
    }
}

const VERBS: [&str; 3] = ["PING", "INFO", "STATS"];
