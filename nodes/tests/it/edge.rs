//! An edge site as `nats/conf/edge` builds it: a hub and a site nats-server,
//! each in its own JetStream domain, the site joined as a leaf node; a hub
//! node with the listener services, and a site node with catalog, search
//! and stream whose views are built from the site's mirrors of the hub's
//! catalog record, trust bucket and audio. The test imports at the hub,
//! finds and plays at the site, cuts the uplink (the hub server dies) and
//! finds and plays at the site again, then restores it. It prints the time
//! each step took.

use std::time::{Duration, Instant};

use chorus_host::host::RunningHost;
use chorus_nats::messages::catalog::{TrackGet, TrackList, TrackPage};
use chorus_nats::messages::search::SearchQuery;
use chorus_nats::messages::stream::{ChunkGet, SessionOpen};
use chorus_nats::ChorusClient;
use chorus_testkit::{host_config, NatsServer};

use crate::support::auth::{auth_section, callout_section, key, login, password, register, ADMIN};

async fn node(server: &NatsServer, services: &[&str], edit: impl FnOnce(&mut chorus_host::Config)) -> RunningHost {
    let mut config = host_config(&server.url(), services);
    config.nats_user = Some("service".into());
    config.nats_password = Some("service-test".into());
    edit(&mut config);
    // Boxed: a node's start is a large future, and the test's own is larger.
    match Box::pin(RunningHost::start(config, &chorus_nodes::registry())).await {
        Ok(h) => h,
        Err(e) => panic!("a node on {}: {e:#}", server.url()),
    }
}

/// Poll `f` until it gives `Some`, for at most `within`; how long it took.
pub(crate) async fn until<T, F, Fut>(what: &str, within: Duration, mut f: F) -> (T, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return (v, start.elapsed());
        }
        assert!(start.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Open a session for `track` and read every chunk: the bytes played.
async fn play(c: &ChorusClient, track: uuid::Uuid) -> Result<usize, String> {
    let s = c
        .call(&SessionOpen { track_id: track, source: "edge".into(), client: "test".into() })
        .await
        .map_err(|e| format!("session.open: {e}"))?;
    let mut bytes = 0;
    for index in 0..s.chunks_allowed.min(s.chunk_count) {
        let chunk =
            c.call(&ChunkGet { session_id: s.session_id, index }).await.map_err(|e| format!("chunk {index}: {e}"))?;
        bytes += chunk.data.len();
    }
    Ok(bytes)
}

/// The site's node: catalog, search, stream and recommend from the site's
/// mirrors, and the browser gate, checking the uplink often (a test cannot
/// wait five seconds a check).
async fn start_site_node(server: &NatsServer) -> RunningHost {
    node(server, &["catalog", "search", "stream", "recommend", "callout"], |c| {
        c.hub_domain = Some("hub".into());
        c.uplink_check_ms = 300;
        c.sections.insert("auth".into(), serde_json::json!({ "callout": callout_section() }));
    })
    .await
}

/// Wait for the site node's metrics to say the uplink is `up` (1) or not (0).
async fn uplink_is(site: &RunningHost, up: u8) -> Duration {
    let line = format!("chorus_uplink_up{{hub=\"hub\"}} {up}");
    let (_, took) = until("the uplink's state", Duration::from_secs(30), || async {
        site.metrics_text().await.lines().any(|l| l == line).then_some(())
    })
    .await;
    took
}

/// A listener's token for `user` expiring at `exp` (Unix seconds).
fn token(issuer: &chorus_testkit::TestIssuer, user: uuid::Uuid, exp: u64) -> String {
    use chorus_nats::messages::auth::{Claims, Plan, Role, ISSUER};
    issuer.sign(&Claims {
        iss: ISSUER.into(),
        sub: user,
        name: "edgy".into(),
        roles: vec![Role::Listener],
        plan: Plan::Free,
        sid: uuid::Uuid::now_v7(),
        iat: exp.saturating_sub(900),
        exp,
    })
}

fn now_s() -> u64 {
    chorus_nats::clock::now_ms() / 1000
}

/// A session for `track` played through; whether the play was recorded.
async fn play_through(c: &ChorusClient, track: uuid::Uuid) -> Result<bool, String> {
    use chorus_nats::messages::stream::Progress;
    let s = c
        .call(&SessionOpen { track_id: track, source: "edge".into(), client: "test".into() })
        .await
        .map_err(|e| format!("session.open: {e}"))?;
    let reply = c
        .call(&Progress { session_id: s.session_id, position_ms: s.duration_ms, ended: true })
        .await
        .map_err(|e| format!("session.progress: {e}"))?;
    Ok(reply.play_recorded)
}

/// Plays in the hub's `chorus_plays` (the only listener here is the test's).
async fn hub_plays(hub: &NatsServer) -> Option<u64> {
    let js = async_nats::jetstream::new(hub.connect_service().await.ok()?);
    let mut plays = js.get_stream(chorus_nats::records::profile::PLAYS).await.ok()?;
    Some(plays.info().await.ok()?.state.messages)
}

async fn found(c: &ChorusClient, title: &str) -> Option<uuid::Uuid> {
    let reply = c.call(&SearchQuery { q: title.to_string(), ..Default::default() }).await.ok()?;
    reply.tracks.iter().find(|h| h.title == title).map(|h| h.id)
}

#[test]
fn a_site_finds_and_plays_what_the_hub_imported_and_keeps_playing_when_the_uplink_is_cut() {
    // The scenario's future outgrows a test thread's 2 MiB stack in a debug
    // build: it runs on a thread of its own with room.
    let scenario = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            runtime.block_on(uplink_cut());
        })
        .unwrap();
    if let Err(panic) = scenario.join() {
        std::panic::resume_unwind(panic);
    }
}

