//! `chorus-bench recommend`: offline quality against the anchors, and the
//! service at scale.
//!
//! Offline: the anchor script (`shared/anchors/run_recsys.sh`, MovieLens-100k
//! from the recbole wheel, per-user temporal 80/20 split, settings chosen on
//! a validation split inside train) and Chorus's own trainer on the same
//! split, side by side: P@10, R@10, NDCG@10, HR@10, coverage, training time.
//!
//! Scale: a synthetic listening world (100,000 tracks, 10,000 listeners,
//! 1,000,000 plays by default) written to a nats-server, one recommend
//! instance as a `chorus-node` process of its own (so its peak memory is its
//! own), its training time and peak resident memory, then `user.mix` and
//! `radio.next` through NATS at 1, 16 and 64 in flight against the raw echo.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chorus_nats::messages::auth::Role;
use chorus_nats::messages::recommend::{MixRequest, ModelGet, RadioNext, RadioSeed, RadioStart};
use chorus_nats::ChorusClient;
use chorus_testkit::{ChildNode, NatsServer, TestIssuer};
use uuid::Uuid;

use crate::echo::ECHO;
use crate::load::{closed_loop, report};

#[derive(clap::Args)]
pub(crate) struct Options {
    /// Tracks of the synthetic world.
    #[arg(long, default_value_t = 100_000)]
    tracks: u32,
    /// Listeners of the synthetic world.
    #[arg(long, default_value_t = 10_000)]
    listeners: u32,
    /// Plays of the synthetic world.
    #[arg(long, default_value_t = 1_000_000)]
    plays: usize,
    /// Seconds measured per point.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Only the offline comparison.
    #[arg(long)]
    offline_only: bool,
    /// Only the scale run.
    #[arg(long, conflicts_with = "offline_only")]
    scale_only: bool,
    /// Where the anchor keeps its venv and data (`ANCHORS_DATA`).
    #[arg(long, env = "ANCHORS_DATA", default_value = "/tmp/anchors-data")]
    anchors_data: PathBuf,
}

pub(crate) async fn run(o: Options) -> anyhow::Result<()> {
    println!("recommend benchmark (release build: {})", !cfg!(debug_assertions));
    if !o.scale_only {
        offline(&o)?;
    }
    if !o.offline_only {
        scale(&o).await?;
    }
    Ok(())
}

/// The anchors, then Chorus on the same data and protocol.
fn offline(o: &Options) -> anyhow::Result<()> {
    println!("\n== offline: MovieLens-100k, rating >= 4 as a play, temporal 80/20, settings by validation ==");
    let script = PathBuf::from("../shared/anchors/run_recsys.sh");
    anyhow::ensure!(script.exists(), "run from the repository, with ../shared/anchors beside it");
    let status = Command::new("bash")
        .arg(&script)
        .env("ANCHORS_DATA", &o.anchors_data)
        .status()
        .context("running the recsys anchor")?;
    anyhow::ensure!(status.success(), "the recsys anchor failed");
    let data = o.anchors_data.join("ml-100k.inter");
    let started = Instant::now();
    let report = chorus_recsys::eval::ml100k_report(&data)?;
    println!(
        "\nChorus (chorus-recsys), the same split and protocol ({:.1} s in all):",
        started.elapsed().as_secs_f64()
    );
    println!("{report}");
    Ok(())
}

