//! The profile service through the wire: playlists (with optimistic
//! concurrency), favorites, ratings, plays, the play queue, and that each
//! user reaches only their own data.

use crate::support;

use chorus_nats::messages::catalog::{Track, TrackDelete, Written};
use chorus_nats::messages::profile::*;
use chorus_nats::messages::Empty;
use chorus_nats::{subjects::catalog, subjects::profile, ChorusClient, ClientError, Status};
use uuid::Uuid;

fn status<T: std::fmt::Debug>(r: Result<T, ClientError>) -> (Option<Status>, Option<String>) {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => (e.status(), e.code().map(str::to_string)),
    }
}

fn err(s: Status, code: &str) -> (Option<Status>, Option<String>) {
    (Some(s), Some(code.to_string()))
}

async fn create(c: &ChorusClient, name: &str, tracks: &[Uuid], public: bool) -> Playlist {
    let req = PlaylistCreate { name: name.into(), description: String::new(), public, tracks: tracks.to_vec() };
    c.call(&req).await.unwrap()
}

fn update(p: &Playlist) -> PlaylistUpdate {
    PlaylistUpdate { id: p.id, revision: p.revision, name: None, description: None, public: None, ops: Vec::new() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn playlists_with_optimistic_concurrency() {
    let stack = support::listener::start(3, serde_json::json!({})).await;
    let ids: Vec<Uuid> = stack.tracks.iter().map(|t| t.id).collect();
    let (ann, _) = stack.listener("ann").await;
    let p = create(&ann, "Morning", &ids[..2], false).await;
    let list: PlaylistPage = ann.call(&PlaylistList::default()).await.unwrap();
    assert_eq!(list.playlists.iter().map(|p| p.id).collect::<Vec<_>>(), [p.id]);

    // Two devices edit from the same revision: one wins, the other is told, nothing is lost silently.
    let phone = PlaylistUpdate { ops: vec![PlaylistOp::Add { tracks: vec![ids[2]], at: None }], ..update(&p) };
    let laptop = PlaylistUpdate { name: Some("Mornings".into()), ..update(&p) };
    let (a, b) = tokio::join!(ann.call(&phone), ann.call(&laptop));
    assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(), 1, "{a:?} {b:?}");
    let loser = if a.is_ok() { b } else { a };
    assert_eq!(status(loser), err(Status::Conflict, "revision_conflict"));

    // Read again, retry: both edits are in.
    let view: PlaylistView = ann.call(&PlaylistGet { id: p.id, revision: None, ..Default::default() }).await.unwrap();
    let retry = PlaylistUpdate {
        name: Some("Mornings".into()),
        ops: vec![PlaylistOp::Add { tracks: vec![ids[2]], at: Some(0) }, PlaylistOp::Move { from: 0, to: 1 }],
        ..update(&view.playlist)
    };
    let p2: Playlist = ann.call(&retry).await.unwrap();
    assert_eq!(p2.name, "Mornings");
    assert!(p2.tracks.len() >= 3 && p2.tracks.contains(&ids[2]));

    let bad = PlaylistUpdate { ops: vec![PlaylistOp::Add { tracks: vec![Uuid::now_v7()], at: None }], ..update(&p2) };
    assert_eq!(status(ann.call(&bad).await), err(Status::NotFound, "track_not_found"));
    let bad = PlaylistUpdate { ops: vec![PlaylistOp::Remove { positions: vec![99] }], ..update(&p2) };
    assert_eq!(status(ann.call(&bad).await), err(Status::BadRequest, "invalid_position"));
    let req = PlaylistCreate { name: " ".into(), ..Default::default() };
    assert_eq!(status(ann.call(&req).await), err(Status::BadRequest, "invalid_name"));

    // A track deleted from the catalog is hidden, and the playlist still works.
    let admin = support::admin_client(&stack.server).await;
    let _: Written<Track> = admin.call(&TrackDelete { id: ids[0], revision: None }).await.unwrap();
    let view: PlaylistView = ann.call(&PlaylistGet { id: p.id, revision: None, ..Default::default() }).await.unwrap();
    assert_eq!(view.hidden, 1);
    assert!(view.tracks.iter().all(|t| t.id != ids[0]));
    assert_eq!(view.playlist.tracks.len(), view.tracks.len() + 1);

    let _: Empty = ann.call(&PlaylistRef { id: p.id, revision: None }).await.unwrap();
    let list: PlaylistPage = ann.call(&PlaylistList::default()).await.unwrap();
    assert!(list.playlists.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_user_reaches_only_their_own_data() {
    let stack = support::listener::start(2, serde_json::json!({})).await;
    let ids: Vec<Uuid> = stack.tracks.iter().map(|t| t.id).collect();
    let (ann, _) = stack.listener("ann").await;
    let (bob, _) = stack.listener("bob").await;
    let private = create(&ann, "Secret", &ids, false).await;
    let public = create(&ann, "Shared", &ids, true).await;
    let _: Empty = ann.call(&FavoriteSet { kind: FavoriteKind::Track, id: ids[0], starred: true }).await.unwrap();
    let _: Empty = ann.call(&QueueSave { tracks: ids.clone(), index: 1, position_ms: 5 }).await.unwrap();

    let get = |c: &ChorusClient, id| {
        let c = c.clone();
        async move { c.call(&PlaylistGet { id, revision: None, ..Default::default() }).await }
    };
    assert_eq!(status(get(&bob, private.id).await), err(Status::NotFound, "playlist_not_found"));
    assert_eq!(get(&bob, public.id).await.unwrap().tracks.len(), 2);
    let rename = PlaylistUpdate { name: Some("Mine now".into()), ..update(&public) };
    assert_eq!(status(bob.call(&rename).await), err(Status::Forbidden, "not_owner"));
    let del = PlaylistRef { id: public.id, revision: None };
    assert_eq!(status(bob.call(&del).await), err(Status::Forbidden, "not_owner"));
    let del = PlaylistRef { id: private.id, revision: None };
    assert_eq!(status(bob.call(&del).await), err(Status::NotFound, "playlist_not_found"));
    // Bob's own views are his: empty.
    let list: PlaylistPage = bob.call(&PlaylistList::default()).await.unwrap();
    assert!(list.playlists.is_empty());
    let favs: Favorites = bob.call(&FavoriteList::default()).await.unwrap();
    assert!(favs.tracks.is_empty());
    let q: PlayQueue = bob.call(&QueueGet {}).await.unwrap();
    assert!(q.tracks.is_empty());
    // Without a token nothing at all.
    let anon = ChorusClient::new(stack.server.connect().await.unwrap());
    assert_eq!(status(anon.call(&PlaylistList::default()).await), err(Status::Unauthorized, "missing_token"));
    // And the owner still sees everything.
    let q: PlayQueue = ann.call(&QueueGet {}).await.unwrap();
    assert_eq!((q.tracks.len(), q.index, q.position_ms), (2, 1, 5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn favorites_ratings_and_the_queue() {
    let stack = support::listener::start(1, serde_json::json!({})).await;
    let t = &stack.tracks[0];
    let (ann, _) = stack.listener("ann").await;
    let star = |kind, id, starred| FavoriteSet { kind, id, starred };
    let album = t.album.as_ref().unwrap().id;
    let artist = t.artists[0].id;
    for (kind, id) in [(FavoriteKind::Track, t.id), (FavoriteKind::Album, album), (FavoriteKind::Artist, artist)] {
        let _: Empty = ann.call(&star(kind, id, true)).await.unwrap();
        let r = ann.call(&star(kind, Uuid::now_v7(), true)).await;
        assert_eq!(status(r).0, Some(Status::NotFound), "{kind:?}");
    }
    let favs: Favorites = ann.call(&FavoriteList::default()).await.unwrap();
    assert_eq!((favs.tracks[0].id, favs.albums[0].id, favs.artists[0].id), (t.id, album, artist));
    assert!(favs.tracks[0].starred_at > 0);
    let _: Empty = ann.call(&star(FavoriteKind::Track, t.id, false)).await.unwrap();
    let favs: Favorites = ann.call(&FavoriteList::default()).await.unwrap();
    assert!(favs.tracks.is_empty());

    let _: Empty = ann.call(&RatingSet { track_id: t.id, rating: 4 }).await.unwrap();
    let r = ann.call(&RatingSet { track_id: t.id, rating: 6 }).await;
    assert_eq!(status(r), err(Status::BadRequest, "invalid_rating"));
    let ratings: Ratings = ann.call(&RatingList::default()).await.unwrap();
    assert_eq!(ratings.ratings, [Rating { track_id: t.id, rating: 4 }]);

    let q = QueueSave { tracks: vec![t.id], index: 3, position_ms: 0 };
    assert_eq!(status(ann.call(&q).await), err(Status::BadRequest, "invalid_index"));
    let q = QueueSave { tracks: vec![t.id, Uuid::now_v7()], index: 0, position_ms: 0 };
    assert_eq!(status(ann.call(&q).await), err(Status::NotFound, "track_not_found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plays_are_deduplicated_and_counted() {
    let stack = support::listener::start(3, serde_json::json!({})).await;
    let ids: Vec<Uuid> = stack.tracks.iter().map(|t| t.id).collect();
    let (ann, _) = stack.listener("ann").await;
    let play = |id: Uuid, track: Uuid, at: u64| PlayRecord {
        play_id: id,
        track_id: track,
        started_at: at,
        ms_played: 60_000,
        source: "album".into(),
        client: "test".into(),
    };
    let base = 1_700_000_000_000u64;
    let plays = [(ids[0], base), (ids[1], base + 10), (ids[0], base + 20), (ids[2], base + 1_000_000)];
    for (track, at) in plays {
        let p = play(Uuid::now_v7(), track, at);
        let _: Empty = ann.call(&p).await.unwrap();
        // The same play again (a retry) counts once.
        let _: Empty = ann.fresh().call(&p).await.unwrap();
    }
    let r = ann.call(&play(Uuid::now_v7(), Uuid::now_v7(), base)).await;
    assert_eq!(status(r), err(Status::NotFound, "track_not_found"));

    let recent: RecentPlays = ann.call(&RecentRequest::default()).await.unwrap();
    let order: Vec<Uuid> = recent.tracks.iter().map(|r| r.track_id).collect();
    assert_eq!(order, [ids[2], ids[0], ids[1]]);
    let all: PlayCounts = ann.call(&CountsRequest::default()).await.unwrap();
    assert_eq!(all.total, 4);
    assert_eq!((all.tracks[0].id, all.tracks[0].plays), (ids[0], 2));
    let album_plays: u64 = all.albums.iter().map(|a| a.plays).sum();
    assert_eq!(album_plays, 4);
    let early = CountsRequest { from: Some(base), until: Some(base + 100), limit: Some(1) };
    let early: PlayCounts = ann.call(&early).await.unwrap();
    assert_eq!((early.total, early.tracks.len()), (3, 1));
    let bad = CountsRequest { limit: Some(0), ..Default::default() };
    assert_eq!(status(ann.call(&bad).await), err(Status::BadRequest, "invalid_limit"));

    // Another user's history is theirs.
    let (bob, _) = stack.listener("bob").await;
    let recent: RecentPlays = bob.call(&RecentRequest::default()).await.unwrap();
    assert!(recent.tracks.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_on_the_callers_behalf_continue_the_callers_trace() {
    use chorus_nats::{trace::TraceContext, RequestOptions};
    use futures::StreamExt;

    let stack = support::listener::start(1, serde_json::json!({})).await;
    let (ann, _) = stack.listener("ann").await;
    // A plain subscriber gets a copy of every request profile makes to the catalog.
    let nats = stack.server.connect().await.unwrap();
    let mut seen = nats.subscribe(catalog::track_batch().subject()).await.unwrap();
    nats.flush().await.unwrap();

    let trace = TraceContext { sampled: true, ..TraceContext::new() };
    let req = PlaylistCreate {
        name: "Traced".into(),
        description: String::new(),
        public: false,
        tracks: vec![stack.tracks[0].id],
    };
    let options = RequestOptions { trace: Some(trace), ..Default::default() };
    let _: Playlist = ann.call_with(&req, options).await.unwrap();

    let asked = tokio::time::timeout(std::time::Duration::from_secs(2), seen.next()).await.unwrap().unwrap();
    let header = asked.headers.as_ref().and_then(|h| h.get(chorus_nats::headers::TRACEPARENT)).unwrap();
    let passed = TraceContext::parse(header.as_str()).unwrap();
    assert_eq!(passed.trace_id, trace.trace_id, "the catalog call continues the caller's trace");
    assert!(passed.sampled, "the caller's sampling is kept");
    assert_ne!(passed.parent_id, trace.parent_id, "profile's call is a span of its own");
}

/// The listener stack, and a second profile instance on the same server:
/// each request goes to either.
async fn two_instances(files: usize) -> (support::listener::Stack, chorus_host::host::RunningHost) {
    let stack = support::listener::start(files, serde_json::json!({})).await;
    let config = chorus_testkit::host_config(&stack.server.url(), &["profile"]);
    match chorus_host::host::RunningHost::start(config, &chorus_nodes::registry()).await {
        Ok(second) => (stack, second),
        Err(e) => panic!("second profile instance: {e:#}"),
    }
}

/// Asking for exactly `seq` (`Chorus-Min-Seq`), from a client that has seen no write.
fn at(seq: u64) -> chorus_nats::RequestOptions {
    chorus_nats::RequestOptions { min_seq: Some(seq), ..Default::default() }
}

/// The sequence the bucket `chorus_profile` gives its next write.
async fn next_bucket_seq(stack: &support::listener::Stack) -> u64 {
    let js = async_nats::jetstream::new(stack.server.connect().await.unwrap());
    let mut bucket = js.get_stream("KV_chorus_profile").await.unwrap();
    bucket.info().await.unwrap().state.last_sequence + 1
}

/// Each write's reply carries `Chorus-Seq`, and any instance asked for it
/// answers with the write in. Each write goes through a client that has
/// seen nothing, each read through another that sends only that sequence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_is_read_back_on_any_instance_asked_for_its_sequence() {
    let (stack, _second) = two_instances(3).await;
    let ids: Vec<Uuid> = stack.tracks.iter().map(|t| t.id).collect();
    let (ann, _) = stack.listener("ann").await;
    let written = |w: &ChorusClient, what: &str| {
        let seq = w.seen_seq(profile::SERVICE);
        assert!(seq > 0, "{what}: no Chorus-Seq on the reply");
        seq
    };
    // Enough rounds that reads land on both instances.
    for round in 0..6 {
        let w = ann.fresh();
        let p = create(&w, &format!("Round {round}"), &ids[..1], false).await;
        let seq = written(&w, "playlist.create");
        let list: PlaylistPage = ann.fresh().call_with(&PlaylistList::default(), at(seq)).await.unwrap();
        assert!(list.playlists.iter().any(|l| l.id == p.id), "round {round}: playlist.list misses the new playlist");

        let w = ann.fresh();
        let rename = PlaylistUpdate { name: Some(format!("Renamed {round}")), ..update(&p) };
        let _: Playlist = w.call(&rename).await.unwrap();
        let seq = written(&w, "playlist.update");
        let list: PlaylistPage = ann.fresh().call_with(&PlaylistList::default(), at(seq)).await.unwrap();
        let listed = list.playlists.iter().find(|l| l.id == p.id).map(|l| l.name.as_str());
        assert_eq!(listed, Some(format!("Renamed {round}").as_str()), "round {round}: playlist.list");

        let w = ann.fresh();
        let _: Empty = w.call(&PlaylistRef { id: p.id, revision: None }).await.unwrap();
        let seq = written(&w, "playlist.delete");
        let list: PlaylistPage = ann.fresh().call_with(&PlaylistList::default(), at(seq)).await.unwrap();
        assert!(list.playlists.iter().all(|l| l.id != p.id), "round {round}: a deleted playlist is listed");

        let track = ids[round % ids.len()];
        let w = ann.fresh();
        let star = FavoriteSet { kind: FavoriteKind::Track, id: track, starred: round % 2 == 0 };
        let _: Empty = w.call(&star).await.unwrap();
        let seq = written(&w, "favorite.set");
        let favs: Favorites = ann.fresh().call_with(&FavoriteList::default(), at(seq)).await.unwrap();
        assert_eq!(favs.tracks.iter().any(|f| f.id == track), star.starred, "round {round}: favorite.list");

        let w = ann.fresh();
        let rating = (round % 5 + 1) as u8;
        let _: Empty = w.call(&RatingSet { track_id: track, rating }).await.unwrap();
        let seq = written(&w, "rating.set");
        let ratings: Ratings = ann.fresh().call_with(&RatingList::default(), at(seq)).await.unwrap();
        assert!(ratings.ratings.contains(&Rating { track_id: track, rating }), "round {round}: rating.list");

        let w = ann.fresh();
        let q = QueueSave { tracks: ids.clone(), index: round % ids.len(), position_ms: round as u64 };
        let _: Empty = w.call(&q).await.unwrap();
        let seq = written(&w, "queue.save");
        let got: PlayQueue = ann.fresh().call_with(&QueueGet {}, at(seq)).await.unwrap();
        assert_eq!((got.index, got.position_ms), (q.index, q.position_ms), "round {round}: queue.get");

        let w = ann.fresh();
        let play = support::play_of(track);
        let _: Empty = w.call(&play).await.unwrap();
        let seq = written(&w, "play.record");
        let recent: RecentPlays = ann.fresh().call_with(&RecentRequest::default(), at(seq)).await.unwrap();
        assert_eq!(recent.tracks.first().map(|r| r.track_id), Some(track), "round {round}: play.recent");
    }
}

/// A read that names a sequence no instance has yet waits for it: sent
/// before the write, it is answered with the write in, whichever instance
/// took the one and the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_waits_for_the_write_its_sequence_names() {
    let (stack, _second) = two_instances(2).await;
    let ids: Vec<Uuid> = stack.tracks.iter().map(|t| t.id).collect();
    let (ann, _) = stack.listener("ann").await;
    let pending = |endpoint: chorus_nats::Endpoint, seq: u64| {
        let reader = ann.fresh().with_encoding(chorus_nats::Encoding::Json);
        let read = tokio::spawn(async move {
            reader.request_raw(&endpoint.subject(), bytes::Bytes::from_static(b"{}"), at(seq)).await
        });
        async move {
            let body = read.await.unwrap().unwrap_or_else(|e| panic!("{}: {e}", endpoint.subject()));
            serde_json::from_slice::<serde_json::Value>(&body).unwrap()
        }
    };
    // The read is sent first, and has waited a while when the write happens.
    let head_start = std::time::Duration::from_millis(300);
    for round in 0..4 {
        let read = pending(profile::playlist_list(), next_bucket_seq(&stack).await);
        tokio::time::sleep(head_start).await;
        let p = create(&ann, &format!("Later {round}"), &ids[..1], false).await;
        let list = read.await;
        assert!(
            list["playlists"].as_array().unwrap().iter().any(|l| l["id"] == p.id.to_string()),
            "round {round}: {list}"
        );

        let read = pending(profile::favorite_list(), next_bucket_seq(&stack).await);
        tokio::time::sleep(head_start).await;
        let star = FavoriteSet { kind: FavoriteKind::Track, id: ids[round % 2], starred: true };
        let _: Empty = ann.call(&star).await.unwrap();
        let favs = read.await;
        assert!(
            favs["tracks"].as_array().unwrap().iter().any(|f| f["id"] == star.id.to_string()),
            "round {round}: {favs}"
        );

        let read = pending(profile::queue_get(), next_bucket_seq(&stack).await);
        tokio::time::sleep(head_start).await;
        let q = QueueSave { tracks: ids.clone(), index: 1, position_ms: 1_000 + round as u64 };
        let _: Empty = ann.call(&q).await.unwrap();
        let got = read.await;
        assert_eq!(got["position_ms"], q.position_ms, "round {round}: {got}");

        let read = pending(profile::play_recent(), next_bucket_seq(&stack).await);
        tokio::time::sleep(head_start).await;
        let play = support::play_of(ids[round % 2]);
        let _: Empty = ann.call(&play).await.unwrap();
        let recent = read.await;
        assert_eq!(recent["tracks"][0]["played_at"], play.started_at, "round {round}: {recent}");
    }
    // The wait is bounded: a sequence no write reaches gets 503.
    let far = next_bucket_seq(&stack).await + 1_000;
    let r = ann.fresh().call_with(&PlaylistList::default(), at(far)).await;
    assert_eq!(status(r), err(Status::Unavailable, "not_caught_up"));
}

/// Playlists and plays are two records, but a client holds one sequence for
/// profile, the highest it has seen: whatever it wrote last, every read
/// after is answered, and has the writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_sequence_covers_playlists_and_plays() {
    let (stack, _second) = two_instances(2).await;
    let ids: Vec<Uuid> = stack.tracks.iter().map(|t| t.id).collect();
    let (ann, _) = stack.listener("ann").await;
    for round in 0..3 {
        // Many bucket writes, then a play: then the other way round.
        let mut made = Vec::new();
        for i in 0..5 {
            made.push(create(&ann, &format!("Mix {round}.{i}"), &ids[..1], false).await.id);
        }
        let play = support::play_of(ids[round % 2]);
        let _: Empty = ann.call(&play).await.unwrap();
        let last = create(&ann, &format!("Mix {round} after"), &ids[..1], false).await;
        made.push(last.id);

        // `ann` sends the highest sequence it has seen; so does a new device told it.
        for reader in [ann.clone(), ann.fresh()] {
            let options = at(ann.seen_seq(profile::SERVICE));
            let recent: RecentPlays = reader.call_with(&RecentRequest::default(), options.clone()).await.unwrap();
            assert_eq!(recent.tracks.first().map(|r| r.played_at), Some(play.started_at), "round {round}");
            let list: PlaylistPage = reader.call_with(&PlaylistList::default(), options).await.unwrap();
            let listed: Vec<Uuid> = list.playlists.iter().map(|l| l.id).collect();
            assert!(made.iter().all(|id| listed.contains(id)), "round {round}: {listed:?}");
        }
    }
}
