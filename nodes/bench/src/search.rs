//! The search benchmark, against the SQLite FTS5 anchor in the same run.
//!
//! The anchor generates a catalog and a query set (exact, prefix, one typo,
//! no diacritics) and reports its own figures. This loads the same catalog
//! into the catalog's record on a real nats-server, builds the search index
//! from it (the rate), then replays the same queries in process and through
//! NATS: latency p50/p95/p99 and hit@10 (the target track among the first
//! ten tracks), side by side with FTS5's.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chorus_catalog::records::Kind;
use chorus_host::host::RunningHost;
use chorus_nats::messages::search::{SearchKind, SearchQuery, SearchReply};
use chorus_nats::{subjects::search, ChorusClient};
use chorus_search::SearchIndex;
use chorus_testkit::{host_config, NatsServer};

use crate::anchor::{self, AnchorFigures, AnchorQuery};

#[derive(clap::Args)]
pub(crate) struct Options {
    /// The anchor script (relative paths from the working directory: run from the repository).
    #[arg(long, default_value = "../shared/anchors/fts5_search.py")]
    anchor: PathBuf,
    /// Python for the anchor.
    #[arg(long, default_value = "python3")]
    python: String,
    /// Tracks in the catalog.
    #[arg(long, default_value_t = 100_000)]
    tracks: usize,
    /// Measured passes over the query set (the median per query counts, like the anchor's).
    #[arg(long, default_value_t = 3)]
    passes: usize,
    /// Write the queries whose target is not in the first ten (with what came first) here, as JSON Lines.
    #[arg(long)]
    misses: Option<PathBuf>,
    /// Threads one query may use (`[search] query_threads`; 0: the default, one a core).
    #[arg(long, default_value_t = 0)]
    query_threads: usize,
}

const KINDS: [&str; 5] = ["exact", "prefix", "typo", "nodiac", "all"];

/// What one system did on one kind of query.
#[derive(Default, Clone)]
struct Figures {
    latencies_us: Vec<f64>,
    hits: usize,
}

impl Figures {
    fn p(&self, q: f64) -> f64 {
        let mut v = self.latencies_us.clone();
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            return 0.0;
        }
        // The anchor's interpolated percentile, so the two compare.
        let k = (v.len() - 1) as f64 * q;
        let (lo, hi) = (k.floor() as usize, (k.floor() as usize + 1).min(v.len() - 1));
        v[lo] + (v[hi] - v[lo]) * (k - lo as f64)
    }

    fn hit_at_10(&self) -> f64 {
        self.hits as f64 / self.latencies_us.len().max(1) as f64
    }
}

/// What the anchor asks FTS5: the first ten tracks (with the facet counts, which FTS5 does not do).
fn like_fts5(q: &AnchorQuery) -> SearchQuery {
    SearchQuery { q: q.query.clone(), limit: Some(10), kinds: Some(vec![SearchKind::Tracks]), ..Default::default() }
}

/// What a search box asks: every list, 20 hits each, facets.
fn search_box(q: &AnchorQuery) -> SearchQuery {
    SearchQuery { q: q.query.clone(), ..Default::default() }
}

/// Replay every query `passes` times after a warm-up pass; the median per query counts.
async fn replay<F, Fut>(
    queries: &[AnchorQuery],
    passes: usize,
    request: fn(&AnchorQuery) -> SearchQuery,
    mut run: F,
) -> BTreeMap<&'static str, Figures>
where
    F: FnMut(SearchQuery) -> Fut,
    Fut: std::future::Future<Output = Option<SearchReply>>,
{
    let mut by_kind: BTreeMap<&'static str, Figures> = BTreeMap::new();
    for q in queries {
        run(request(q)).await;
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); queries.len()];
    let mut hit = vec![false; queries.len()];
    for _ in 0..passes.max(1) {
        for (i, q) in queries.iter().enumerate() {
            let start = Instant::now();
            let reply = run(request(q)).await;
            times[i].push(start.elapsed().as_secs_f64() * 1e6);
            let target = anchor::track_id(q.target_id);
            hit[i] = reply.is_some_and(|r| r.tracks.iter().take(10).any(|t| t.id == target));
        }
    }
    for (i, q) in queries.iter().enumerate() {
        times[i].sort_by(f64::total_cmp);
        let median = times[i][times[i].len() / 2];
        for kind in [KINDS.iter().copied().find(|k| *k == q.kind).unwrap_or("other"), "all"] {
            let f = by_kind.entry(kind).or_default();
            f.latencies_us.push(median);
            f.hits += usize::from(hit[i]);
        }
    }
    by_kind
}

