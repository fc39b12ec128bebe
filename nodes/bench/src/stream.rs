//! The stream benchmark: sustained chunk throughput for concurrent listeners
//! through the stream service, against reading the same objects straight
//! from the object store in the same run; time to first chunk.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chorus_host::host::RunningHost;
use chorus_nats::messages::auth::{Login, Register, User};
use chorus_nats::messages::catalog::{Track, TrackList, TrackPage, AUDIO_STORE};
use chorus_nats::messages::stream::{ChunkGet, SessionOpen};
use chorus_nats::ChorusClient;
use chorus_state::ObjectReader;
use chorus_testkit::{host_config, NatsServer};
use hdrhistogram::Histogram;

use crate::load::histogram;

#[derive(clap::Args)]
pub(crate) struct Options {
    /// Concurrent listeners.
    #[arg(long, default_value_t = 50)]
    listeners: usize,
    /// Seconds measured per side.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Audio to import (the demo music by default).
    #[arg(long, default_value = ".tools/demo/immich_memories_music/tracks")]
    music: PathBuf,
}

/// What one side moved.
pub(crate) struct Moved {
    bytes: u64,
    files: u64,
    elapsed: Duration,
    first_chunk_us: Histogram<u64>,
}

impl Moved {
    pub(crate) fn mib_s(&self) -> f64 {
        self.bytes as f64 / 1048576.0 / self.elapsed.as_secs_f64()
    }

    /// One line of a round: throughput, files, and the latency `first` names.
    pub(crate) fn print(&self, round: usize, side: &str, first: &str) {
        println!(
            "  round {} {side}  {:>7.1} MiB/s  {:>5} files  {first} p50 {:>6} µs  p99 {:>6} µs",
            round + 1,
            self.mib_s(),
            self.files,
            self.first_chunk_us.value_at_quantile(0.5),
            self.first_chunk_us.value_at_quantile(0.99)
        );
    }
}

pub(crate) async fn run(o: Options) -> anyhow::Result<()> {
    println!("stream benchmark: {} listeners (release build: {})", o.listeners, !cfg!(debug_assertions));
    let server = NatsServer::start()?;
    let mut config = host_config(&server.url(), &["auth", "catalog", "stream"]);
    config.log_level = "warn".into();
    let keys = chorus_auth::keys::SigningKeys::generate();
    let admin_password = "bench admin password";
    config.sections.insert(
        "auth".into(),
        serde_json::json!({"signing_keys": keys, "bootstrap_admin": {"username": "admin", "email": "a@chorus.test", "password": admin_password}}),
    );
    config.sections.insert("catalog".into(), serde_json::json!({"allow_writes": true}));
    config.sections.insert("stream".into(), serde_json::json!({"free_full_plays_per_day": 1_000_000}));
    let host = RunningHost::start(config, &chorus_nodes::registry()).await?;
    let nats = server.connect().await?;
    let client = ChorusClient::new(nats.clone()).with_timeout(Duration::from_secs(30));
    let login = |username: &str, password: &str| {
        let (client, req) = (client.clone(), Login { username: username.into(), password: password.into() });
        async move { client.call(&req).await }
    };
    let admin = client.clone().with_token(login("admin", admin_password).await?.access_token);
    let report = chorus_nodes::import::run(&admin, &o.music, "Bench", false).await.context("importing the audio")?;
    // Every listener is a user of their own, as in life (each opens its own sessions).
    let mut listeners = Vec::new();
    for i in 0..o.listeners {
        listeners.push(listener(&client, i).await?.1);
    }
    let listener = listeners[0].clone();
    let page: TrackPage = listener.call(&TrackList { limit: Some(500), ..Default::default() }).await?;
    let tracks: Arc<Vec<Track>> = Arc::new(page.tracks.into_iter().filter(|t| t.audio_object.is_some()).collect());
    let total: u64 = tracks.iter().map(|t| t.file_size).sum();
    println!("imported {} files ({:.1} MiB)", report.created + report.existing, total as f64 / 1048576.0);

    let measure = Duration::from_secs_f64(o.seconds);
    let store = ObjectReader::open(&async_nats::jetstream::new(nats.clone()), AUDIO_STORE, "Chorus audio", 1).await?;
    // Alternate, so that machine noise hits both sides alike.
    let mut direct = Vec::new();
    let mut proxied = Vec::new();
    for round in 0..2 {
        let d = direct_reads(&store, &tracks, o.listeners, measure).await;
        d.print(round, "direct object-store reads ", "whole file");
        let p = stream_reads(&listeners, &tracks, measure).await;
        p.print(round, "through the stream service", "first chunk");
        direct.push(d);
        proxied.push(p);
    }
    let rate = |v: &[Moved]| v.iter().map(Moved::mib_s).sum::<f64>() / v.len() as f64;
    println!(
        "stream / direct throughput with {} listeners: {:.2}   (target >= 0.70)",
        o.listeners,
        rate(&proxied) / rate(&direct)
    );
    host.drain().await?;
    Ok(())
}

