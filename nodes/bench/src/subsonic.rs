//! The Subsonic gateway's benchmark: a whole-library `search3` sync (the
//! empty query Symfonium pages with), `getAlbumList2` latency, and `stream`
//! for many HTTP clients against the stream service's NATS path in the same
//! run (alternating rounds, as the stream benchmark does).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chorus_host::host::RunningHost;
use chorus_nats::messages::auth::{AppPasswordCreate, AppPasswordCreated, Login};
use chorus_nats::messages::catalog::{Track, TrackList, TrackPage};
use chorus_nats::ChorusClient;
use chorus_testkit::http::{free_addr, request};
use chorus_testkit::{host_config, NatsServer};

use crate::load::closed_loop;
use crate::stream::{listener, readers, stream_reads, Moved};

#[derive(clap::Args)]
pub(crate) struct Options {
    /// Synthetic tracks beside the imported audio.
    #[arg(long, default_value_t = 100_000)]
    tracks: usize,
    /// Concurrent streaming clients (each a listener with an app password of their own).
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// `getAlbumList2` requests in flight.
    #[arg(long, default_value_t = 16)]
    in_flight: usize,
    /// Seconds measured per side and per figure.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Audio to import (the demo music by default).
    #[arg(long, default_value = ".tools/demo/immich_memories_music/tracks")]
    music: PathBuf,
}

/// An app's credentials, as query parameters.
#[derive(Clone)]
struct App {
    addr: SocketAddr,
    query: String,
}

impl App {
    async fn get(&self, endpoint: &str, params: &str) -> std::io::Result<chorus_testkit::http::Response> {
        let path = format!("/rest/{endpoint}?{}&{params}", self.query);
        request(self.addr, "GET", &path, &[], b"").await
    }
}

