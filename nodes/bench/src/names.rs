//! The names benchmark: search on real-world name shapes.
//!
//! A hand-made catalog (`nodes/bench/data/names/catalog.json`: artists, their
//! albums, their tracks) and a query set (`queries.json`: what a listener
//! types, the artist, album or track meant, and the shape of the difference:
//! `and` for "&" against "and", `symbols`, `transposition`, `short_typo`,
//! `exact`) are loaded into the catalog's record on a real nats-server,
//! together with `--noise` synthetic tracks (their albums and artists) as
//! distractors. A search instance started through the host answers every
//! query through NATS, asking three hits of the target's kind; a hit is the
//! target among them. It prints hit@3 and latency per shape, and with
//! `--misses` what came first instead. The figures are figures: the exit code
//! is 0 whatever they are, but a target the catalog lacks is an error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chorus_catalog::records::Kind;
use chorus_host::host::RunningHost;
use chorus_nats::messages::catalog::{Album, Artist, ArtistCredit, Track};
use chorus_nats::messages::search::{Hit, SearchKind, SearchQuery, SearchReply};
use chorus_nats::ChorusClient;
use chorus_testkit::{host_config, NatsServer};
use serde::Deserialize;
use uuid::Uuid;

#[derive(clap::Args)]
pub(crate) struct Options {
    /// The catalog (relative paths from the working directory: run from the repository root).
    #[arg(long, default_value = "nodes/bench/data/names/catalog.json")]
    catalog: PathBuf,
    /// The queries.
    #[arg(long, default_value = "nodes/bench/data/names/queries.json")]
    queries: PathBuf,
    /// Synthetic tracks loaded besides the catalog, as distractors.
    #[arg(long, default_value_t = 20_000)]
    noise: usize,
    /// Print every miss: the query, its target and the first three hits.
    #[arg(long)]
    misses: bool,
}

/// Hits asked per query, and the rank a target must reach.
const TOP: usize = 3;

/// The seed of the synthetic distractors.
const NOISE_SEED: u64 = 20_240_601;

/// `catalog.json`.
#[derive(Debug, Deserialize)]
struct CatalogFile {
    artists: Vec<ArtistEntry>,
}

#[derive(Debug, Deserialize)]
struct ArtistEntry {
    name: String,
    #[serde(default)]
    albums: Vec<AlbumEntry>,
}

#[derive(Debug, Deserialize)]
struct AlbumEntry {
    title: String,
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    tracks: Vec<String>,
}

/// What a query is after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TargetKind {
    Artist,
    Album,
    Track,
}

impl TargetKind {
    fn search_kind(self) -> SearchKind {
        match self {
            TargetKind::Artist => SearchKind::Artists,
            TargetKind::Album => SearchKind::Albums,
            TargetKind::Track => SearchKind::Tracks,
        }
    }

    /// The list of `reply` this kind's hits are in.
    fn hits(self, reply: &SearchReply) -> &[Hit] {
        match self {
            TargetKind::Artist => &reply.artists,
            TargetKind::Album => &reply.albums,
            TargetKind::Track => &reply.tracks,
        }
    }

    fn name(self) -> &'static str {
        match self {
            TargetKind::Artist => "artist",
            TargetKind::Album => "album",
            TargetKind::Track => "track",
        }
    }
}

/// One entry of `queries.json`.
#[derive(Debug, Clone, Deserialize)]
struct NameQuery {
    q: String,
    kind: TargetKind,
    /// The exact name or title of the entity meant.
    target: String,
    shape: String,
}

/// The catalog as catalog records, and the ids of every name per kind (a
/// title two tracks share names both: either counts as the target).
#[derive(Default)]
struct Records {
    artists: Vec<Artist>,
    albums: Vec<Album>,
    tracks: Vec<Track>,
    ids: HashMap<(TargetKind, String), Vec<Uuid>>,
}

/// The outcome of one query.
struct Outcome {
    hit: bool,
    latency_us: f64,
    top: Vec<String>,
}

/// Hits and latencies of a group of queries.
#[derive(Default)]
struct Figures {
    queries: usize,
    hits: usize,
    latencies_us: Vec<f64>,
}

impl Figures {
    fn add(&mut self, outcome: &Outcome) {
        self.queries += 1;
        self.hits += usize::from(outcome.hit);
        self.latencies_us.push(outcome.latency_us);
    }

    fn hit_rate(&self) -> f64 {
        self.hits as f64 / self.queries.max(1) as f64
    }