async fn uplink_cut() {
    let chorus_testkit::edge::Edge { hub: mut hub_server, site: site_server } =
        chorus_testkit::edge::Edge::start().unwrap();
    let _hub_node =
        node(&hub_server, &["auth", "catalog", "profile", "stream", "payment", "search", "recommend"], |c| {
            c.sections.insert("auth".into(), auth_section(&key()));
            c.sections.insert("catalog".into(), serde_json::json!({"allow_writes": true}));
        })
        .await;

    // Imported at the hub.
    let started = Instant::now();
    let admin = ChorusClient::new(hub_server.connect_service().await.unwrap()).with_timeout(Duration::from_secs(20));
    let root = login(&admin, ADMIN.0, ADMIN.1).await.unwrap();
    let admin = admin.with_token(root.access_token);
    let music = tempfile::tempdir().unwrap();
    let calm = crate::support::demo_music().join("calm");
    let mut names: Vec<_> = std::fs::read_dir(&calm).unwrap().flatten().map(|e| e.path()).collect();
    names.sort();
    // Two tracks: one the listener plays, one a mix can offer.
    for name in &names[..2] {
        std::fs::copy(name, music.path().join(name.file_name().unwrap())).unwrap();
    }
    chorus_nodes::import::run(&admin, music.path(), "Edge", false).await.expect("import at the hub");
    let page: TrackPage = admin.call(&TrackList::default()).await.unwrap();
    let track = page.tracks[0].clone();
    let first_page: Vec<uuid::Uuid> = page.tracks.iter().map(|t| t.id).collect();
    println!("imported at the hub: {:.2} s", started.elapsed().as_secs_f64());

    // The site's node builds its views from the site's mirrors.
    let started = Instant::now();
    let site_node = start_site_node(&site_server).await;
    println!("site node ready (mirrors made, views built): {:.2} s", started.elapsed().as_secs_f64());

    // A listener at the site: registration and sign-in cross the leaf to the hub's auth.
    let listener = ChorusClient::new(site_server.connect_service().await.unwrap()).with_timeout(Duration::from_secs(5));
    let user = register(&listener, "edgy").await.expect("registering through the site").id;
    let session = login(&listener, "edgy", &password("edgy")).await.unwrap();
    let listener = listener.with_token(session.access_token);

    let (id, took) = until("searchable at the site", Duration::from_secs(30), || found(&listener, &track.title)).await;
    assert_eq!(id, track.id);
    println!("imported at the hub -> searchable at the site: {:.2} s", took.as_secs_f64());
    let (bytes, took) =
        until("playable at the site", Duration::from_secs(30), || async { play(&listener, track.id).await.ok() }).await;
    assert!(bytes > 0);
    println!("playable at the site ({bytes} bytes): {:.2} s", took.as_secs_f64());

    // A play at the site reaches the hub's history.
    assert!(play_through(&listener, track.id).await.unwrap(), "a play at the site");
    let (_, took) = until("the site's play at the hub", Duration::from_secs(30), || async {
        hub_plays(&hub_server).await.filter(|n| *n == 1)
    })
    .await;
    println!("a play at the site counted at the hub after {:.2} s", took.as_secs_f64());

    // Tokens the test signs, with a key published at the hub (the site
    // mirrors it): one that ends a few seconds after the cut, one already over.
    let issuer = chorus_testkit::TestIssuer::publish(&hub_server.connect_service().await.unwrap()).await.unwrap();
    let short_token = token(&issuer, user, now_s() + 4);
    let short = ChorusClient::new(site_server.connect_service().await.unwrap())
        .with_timeout(Duration::from_secs(5))
        .with_token(short_token.clone());
    let (_, took) =
        until("the test key at the site", Duration::from_secs(30), || async { play(&short, track.id).await.ok() })
            .await;
    println!("a key published at the hub trusted at the site: {:.2} s", took.as_secs_f64());
    let over_token = token(&issuer, user, now_s() - 1);
    let over = ChorusClient::new(site_server.connect_service().await.unwrap())
        .with_timeout(Duration::from_secs(5))
        .with_token(over_token.clone());

    // The uplink is cut: the hub's server dies.
    hub_server.kill();
    let started = Instant::now();
    let (id, took) =
        until("searchable with the uplink down", Duration::from_secs(30), || found(&listener, &track.title)).await;
    assert_eq!(id, track.id);
    println!("uplink down: search answered after {:.2} s", took.as_secs_f64());
    let got = listener.call(&TrackGet { id: track.id }).await.expect("track.get with the uplink down");
    assert_eq!(got.title, track.title);
    let bytes = play(&listener, track.id).await.expect("playing with the uplink down");
    assert!(bytes > 0);
    println!(
        "uplink down: browsed and played ({bytes} bytes) within {:.2} s of the cut",
        started.elapsed().as_secs_f64()
    );
    let took = uplink_is(&site_node, 0).await;
    println!("uplink down: the site node says so after {:.2} s", took.as_secs_f64());
    // Discovery says so too: every instance's metadata at a site carries its uplink.
    let service = site_server.connect_service().await.unwrap();
    let info = service.request("$SRV.INFO.catalog", "".into()).await.expect("$SRV.INFO at the site");
    let info: serde_json::Value = serde_json::from_slice(&info.payload).unwrap();
    let metadata = &info["metadata"];
    assert_eq!((metadata["hub_domain"].as_str(), metadata["uplink"].as_str()), (Some("hub"), Some("down")), "{info}");
    assert!(metadata["uplink_last_heard_s"].as_str().is_some_and(|s| s.parse::<u64>().is_ok()), "{info}");
    assert!(metadata["mirrors_behind"].as_str().is_some_and(|s| s.parse::<u64>().is_ok()), "{info}");

    // Past its expiry, the session valid at the cut lives on; one over before it does not.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let bytes = play(&short, track.id).await.expect("a session valid at the cut plays past its expiry");
    assert!(bytes > 0);
    let refused = play(&over, track.id).await.unwrap_err();
    assert!(refused.contains("token_expired"), "{refused}");

    // A browser at the site connects while the hub is away (the site's gate
    // lets it in) and its listener, signed in before the cut, searches and plays.
    let started = Instant::now();
    let page = crate::callout::page(&site_server, &crate::dev_conf::nonce())
        .await
        .expect("a page connecting at the site with the uplink down");
    let page = ChorusClient::new(page.nats).with_timeout(Duration::from_secs(5)).with_token(over_token);
    let refused = play(&page, track.id).await.unwrap_err();
    assert!(refused.contains("token_expired"), "a page's token over before the cut: {refused}");
    let page = page.with_token(short_token.clone());
    assert_eq!(found(&page, &track.title).await, Some(track.id), "a page's search at the site");
    let bytes = play(&page, track.id).await.expect("a page playing at the site with the uplink down");
    assert!(bytes > 0);
    println!(
        "uplink down: a browser connected at the site, searched and played ({bytes} bytes) in {:.2} s",
        started.elapsed().as_secs_f64()
    );

    // Recommendations at the site, from the mirrored models and plays.
    let mix = listener
        .call(&chorus_nats::messages::recommend::MixRequest { limit: Some(5), ..Default::default() })
        .await
        .expect("a mix with the uplink down");
    let radio = listener
        .call(&chorus_nats::messages::recommend::RadioStart {
            seed: chorus_nats::messages::recommend::RadioSeed::Track { id: track.id },
            adventurousness: None,
            limit: Some(5),
        })
        .await
        .expect("a radio with the uplink down");
    println!(
        "uplink down: a mix ({} tracks) and a radio ({} tracks) from the site",
        mix.tracks.len(),
        radio.tracks.len()
    );

    // An edit of what only the hub keeps is refused with a code, not left unanswered.
    let edit = chorus_nats::messages::profile::PlaylistCreate {
        name: "offline".into(),
        description: String::new(),
        public: false,
        tracks: vec![track.id],
    };
    let (refused, took) = until("a refused edit", Duration::from_secs(10), || async {
        match listener.call(&edit).await {
            Err(e) if e.code() == Some("hub_unreachable") => Some(e),
            _ => None,
        }
    })
    .await;
    assert_eq!(refused.status(), Some(chorus_nats::Status::Unavailable), "{refused}");
    println!("uplink down: a playlist edit refused with 503 hub_unreachable ({:.2} s)", took.as_secs_f64());
    let login = login(&listener, "edgy", &password("edgy")).await.unwrap_err();
    assert_eq!(login.code(), Some("hub_unreachable"), "{login}");

    // 100 plays while the hub is away: 50 now, 50 after the site node restarts.
    let plays_started = Instant::now();
    for _ in 0..50 {
        assert!(play_through(&listener, track.id).await.unwrap(), "a play with the uplink down");
    }

    // The site's node restarts during the outage and serves again.
    drop(site_node);
    let started = Instant::now();
    let site_node = start_site_node(&site_server).await;
    println!("site node restarted during the outage: ready after {:.2} s", started.elapsed().as_secs_f64());
    let (id, _) =
        until("searchable after the restart", Duration::from_secs(30), || found(&listener, &track.title)).await;
    assert_eq!(id, track.id);
    uplink_is(&site_node, 0).await;
    let bytes = play(&short, track.id).await.expect("playing after the site node restarted offline");
    assert!(bytes > 0);
    for _ in 0..50 {
        assert!(play_through(&listener, track.id).await.unwrap(), "a play after the site node restarted offline");
    }
    println!(
        "uplink down: 100 plays recorded at the site (a node restart among them) in {:.2} s",
        plays_started.elapsed().as_secs_f64()
    );

    // Restored: what the hub imports next reaches the site again.
    // The hub node and the admin reconnect by themselves.
    hub_server.restart().unwrap();
    let again = tempfile::tempdir().unwrap();
    std::fs::copy(&names[2], again.path().join(names[2].file_name().unwrap())).unwrap();
    chorus_nodes::import::run(&admin, again.path(), "Edge", false).await.expect("import after the uplink is back");
    let page: TrackPage = admin.call(&TrackList::default()).await.unwrap();
    let second = page.tracks.iter().find(|t| !first_page.contains(&t.id)).expect("the new track").clone();
    let started = Instant::now();
    let (id, _) = until("the mirrors catching up", Duration::from_secs(60), || found(&listener, &second.title)).await;
    assert_eq!(id, second.id);
    println!("uplink restored: the next import searchable at the site after {:.2} s", started.elapsed().as_secs_f64());
    uplink_is(&site_node, 1).await;
    let (_, took) = until("the outage's plays at the hub", Duration::from_secs(60), || async {
        hub_plays(&hub_server).await.filter(|n| *n >= 101)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(hub_plays(&hub_server).await, Some(101), "every play once at the hub");
    println!("uplink restored: the 100 plays counted at the hub, each once, after {:.2} s", took.as_secs_f64());
    let refused = play(&short, track.id).await.unwrap_err();
    assert!(refused.contains("token_expired"), "heard again, an expired token is refused: {refused}");
    let (playlist, _) =
        until("an edit reaching the hub again", Duration::from_secs(10), || async { listener.call(&edit).await.ok() })
            .await;
    assert_eq!(playlist.name, "offline");
    let metrics = site_node.metrics_text().await;
    for stream in chorus_host::edge::MIRRORED {
        assert!(
            metrics.contains(&format!("chorus_mirror_lag{{stream=\"{stream}\"}}")),
            "no lag for {stream}:\n{metrics}"
        );
    }
    drop(site_node);
}
