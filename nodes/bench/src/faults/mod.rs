//! `chorus-bench faults`: kill nodes and servers under a mixed load, then
//! read back every write the load was told had happened (Jepsen-style: a
//! history checked after the fact). Acknowledged writes lost must be 0, and
//! so must writes done twice that must happen once; a scenario that loses
//! one fails the command.
//!
//! Scenarios (the numbers, run in the order 1, 2, 5, 3, 4, 6):
//! 1. kill -9 one of two nodes under load, then restart it;
//! 2. restart (kill -9, start again) the single nats-server (file store) under load;
//! 5. an overload burst at ten times what the node sustains (see `burst.rs`);
//! 3. a 3-server cluster: kill -9 the JetStream meta leader, then a stream leader of a busy bucket;
//! 4. SIGSTOP one cluster server for 15 s, then SIGCONT;
//! 6. a node whose data directory (its disk view) is deleted while it is down restarts and rebuilds.

mod burst;
mod mix;
mod stack;

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chorus_testkit::{NatsCluster, NatsServer, TestIssuer, R3_NODE_ENV as R3};

use mix::{check, Mix};
use stack::Nodes;

#[derive(clap::Args)]
pub(crate) struct Options {
    /// Scenarios to run, by the numbers (`1,2,5`); all when absent.
    #[arg(long, value_delimiter = ',')]
    scenario: Vec<u8>,
    /// The short form (CI): shorter load before and after each fault.
    #[arg(long)]
    short: bool,
    /// Load tasks (each a listener at a time).
    #[arg(long, default_value_t = 12)]
    workers: usize,
}

/// The order the scenarios run in.
const ORDER: [u8; 6] = [1, 2, 5, 3, 4, 6];

/// One scenario's figures.
pub(crate) struct Row {
    name: String,
    sent: u64,
    acked: u64,
    chunks: u64,
    checked: u64,
    lost: u64,
    duplicates: u64,
    errors: BTreeMap<String, u64>,
    recovery: Option<Duration>,
    took: Duration,
    notes: Vec<String>,
    failed: Option<String>,
}

impl Row {
    fn print(&self) {
        let errors = if self.errors.is_empty() {
            "none".to_string()
        } else {
            self.errors.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ")
        };
        let recovery = self.recovery.map_or("did not recover".into(), |d| format!("{:.2} s", d.as_secs_f64()));
        println!("\n| {} | |", self.name);
        println!("|---|---|");
        println!("| requests sent | {} (and {} chunk reads answered) |", self.sent, self.chunks);
        println!("| writes acknowledged | {} ({} read back) |", self.acked, self.checked);
        println!("| **acknowledged writes lost** | **{}** |", self.lost);
        println!("| duplicates (must be once) | {} |", self.duplicates);
        println!("| errors clients saw | {errors} |");
        println!("| every service answered again after | {recovery} |");
        println!("| scenario took | {:.1} s |", self.took.as_secs_f64());
        for n in &self.notes {
            println!("| note | {n} |");
        }
        if let Some(f) = &self.failed {
            println!("| **FAILED** | {f} |");
        }
    }
}

pub(crate) async fn run(o: Options) -> anyhow::Result<()> {
    let chosen: Vec<u8> = ORDER.iter().copied().filter(|n| o.scenario.is_empty() || o.scenario.contains(n)).collect();
    anyhow::ensure!(!chosen.is_empty(), "no such scenario (1 to 6)");
    println!(
        "fault suite: scenarios {chosen:?}, {} form, {} load tasks (release build: {})",
        if o.short { "short" } else { "full" },
        o.workers,
        !cfg!(debug_assertions)
    );
    let mut rows = Vec::new();
    for n in chosen {
        let started = Instant::now();
        let row = match n {
            1 => node_kill(&o).await,
            2 => server_restart(&o).await,
            5 => burst::run(&o).await,
            3 => cluster_leaders(&o).await,
            4 => cluster_freeze(&o).await,
            6 => lost_disk(&o).await,
            _ => unreachable!("filtered above"),
        };
        let mut row = row.unwrap_or_else(|e| Row::failed(format!("{n}. (did not run)"), format!("{e:#}")));
        row.took = started.elapsed();
        row.print();
        rows.push(row);
    }
    let bad: Vec<&str> =
        rows.iter().filter(|r| r.lost > 0 || r.duplicates > 0 || r.failed.is_some()).map(|r| r.name.as_str()).collect();
    println!();
    anyhow::ensure!(bad.is_empty(), "the fault suite failed: {bad:?}");
    println!("fault suite passed: nothing acknowledged was lost, nothing that must happen once happened twice");
    Ok(())
}