    /// The nearest-rank percentile `q` (0 to 1) of the latencies, in µs.
    fn p(&self, q: f64) -> f64 {
        let mut v = self.latencies_us.clone();
        v.sort_by(f64::total_cmp);
        let rank = ((v.len() as f64 * q).ceil() as usize).clamp(1, v.len().max(1));
        v.get(rank - 1).copied().unwrap_or(0.0)
    }
}

pub(crate) async fn run(o: Options) -> anyhow::Result<()> {
    let file: CatalogFile = read_json(&o.catalog)?;
    let queries: Vec<NameQuery> = read_json(&o.queries)?;
    let records = records(&file);
    let targets = resolve(&queries, &records)?;
    println!(
        "names benchmark: {} artists, {} albums, {} tracks, {} queries, {} noise tracks (release build: {})",
        records.artists.len(),
        records.albums.len(),
        records.tracks.len(),
        queries.len(),
        o.noise,
        !cfg!(debug_assertions)
    );

    let server = NatsServer::start()?;
    let nats = server.connect().await?;
    let js = async_nats::jetstream::new(nats.clone());
    let catalog = chorus_catalog::open_records(&js, 1).await?;
    let t = Instant::now();
    let written = load(&catalog, &records, o.noise).await?;
    println!("loaded {written} catalog records into JetStream KV in {:.1} s", t.elapsed().as_secs_f64());

    let mut config = host_config(&server.url(), &["search"]);
    config.log_level = "warn".into();
    let started = Instant::now();
    let host = RunningHost::start(config, &chorus_nodes::registry()).await?;
    println!("search instance ready (caught up, registered) in {:.2} s", started.elapsed().as_secs_f64());

    let client = ChorusClient::new(server.connect().await?).with_timeout(Duration::from_secs(5));
    // A warm-up pass, then the measured one.
    for q in &queries {
        let _ = client.call(&request(q)).await;
    }
    let mut outcomes = Vec::with_capacity(queries.len());
    for (q, ids) in queries.iter().zip(&targets) {
        outcomes.push(ask(&client, q, ids).await?);
    }
    host.drain().await?;

    report(&queries, &outcomes);
    if o.misses {
        print_misses(&queries, &outcomes);
    }
    Ok(())
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// A deterministic id: `kind` in the high half, a counter in the low one.
fn id(kind: TargetKind, n: usize) -> Uuid {
    // "names" and the kind, so no other bench's ids collide.
    let high = 0x6e61_6d65_7300_0000 | kind as u64;
    Uuid::from_u64_pair(high, n as u64)
}

/// The catalog file as records: each album by its artist, each track on its
/// album and credited to its artist, numbered in file order.
fn records(file: &CatalogFile) -> Records {
    let mut out = Records::default();
    for entry in &file.artists {
        let artist = Artist {
            id: id(TargetKind::Artist, out.artists.len()),
            name: entry.name.clone(),
            sort_name: String::new(),
            mbid: None,
            image: None,
            added_at: 0,
            revision: 0,
        };
        let credit = ArtistCredit { id: artist.id, name: artist.name.clone() };
        out.remember(TargetKind::Artist, &artist.name, artist.id);
        out.artists.push(artist);
        for a in &entry.albums {
            let album = Album {
                id: id(TargetKind::Album, out.albums.len()),
                title: a.title.clone(),
                artist: Some(credit.clone()),
                year: a.year,
                ..Default::default()
            };
            for (number, title) in (1..).zip(&a.tracks) {
                let track_id = id(TargetKind::Track, out.tracks.len());
                let track = chorus_catalog::synthetic::track_on(track_id, title, &credit, &album, number);
                out.remember(TargetKind::Track, title, track_id);
                out.tracks.push(track);
            }
            out.remember(TargetKind::Album, &album.title, album.id);
            out.albums.push(album);
        }
    }
    out
}

impl Records {
    fn remember(&mut self, kind: TargetKind, name: &str, id: Uuid) {
        self.ids.entry((kind, name.to_string())).or_default().push(id);
    }
}

/// The ids each query's target may have; an error naming every target the catalog lacks.
fn resolve(queries: &[NameQuery], records: &Records) -> anyhow::Result<Vec<Vec<Uuid>>> {
    let mut missing = Vec::new();
    let mut out = Vec::with_capacity(queries.len());
    for q in queries {
        match records.ids.get(&(q.kind, q.target.clone())) {
            Some(ids) => out.push(ids.clone()),
            None => missing.push(format!("{} {:?} (query {:?})", q.kind.name(), q.target, q.q)),
        }
    }
    anyhow::ensure!(
        missing.is_empty(),
        "{} target(s) of the queries are not in the catalog:\n  {}",
        missing.len(),
        missing.join("\n  ")
    );
    Ok(out)
}

/// Write the catalog and `noise` synthetic tracks (with their albums and
/// artists) to the catalog record; how many records were written.
async fn load(catalog: &chorus_state::Records, records: &Records, noise: usize) -> anyhow::Result<usize> {
    let noise = chorus_catalog::synthetic::generate(noise, NOISE_SEED);
    let artists = records.artists.iter().chain(&noise.artists);
    let albums = records.albums.iter().chain(&noise.albums);
    let tracks = records.tracks.iter().chain(&noise.tracks);
    let mut written = 0;
    written += chorus_nodes::seed::create_all(catalog, Kind::Artist, artists.map(|a| (a.id, a))).await?;
    written += chorus_nodes::seed::create_all(catalog, Kind::Album, albums.map(|a| (a.id, a))).await?;
    written += chorus_nodes::seed::create_all(catalog, Kind::Track, tracks.map(|t| (t.id, t))).await?;
    Ok(written)
}

/// What the benchmark asks: the first [`TOP`] hits of the target's kind.
fn request(q: &NameQuery) -> SearchQuery {
    SearchQuery {
        q: q.q.clone(),
        limit: Some(TOP as u32),
        kinds: Some(vec![q.kind.search_kind()]),
        ..Default::default()
    }
}

/// Send one query through NATS and judge its reply against the target's ids.
async fn ask(client: &ChorusClient, q: &NameQuery, ids: &[Uuid]) -> anyhow::Result<Outcome> {
    let start = Instant::now();
    let reply = client.call(&request(q)).await.with_context(|| format!("searching {:?}", q.q))?;
    let latency_us = start.elapsed().as_secs_f64() * 1e6;
    let hits = q.kind.hits(&reply);
    let first = &hits[..hits.len().min(TOP)];
    Ok(Outcome {
        hit: first.iter().any(|h| ids.contains(&h.id)),
        latency_us,
        top: first.iter().map(describe).collect(),
    })
}

/// A hit as a listener would read it: its title, and the artist when there is one.
fn describe(hit: &Hit) -> String {
    match &hit.artist {
        Some(artist) => format!("{} ({artist})", hit.title),
        None => hit.title.clone(),
    }
}

/// The shapes in the order queries.json first names them, with their figures.
fn by_shape<'a>(queries: &'a [NameQuery], outcomes: &[Outcome]) -> Vec<(&'a str, Figures)> {
    let mut shapes: Vec<(&str, Figures)> = Vec::new();
    for (q, outcome) in queries.iter().zip(outcomes) {
        let at = match shapes.iter().position(|(s, _)| *s == q.shape) {
            Some(at) => at,
            None => {
                shapes.push((&q.shape, Figures::default()));
                shapes.len() - 1
            }
        };
        shapes[at].1.add(outcome);
    }
    shapes
}

