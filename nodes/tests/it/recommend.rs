//! The recommend service through the wire, on a synthetic listening world
//! with known taste (listeners in genre clusters): mixes from the
//! listener's cluster, similar tracks of the same genre, radio that never
//! repeats and steers away from skips, cold start, deleted tracks never
//! recommended, a model trained on one instance served by another, a
//! trainer killed mid-run leaving the old model serving, bad input.

use std::collections::HashSet;
use std::time::Duration;

use chorus_host::host::RunningHost;
use chorus_nats::messages::auth::Role;
use chorus_nats::messages::profile::{Playlist, PlaylistCreate};
use chorus_nats::messages::recommend::*;
use chorus_nats::{ChorusClient, ClientError, Status};
use chorus_testkit::{host_config, NatsServer, TestIssuer};
use uuid::Uuid;

use crate::support::taste::{eventually, write, Taste};

fn code<T: std::fmt::Debug>(r: Result<T, ClientError>) -> (Option<Status>, String) {
    let e = r.unwrap_err();
    (e.status(), e.code().unwrap_or_default().to_string())
}

/// `services` on one host, recommend checking for due trainings every 200 ms.
async fn host(server: &NatsServer, services: &[&str], recommend: serde_json::Value) -> RunningHost {
    let mut config = host_config(&server.url(), services);
    config.sections.insert("catalog".into(), serde_json::json!({"allow_writes": true}));
    let mut section = serde_json::json!({"check_every_ms": 200});
    section.as_object_mut().unwrap().extend(recommend.as_object().cloned().unwrap_or_default());
    config.sections.insert("recommend".into(), section);
    match RunningHost::start(config, &chorus_nodes::registry()).await {
        Ok(h) => h,
        Err(e) => panic!("recommend host: {e:#}"),
    }
}

struct Stack {
    server: NatsServer,
    issuer: TestIssuer,
    taste: Taste,
    _host: RunningHost,
}

impl Stack {
    /// A world of 480 tracks in 4 genres, 60 listeners, 6,000 plays, and a trained model.
    async fn start() -> Stack {
        let server = NatsServer::start().expect("nats-server");
        let nats = server.connect().await.unwrap();
        let issuer = TestIssuer::publish(&nats).await.unwrap();
        let taste = write(&server, 480, 60, 6000, 4).await;
        let host = host(&server, &["catalog", "profile", "recommend"], serde_json::json!({})).await;
        let stack = Stack { server, issuer, taste, _host: host };
        let admin = stack.admin().await;
        eventually("a first model", Duration::from_secs(60), || async {
            admin.call(&ModelGet {}).await.unwrap().manifest.is_some()
        })
        .await;
        stack
    }

    async fn client(&self, user: Uuid) -> ChorusClient {
        let nats = self.server.connect().await.unwrap();
        ChorusClient::new(nats)
            .with_timeout(Duration::from_secs(10))
            .with_token(self.issuer.token_for(user, &[Role::Listener]))
    }

    async fn admin(&self) -> ChorusClient {
        let nats = self.server.connect().await.unwrap();
        ChorusClient::new(nats).with_timeout(Duration::from_secs(10)).with_token(self.issuer.admin())
    }
}