impl Row {
    fn failed(name: String, why: String) -> Self {
        Row {
            name,
            sent: 0,
            acked: 0,
            chunks: 0,
            checked: 0,
            lost: 0,
            duplicates: 0,
            errors: BTreeMap::new(),
            recovery: None,
            took: Duration::ZERO,
            notes: Vec::new(),
            failed: Some(why),
        }
    }
}

/// Seconds of load before a fault and after it, by form.
fn phases(o: &Options) -> (Duration, Duration) {
    if o.short {
        (Duration::from_secs(3), Duration::from_secs(5))
    } else {
        (Duration::from_secs(8), Duration::from_secs(15))
    }
}

/// The common part of every scenario: the load around `fault`, then the read-back.
/// `fault` breaks something and says when; `heal` (restarting what was
/// killed) runs while the probe waits for every service to answer again.
async fn under_load<F, Fut, H, HFut>(
    name: &str,
    o: &Options,
    mix: &Arc<Mix>,
    probe: &async_nats::Client,
    fault: F,
    heal: H,
) -> anyhow::Result<Row>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<(Instant, Vec<String>)>>,
    H: FnOnce() -> HFut,
    HFut: std::future::Future<Output = anyhow::Result<Vec<String>>>,
{
    let (before, after) = phases(o);
    let tasks = mix.start(o.workers);
    tokio::time::sleep(before).await;
    let (since, mut notes) = fault().await?;
    let (recovery, healed) =
        tokio::join!(stack::recovery_of(probe, &mix.issuer, since, after.max(Duration::from_secs(60))), heal());
    if let Some((_, slowest)) = recovery {
        notes.push(format!("the last service to answer again: {slowest}"));
    }
    let recovery = recovery.map(|(d, _)| d);
    notes.extend(healed?);
    let left = after.saturating_sub(since.elapsed());
    tokio::time::sleep(left).await;
    let history = mix.stop(tasks).await;
    let verdict = check(mix, &history).await;
    notes.extend(verdict.examples.iter().cloned());
    let lost_by: Vec<String> = verdict.lost.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    if !lost_by.is_empty() {
        notes.push(format!("lost by kind: {}", lost_by.join(", ")));
    }
    let counts = &mix.counts;
    Ok(Row {
        name: name.into(),
        sent: counts.sent.load(Ordering::Relaxed),
        acked: counts.acked.load(Ordering::Relaxed),
        chunks: counts.chunks.load(Ordering::Relaxed),
        checked: verdict.checked,
        lost: verdict.lost_total(),
        duplicates: verdict.duplicates_total(),
        errors: counts.errors.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        recovery,
        took: Duration::ZERO,
        notes,
        failed: None,
    })
}

/// A server, a trust key, nodes, the audio and the mix: what scenarios 1, 2 and 5 start from.
pub(crate) async fn single(nodes: usize) -> anyhow::Result<(NatsServer, Nodes, Arc<Mix>, async_nats::Client)> {
    let server = NatsServer::start()?;
    let probe = server.connect().await?;
    let issuer = Arc::new(TestIssuer::publish(&probe).await?);
    let nodes = Nodes::start(vec![server.url()], nodes, &[])?;
    stack::ready(&probe, &issuer).await?;
    let tracks = stack::tracks(&probe, &issuer, 2).await?;
    let mix = stack::mix(&[server.url()], issuer, tracks).await?;
    Ok((server, nodes, mix, probe))
}

