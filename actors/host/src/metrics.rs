//! What a node measures, rendered as Prometheus text (`/metrics`).
//!
//! The counters are the ones `$SRV.STATS` reads (per endpoint), plus what
//! only the node knows: its queues, its restarts, and how far each view is
//! behind its record (read fresh from JetStream at each scrape).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::health::{Health, Phase};
use crate::lag::ViewLag;
use crate::pool::ServiceRuntime;
use crate::stats::{EndpointStats, StatsSnapshot, LATENCY_BUCKETS_S};

/// How long a scrape waits for a record's head before leaving its lag out.
const HEAD_WAIT: Duration = Duration::from_secs(2);

/// One hosted service, as the metrics see it.
pub(crate) struct ServiceMetrics {
    pub(crate) name: &'static str,
    pub(crate) version: String,
    pub(crate) instance: String,
    pub(crate) endpoints: Vec<(String, Arc<EndpointStats>)>,
    pub(crate) runtime: Arc<ServiceRuntime>,
    pub(crate) restarts: Arc<AtomicU64>,
    pub(crate) views: Vec<Arc<dyn ViewLag>>,
}

/// Every service of a node, added as each starts.
pub struct Metrics {
    node: String,
    health: Arc<Health>,
    services: RwLock<Vec<Arc<ServiceMetrics>>>,
    /// Requests the ingress connection dropped unread (its buffers were full).
    ingress_dropped: Arc<AtomicU64>,
    /// At an edge site: the uplink and the mirrors.
    uplink: std::sync::OnceLock<Arc<crate::edge::Uplink>>,
}

impl Metrics {
    pub(crate) fn new(node: String, health: Arc<Health>) -> Self {
        Self { node, health, services: RwLock::default(), ingress_dropped: Arc::default(), uplink: Default::default() }
    }

    /// This edge site's uplink, when the node is at one.
    pub(crate) fn uplink(&self) -> Option<Arc<crate::edge::Uplink>> {
        self.uplink.get().cloned()
    }

    /// Report this edge site's uplink and mirrors too.
    pub(crate) fn set_uplink(&self, uplink: Arc<crate::edge::Uplink>) {
        let _ = self.uplink.set(uplink);
    }

    /// The count of requests dropped unread, for the ingress connection to add to.
    pub(crate) fn ingress_dropped(&self) -> Arc<AtomicU64> {
        self.ingress_dropped.clone()
    }

    pub(crate) fn add(&self, service: ServiceMetrics) {
        if let Ok(mut s) = self.services.write() {
            s.push(Arc::new(service));
        }
    }

    /// The exposition, in Prometheus text format 0.0.4.
    pub async fn render(&self) -> String {
        let services: Vec<Arc<ServiceMetrics>> = self.services.read().map(|s| s.clone()).unwrap_or_default();
        let views: Vec<(&ServiceMetrics, &Arc<dyn ViewLag>)> =
            services.iter().flat_map(|s| s.views.iter().map(move |v| (&**s, v))).collect();
        let heads = futures::future::join_all(
            views.iter().map(|(_, v)| async { tokio::time::timeout(HEAD_WAIT, v.head()).await.ok()?.ok() }),
        )
        .await;

        let mut out = String::with_capacity(8192);
        let node = escape(&self.node);
        family(&mut out, "chorus_build_info", "gauge", "The node's build; always 1.");
        let _ = writeln!(out, "chorus_build_info{{node=\"{node}\",version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"));
        family(
            &mut out,
            "chorus_ready",
            "gauge",
            "1 when every hosted service has caught up and registered, 0 while starting or draining.",
        );
        let _ = writeln!(out, "chorus_ready {}", u8::from(self.health.phase() == Phase::Ready));
        family(&mut out, "chorus_service_info", "gauge", "A hosted service instance; always 1.");
        for s in &services {
            let _ = writeln!(
                out,
                "chorus_service_info{{service=\"{}\",version=\"{}\",instance=\"{}\"}} 1",
                s.name,
                escape(&s.version),
                escape(&s.instance)
            );
        }

        family(
            &mut out,
            "chorus_ingress_dropped_total",
            "counter",
            "Requests dropped unread because the node's endpoint subscriptions were full (a burst beyond what it reads).",
        );
        let _ = writeln!(out, "chorus_ingress_dropped_total {}", self.ingress_dropped.load(Ordering::Relaxed));