pub(crate) async fn run(o: Options) -> anyhow::Result<()> {
    let search_config = chorus_search::SearchConfig { query_threads: o.query_threads, ..Default::default() };
    println!(
        "search benchmark: {} tracks, anchor {} (release build: {}), {} query threads",
        o.tracks,
        o.anchor.display(),
        !cfg!(debug_assertions),
        search_config.query_threads()
    );
    let dir = tempfile::tempdir()?;
    let fts5 = anchor::run(&o.python, &o.anchor, o.tracks, dir.path())?;
    let (artists, albums, tracks) = anchor::records(&fts5.tracks);
    let records = artists.len() + albums.len() + tracks.len();

    let server = NatsServer::start()?;
    let nats = server.connect().await?;
    let js = async_nats::jetstream::new(nats.clone());
    let catalog = chorus_catalog::open_records(&js, 1).await?;
    let t = Instant::now();
    chorus_nodes::seed::create_all(&catalog, Kind::Artist, artists.iter().map(|a| (a.id, a))).await?;
    chorus_nodes::seed::create_all(&catalog, Kind::Album, albums.iter().map(|a| (a.id, a))).await?;
    chorus_nodes::seed::create_all(&catalog, Kind::Track, tracks.iter().map(|t| (t.id, t))).await?;
    println!("loaded {records} catalog records into JetStream KV in {:.1} s", t.elapsed().as_secs_f64());

    // The index build, in process: read the whole record, index, commit, merge.
    let built = chorus_search::build(&js, &search_config, 1).await.context("building")?;
    let index: &SearchIndex = &built.index;
    let rate = built.replayed as f64 / built.took.as_secs_f64();
    println!(
        "index build: {} records ({} documents, {} segments) in {:.2} s = {:.0} records/s, {:.0} tracks/s (FTS5: {:.0} tracks/s from a local table)",
        built.replayed,
        index.documents(),
        index.segments(),
        built.took.as_secs_f64(),
        rate,
        tracks.len() as f64 / built.took.as_secs_f64(),
        fts5.results.build.fts_build_tracks_per_s
    );

    let mut config = host_config(&server.url(), &["search"]);
    config.log_level = "warn".into();
    config.sections.insert("search".into(), serde_json::json!({"query_threads": o.query_threads}));
    let started = Instant::now();
    let host = RunningHost::start(config, &chorus_nodes::registry()).await?;
    println!("search instance ready (caught up, registered) in {:.2} s", started.elapsed().as_secs_f64());

    let local = replay(&fts5.queries, o.passes, like_fts5, |req| std::future::ready(index.search(&req).ok())).await;
    if let Some(path) = &o.misses {
        write_misses(path, index, &fts5)?;
    }
    let client = ChorusClient::new(server.connect().await?).with_timeout(Duration::from_secs(5));
    let through_nats = |req: SearchQuery| {
        let client = client.clone();
        async move { client.call(&req).await.ok() }
    };
    let wire = replay(&fts5.queries, o.passes, like_fts5, through_nats).await;
    let full = replay(&fts5.queries, o.passes, search_box, through_nats).await;
    let fresh = freshness(&catalog, &client, &tracks[0]).await?;
    let queries: std::sync::Arc<Vec<SearchQuery>> = std::sync::Arc::new(fts5.queries.iter().map(search_box).collect());
    let load = {
        let client = client.clone();
        crate::load::closed_loop(16, Duration::from_millis(500), Duration::from_secs(3), move |i| {
            let (client, queries) = (client.clone(), queries.clone());
            async move {
                let req = &queries[i as usize % queries.len()];
                client.request::<_, SearchReply>(search::catalog_query(), req).await.is_ok()
            }
        })
        .await
    };
    host.drain().await?;
    report(&local, &wire, &fts5.results.per_kind);
    let all = full.get("all").cloned().unwrap_or_default();
    println!(
        "\nsearch-box request via NATS (tracks, albums, artists, 20 each, facets): p50 {:.0} / p95 {:.0} / p99 {:.0} µs, track hit@10 {:.3}",
        all.p(0.5),
        all.p(0.95),
        all.p(0.99),
        all.hit_at_10()
    );
    println!(
        "search-box requests, 16 in flight through NATS: {:.0} req/s, p50 {:.0} / p99 {:.0} µs, {} failed",
        load.rate(),
        load.p(0.5),
        load.p(0.99),
        load.errors
    );
    println!(
        "a new track searchable through NATS after (write to first hit, 5 tries): {}",
        fresh.iter().map(|d| format!("{:.0} ms", d.as_secs_f64() * 1e3)).collect::<Vec<_>>().join(", ")
    );
    worst_cases(index);
    Ok(())
}

/// How long a track written to the catalog record takes to be found (polled
/// as fast as requests go, bounded at 5 s).
async fn freshness(
    catalog: &chorus_state::Records,
    client: &ChorusClient,
    like: &chorus_nats::messages::catalog::Track,
) -> anyhow::Result<Vec<Duration>> {
    let mut took = Vec::new();
    for (i, word) in ["zyxwvutsa", "zyxwvutsb", "zyxwvutsc", "zyxwvutsd", "zyxwvutse"].into_iter().enumerate() {
        let track = chorus_nats::messages::catalog::Track {
            id: anchor::track_id(u64::MAX - i as u64),
            title: format!("Probe {word}"),
            ..like.clone()
        };
        let start = Instant::now();
        catalog.create(&Kind::Track.key(track.id), &track).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let req = SearchQuery { q: word.into(), kinds: Some(vec![SearchKind::Tracks]), ..Default::default() };
        loop {
            let found = client.call(&req).await?;
            if found.tracks.iter().any(|t| t.id == track.id) {
                break;
            }
            anyhow::ensure!(start.elapsed() < Duration::from_secs(5), "{word} not searchable after 5 s");
        }
        took.push(start.elapsed());
    }
    Ok(took)
}