/// 1. kill -9 one of two nodes under load, then restart it.
async fn node_kill(o: &Options) -> anyhow::Result<Row> {
    let (_server, nodes, mix, probe) = single(2).await?;
    let restart_after = if o.short { Duration::from_secs(2) } else { Duration::from_secs(5) };
    let name = "1. kill -9 one of two nodes, restart it";
    let since = Instant::now();
    let nodes = std::sync::Mutex::new(nodes);
    let lock = || nodes.lock().unwrap_or_else(|p| p.into_inner());
    let killed = || async {
        lock().kill(1);
        Ok((since, vec![]))
    };
    let heal = || async {
        tokio::time::sleep(restart_after).await;
        lock().restart(1)?;
        stack::ready(&probe, &mix.issuer).await?;
        let up = since.elapsed().as_secs_f64();
        Ok(vec![format!(
            "node killed; started again {:.0} s later; every service answered {up:.1} s after the kill",
            restart_after.as_secs_f64()
        )])
    };
    under_load(name, o, &mix, &probe, killed, heal).await
}

/// 2. kill -9 the single nats-server (file store) under load and start it again.
async fn server_restart(o: &Options) -> anyhow::Result<Row> {
    let (mut server, mut nodes, mix, probe) = single(1).await?;
    let name = "2. restart the single nats-server (kill -9, file store)";
    let server_ref = &mut server;
    let restart = move || async move {
        let since = Instant::now();
        tokio::task::block_in_place(|| server_ref.restart())?;
        Ok((since, vec![format!("server down and up again in {:.2} s", since.elapsed().as_secs_f64())]))
    };
    let row = under_load(name, o, &mix, &probe, restart, || async { Ok(vec![]) }).await?;
    let mut row = row;
    if nodes.pid(0).is_none() {
        row.notes.push("the node exited after the server restart".into());
        row.failed = Some("the node did not survive the server restart".into());
    }
    Ok(row)
}

/// The busy bucket whose stream leader scenarios 3 and 4 go after: playlists and favorites.
const BUSY: &str = "KV_chorus_profile";