pub(crate) async fn run(o: Options) -> anyhow::Result<()> {
    println!(
        "subsonic benchmark: {} tracks, {} streaming clients (release build: {})",
        o.tracks,
        o.clients,
        !cfg!(debug_assertions)
    );
    let server = NatsServer::start()?;
    let nats = server.connect().await?;
    // The catalog first, so the instances start on it caught up.
    let started = Instant::now();
    chorus_nodes::seed::run(nats.clone(), o.tracks, 7, 1).await?;
    println!("seeded {} tracks in {:.1} s", o.tracks, started.elapsed().as_secs_f64());
    let addr = free_addr();
    let mut config = host_config(&server.url(), &["auth", "catalog", "stream", "profile", "subsonic"]);
    config.log_level = "warn".into();
    let admin_password = "bench admin password";
    config.sections.insert(
        "auth".into(),
        serde_json::json!({"signing_keys": chorus_auth::keys::SigningKeys::generate(),
            "bootstrap_admin": {"username": "admin", "email": "a@chorus.test", "password": admin_password}}),
    );
    config.sections.insert("catalog".into(), serde_json::json!({"allow_writes": true}));
    config.sections.insert("stream".into(), serde_json::json!({"free_full_plays_per_day": 1_000_000}));
    config.sections.insert("subsonic".into(), serde_json::json!({"listen": addr.to_string()}));
    let started = Instant::now();
    let host = RunningHost::start(config, &chorus_nodes::registry()).await?;
    println!("node ready in {:.1} s (gateway on http://{addr}/rest)", started.elapsed().as_secs_f64());
    let client = ChorusClient::new(nats.clone()).with_timeout(Duration::from_secs(30));
    let login = |username: &str, password: &str| {
        let (client, req) = (client.clone(), Login { username: username.into(), password: password.into() });
        async move { client.call(&req).await }
    };
    let admin = client.clone().with_token(login("admin", admin_password).await?.access_token);
    let imported = chorus_nodes::import::run(&admin, &o.music, "Bench", false).await.context("importing the audio")?;
    let tracks_imported = imported.created + imported.existing;

    // Listeners: each a user with a NATS session (the stream path) and an app password (the gateway).
    let (mut listeners, mut apps) = (Vec::new(), Vec::new());
    for i in 0..o.clients {
        let (username, listener) = listener(&client, i).await?;
        let made: AppPasswordCreated = listener.call(&AppPasswordCreate { name: "bench".into() }).await?;
        apps.push(App { addr, query: format!("u={username}&p={}&v=1.16.1&c=bench&f=json", made.password) });
        listeners.push(listener);
    }
    let app = apps[0].clone();

    // 1. search3 with the empty query, 500 a page, until a short page.
    let started = Instant::now();
    let (mut offset, mut pages, mut seen) = (0usize, 0usize, std::collections::HashSet::new());
    loop {
        let r =
            app.get("search3", &format!("query=&artistCount=0&albumCount=0&songCount=500&songOffset={offset}")).await?;
        anyhow::ensure!(r.status == 200, "search3: HTTP {}", r.status);
        let body = r.json();
        let songs = body["subsonic-response"]["searchResult3"]["song"].as_array().cloned().unwrap_or_default();
        pages += 1;
        for s in &songs {
            seen.insert(s["id"].as_str().unwrap_or_default().to_string());
        }
        offset += songs.len();
        if songs.len() < 500 {
            break;
        }
    }
    let took = started.elapsed().as_secs_f64();
    println!(
        "search3 full sync: {offset} tracks ({} distinct; {} seeded and imported) in {pages} pages, {took:.1} s: {:.1} pages/s, {:.0} tracks/s",
        seen.len(),
        o.tracks + tracks_imported,
        pages as f64 / took,
        offset as f64 / took,
    );

    // 2. getAlbumList2 (newest, 50 a page, at offsets across the library).
    let measure = Duration::from_secs_f64(o.seconds);
    let lists = {
        let app = app.clone();
        closed_loop(o.in_flight, Duration::from_millis(300), measure, move |i| {
            let app = app.clone();
            async move {
                let offset = (i * 50) % 10_000;
                matches!(app.get("getAlbumList2", &format!("type=newest&size=50&offset={offset}")).await, Ok(r) if r.status == 200)
            }
        })
        .await
    };
    println!(
        "getAlbumList2 (newest, 50), {} in flight: {:.0} req/s, p50 {:.0} µs, p99 {:.0} µs, {} failed",
        o.in_flight,
        lists.rate(),
        lists.p(0.5),
        lists.p(0.99),
        lists.errors
    );

    // 3. stream: whole files over HTTP against the stream service's NATS path, alternating.
    // The tracks with audio: the imported ones, wherever the catalog's order puts them.
    let (mut with_audio, mut cursor) = (Vec::new(), None);
    loop {
        let page: TrackPage = admin.call(&TrackList { limit: Some(500), cursor, ..Default::default() }).await?;
        with_audio.extend(page.tracks.into_iter().filter(|t| t.audio_object.is_some()));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    anyhow::ensure!(!with_audio.is_empty(), "no track has audio: was the music imported?");
    let tracks: Arc<Vec<Track>> = Arc::new(with_audio);
    let (mut http, mut nats_path) = (Vec::new(), Vec::new());
    for round in 0..2 {
        let h = http_reads(&apps, &tracks, measure).await;
        h.print(round, "through the gateway (HTTP)  ", "whole file ");
        let n = stream_reads(&listeners, &tracks, measure).await;
        n.print(round, "through the stream service  ", "first chunk");
        http.push(h);
        nats_path.push(n);
    }
    let rate = |v: &[Moved]| v.iter().map(Moved::mib_s).sum::<f64>() / v.len() as f64;
    println!("stream over HTTP / over NATS with {} clients: {:.2}", o.clients, rate(&http) / rate(&nats_path));
    host.drain().await?;
    Ok(())
}

/// Clients fetching whole tracks with `stream`, one request each.
async fn http_reads(apps: &[App], tracks: &Arc<Vec<Track>>, measure: Duration) -> Moved {
    let apps: Arc<Vec<App>> = Arc::new(apps.to_vec());
    readers(apps.len(), tracks, measure, move |i, t| {
        let app = apps[i].clone();
        async move {
            let started = Instant::now();
            match app.get("stream", &format!("id={}", t.id)).await {
                Ok(r) if r.status == 200 => Some((r.body.len() as u64, started.elapsed())),
                Ok(r) => {
                    eprintln!("stream: HTTP {}: {}", r.status, r.text().chars().take(200).collect::<String>());
                    None
                }
                Err(e) => {
                    eprintln!("stream: {e}");
                    None
                }
            }
        }
    })
    .await
}