        let snaps: Vec<_> = services
            .iter()
            .flat_map(|s| s.endpoints.iter().map(move |(e, stats)| (s.name, escape(e), stats.snapshot())))
            .collect();
        let counters: [(&str, &str, fn(&StatsSnapshot) -> u64); 3] = [
            ("chorus_requests_total", "Requests answered, per endpoint.", |s| s.requests),
            ("chorus_errors_total", "Requests answered with an error reply (4xx or 5xx), per endpoint.", |s| s.errors),
            (
                "chorus_unavailable_total",
                "Requests answered 503 (at capacity, draining, a dependency down), per endpoint.",
                |s| s.unavailable,
            ),
        ];
        for (name, help, value) in counters {
            family(&mut out, name, "counter", help);
            for (s, e, snap) in &snaps {
                let _ = writeln!(out, "{name}{{service=\"{s}\",endpoint=\"{e}\"}} {}", value(snap));
            }
        }
        family(
            &mut out,
            "chorus_request_duration_seconds",
            "histogram",
            "From a request's arrival to its reply, per endpoint.",
        );
        for (s, e, snap) in &snaps {
            for (le, count) in LATENCY_BUCKETS_S.iter().zip(&snap.latency_cumulative) {
                let _ = writeln!(
                    out,
                    "chorus_request_duration_seconds_bucket{{service=\"{s}\",endpoint=\"{e}\",le=\"{le}\"}} {count}"
                );
            }
            let all = snap.latency_cumulative.last().copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "chorus_request_duration_seconds_bucket{{service=\"{s}\",endpoint=\"{e}\",le=\"+Inf\"}} {all}"
            );
            let _ = writeln!(
                out,
                "chorus_request_duration_seconds_sum{{service=\"{s}\",endpoint=\"{e}\"}} {}",
                snap.processing_ns as f64 / 1e9
            );
            let _ = writeln!(out, "chorus_request_duration_seconds_count{{service=\"{s}\",endpoint=\"{e}\"}} {all}");
        }

        let per_service: [(&str, &str, &str, fn(&ServiceMetrics) -> u64); 4] = [
            ("chorus_queue_depth", "gauge", "Requests waiting for a worker, per service.", |s| {
                s.runtime.queue.len() as u64
            }),
            ("chorus_queue_capacity", "gauge", "Requests that may wait before the next gets 503 at once.", |s| {
                s.runtime.queue.capacity().unwrap_or(0) as u64
            }),
            ("chorus_in_flight", "gauge", "Requests accepted and not yet answered, per service.", |s| {
                s.runtime.pending() as u64
            }),
            (
                "chorus_restarts_total",
                "counter",
                "Supervised actors (workers, projectors, jobs) restarted, per service.",
                |s| s.restarts.load(Ordering::Relaxed),
            ),
        ];
        for (name, kind, help, value) in per_service {
            family(&mut out, name, kind, help);
            for s in &services {
                let _ = writeln!(out, "{name}{{service=\"{}\"}} {}", s.name, value(s));
            }
        }

        family(&mut out, "chorus_view_applied_sequence", "gauge", "The record sequence each view has applied.");
        for (s, v) in &views {
            let _ = writeln!(
                out,
                "chorus_view_applied_sequence{{service=\"{}\",view=\"{}\"}} {}",
                s.name,
                escape(v.view()),
                v.applied()
            );
        }
        family(
            &mut out,
            "chorus_view_lag",
            "gauge",
            "Record sequences each view is behind its record (left out when JetStream did not answer).",
        );
        for ((s, v), head) in views.iter().zip(&heads) {
            if let Some(head) = head {
                let lag = head.saturating_sub(v.applied());
                let _ = writeln!(out, "chorus_view_lag{{service=\"{}\",view=\"{}\"}} {lag}", s.name, escape(v.view()));
            }
        }
        if let Some(uplink) = self.uplink.get() {
            render_uplink(&mut out, uplink);
        }
        out
    }
}

/// An edge site's uplink and mirrors.
fn render_uplink(out: &mut String, uplink: &crate::edge::Uplink) {
    let hub = escape(uplink.hub_domain());
    family(out, "chorus_uplink_up", "gauge", "1 while the hub answers this edge site, 0 while it is cut off.");
    let _ = writeln!(out, "chorus_uplink_up{{hub=\"{hub}\"}} {}", u8::from(uplink.up()));
    family(out, "chorus_uplink_last_heard_seconds", "gauge", "Seconds since the hub last answered this edge site.");
    let _ =
        writeln!(out, "chorus_uplink_last_heard_seconds{{hub=\"{hub}\"}} {:.3}", uplink.last_heard_age().as_secs_f64());
    let mirrors = uplink.mirrors();
    family(out, "chorus_mirror_lag", "gauge", "Messages each of the site's mirrors is behind the hub's stream.");
    for m in &mirrors {
        let _ = writeln!(out, "chorus_mirror_lag{{stream=\"{}\"}} {}", escape(&m.stream), m.lag);
    }
    family(
        out,
        "chorus_mirror_active_seconds",
        "gauge",
        "Seconds since each mirror last heard from the hub's stream (left out if never).",
    );
    for m in &mirrors {
        if let Some(a) = m.active {
            let _ = writeln!(
                out,
                "chorus_mirror_active_seconds{{stream=\"{}\"}} {:.3}",
                escape(&m.stream),
                a.as_secs_f64()
            );
        }
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value as the text format wants it.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn label_values_are_escaped() {
        assert_eq!(super::escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