fn report(queries: &[NameQuery], outcomes: &[Outcome]) {
    let mut all = Figures::default();
    outcomes.iter().for_each(|o| all.add(o));
    println!();
    println!("{:>14} | {:>7} | {:>4} | {:>6} | {:>17}", "shape", "queries", "hits", "hit@3", "via NATS µs");
    println!("{:>14} | {:>7} | {:>4} | {:>6} | {:>17}", "", "", "", "", "p50 / p99");
    let row = |shape: &str, f: &Figures| {
        let latency = format!("{:.0} / {:.0}", f.p(0.5), f.p(0.99));
        println!("{shape:>14} | {:>7} | {:>4} | {:>6.3} | {latency:>17}", f.queries, f.hits, f.hit_rate());
    };
    for (shape, f) in by_shape(queries, outcomes) {
        row(shape, &f);
    }
    row("overall", &all);
}

fn print_misses(queries: &[NameQuery], outcomes: &[Outcome]) {
    let misses: Vec<_> = queries.iter().zip(outcomes).filter(|(_, o)| !o.hit).collect();
    println!("\n{} misses:", misses.len());
    for (q, o) in misses {
        let top = if o.top.is_empty() { "nothing".to_string() } else { o.top.join(" | ") };
        println!("  [{}] {:?} -> {} {:?}; got: {top}", q.shape, q.q, q.kind.name(), q.target);
    }
}
