//! The profile service through the wire: playlists (with optimistic
//! concurrency), favorites, ratings, plays, the play queue, and that each
//! user reaches only their own data.

use crate::support;

use chorus_nats::messages::catalog::{Delete, Track, Written};
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
    c.request(profile::playlist_create(), &req).await.unwrap()
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
    let list: PlaylistList = ann.request(profile::playlist_list(), &Empty {}).await.unwrap();
    assert_eq!(list.playlists.iter().map(|p| p.id).collect::<Vec<_>>(), [p.id]);

    // Two devices edit from the same revision: one wins, the other is told, nothing is lost silently.
    let phone = PlaylistUpdate { ops: vec![PlaylistOp::Add { tracks: vec![ids[2]], at: None }], ..update(&p) };
    let laptop = PlaylistUpdate { name: Some("Mornings".into()), ..update(&p) };
    let (a, b) = tokio::join!(
        ann.request::<_, Playlist>(profile::playlist_update(), &phone),
        ann.request::<_, Playlist>(profile::playlist_update(), &laptop)
    );
    assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(), 1, "{a:?} {b:?}");
    let loser = if a.is_ok() { b } else { a };
    assert_eq!(status(loser), err(Status::Conflict, "revision_conflict"));

    // Read again, retry: both edits are in.
    let view: PlaylistView =
        ann.request(profile::playlist_get(), &PlaylistRef { id: p.id, revision: None }).await.unwrap();
    let retry = PlaylistUpdate {
        name: Some("Mornings".into()),
        ops: vec![PlaylistOp::Add { tracks: vec![ids[2]], at: Some(0) }, PlaylistOp::Move { from: 0, to: 1 }],
        ..update(&view.playlist)
    };
    let p2: Playlist = ann.request(profile::playlist_update(), &retry).await.unwrap();
    assert_eq!(p2.name, "Mornings");
    assert!(p2.tracks.len() >= 3 && p2.tracks.contains(&ids[2]));

    let bad = PlaylistUpdate { ops: vec![PlaylistOp::Add { tracks: vec![Uuid::now_v7()], at: None }], ..update(&p2) };
    assert_eq!(
        status(ann.request::<_, Playlist>(profile::playlist_update(), &bad).await),
        err(Status::NotFound, "track_not_found")
    );
    let bad = PlaylistUpdate { ops: vec![PlaylistOp::Remove { positions: vec![99] }], ..update(&p2) };
    assert_eq!(
        status(ann.request::<_, Playlist>(profile::playlist_update(), &bad).await),
        err(Status::BadRequest, "invalid_position")
    );
    let req = PlaylistCreate { name: " ".into(), ..Default::default() };
    assert_eq!(
        status(ann.request::<_, Playlist>(profile::playlist_create(), &req).await),
        err(Status::BadRequest, "invalid_name")
    );

    // A track deleted from the catalog is hidden, and the playlist still works.
    let admin = support::admin_client(&stack.server).await;
    let _: Written<Track> =
        admin.request(catalog::track_delete(), &Delete { id: ids[0], revision: None }).await.unwrap();
    let view: PlaylistView =
        ann.request(profile::playlist_get(), &PlaylistRef { id: p.id, revision: None }).await.unwrap();
    assert_eq!(view.hidden, 1);
    assert!(view.tracks.iter().all(|t| t.id != ids[0]));
    assert_eq!(view.playlist.tracks.len(), view.tracks.len() + 1);

    let _: Empty = ann.request(profile::playlist_delete(), &PlaylistRef { id: p.id, revision: None }).await.unwrap();
    let list: PlaylistList = ann.request(profile::playlist_list(), &Empty {}).await.unwrap();
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
    let _: Empty = ann
        .request(profile::favorite_set(), &FavoriteSet { kind: FavoriteKind::Track, id: ids[0], starred: true })
        .await
        .unwrap();
    let _: Empty = ann
        .request(profile::queue_save(), &PlayQueue { tracks: ids.clone(), index: 1, position_ms: 5, saved_at: 0 })
        .await
        .unwrap();

    let get = |c: &ChorusClient, id| {
        let c = c.clone();
        async move { c.request::<_, PlaylistView>(profile::playlist_get(), &PlaylistRef { id, revision: None }).await }
    };
    assert_eq!(status(get(&bob, private.id).await), err(Status::NotFound, "playlist_not_found"));
    assert_eq!(get(&bob, public.id).await.unwrap().tracks.len(), 2);
    let rename = PlaylistUpdate { name: Some("Mine now".into()), ..update(&public) };
    assert_eq!(
        status(bob.request::<_, Playlist>(profile::playlist_update(), &rename).await),
        err(Status::Forbidden, "not_owner")
    );
    let del = PlaylistRef { id: public.id, revision: None };
    assert_eq!(
        status(bob.request::<_, Empty>(profile::playlist_delete(), &del).await),
        err(Status::Forbidden, "not_owner")
    );
    let del = PlaylistRef { id: private.id, revision: None };
    assert_eq!(
        status(bob.request::<_, Empty>(profile::playlist_delete(), &del).await),
        err(Status::NotFound, "playlist_not_found")
    );
    // Bob's own views are his: empty.
    let list: PlaylistList = bob.request(profile::playlist_list(), &Empty {}).await.unwrap();
    assert!(list.playlists.is_empty());
    let favs: Favorites = bob.request(profile::favorite_list(), &Empty {}).await.unwrap();
    assert!(favs.tracks.is_empty());
    let q: PlayQueue = bob.request(profile::queue_get(), &Empty {}).await.unwrap();
    assert!(q.tracks.is_empty());
    // Without a token nothing at all.
    let anon = ChorusClient::new(stack.server.connect().await.unwrap());
    assert_eq!(
        status(anon.request::<_, PlaylistList>(profile::playlist_list(), &Empty {}).await),
        err(Status::Unauthorized, "missing_token")
    );
    // And the owner still sees everything.
    let q: PlayQueue = ann.request(profile::queue_get(), &Empty {}).await.unwrap();
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
        let _: Empty = ann.request(profile::favorite_set(), &star(kind, id, true)).await.unwrap();
        let r = ann.request::<_, Empty>(profile::favorite_set(), &star(kind, Uuid::now_v7(), true)).await;
        assert_eq!(status(r).0, Some(Status::NotFound), "{kind:?}");
    }
    let favs: Favorites = ann.request(profile::favorite_list(), &Empty {}).await.unwrap();
    assert_eq!((favs.tracks[0].id, favs.albums[0].id, favs.artists[0].id), (t.id, album, artist));
    assert!(favs.tracks[0].starred_at > 0);
    let _: Empty = ann.request(profile::favorite_set(), &star(FavoriteKind::Track, t.id, false)).await.unwrap();
    let favs: Favorites = ann.request(profile::favorite_list(), &Empty {}).await.unwrap();
    assert!(favs.tracks.is_empty());

    let _: Empty = ann.request(profile::rating_set(), &RatingSet { track_id: t.id, rating: 4 }).await.unwrap();
    let r = ann.request::<_, Empty>(profile::rating_set(), &RatingSet { track_id: t.id, rating: 6 }).await;
    assert_eq!(status(r), err(Status::BadRequest, "invalid_rating"));
    let ratings: Ratings = ann.request(profile::rating_list(), &Empty {}).await.unwrap();
    assert_eq!(ratings.ratings, [Rating { track_id: t.id, rating: 4 }]);

    let q = PlayQueue { tracks: vec![t.id], index: 3, position_ms: 0, saved_at: 0 };
    assert_eq!(
        status(ann.request::<_, Empty>(profile::queue_save(), &q).await),
        err(Status::BadRequest, "invalid_index")
    );
    let q = PlayQueue { tracks: vec![t.id, Uuid::now_v7()], index: 0, position_ms: 0, saved_at: 0 };
    assert_eq!(
        status(ann.request::<_, Empty>(profile::queue_save(), &q).await),
        err(Status::NotFound, "track_not_found")
    );
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
        let _: Empty = ann.request(profile::play_record(), &p).await.unwrap();
        // The same play again (a retry) counts once.
        let _: Empty = ann.fresh().request(profile::play_record(), &p).await.unwrap();
    }
    let r = ann.request::<_, Empty>(profile::play_record(), &play(Uuid::now_v7(), Uuid::now_v7(), base)).await;
    assert_eq!(status(r), err(Status::NotFound, "track_not_found"));

    let recent: RecentPlays = ann.request(profile::play_recent(), &RecentRequest::default()).await.unwrap();
    let order: Vec<Uuid> = recent.tracks.iter().map(|r| r.track_id).collect();
    assert_eq!(order, [ids[2], ids[0], ids[1]]);
    let all: PlayCounts = ann.request(profile::play_counts(), &CountsRequest::default()).await.unwrap();
    assert_eq!(all.total, 4);
    assert_eq!((all.tracks[0].id, all.tracks[0].plays), (ids[0], 2));
    let album_plays: u64 = all.albums.iter().map(|a| a.plays).sum();
    assert_eq!(album_plays, 4);
    let early = CountsRequest { from: Some(base), until: Some(base + 100), limit: Some(1) };
    let early: PlayCounts = ann.request(profile::play_counts(), &early).await.unwrap();
    assert_eq!((early.total, early.tracks.len()), (3, 1));
    let bad = CountsRequest { limit: Some(0), ..Default::default() };
    assert_eq!(
        status(ann.request::<_, PlayCounts>(profile::play_counts(), &bad).await),
        err(Status::BadRequest, "invalid_limit")
    );

    // Another user's history is theirs.
    let (bob, _) = stack.listener("bob").await;
    let recent: RecentPlays = bob.request(profile::play_recent(), &RecentRequest::default()).await.unwrap();
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
    let _: Playlist = ann.request_with(profile::playlist_create(), &req, options).await.unwrap();

    let asked = tokio::time::timeout(std::time::Duration::from_secs(2), seen.next()).await.unwrap().unwrap();
    let header = asked.headers.as_ref().and_then(|h| h.get(chorus_nats::headers::TRACEPARENT)).unwrap();
    let passed = TraceContext::parse(header.as_str()).unwrap();
    assert_eq!(passed.trace_id, trace.trace_id, "the catalog call continues the caller's trace");
    assert!(passed.sampled, "the caller's sampling is kept");
    assert_ne!(passed.parent_id, trace.parent_id, "profile's call is a span of its own");
}
