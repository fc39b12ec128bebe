//! Trains on a synthetic world of 100,000 tracks, 10,000 listeners and
//! 1,000,000 plays; prints training time, peak memory, model size, and the
//! latency of 1,000 `recommend` calls.
//!
//! `cargo run --release -p chorus-recsys --example scale [-- default rp3beta knn als ease]`
//!
//! With no argument it runs itself once per algorithm, so each peak
//! resident set is that algorithm's alone (freed memory is not always
//! returned to the system, so one process would report the largest peak).

use std::time::Instant;

use chorus_recsys::synthetic::World;
use chorus_recsys::{Algorithm, Interactions, Model, Recency};

const TRACKS: u32 = 100_000;
const LISTENERS: u32 = 10_000;
const PLAYS: usize = 1_000_000;
const GENRES: u32 = 20;
const CALLS: u32 = 1_000;

fn main() -> anyhow::Result<()> {
    let names: Vec<String> = std::env::args().skip(1).collect();
    if names.is_empty() {
        for name in ["default", "rp3beta", "knn", "als", "ease"] {
            let status = std::process::Command::new(std::env::current_exe()?).arg(name).status()?;
            anyhow::ensure!(status.success(), "{name} failed: {status}");
        }
        return Ok(());
    }
    let clock = Instant::now();
    let world = World::generate(TRACKS, LISTENERS, PLAYS, GENRES, 7);
    let data = world.interactions()?;
    println!(
        "world: {TRACKS} tracks, {LISTENERS} listeners, {PLAYS} plays ({} distinct pairs), {GENRES} genres, built in {:.2} s; peak RSS {} MiB",
        data.nnz(),
        clock.elapsed().as_secs_f64(),
        peak_rss_mib()
    );
    for name in names {
        let algorithm = match name.as_str() {
            "default" => Algorithm::default(),
            "rp3beta" => Algorithm::Rp3Beta { alpha: 0.4, beta: 0.65, k: 200 },
            "knn" => Algorithm::ItemKnn { k: 100, shrink: 10.0 },
            "als" => Algorithm::Als { factors: 32, reg: 5.0, alpha: 10.0, iterations: 15 },
            "ease" => Algorithm::Ease { lambda: 500.0, k: 200, max_items: chorus_recsys::EASE_DEFAULT_MAX_ITEMS },
            other => anyhow::bail!("unknown algorithm {other}"),
        };
        run(&world, &data, &algorithm)?;
    }
    Ok(())
}

fn run(world: &World, data: &Interactions, algorithm: &Algorithm) -> anyhow::Result<()> {
    let before = peak_rss_mib();
    let clock = Instant::now();
    let model = match Model::train(data, algorithm) {
        Ok(model) => model,
        Err(e) => {
            println!("\n{algorithm}\n  not trained: {e}");
            return Ok(());
        }
    };
    let train_s = clock.elapsed().as_secs_f64();
    let peak = peak_rss_mib();
    let bytes = model.to_bytes()?.len();

    let recency = Recency::default();
    let all_calls = Instant::now();
    let mut latencies = Vec::with_capacity(CALLS as usize);
    let (mut home, mut picks) = (0usize, 0usize);
    for call in 0..CALLS {
        let listener = call * (LISTENERS / CALLS);
        let (items, _) = data.user_items(listener);
        let times = data.user_times(listener);
        let history: Vec<(u32, f32)> =
            items.iter().copied().zip(recency.weights(times, times.last().copied().unwrap_or(0))).collect();
        let clock = Instant::now();
        let answer = model.recommend(&history, 10, &|_| false);
        latencies.push(clock.elapsed().as_secs_f64() * 1e3);
        picks += answer.len();
        home += answer.iter().filter(|s| world.track_cluster(s.item) == world.listener_cluster(listener)).count();
    }
    let total_ms = all_calls.elapsed().as_secs_f64() * 1e3;
    latencies.sort_by(f64::total_cmp);
    let mean = latencies.iter().sum::<f64>() / latencies.len() as f64;
    println!("\n{algorithm}");
    println!(
        "  train {train_s:.2} s, peak RSS {peak} MiB ({before} MiB before training), model bytes {:.1} MiB",
        bytes as f64 / 1048576.0
    );
    println!(
        "  {CALLS} recommend calls (top 10, {:.0} history items on average) in {total_ms:.0} ms: mean {mean:.2} ms, p50 {:.2} ms, p95 {:.2} ms; {:.1}% of picks from the listener's genre",
        (0..CALLS).map(|c| data.user_items(c * (LISTENERS / CALLS)).0.len()).sum::<usize>() as f64 / f64::from(CALLS),
        latencies[latencies.len() / 2],
        latencies[latencies.len() * 95 / 100],
        100.0 * home as f64 / picks.max(1) as f64
    );
    // The trainer's own holdout (each listener's newest discoveries), as a recommend instance reports it.
    let holdout = chorus_recsys::eval::holdout_metrics(LISTENERS, TRACKS, world.events(), algorithm)?;
    println!(
        "  holdout: NDCG@10 {:.4}, HR@10 {:.4}, coverage@10 {:.4}",
        holdout["ndcg@10"], holdout["hit_rate@10"], holdout["coverage@10"]
    );
    Ok(())
}

/// VmHWM, the process's peak resident set, from /proc/self/status.
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}