/// Listener `i`: a user of their own, registered and signed in; their name and client.
pub(crate) async fn listener(client: &ChorusClient, i: usize) -> anyhow::Result<(String, ChorusClient)> {
    let (username, password) = (format!("listener{i}"), "a listening password".to_string());
    let register =
        Register { username: username.clone(), email: format!("{username}@chorus.test"), password: password.clone() };
    let _: User = client.call(&register).await?;
    let session = client.call(&Login { username: username.clone(), password }).await?;
    Ok((username, client.clone().with_token(session.access_token)))
}

/// `n` readers for `measure`, reader `i` taking tracks `i`, `i + n`, ... in
/// turn; `read` moves one file and returns its bytes and when its first
/// bytes arrived, or `None` when it failed (and said why).
pub(crate) async fn readers<F, Fut>(n: usize, tracks: &Arc<Vec<Track>>, measure: Duration, read: F) -> Moved
where
    F: Fn(usize, Track) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Option<(u64, Duration)>> + Send,
{
    let until = Instant::now() + measure;
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (read, tracks) = (read.clone(), tracks.clone());
            tokio::spawn(async move {
                let (mut bytes, mut files, mut h) = (0u64, 0u64, histogram());
                let mut k = i;
                while Instant::now() < until {
                    let t = tracks[k % tracks.len()].clone();
                    k += n;
                    if let Some((b, first)) = read(i, t).await {
                        let _ = h.record(first.as_micros().max(1) as u64);
                        bytes += b;
                        files += 1;
                    }
                }
                (bytes, files, h)
            })
        })
        .collect();
    collect(tasks, measure).await
}

/// Readers straight from the object store (direct gets of its chunks, the
/// fastest way there is). "First bytes" is the whole file here: an object
/// read has no partial answer.
async fn direct_reads(store: &ObjectReader, tracks: &Arc<Vec<Track>>, n: usize, measure: Duration) -> Moved {
    let store = store.clone();
    readers(n, tracks, measure, move |_, t| {
        let store = store.clone();
        async move {
            let started = Instant::now();
            match store.read(t.audio_object.as_deref().unwrap_or_default()).await {
                Ok(data) => Some((data.len() as u64, started.elapsed())),
                Err(e) => {
                    eprintln!("direct read: {e:#}");
                    None
                }
            }
        }
    })
    .await
}

/// Listeners, each opening a session and fetching every chunk in order.
pub(crate) async fn stream_reads(listeners: &[ChorusClient], tracks: &Arc<Vec<Track>>, measure: Duration) -> Moved {
    let listeners: Arc<Vec<ChorusClient>> = Arc::new(listeners.to_vec());
    readers(listeners.len(), tracks, measure, move |i, t| {
        let client = listeners[i].clone();
        async move {
            let started = Instant::now();
            let open = SessionOpen { track_id: t.id, source: "bench".into(), client: "bench".into() };
            let s = match client.call(&open).await {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("open: {e}");
                    return None;
                }
            };
            let (mut bytes, mut first) = (0u64, Duration::ZERO);
            for index in 0..s.chunks_allowed {
                let req = ChunkGet { session_id: s.session_id, index };
                match client.call(&req).await {
                    Ok(c) => bytes += c.data.len() as u64,
                    Err(e) => {
                        eprintln!("chunk: {e}");
                        break;
                    }
                }
                if index == 0 {
                    first = started.elapsed();
                }
            }
            Some((bytes, first))
        }
    })
    .await
}

async fn collect(tasks: Vec<tokio::task::JoinHandle<(u64, u64, Histogram<u64>)>>, measure: Duration) -> Moved {
    let started = Instant::now();
    let mut moved = Moved { bytes: 0, files: 0, elapsed: measure, first_chunk_us: histogram() };
    for t in tasks {
        if let Ok((b, f, h)) = t.await {
            moved.bytes += b;
            moved.files += f;
            let _ = moved.first_chunk_us.add(h);
        }
    }
    // Readers finish the file they were on: count the time they took.
    moved.elapsed = started.elapsed().max(measure);
    moved
}