/// The share of `tracks` in `genre`.
fn share(taste: &Taste, tracks: impl IntoIterator<Item = Uuid>, genre: u32) -> f64 {
    let genres: Vec<Option<u32>> = tracks.into_iter().map(|t| taste.genre_of(t)).collect();
    genres.iter().filter(|g| **g == Some(genre)).count() as f64 / genres.len().max(1) as f64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixes_and_similar_tracks_follow_taste_and_cold_start_answers() {
    let s = Stack::start().await;
    let manifest = s.admin().await.call(&ModelGet {}).await.unwrap().manifest.unwrap();
    assert!(manifest.plays >= 6000 && manifest.metrics.contains_key("ndcg@10"), "{manifest:?}");
    let mut shares = Vec::new();
    for (i, listener) in s.taste.listeners.iter().take(12).enumerate() {
        let c = s.client(*listener).await;
        let mix = c.call(&MixRequest { limit: Some(20), include_recent: true, recent_days: None }).await.unwrap();
        assert_eq!(mix.tracks.len(), 20, "listener {i}");
        assert!(!mix.cold_start && mix.model == manifest.version);
        shares.push(share(&s.taste, mix.tracks.iter().map(|p| p.track_id), s.taste.world.listener_cluster(i as u32)));
        // At most two of one artist in the first ten; each pick says why.
        let first: Vec<u32> = mix.tracks.iter().take(10).filter_map(|p| s.taste.artist_of(p.track_id)).collect();
        for a in &first {
            assert!(first.iter().filter(|x| *x == a).count() <= 2, "listener {i}: {first:?}");
        }
        assert!(mix.tracks.iter().all(|p| !p.reason_text.is_empty()));
        assert!(mix.tracks.iter().any(|p| p.reason == ReasonKind::Played && p.because_track.is_some()));
        // Without include_recent, nothing played in the last days (all of the world's plays are recent).
        let fresh = c.call(&MixRequest::default()).await.unwrap();
        let played: HashSet<Uuid> = s
            .taste
            .world
            .events()
            .iter()
            .filter(|e| e.user == i as u32)
            .map(|e| s.taste.tracks[e.item as usize])
            .collect();
        assert!(fresh.tracks.iter().all(|p| !played.contains(&p.track_id)), "listener {i} was given a recent play");
    }
    let mean = shares.iter().sum::<f64>() / shares.len() as f64;
    assert!(mean >= 0.7, "picks from the listener's own genre: {shares:?}");

    // Similar tracks of a track are mostly of its genre.
    let c = s.client(Uuid::now_v7()).await;
    let mut similar_shares = Vec::new();
    for genre in 0..4 {
        let seed = s.taste.tracks_of_genre(genre)[0];
        let similar = c.call(&TrackSimilar { track_id: seed, limit: Some(10) }).await.unwrap();
        assert!(similar.tracks.iter().all(|p| p.track_id != seed));
        similar_shares.push(share(&s.taste, similar.tracks.iter().map(|p| p.track_id), genre));
    }
    assert!(similar_shares.iter().sum::<f64>() / 4.0 >= 0.7, "{similar_shares:?}");
    let artist = s.taste.artists[0];
    let close = c.call(&ArtistSimilar { artist_id: artist, limit: Some(5) }).await.unwrap();
    assert!(!close.artists.is_empty() && close.artists.iter().all(|a| a.artist_id != artist));
    // The artist's most played, by everyone: theirs only, counted as the world played them.
    let top = c.call(&ArtistTop { artist_id: artist, limit: Some(5) }).await.unwrap();
    assert!(!top.tracks.is_empty() && top.tracks.len() <= 5, "{top:?}");
    assert!(top.tracks.iter().all(|t| s.taste.artist_of(t.track_id) == Some(0)), "{top:?}");
    assert!(top.tracks.windows(2).all(|w| w[0].plays >= w[1].plays), "{top:?}");
    let index = |id: Uuid| s.taste.tracks.iter().position(|t| *t == id).unwrap() as u32;
    let played = |id: Uuid| s.taste.world.events().iter().filter(|e| e.item == index(id)).count() as u64;
    assert_eq!(top.tracks[0].plays, played(top.tracks[0].track_id));
    let best = s.taste.tracks.iter().filter(|t| s.taste.artist_of(**t) == Some(0)).map(|t| played(*t)).max();
    assert_eq!(Some(top.tracks[0].plays), best, "the most played comes first");

    // A listener with no history: popular and per-genre picks.
    let cold = c.call(&MixRequest { limit: Some(12), ..Default::default() }).await.unwrap();
    assert!(cold.cold_start && cold.tracks.len() == 12, "{cold:?}");
    assert!(cold.tracks.iter().all(|p| matches!(p.reason, ReasonKind::Popular | ReasonKind::Genre | ReasonKind::New)));
    assert!(cold.tracks.iter().any(|p| p.reason == ReasonKind::Genre));

    // Bad input.
    assert_eq!(
        code(c.call(&MixRequest { limit: Some(0), ..Default::default() }).await),
        (Some(Status::BadRequest), "invalid_limit".into())
    );
    assert_eq!(
        code(c.call(&MixRequest { recent_days: Some(99), ..Default::default() }).await),
        (Some(Status::BadRequest), "invalid_request".into())
    );
    let r = c.call(&TrackSimilar { track_id: Uuid::now_v7(), limit: None }).await;
    assert_eq!(code(r), (Some(Status::NotFound), "track_not_found".into()));
    let r = c.call(&ArtistSimilar { artist_id: Uuid::now_v7(), limit: None }).await;
    assert_eq!(code(r), (Some(Status::NotFound), "artist_not_found".into()));
    let r = c.call(&ArtistTop { artist_id: Uuid::now_v7(), limit: None }).await;
    assert_eq!(code(r), (Some(Status::NotFound), "artist_not_found".into()));
    let r = c.call(&ArtistTop { artist_id: artist, limit: Some(51) }).await;
    assert_eq!(code(r), (Some(Status::BadRequest), "invalid_limit".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn radio_never_repeats_steers_away_from_skips_and_reaches_unplayed_tracks() {
    let s = Stack::start().await;
    let listener = s.taste.listeners[0];
    let c = s.client(listener).await;
    let genre = s.taste.world.listener_cluster(0);
    let seed = s.taste.tracks_of_genre(genre)[0];
    let started = c
        .call(&RadioStart { seed: RadioSeed::Track { id: seed }, adventurousness: None, limit: Some(10) })
        .await
        .unwrap();
    assert_eq!(started.tracks.len(), 10);
    let radio = started.radio_id;
    let mut given: Vec<Uuid> = started.tracks.iter().map(|p| p.track_id).collect();
    assert!(share(&s.taste, given.clone(), genre) >= 0.7, "a radio from a {genre} track");
    // Skip every track of the first track's artist: once skipped twice, that artist is left out.
    let skipped_artist = s.taste.artist_of(given[0]).unwrap();
    let mut skips = 0;
    let mut pending: Vec<Uuid> =
        given.iter().copied().filter(|t| s.taste.artist_of(*t) == Some(skipped_artist)).collect();
    for _ in 0..9 {
        let reported = pending.len();
        let batch = c
            .call(&RadioNext { radio_id: radio, limit: Some(10), skipped: std::mem::take(&mut pending) })
            .await
            .unwrap();
        let skipped_before = skips;
        skips += reported;
        let theirs: Vec<Uuid> =
            batch.tracks.iter().map(|p| p.track_id).filter(|t| s.taste.artist_of(*t) == Some(skipped_artist)).collect();
        if skipped_before + reported >= 2 {
            assert!(theirs.is_empty(), "an artist skipped {skips} times came back: {theirs:?}");
        }
        pending = theirs;
        given.extend(batch.tracks.iter().map(|p| p.track_id));
    }
    let unique: HashSet<&Uuid> = given.iter().collect();
    assert_eq!(unique.len(), given.len(), "a radio never repeats a track");
    assert!(given.len() >= 80, "{} tracks", given.len());

    // Other seeds: artist, album-less genre, playlist, library.
    for seed in [
        RadioSeed::Artist { id: s.taste.artists[1] },
        RadioSeed::Genre { name: crate::support::taste::GENRES[1].to_lowercase() },
        RadioSeed::Library,
    ] {
        let r = c.call(&RadioStart { seed: seed.clone(), adventurousness: Some(0.8), limit: Some(5) }).await.unwrap();
        assert_eq!(r.tracks.len(), 5, "{seed:?}");
    }
    let list: Playlist = c
        .call(&PlaylistCreate {
            name: "seed".into(),
            tracks: s.taste.tracks_of_genre(2)[..3].to_vec(),
            ..Default::default()
        })
        .await
        .unwrap();
    let from_list = c
        .call(&RadioStart { seed: RadioSeed::Playlist { id: list.id }, adventurousness: None, limit: Some(10) })
        .await
        .unwrap();
    assert!(share(&s.taste, from_list.tracks.iter().map(|p| p.track_id), 2) >= 0.6);

    // A track nobody played yet is reached through its artist.
    let artist = s.taste.artists[2];
    let new_track = new_track_by(&s, artist).await;
    let c2 = s.client(Uuid::now_v7()).await;
    let mut reached = false;
    for _ in 0..50 {
        let r = c2
            .call(&RadioStart { seed: RadioSeed::Artist { id: artist }, adventurousness: Some(0.0), limit: Some(30) })
            .await
            .unwrap();
        if r.tracks.iter().any(|p| p.track_id == new_track) {
            reached = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reached, "an unplayed track of the seed artist");
    let similar = c2.call(&TrackSimilar { track_id: new_track, limit: Some(5) }).await.unwrap();
    assert!(!similar.tracks.is_empty(), "an unplayed track has neighbours");

    // Bad input, another listener's radio.
    let r = c.call(&RadioStart { seed: RadioSeed::Track { id: seed }, adventurousness: Some(2.0), limit: None }).await;
    assert_eq!(code(r), (Some(Status::BadRequest), "invalid_adventurousness".into()));
    let r = c
        .call(&RadioStart { seed: RadioSeed::Genre { name: "polka".into() }, adventurousness: None, limit: None })
        .await;
    assert_eq!(code(r), (Some(Status::NotFound), "genre_not_found".into()));
    let r = c.call(&RadioNext { radio_id: Uuid::now_v7(), ..Default::default() }).await;
    assert_eq!(code(r), (Some(Status::NotFound), "radio_not_found".into()));
    let r = c2.call(&RadioNext { radio_id: radio, ..Default::default() }).await;
    assert_eq!(code(r), (Some(Status::Forbidden), "not_your_radio".into()));
    let r =
        c.call(&RadioNext { radio_id: radio, limit: None, skipped: (0..51).map(|_| Uuid::now_v7()).collect() }).await;
    assert_eq!(code(r), (Some(Status::BadRequest), "too_many_skips".into()));
}

/// A new track (with audio, never played) by `artist`, in the catalog's record; its id once recommend can know it.
async fn new_track_by(s: &Stack, artist: Uuid) -> Uuid {
    let js = async_nats::jetstream::new(s.server.connect().await.unwrap());
    let records = chorus_state::Records::open(&js, chorus_nats::records::catalog::BUCKET, 1).await.unwrap();
    let by = chorus_nats::messages::catalog::ArtistCredit { id: artist, name: "Artist 2".into() };
    let mut t = chorus_catalog::synthetic::tracks(1, 99).remove(0);
    t.id = Uuid::now_v7();
    t.title = "Never played".into();
    t.artists = vec![by];
    t.album = None;
    t.audio_object = Some("new.mp3".into());
    records.create(&chorus_nats::records::catalog::Kind::Track.key(t.id), &t).await.unwrap();
    t.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skipped_and_deleted_tracks_leave_the_mix() {
    let s = Stack::start().await;
    let listener = s.taste.listeners[0];
    let c = s.client(listener).await;
    let mix = c.call(&MixRequest { limit: Some(10), include_recent: true, recent_days: None }).await.unwrap();
    // A skip, as stream marks a session that ended short of a play.
    let skipped = mix.tracks[1].track_id;
    let js = async_nats::jetstream::new(s.server.connect().await.unwrap());
    let sessions = js.get_key_value(chorus_nats::records::stream::SESSIONS).await.unwrap();
    let skip = chorus_nats::records::stream::Skip {
        user: listener,
        track_id: skipped,
        played_ms: 4_000,
        at: chorus_nats::clock::now_ms(),
    };
    let marker = chorus_nats::Encoding::MsgPack.encode(&skip).unwrap();
    sessions.put(chorus_nats::records::stream::ended_key(Uuid::now_v7()), marker.into()).await.unwrap();
    eventually("the skipped track left the mix", Duration::from_secs(5), || async {
        let mix = c.call(&MixRequest { limit: Some(50), include_recent: true, recent_days: None }).await.unwrap();
        mix.tracks.iter().all(|p| p.track_id != skipped)
    })
    .await;
    let gone = mix.tracks[0].track_id;
    let kv = js.get_key_value(chorus_nats::records::catalog::BUCKET).await.unwrap();
    kv.delete(chorus_nats::records::catalog::Kind::Track.key(gone)).await.unwrap();
    eventually("the deleted track left the mix", Duration::from_secs(5), || async {
        let mix = c.call(&MixRequest { limit: Some(50), include_recent: true, recent_days: None }).await.unwrap();
        mix.tracks.iter().all(|p| p.track_id != gone)
    })
    .await;
    let genre = s.taste.genre_of(gone).unwrap();
    for seed in s.taste.tracks_of_genre(genre).into_iter().filter(|t| *t != gone).take(5) {
        let similar = c.call(&TrackSimilar { track_id: seed, limit: Some(50) }).await.unwrap();
        assert!(similar.tracks.iter().all(|p| p.track_id != gone));
    }
    let r = c.call(&RadioStart { seed: RadioSeed::Track { id: gone }, adventurousness: None, limit: None }).await;
    assert_eq!(code(r), (Some(Status::NotFound), "track_not_found".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_trained_elsewhere_is_served_and_a_killed_trainer_leaves_it_serving() {
    let server = NatsServer::start().expect("nats-server");
    let nats = server.connect().await.unwrap();
    let issuer = TestIssuer::publish(&nats).await.unwrap();
    let _taste = write(&server, 240, 30, 2000, 3).await;
    // This instance never trains; the others are processes of their own.
    let _serving = host(&server, &["recommend"], serde_json::json!({"trainer": false})).await;
    let admin = ChorusClient::new(nats.clone()).with_timeout(Duration::from_secs(10)).with_token(issuer.admin());
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_chorus-node"));
    let fast = [("CHORUS_RECOMMEND__CHECK_EVERY_MS", "200"), ("CHORUS_RECOMMEND__TRAIN_ACK_WAIT_MS", "1000")];
    let trainer = chorus_testkit::ChildNode::start(bin, &server.url(), "recommend", &fast).unwrap();
    // An answer may be slow while an instance trains on a loaded 2-core machine: waits retry one.
    let version = || async { admin.call(&ModelGet {}).await.map(|m| m.manifest.map_or(0, |m| m.version)) };
    // Right after a kill -9 the server can still route a request to the dead
    // instance's subscription (it notices the closed socket on its own
    // goroutine), and that request is never answered: a caller retries a
    // timeout, and a wrong version still fails at once.
    let served = || async {
        for _ in 0..2 {
            match version().await {
                Err(ClientError::TimedOut { .. }) => continue,
                answer => return answer.unwrap(),
            }
        }
        version().await.unwrap()
    };
    eventually("a first model", Duration::from_secs(60), || async { version().await.is_ok_and(|v| v == 1) }).await;
    drop(trainer); // kill -9
                   // Only the non-training instance is left, and it serves the model the other trained.
    assert_eq!(served().await, 1);

    // A trainer that stops mid-training (kill -9) leaves model 1 serving.
    let slow = [("CHORUS_RECOMMEND__TRAIN_PAUSE_MS", "60000"), ("CHORUS_RECOMMEND__TRAIN_ACK_WAIT_MS", "1000")];
    let stuck = chorus_testkit::ChildNode::start(bin, &server.url(), "recommend", &slow).unwrap();
    let js = async_nats::jetstream::new(nats.clone());
    let holding = || async {
        let mut consumer: async_nats::jetstream::consumer::PullConsumer =
            js.get_stream("chorus_recommend_jobs").await.unwrap().get_consumer("recommend-training").await.unwrap();
        consumer.info().await.unwrap().num_ack_pending == 1
    };
    eventually("the slow trainer has the job", Duration::from_secs(30), || async {
        let _ = admin.call(&ModelTrain {}).await;
        holding().await
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(stuck); // kill -9, mid-training
    for _ in 0..10 {
        assert_eq!(served().await, 1, "the old model serves on");
    }
    // Another trainer takes the job over once the dead one is not heard from.
    let next = chorus_testkit::ChildNode::start(bin, &server.url(), "recommend", &fast).unwrap();
    eventually("model 2", Duration::from_secs(60), || async { version().await.is_ok_and(|v| v == 2) }).await;
    drop(next);
    assert_eq!(served().await, 2, "the serving instance swapped model 2 in");
}
