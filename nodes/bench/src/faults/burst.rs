//! 5. An overload burst: `track.get` offered at ten times what the node
//! sustains (measured first, closed loop), open loop, while the mix runs.
//! The node must answer fast (503 at once when its queue is full), keep its
//! memory bounded, not restart, and serve fully right after.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chorus_nats::messages::catalog::TrackGet;
use chorus_nats::ChorusClient;
use futures::StreamExt as _;

use super::{single, under_load, Options, Row};
use crate::load::{closed_loop, histogram};
use crate::memory::rss_mib;

/// Sustained `track.get` rate: 64 in flight for `seconds`; the successes per second and the failures.
async fn sustained(conn: &async_nats::Client, track: uuid::Uuid, seconds: f64) -> (f64, u64) {
    let c = ChorusClient::new(conn.clone()).with_timeout(Duration::from_secs(5));
    let f = closed_loop(64, Duration::from_millis(300), Duration::from_secs_f64(seconds), move |_| {
        let c = c.clone();
        async move { c.call(&TrackGet { id: track }).await.is_ok() }
    })
    .await;
    ((f.requests - f.errors) as f64 / f.elapsed.as_secs_f64(), f.errors)
}

pub(crate) async fn run(o: &Options) -> anyhow::Result<Row> {
    let (server, mut nodes, mix, probe) = single(1).await?;
    let pid = nodes.pid(0).ok_or_else(|| anyhow::anyhow!("the node is not running"))?;
    let track = mix.tracks[0];
    let measure = if o.short { 2.0 } else { 5.0 };
    let (rate, _) = sustained(&probe, track, measure).await;
    let rss_before = rss_mib(pid);
    let burst_for = if o.short { Duration::from_secs(3) } else { Duration::from_secs(10) };
    let offered = (rate * 10.0).max(1000.0);
    let name = "5. overload burst at 10x the sustained rate";
    // The burst's own connection: room for every reply, and a count of any it still drops.
    let dropped = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let conn = {
        let dropped = dropped.clone();
        async_nats::ConnectOptions::new()
            .subscription_capacity(1 << 22)
            .event_callback(move |event| {
                let dropped = dropped.clone();
                async move {
                    if let async_nats::Event::SlowConsumer(_) = event {
                        dropped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            })
            .connect(server.url())
            .await?
    };
    let received_before = track_get_requests(&probe).await;
    let outcome: Arc<Mutex<Option<Burst>>> = Arc::default();
    let out = outcome.clone();
    let overload = || async move {
        let result = burst(&conn, track, offered, burst_for, pid).await?;
        let since = Instant::now();
        *out.lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
        Ok((since, vec![]))
    };
    let mut row = under_load(name, o, &mix, &probe, overload, || async { Ok(vec![]) }).await?;
    let b = outcome.lock().unwrap_or_else(|p| p.into_inner()).take().ok_or_else(|| anyhow::anyhow!("no burst"))?;
    let received = track_get_requests(&probe).await.saturating_sub(received_before);
    let (after, after_errors) = sustained(&probe, track, measure).await;
    let alive = nodes.pid(0) == Some(pid);
    let codes: Vec<String> = b.codes.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    row.notes.push(format!("sustained track.get: {rate:.0}/s; offered {offered:.0}/s for {:.0} s: {} sent, {} answered ({}), {} unanswered (never read: the node's ingress buffers are bounded, so what it cannot read is dropped, and its callers' timeouts answer it)", burst_for.as_secs_f64(), b.sent, b.answered, codes.join(", "), b.sent - b.answered));
    row.notes.push(format!(
        "the node's track_get count rose by {received} during the burst (mix and probe included); the bench's own connection reported {} slow-consumer events",
        dropped.load(std::sync::atomic::Ordering::Relaxed)
    ));
    row.notes.push(format!(
        "latency during the burst: 503s p50 {:.1} ms, p99 {:.1} ms; successes p99 {:.1} ms",
        b.p503.0, b.p503.1, b.ok_p99
    ));
    row.notes.push(format!("node RSS {rss_before:.0} MiB before, at most {:.0} MiB during the burst", b.rss_max));
    row.notes.push(format!(
        "right after: {after:.0} track.get/s, {after_errors} failed; the node {} (pid {pid})",
        if alive { "did not restart" } else { "is gone" }
    ));
    if !alive {
        row.failed = Some("the node exited under the burst".into());
    } else if after_errors > 0 {
        row.failed = Some(format!("{after_errors} requests failed right after the burst"));
    }
    Ok(row)
}

struct Burst {
    sent: u64,
    answered: u64,
    codes: BTreeMap<String, u64>,
    p503: (f64, f64),
    ok_p99: f64,
    rss_max: f64,
}

/// Publish `track.get` at `rate` per second for `duration` (open loop: no waiting for replies).
async fn burst(
    conn: &async_nats::Client,
    track: uuid::Uuid,
    rate: f64,
    duration: Duration,
    pid: u32,
) -> anyhow::Result<Burst> {
    let subject = chorus_nats::subjects::catalog::track_get().subject();
    let body: bytes::Bytes = serde_json::to_vec(&TrackGet { id: track })?.into();
    let prefix = conn.new_inbox();
    let mut replies = conn.subscribe(format!("{prefix}.*")).await?;
    let start = Instant::now();
    let collector = {
        tokio::spawn(async move {
            let (mut codes, mut h503, mut hok, mut answered) = (BTreeMap::new(), histogram(), histogram(), 0u64);
            loop {
                let msg = match tokio::time::timeout(Duration::from_secs(3), replies.next()).await {
                    Ok(Some(m)) => m,
                    _ => break,
                };
                answered += 1;
                // The reply subject ends with when the request was sent (µs since the burst began).
                let sent: Option<u64> = msg.subject.rsplit('.').next().and_then(|s| s.parse().ok());
                let took = sent.map(|us| start.elapsed().saturating_sub(Duration::from_micros(us)));
                let code = msg
                    .headers
                    .as_ref()
                    .and_then(|h| h.get("Nats-Service-Error-Code").map(|v| v.as_str().to_string()))
                    .unwrap_or_else(|| "ok".into());
                if let Some(took) = took {
                    let us = took.as_micros().max(1) as u64;
                    let _ = if code == "503" {
                        h503.record(us)
                    } else if code == "ok" {
                        hok.record(us)
                    } else {
                        Ok(())
                    };
                }
                *codes.entry(code).or_insert(0u64) += 1;
            }
            (codes, h503, hok, answered)
        })
    };
    let mut rss_max = 0f64;
    let mut sent = 0u64;
    let tick = Duration::from_millis(10);
    let per_tick = (rate * tick.as_secs_f64()).ceil() as u64;
    let mut next = Instant::now();
    while start.elapsed() < duration {
        for _ in 0..per_tick {
            let at = start.elapsed().as_micros();
            conn.publish_with_reply(subject.clone(), format!("{prefix}.{at}"), body.clone()).await?;
            sent += 1;
        }
        if sent % (per_tick * 10) < per_tick {
            rss_max = rss_max.max(rss_mib(pid));
        }
        next += tick;
        tokio::time::sleep_until(next.into()).await;
    }
    conn.flush().await?;
    let (codes, h503, hok, answered) = collector.await?;
    Ok(Burst {
        sent,
        answered,
        codes,
        p503: (h503.value_at_quantile(0.5) as f64 / 1000.0, h503.value_at_quantile(0.99) as f64 / 1000.0),
        ok_p99: hok.value_at_quantile(0.99) as f64 / 1000.0,
        rss_max: rss_max.max(rss_mib(pid)),
    })
}

/// Requests the catalog instances have counted on `track_get` so far.
async fn track_get_requests(nats: &async_nats::Client) -> u64 {
    let inbox = nats.new_inbox();
    let Ok(mut sub) = nats.subscribe(inbox.clone()).await else { return 0 };
    if nats.publish_with_reply("$SRV.STATS.catalog", inbox, "".into()).await.is_err() {
        return 0;
    }
    let mut total = 0;
    while let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(500), sub.next()).await {
        let stats: serde_json::Value = serde_json::from_slice(&m.payload).unwrap_or_default();
        for e in stats["endpoints"].as_array().into_iter().flatten() {
            if e["name"] == "track_get" {
                total += e["num_requests"].as_u64().unwrap_or(0);
            }
        }
    }
    total
}