/// Three servers, two nodes at R3 (node 0 on n1, node 1 on n2), the audio and the mix.
async fn clustered() -> anyhow::Result<(NatsCluster, Nodes, Arc<Mix>, async_nats::Client)> {
    let cluster = tokio::task::block_in_place(|| NatsCluster::start(3))?;
    let servers: Vec<String> = cluster.urls().split(',').map(String::from).collect();
    let probe = stack::connect(&servers, 2).await?;
    // The first node creates every bucket at R3 (the trust bucket among them:
    // the test key is published after, so it does not create it at R1); the
    // second starts once the first serves.
    let mut nodes = Nodes::start(servers.clone(), 1, R3)?;
    let js = async_nats::jetstream::new(probe.clone());
    let start = Instant::now();
    while js.get_stream("KV_chorus_auth_trust").await.is_err() {
        anyhow::ensure!(start.elapsed() < Duration::from_secs(120), "the first node never made the trust bucket");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let issuer = Arc::new(TestIssuer::publish(&probe).await?);
    stack::ready(&probe, &issuer).await?;
    nodes.add()?;
    stack::ready(&probe, &issuer).await?;
    let tracks = stack::tracks(&probe, &issuer, 2).await?;
    let mix = stack::mix(&servers, issuer, tracks).await?;
    Ok((cluster, nodes, mix, probe))
}

/// The server leading `stream`, as its info says.
async fn stream_leader(probe: &async_nats::Client, stream: &str) -> Option<String> {
    let js = async_nats::jetstream::new(probe.clone());
    let mut s = js.get_stream(stream).await.ok()?;
    s.info().await.ok()?.cluster.as_ref()?.leader.clone()
}

/// 3. A three-server cluster: kill -9 the meta leader, then a stream leader of a busy bucket.
async fn cluster_leaders(o: &Options) -> anyhow::Result<Row> {
    let (cluster, _nodes, mix, probe) = clustered().await?;
    let name = "3. cluster: kill -9 the meta leader, then the busy bucket's stream leader";
    let cluster = std::sync::Mutex::new(cluster);
    let lock = || cluster.lock().unwrap_or_else(|p| p.into_inner());
    let pause = if o.short { Duration::from_secs(3) } else { Duration::from_secs(8) };
    let kill_meta = || async {
        let leader = lock().meta_leader().ok_or_else(|| anyhow::anyhow!("no meta leader"))?;
        let i = lock().index_of(&leader).ok_or_else(|| anyhow::anyhow!("meta leader {leader} is not ours"))?;
        let since = Instant::now();
        lock().servers()[i].kill();
        Ok((since, vec![format!("killed the meta leader {leader}")]))
    };
    let heal = || async {
        let mut notes = Vec::new();
        tokio::time::sleep(pause).await;
        for s in lock().servers() {
            if !s.running() {
                tokio::task::block_in_place(|| s.restart())?;
            }
        }
        notes.push(format!(
            "restarted it after {:.0} s; meta leader now {:?}",
            pause.as_secs_f64(),
            lock().meta_leader()
        ));
        tokio::time::sleep(pause).await;
        let leader = stream_leader(&probe, BUSY).await.ok_or_else(|| anyhow::anyhow!("{BUSY} has no leader"))?;
        let i = lock().index_of(&leader).ok_or_else(|| anyhow::anyhow!("stream leader {leader} is not ours"))?;
        let since = Instant::now();
        lock().servers()[i].kill();
        let back = stack::recovery(&probe, &mix.issuer, since, Duration::from_secs(60)).await;
        notes.push(format!(
            "killed {BUSY}'s stream leader {leader}: every service answered again after {}; new leader {:?}",
            back.map_or("never (60 s)".into(), |d| format!("{:.2} s", d.as_secs_f64())),
            stream_leader(&probe, BUSY).await
        ));
        tokio::time::sleep(pause).await;
        tokio::task::block_in_place(|| lock().servers()[i].restart())?;
        notes.push("restarted it".into());
        Ok(notes)
    };
    under_load(name, o, &mix, &probe, kill_meta, heal).await
}

/// 4. SIGSTOP one cluster server (the busy bucket's stream leader) for 15 s, then SIGCONT.
async fn cluster_freeze(o: &Options) -> anyhow::Result<Row> {
    let (mut cluster, _nodes, mix, probe) = clustered().await?;
    let name = "4. cluster: SIGSTOP one server 15 s (the busy bucket's leader), then SIGCONT";
    let freeze = Duration::from_secs(15);
    let leader = stream_leader(&probe, BUSY).await.ok_or_else(|| anyhow::anyhow!("{BUSY} has no leader"))?;
    let i = cluster.index_of(&leader).ok_or_else(|| anyhow::anyhow!("stream leader {leader} is not ours"))?;
    let cluster_ref = &mut cluster;
    let stop = move || async move {
        let since = Instant::now();
        cluster_ref.servers()[i].signal("STOP")?;
        tokio::time::sleep(freeze).await;
        cluster_ref.servers()[i].signal("CONT")?;
        Ok((
            since,
            vec![format!(
                "froze {leader} (leading {BUSY}) for {:.0} s; the probe counts from the SIGSTOP",
                freeze.as_secs_f64()
            )],
        ))
    };
    under_load(name, o, &mix, &probe, stop, || async { Ok(vec![]) }).await
}

/// 6. The only node is killed, its data directory (the on-disk views) deleted,
/// and it starts again: it must rebuild every view from the record, so the
/// read-back (all of it through that node) finds every acknowledged write.
async fn lost_disk(o: &Options) -> anyhow::Result<Row> {
    let (_server, nodes, mix, probe) = single(1).await?;
    let name = "6. a node's disk view deleted while it is down";
    let nodes = std::sync::Mutex::new(nodes);
    let lock = || nodes.lock().unwrap_or_else(|p| p.into_inner());
    let wipe = || async {
        let since = Instant::now();
        let mut n = lock();
        n.kill(0);
        let dir = n.data_dir(0);
        let size = dir_size(&dir);
        std::fs::remove_dir_all(&dir)?;
        std::fs::create_dir_all(&dir)?;
        n.restart(0)?;
        Ok((
            since,
            vec![format!(
                "node killed, its data directory ({:.0} KiB of on-disk views) deleted, started again",
                size as f64 / 1024.0
            )],
        ))
    };
    under_load(name, o, &mix, &probe, wipe, || async { Ok(vec![]) }).await
}

/// Bytes under `dir`.
fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
