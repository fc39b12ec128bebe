//! The catalog benchmark: view rebuild rate and time to ready (fresh in
//! memory, and an on-disk view fresh and restarted as a node process), read
//! throughput against the raw echo baseline, and resident memory, for a
//! large synthetic catalog.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chorus_host::host::RunningHost;
use chorus_nats::messages::catalog::{TrackGet, TrackList};
use chorus_nats::ChorusClient;
use chorus_testkit::http::until;
use chorus_testkit::{host_config, ChildNode, NatsServer};

use crate::echo::ECHO;
use crate::load::closed_loop;
use crate::memory::rss_mib;

#[derive(clap::Args)]
pub(crate) struct Options {
    /// Tracks in the synthetic catalog.
    #[arg(long, default_value_t = 100_000)]
    tracks: usize,
    /// Seconds measured per throughput point.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Requests in flight for the throughput points.
    #[arg(long, default_value_t = 64)]
    in_flight: usize,
}

async fn start(server: &NatsServer, view: &str) -> anyhow::Result<(RunningHost, Duration)> {
    let mut config = host_config(&server.url(), &["catalog"]);
    config.log_level = "warn".into();
    config.sections.insert("catalog".into(), serde_json::json!({"view": view}));
    let started = Instant::now();
    let host = RunningHost::start(config, &chorus_nodes::registry()).await?;
    Ok((host, started.elapsed()))
}