/// For ranking work: every query that misses its target, the target, and the first three hits.
fn write_misses(path: &std::path::Path, index: &SearchIndex, fts5: &anchor::Anchor) -> anyhow::Result<()> {
    let by_id: std::collections::HashMap<u64, &anchor::AnchorTrack> = fts5.tracks.iter().map(|t| (t.id, t)).collect();
    let mut out = String::new();
    for q in &fts5.queries {
        let Ok(reply) = index.search(&like_fts5(q)) else { continue };
        if reply.tracks.iter().any(|t| t.id == anchor::track_id(q.target_id)) {
            continue;
        }
        let target = by_id.get(&q.target_id).map(|t| (&t.title, &t.album, &t.artist));
        let top: Vec<_> = reply.tracks.iter().take(3).map(|t| (&t.title, &t.album, &t.artist, t.score)).collect();
        let line = serde_json::json!({"kind": q.kind, "query": q.query, "target": target, "found": reply.tracks.len(), "top": top});
        out.push_str(&line.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))
}

/// Queries no anchor kind has but a listener can send: the broadest prefix,
/// many one-letter words, the longest query accepted.
fn worst_cases(index: &SearchIndex) {
    let long: Vec<String> = (0..10).map(|i| "abcdefghij".repeat(10).chars().skip(i).take(100).collect()).collect();
    let cases = [
        ("one letter", "e".to_string()),
        ("ten letters", "a b c d e f g h i j".into()),
        ("1 KB, 10 words", long.join(" ")),
    ];
    println!("search-box request in process, worst cases:");
    for (name, q) in cases {
        let req = SearchQuery { q, ..Default::default() };
        let mut times: Vec<f64> = (0..7)
            .map(|_| {
                let start = Instant::now();
                let _ = index.search(&req);
                start.elapsed().as_secs_f64() * 1e6
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("  {name:>16}: median {:.0} µs, max {:.0} µs", times[3], times[6]);
    }
}

fn report(
    local: &BTreeMap<&'static str, Figures>,
    wire: &BTreeMap<&'static str, Figures>,
    fts5: &std::collections::HashMap<String, AnchorFigures>,
) {
    println!();
    println!(
        "{:>7} | {:>6} {:>6} | {:>22} | {:>22} | {:>22} | {:>9}",
        "kind", "hit@10", "FTS5", "search in-process µs", "search via NATS µs", "FTS5 µs", "p99 ratio"
    );
    println!(
        "{:>7} | {:>6} {:>6} | {:>22} | {:>22} | {:>22} | {:>9}",
        "", "search", "", "p50 / p95 / p99", "p50 / p95 / p99", "p50 / p95 / p99", "FTS5/in-p"
    );
    for kind in KINDS {
        let (l, w, f) = (
            local.get(kind).cloned().unwrap_or_default(),
            wire.get(kind).cloned().unwrap_or_default(),
            fts5.get(kind).cloned().unwrap_or_default(),
        );
        let trio = |a: f64, b: f64, c: f64| format!("{a:.0} / {b:.0} / {c:.0}");
        println!(
            "{:>7} | {:>6.3} {:>6.3} | {:>22} | {:>22} | {:>22} | {:>9.1}",
            kind,
            l.hit_at_10(),
            f.hit_at_10,
            trio(l.p(0.5), l.p(0.95), l.p(0.99)),
            trio(w.p(0.5), w.p(0.95), w.p(0.99)),
            trio(f.p50_us, f.p95_us, f.p99_us),
            f.p99_us / l.p(0.99).max(1.0),
        );
        if (w.hit_at_10() - l.hit_at_10()).abs() > 1e-9 {
            println!("{:>7}   (via NATS hit@10 {:.3})", "", w.hit_at_10());
        }
    }
    let get = |m: &BTreeMap<&'static str, Figures>, k: &str| m.get(k).cloned().unwrap_or_default();
    let f = |k: &str| fts5.get(k).cloned().unwrap_or_default();
    let checks = [
        ("hit@10 one typo >= 0.90", get(local, "typo").hit_at_10() >= 0.90),
        ("hit@10 no diacritics >= 0.99", get(local, "nodiac").hit_at_10() >= 0.99),
        ("hit@10 exact >= FTS5's", get(local, "exact").hit_at_10() >= f("exact").hit_at_10),
        ("hit@10 prefix >= FTS5's", get(local, "prefix").hit_at_10() >= f("prefix").hit_at_10),
        ("p99 via NATS <= 5 ms", get(wire, "all").p(0.99) <= 5000.0),
        ("p99 in process <= FTS5's / 10", get(local, "all").p(0.99) <= f("all").p99_us / 10.0),
    ];
    println!();
    for (name, ok) in checks {
        println!("  {} {name}", if ok { "PASS" } else { "FAIL" });
    }
}