async fn scale(o: &Options) -> anyhow::Result<()> {
    println!(
        "\n== scale: {} tracks, {} listeners, {} plays; one recommend instance (a chorus-node process) ==",
        o.tracks, o.listeners, o.plays
    );
    let node = std::env::current_exe()?.with_file_name("chorus-node");
    anyhow::ensure!(
        node.exists(),
        "{} is missing: cargo build --release -p chorus-nodes --bin chorus-node",
        node.display()
    );
    let server = NatsServer::start()?;
    let nats = server.connect().await?;
    crate::echo::start(&nats, bytes::Bytes::from_static(b"{}")).await?;
    let issuer = Arc::new(TestIssuer::publish(&nats).await?);
    let started = Instant::now();
    let genres = (o.tracks / 2_000).clamp(4, 50);
    let world = chorus_nodes::world::write(server.connect().await?, o.tracks, o.listeners, o.plays, genres, 7).await?;
    println!("world written in {:.1} s ({genres} genres)", started.elapsed().as_secs_f64());
    let env = [("CHORUS_RECOMMEND__CHECK_EVERY_MS", "500"), ("CHORUS_RECOMMEND__TRAIN_ACK_WAIT_MS", "30000")];
    let started = Instant::now();
    let child = ChildNode::start(&node, &server.url(), "recommend", &env)?;
    let admin = ChorusClient::new(nats.clone()).with_timeout(Duration::from_secs(10));
    let manifest = loop {
        let a = admin.clone().with_token(issuer.admin());
        if let Ok(served) = a.call(&ModelGet {}).await {
            if let Some(m) = served.manifest {
                break m;
            }
        }
        anyhow::ensure!(started.elapsed() < Duration::from_secs(900), "no model after 15 minutes");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    println!(
        "model {} ({}): {} plays of {} listeners on {} tracks, trained in {:.1} s; ready-to-served {:.1} s after the instance started",
        manifest.version,
        manifest.algorithm,
        manifest.plays,
        manifest.users,
        manifest.tracks,
        manifest.took_ms as f64 / 1000.0,
        started.elapsed().as_secs_f64()
    );
    println!("holdout metrics (each listener's newest plays): {:?}", manifest.metrics);
    let (peak, now) = memory(child.pid());
    println!("recommend instance memory: peak {peak:.0} MB, resident now {now:.0} MB");

    let measure = Duration::from_secs_f64(o.seconds);
    let warmup = Duration::from_millis(300);
    let listeners: Arc<Vec<ChorusClient>> = Arc::new(
        world
            .listeners
            .iter()
            .take(1000)
            .map(|u| {
                ChorusClient::new(nats.clone())
                    .with_timeout(Duration::from_secs(10))
                    .with_token(issuer.token_for(*u, &[Role::Listener]))
            })
            .collect(),
    );
    // A radio a listener, seeded by tracks across the world, each asked for
    // its next batch in turn: as listeners do, each at their own pace (one
    // radio asked thousands of times a minute would remember more tracks
    // than a day of listening gives).
    let mut radios = Vec::new();
    for (t, c) in listeners.iter().enumerate() {
        let seed = RadioSeed::Track { id: world.tracks[(t * 7919) % world.tracks.len()] };
        radios.push((c.clone(), c.call(&RadioStart { seed, adventurousness: None, limit: Some(10) }).await?.radio_id));
    }
    let radios: Arc<Vec<(ChorusClient, Uuid)>> = Arc::new(radios);
    for in_flight in [1, 16, 64] {
        let raw = {
            let nats = nats.clone();
            closed_loop(in_flight, warmup, measure, move |_| {
                let nats = nats.clone();
                async move { nats.request(ECHO, "x".into()).await.is_ok() }
            })
            .await
        };
        let mixes = {
            let listeners = listeners.clone();
            closed_loop(in_flight, warmup, measure, move |i| {
                let c = listeners[i as usize % listeners.len()].clone();
                async move { c.call(&MixRequest { limit: Some(30), ..Default::default() }).await.is_ok() }
            })
            .await
        };
        let nexts = {
            let radios = radios.clone();
            closed_loop(in_flight, warmup, measure, move |i| {
                let (c, radio) = radios[i as usize % radios.len()].clone();
                async move { c.call(&RadioNext { radio_id: radio, limit: Some(10), skipped: Vec::new() }).await.is_ok() }
            })
            .await
        };
        println!("-- {in_flight} in flight");
        report("raw echo", &raw, &raw);
        report("user.mix (30)", &mixes, &raw);
        report("radio.next (10)", &nexts, &raw);
    }
    let (peak, now) = memory(child.pid());
    println!("recommend instance memory after the load: peak {peak:.0} MB, resident {now:.0} MB");
    drop(child);
    Ok(())
}

/// Peak and current resident memory of process `pid`, MB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}