pub(crate) async fn run(o: Options) -> anyhow::Result<()> {
    let server = NatsServer::start()?;
    let nats = server.connect().await?;
    println!("catalog benchmark: {} synthetic tracks (release build: {})", o.tracks, !cfg!(debug_assertions));
    let cat = chorus_catalog::synthetic::generate(o.tracks, 11);
    let records = cat.tracks.len() + cat.albums.len() + cat.artists.len();
    let t = Instant::now();
    chorus_nodes::seed::run(nats.clone(), o.tracks, 11, 1).await.context("seeding")?;
    println!("seeded {records} records into JetStream KV in {:.1} s", t.elapsed().as_secs_f64());

    let before = rss_mib(std::process::id());
    let (memory_host, ready) = start(&server, "mem").await?;
    let after = rss_mib(std::process::id());
    println!(
        "fresh in-memory instance: ready in {:.1} s, rebuild {:.0} records/s, resident memory +{:.0} MB ({:.0} MB total)",
        ready.as_secs_f64(),
        records as f64 / ready.as_secs_f64(),
        after - before,
        after
    );

    // Reads against the raw baseline, on the memory instance.
    crate::echo::start(&nats, chorus_nats::Encoding::MsgPack.encode(&cat.tracks[0])?).await?;
    let client = ChorusClient::new(server.connect().await?);
    let ids: Arc<Vec<uuid::Uuid>> = Arc::new(cat.tracks.iter().map(|t| t.id).collect());
    let measure = Duration::from_secs_f64(o.seconds);
    let warmup = Duration::from_millis(500);
    let raw = {
        let nats = client.nats().clone();
        closed_loop(o.in_flight, warmup, measure, move |_| {
            let nats = nats.clone();
            async move { nats.request(ECHO, "x".into()).await.is_ok() }
        })
        .await
    };
    let get = {
        let (client, ids) = (client.clone(), ids.clone());
        closed_loop(o.in_flight, warmup, measure, move |i| {
            let (client, ids) = (client.clone(), ids.clone());
            async move {
                let id = ids[(i as usize * 7919) % ids.len()];
                client.call(&TrackGet { id }).await.is_ok()
            }
        })
        .await
    };
    let list = {
        let (client, ids) = (client.clone(), ids.clone());
        closed_loop(o.in_flight, warmup, measure, move |i| {
            let (client, ids) = (client.clone(), ids.clone());
            async move {
                let cursor = Some(ids[(i as usize * 7919) % ids.len()].to_string());
                let req = TrackList { cursor, limit: Some(50), ..Default::default() };
                client.call(&req).await.is_ok()
            }
        })
        .await
    };
    println!(
        "{:>22} | {:>9} | {:>8} | {:>8} | {:>10}",
        format!("{} in flight", o.in_flight),
        "req/s",
        "p50 µs",
        "p99 µs",
        "vs raw"
    );
    for (name, f) in [("raw echo", &raw), ("track.get", &get), ("track.list (50)", &list)] {
        println!(
            "{:>22} | {:>9.0} | {:>8.0} | {:>8.0} | {:>10.2}",
            name,
            f.rate(),
            f.p(0.5),
            f.p(0.99),
            f.rate() / raw.rate()
        );
        if f.errors > 0 {
            println!("  {name}: {} of {} failed", f.errors, f.requests);
        }
    }
    memory_host.drain().await?;

    // On disk: a fresh SurrealKV view replays everything; restarted, it resumes.
    let dir = tempfile::tempdir()?;
    let view = format!("surrealkv:{}", dir.path().join("catalog").display());
    let (disk_host, first) = start(&server, &view).await?;
    println!(
        "fresh on-disk instance: ready in {:.1} s ({:.0} records/s)",
        first.as_secs_f64(),
        records as f64 / first.as_secs_f64()
    );
    // A running instance snapshots its memory once it is still; restarted,
    // memory comes from that snapshot, and without it from the view's rows.
    let snapshot = dir.path().join("catalog.memory");
    let waited = Instant::now();
    while !snapshot.exists() {
        anyhow::ensure!(waited.elapsed() < Duration::from_secs(60), "no memory snapshot after 60 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let size = std::fs::metadata(&snapshot)?.len();
    println!(
        "memory snapshot written {:.1} s after ready ({:.0} MB)",
        waited.elapsed().as_secs_f64(),
        size as f64 / 1e6
    );
    // Drained, the instance closes its view: SurrealKV writes its tables.
    let closing = Instant::now();
    disk_host.drain().await?;
    println!("fresh on-disk instance drained and its view closed in {:.2} s", closing.elapsed().as_secs_f64());
    // Restarts as an operator restarts a node: a new process, timed from its
    // start to /readyz answering 200, then SIGTERM and its exit.
    let bin = std::env::current_exe()?.with_file_name("chorus-node");
    anyhow::ensure!(bin.exists(), "{} is missing: cargo build -p chorus-nodes --bin chorus-node", bin.display());
    for from in ["its memory snapshot", "the view's rows (snapshot removed)"] {
        if from.starts_with("the view") {
            std::fs::remove_file(&snapshot)?;
        }
        let http = chorus_testkit::http::free_addr();
        let listen = http.to_string();
        let env = [
            ("CHORUS_CATALOG__VIEW", view.as_str()),
            ("CHORUS_HTTP_LISTEN", listen.as_str()),
            ("CHORUS_LOG_LEVEL", "warn,surrealkv::lsm=error"),
        ];
        let mut node = ChildNode::start(&bin, &server.url(), "catalog", &env)?;
        let again = tokio::task::block_in_place(|| until(http, "/readyz", Duration::from_secs(600), |_| true))?;
        let info = nats.request("$SRV.INFO.catalog", "".into()).await?;
        let info: serde_json::Value = serde_json::from_slice(&info.payload)?;
        let rss = rss_mib(node.pid());
        node.terminate()?;
        let stopping = Instant::now();
        let status = tokio::task::block_in_place(|| node.wait(Duration::from_secs(60)))?;
        anyhow::ensure!(status.success(), "the restarted node exited with {status}");
        println!(
            "restarted on-disk node (a process), memory from {from}: ready in {:.2} s (memory restored and caught up in {} ms, from {}), replayed {} changes, resident {rss:.0} MiB; stopped in {:.2} s (fresh in memory: {:.1} s)",
            again.as_secs_f64(),
            info["metadata"]["view_ready_ms"].as_str().unwrap_or("?"),
            info["metadata"]["view_restored"].as_str().unwrap_or("?"),
            info["metadata"]["view_replayed"].as_str().unwrap_or("?"),
            stopping.elapsed().as_secs_f64(),
            ready.as_secs_f64()
        );
    }
    Ok(())
}
