//! A node's HTTP listener (`http_listen`) through a real `chorus-node`:
//! `/livez`, `/readyz` from start to drain, and `/metrics` in Prometheus text.

use crate::support;

use std::path::Path;
use std::time::{Duration, Instant};

use chorus_nats::messages::catalog::TrackGet;
use chorus_nats::ChorusClient;
use chorus_testkit::http::{free_addr, get};
use chorus_testkit::{ChildNode, NatsServer};

fn node_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_chorus-node"))
}

/// Poll `path` until `want` says yes, up to `within`; the last answer.
fn poll(
    addr: std::net::SocketAddr,
    path: &str,
    within: Duration,
    want: impl Fn(&(u16, String)) -> bool,
) -> (u16, String) {
    let until = Instant::now() + within;
    loop {
        let answer = get(addr, path).unwrap_or((0, String::new()));
        if want(&answer) || Instant::now() > until {
            return answer;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The sample of `name` with exactly `labels` (`service="catalog",...`).
fn sample(metrics: &str, name: &str, labels: &str) -> Option<f64> {
    let prefix = format!("{name}{{{labels}}} ");
    metrics.lines().find_map(|l| l.strip_prefix(&prefix)).and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_follow_the_node_from_catching_up_to_draining_and_metrics_count_requests() {
    let server = NatsServer::start().unwrap();
    let tracks = support::seed(&server, 20).await;
    // A frozen server: the node is alive but cannot catch up, so it must say it is not ready.
    server.signal("STOP").unwrap();
    let addr = free_addr();
    let mut node = ChildNode::start(
        node_bin(),
        &server.url(),
        "catalog",
        &[("CHORUS_HTTP_LISTEN", &addr.to_string()), ("CHORUS_DRAIN_TIMEOUT_MS", "5000")],
    )
    .unwrap();
    let live = poll(addr, "/livez", Duration::from_secs(10), |(s, _)| *s == 200);
    assert_eq!(live.0, 200, "/livez while the node waits for NATS");
    assert_eq!(get(addr, "/readyz").unwrap(), (503, "starting\n".into()));
    let (status, metrics) = get(addr, "/metrics").unwrap();
    assert_eq!((status, sample(&metrics, "chorus_ready", "")), (200, None), "chorus_ready has no labels");
    assert!(metrics.contains("\nchorus_ready 0\n"), "{metrics}");

    server.signal("CONT").unwrap();
    let ready = poll(addr, "/readyz", Duration::from_secs(30), |(s, _)| *s == 200);
    assert_eq!(ready, (200, "ready\n".into()));

    let client = ChorusClient::new(server.connect().await.unwrap());
    let track: chorus_nats::messages::catalog::Track = client.call(&TrackGet { id: tracks[0].id }).await.unwrap();
    assert_eq!(track.id, tracks[0].id);
    let missing = client.call(&TrackGet { id: uuid::Uuid::now_v7() }).await;
    assert!(missing.is_err());

    let (status, metrics) = get(addr, "/metrics").unwrap();
    assert_eq!(status, 200);
    let get_labels = r#"service="catalog",endpoint="track_get""#;
    assert_eq!(sample(&metrics, "chorus_requests_total", get_labels), Some(2.0), "{metrics}");
    assert_eq!(sample(&metrics, "chorus_errors_total", get_labels), Some(1.0));
    assert_eq!(sample(&metrics, "chorus_unavailable_total", get_labels), Some(0.0));
    assert_eq!(sample(&metrics, "chorus_request_duration_seconds_count", get_labels), Some(2.0));
    assert_eq!(
        sample(&metrics, "chorus_request_duration_seconds_bucket", &format!("{get_labels},le=\"+Inf\"")),
        Some(2.0)
    );
    assert!(sample(&metrics, "chorus_request_duration_seconds_sum", get_labels).is_some_and(|s| s > 0.0));
    assert_eq!(sample(&metrics, "chorus_view_lag", r#"service="catalog",view="catalog""#), Some(0.0));
    assert!(sample(&metrics, "chorus_view_applied_sequence", r#"service="catalog",view="catalog""#)
        .is_some_and(|s| s >= 20.0));
    assert_eq!(sample(&metrics, "chorus_queue_depth", r#"service="catalog""#), Some(0.0));
    assert_eq!(sample(&metrics, "chorus_restarts_total", r#"service="catalog""#), Some(0.0));
    assert!(metrics.contains("\nchorus_ready 1\n"));
    assert!(metrics.lines().any(|l| l.starts_with("chorus_build_info{")));
    // The text format: every family typed once, every sample a name, labels and a number.
    let mut buckets = Vec::new();
    for line in metrics.lines().filter(|l| !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
        assert!(series.chars().next().unwrap().is_ascii_lowercase(), "{line}");
        if series.starts_with("chorus_request_duration_seconds_bucket{") && series.contains(get_labels) {
            buckets.push(value.parse::<f64>().unwrap());
        }
    }
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "buckets are cumulative: {buckets:?}");
    for family in ["chorus_requests_total", "chorus_request_duration_seconds", "chorus_view_lag"] {
        assert_eq!(metrics.matches(&format!("# TYPE {family} ")).count(), 1, "{family}");
    }

    // SIGTERM: not ready while draining, then gone, exit 0.
    node.terminate().unwrap();
    let draining = poll(addr, "/readyz", Duration::from_secs(10), |(s, _)| *s != 200);
    assert_eq!(draining, (503, "draining\n".into()));
    assert!(node.wait(Duration::from_secs(10)).unwrap().success());
}
