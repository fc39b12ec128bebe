//! The profile service's bounds through the wire: each cap per listener
//! answers its documented error and stores nothing more, also under
//! concurrent creates on one instance and on two; `playlist.update` takes a
//! bounded number of ops; writes past the rate get 429 with a retry-after;
//! every list walks in pages completely, with no duplicates and no gaps.
//!
//! Callers carry tokens from a [`TestIssuer`] (verified the real way), and the
//! catalog is a seeded synthetic one, so no demo audio is needed and the caps
//! are set small in each stack's `[profile]` section.

use std::cell::Cell;
use std::collections::HashSet;
use std::future::Future;
use std::time::{Duration, Instant};

use chorus_host::host::RunningHost;
use chorus_nats::messages::auth::Role;
use chorus_nats::messages::catalog::Track;
use chorus_nats::messages::profile::*;
use chorus_nats::messages::Empty;
use chorus_nats::{subjects::profile, ChorusClient, ClientError, Status};
use chorus_testkit::{host_config, NatsServer, TestIssuer};
use futures::future::join_all;
use uuid::Uuid;

use crate::support;

/// A server, a seeded catalog, a catalog + profile host with `profile` as its
/// `[profile]` section, and an issuer of listener tokens.
struct Bounds {
    server: NatsServer,
    hosts: Vec<RunningHost>,
    tracks: Vec<Track>,
    issuer: TestIssuer,
    profile: serde_json::Value,
}

async fn start(tracks: usize, profile: serde_json::Value) -> Bounds {
    let server = NatsServer::start().expect("nats-server");
    let tracks = support::seed(&server, tracks).await;
    let issuer = TestIssuer::publish(&server.connect().await.unwrap()).await.expect("test key");
    let mut b = Bounds { server, hosts: Vec::new(), tracks, issuer, profile };
    b.add_host(&["catalog", "profile"]).await;
    b
}

impl Bounds {
    /// Another host on the same server (another instance in each queue group).
    async fn add_host(&mut self, services: &[&str]) {
        let mut config = host_config(&self.server.url(), services);
        config.sections.insert("profile".into(), self.profile.clone());
        match RunningHost::start(config, &chorus_nodes::registry()).await {
            Ok(h) => self.hosts.push(h),
            Err(e) => panic!("host: {e:#}"),
        }
    }

    /// A new listener's client.
    async fn listener(&self) -> ChorusClient {
        self.listener_as(Uuid::now_v7()).await
    }

    /// `user`'s client.
    async fn listener_as(&self, user: Uuid) -> ChorusClient {
        let token = self.issuer.token_for(user, &[Role::Listener]);
        ChorusClient::new(self.server.connect().await.unwrap()).with_timeout(Duration::from_secs(5)).with_token(token)
    }

    fn ids(&self) -> Vec<Uuid> {
        self.tracks.iter().map(|t| t.id).collect()
    }
}

/// Small caps and no write rate: each cap is reached in a few requests.
fn small_caps() -> serde_json::Value {
    serde_json::json!({
        "max_playlists": 3,
        "max_playlist_tracks": 4,
        "max_playlist_ops": 5,
        "max_favorites": 3,
        "max_ratings": 3,
        "max_queue": 3,
        "writes_per_s": 0,
    })
}

fn error<T: std::fmt::Debug>(r: Result<T, ClientError>) -> (Option<Status>, String) {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => (e.status(), e.code().unwrap_or("").to_string()),
    }
}

fn is(s: Status, code: &str) -> (Option<Status>, String) {
    (Some(s), code.to_string())
}

async fn create(c: &ChorusClient, name: &str, tracks: &[Uuid]) -> Result<Playlist, ClientError> {
    let req = PlaylistCreate { name: name.into(), tracks: tracks.to_vec(), ..Default::default() };
    c.call(&req).await
}

fn edit(p: &Playlist, ops: Vec<PlaylistOp>) -> PlaylistUpdate {
    PlaylistUpdate { id: p.id, revision: p.revision, name: None, description: None, public: None, ops }
}

fn star(kind: FavoriteKind, id: Uuid) -> FavoriteSet {
    FavoriteSet { kind, id, starred: true }
}

/// Every page of a list: `page(cursor)` gives a page's entries and its `next`.
/// Fails on a walk that does not end.
async fn walk<T, F, Fut>(mut page: F) -> Vec<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = (Vec<T>, Option<String>)>,
{
    let (mut pages, mut cursor) = (Vec::new(), None);
    for _ in 0..100 {
        let (entries, next) = page(cursor.take()).await;
        pages.push(entries);
        match next {
            Some(n) => cursor = Some(n),
            None => return pages,
        }
    }
    panic!("a walk of more than 100 pages");
}

async fn playlist_count(c: &ChorusClient) -> usize {
    let all: PlaylistPage = c.call(&PlaylistList::default()).await.unwrap();
    assert!(all.next.is_none(), "fewer than one page");
    all.playlists.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_cap_gives_its_error_and_stores_nothing_more() {
    let stack = start(6, small_caps()).await;
    let ids = stack.ids();

    // Playlists per listener: 409, and the list keeps three; a delete makes room.
    let ann = stack.listener().await;
    let mut made = Vec::new();
    for i in 0..3 {
        made.push(create(&ann, &format!("Mix {i}"), &[]).await.unwrap());
    }
    assert_eq!(error(create(&ann, "One too many", &[]).await), is(Status::Conflict, "playlist_limit"));
    assert_eq!(playlist_count(&ann).await, 3);
    let gone = PlaylistRef { id: made[0].id, revision: None };
    let _: Empty = ann.call(&gone).await.unwrap();
    create(&ann, "Room again", &[]).await.unwrap();
    assert_eq!(error(create(&ann, "Still full", &[]).await), is(Status::Conflict, "playlist_limit"));
    assert_eq!(playlist_count(&ann).await, 3);

    // Tracks per playlist: 413 on create and on update; the playlist is left as it was.
    let bob = stack.listener().await;
    assert_eq!(error(create(&bob, "Too long", &ids[..5]).await), is(Status::TooLarge, "too_many_tracks"));
    assert_eq!(playlist_count(&bob).await, 0);
    let full = create(&bob, "Full", &ids[..4]).await.unwrap();
    let add = edit(&full, vec![PlaylistOp::Add { tracks: vec![ids[4]], at: Some(0) }]);
    assert_eq!(error(bob.call(&add).await), is(Status::TooLarge, "too_many_tracks"));
    // Ops per update: 400 past five, whatever they are; five pass.
    let six = edit(&full, vec![PlaylistOp::Move { from: 0, to: 3 }; 6]);
    assert_eq!(error(bob.call(&six).await), is(Status::BadRequest, "too_many_ops"));
    let get = PlaylistGet { id: full.id, ..Default::default() };
    let view: PlaylistView = bob.call(&get).await.unwrap();
    assert_eq!((view.playlist.tracks.clone(), view.playlist.revision), (ids[..4].to_vec(), full.revision));
    let five = edit(&full, vec![PlaylistOp::Move { from: 0, to: 3 }; 5]);
    let moved: Playlist = bob.call(&five).await.unwrap();
    assert_eq!(moved.tracks, [ids[1], ids[2], ids[3], ids[0]]);
    // Swapping a track for another at the cap fits: the cap is on the result.
    let swap = edit(
        &moved,
        vec![PlaylistOp::Remove { positions: vec![0] }, PlaylistOp::Add { tracks: vec![ids[5]], at: None }],
    );
    let swapped: Playlist = bob.call(&swap).await.unwrap();
    assert_eq!(swapped.tracks.len(), 4);

    // Favorites, all kinds together: 409; starring again what is starred is fine.
    let cat = stack.listener().await;
    let t = &stack.tracks[0];
    let (album, artist) = (t.album.as_ref().unwrap().id, t.artists[0].id);
    for s in [star(FavoriteKind::Track, ids[0]), star(FavoriteKind::Track, ids[1]), star(FavoriteKind::Album, album)] {
        let _: Empty = cat.call(&s).await.unwrap();
    }
    let over = cat.call(&star(FavoriteKind::Artist, artist)).await;
    assert_eq!(error(over), is(Status::Conflict, "favorite_limit"));
    let over = cat.call(&star(FavoriteKind::Track, ids[2])).await;
    assert_eq!(error(over), is(Status::Conflict, "favorite_limit"));
    let _: Empty = cat.call(&star(FavoriteKind::Track, ids[0])).await.unwrap();
    let favs: Favorites = cat.call(&FavoriteList::default()).await.unwrap();
    let stored: Vec<Uuid> = favs.tracks.iter().chain(&favs.albums).chain(&favs.artists).map(|s| s.id).collect();
    assert_eq!((stored.len(), favs.artists.len(), favs.next), (3, 0, None));
    let unstar = FavoriteSet { starred: false, ..star(FavoriteKind::Track, ids[1]) };
    let _: Empty = cat.call(&unstar).await.unwrap();
    let _: Empty = cat.call(&star(FavoriteKind::Artist, artist)).await.unwrap();

    // Ratings: 409 for a fourth track; re-rating a rated one is fine.
    for id in &ids[..3] {
        let _: Empty = cat.call(&RatingSet { track_id: *id, rating: 3 }).await.unwrap();
    }
    let over = cat.call(&RatingSet { track_id: ids[3], rating: 5 }).await;
    assert_eq!(error(over), is(Status::Conflict, "rating_limit"));
    let _: Empty = cat.call(&RatingSet { track_id: ids[0], rating: 5 }).await.unwrap();
    let ratings: Ratings = cat.call(&RatingList::default()).await.unwrap();
    let rated: HashSet<Uuid> = ratings.ratings.iter().map(|r| r.track_id).collect();
    assert_eq!(rated, ids[..3].iter().copied().collect::<HashSet<_>>());
    assert!(ratings.ratings.iter().any(|r| r.track_id == ids[0] && r.rating == 5));

    // The saved queue: 413, and the saved one stays.
    let saved = QueueSave { tracks: ids[..3].to_vec(), index: 0, position_ms: 0 };
    let _: Empty = cat.call(&saved).await.unwrap();
    let long = QueueSave { tracks: ids[..4].to_vec(), ..saved.clone() };
    assert_eq!(error(cat.call(&long).await), is(Status::TooLarge, "queue_too_long"));
    let q: PlayQueue = cat.call(&QueueGet {}).await.unwrap();
    assert_eq!(q.tracks, saved.tracks);
}

/// `n` creates at once for `c`; returns the successes, and checks that every
/// failure is the cap.
async fn creates_at_once(c: &ChorusClient, n: usize) -> usize {
    let results = join_all((0..n).map(|i| {
        let c = c.clone();
        async move { create(&c, &format!("Race {i}"), &[]).await }
    }))
    .await;
    let mut made = 0;
    for r in results {
        match r {
            Ok(_) => made += 1,
            Err(e) => assert_eq!(error::<()>(Err(e)), is(Status::Conflict, "playlist_limit")),
        }
    }
    made
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_playlist_cap_holds_under_concurrent_creates() {
    let mut stack = start(1, small_caps()).await;

    // One instance: creates of one listener are counted one at a time: exactly the cap.
    let ann = stack.listener().await;
    assert_eq!(creates_at_once(&ann, 12).await, 3);
    assert_eq!(playlist_count(&ann).await, 3);

    // Two instances: each counts from a view with every acknowledged write,
    // so only a create counted at the same moment on the other can pass the
    // cap: by one at most, and what was acknowledged is what is stored.
    stack.add_host(&["profile"]).await;
    let bob = stack.listener().await;
    let made = creates_at_once(&bob, 12).await;
    assert!((3..=4).contains(&made), "{made} playlists created with a cap of 3 on two instances");
    assert_eq!(playlist_count(&bob).await, made);
    // And once there, no instance adds another.
    assert_eq!(creates_at_once(&bob, 4).await, 0);
    assert_eq!(playlist_count(&bob).await, made);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_past_the_rate_get_429_with_a_retry_after() {
    let stack = start(1, serde_json::json!({"writes_per_s": 1, "write_burst": 3})).await;
    let track = stack.tracks[0].id;
    let ann = stack.listener().await;
    let rate = |n: u8| RatingSet { track_id: track, rating: n % 5 + 1 };

    let began = Instant::now();
    let (mut ok, mut refused) = (0u32, None);
    for n in 0..20 {
        match ann.call(&rate(n)).await {
            Ok(_) => ok += 1,
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    // The burst, plus one a second for the time the writes took.
    let allowed = 3 + began.elapsed().as_secs() as u32 + 1;
    assert!((3..=allowed).contains(&ok), "{ok} writes passed, at most {allowed} allowed");
    let refused = refused.expect("a write past the burst is refused");
    let ClientError::Service { status, code, retry_after_ms, .. } = refused else {
        panic!("expected a service error, got {refused:?}")
    };
    assert_eq!((status, code.as_str()), (Status::TooManyRequests, "too_many_writes"));
    let wait = retry_after_ms.expect("a 429 says when to retry");
    assert!((1..=1_000).contains(&wait), "retry after {wait} ms at one write a second");

    // Reads are not writes, and another listener has writes of their own.
    let _: Ratings = ann.call(&RatingList::default()).await.unwrap();
    let bob = stack.listener().await;
    let _: Empty = bob.call(&rate(1)).await.unwrap();
    // After the wait the listener may write again.
    tokio::time::sleep(Duration::from_millis(wait)).await;
    let _: Empty = ann.call(&rate(2)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_walks_completely_in_pages() {
    let stack = start(8, serde_json::json!({"writes_per_s": 0})).await;
    let ids = stack.ids();
    let ann = stack.listener().await;

    // Playlists, newest first, three a page; one created mid-walk is not in it.
    let mut made = Vec::new();
    for i in 0..7 {
        made.push(create(&ann, &format!("List {i}"), &ids[..i % 3]).await.unwrap().id);
    }
    let late = Cell::new(None);
    let pages = walk(|cursor| {
        let (ann, first, late) = (ann.clone(), cursor.is_none(), &late);
        async move {
            let req = PlaylistList { cursor, limit: Some(3) };
            let page: PlaylistPage = ann.call(&req).await.unwrap();
            if first {
                late.set(Some(create(&ann, "Made while paging", &[]).await.unwrap().id));
            }
            (page.playlists, page.next)
        }
    })
    .await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
    let walked: Vec<Uuid> = pages.iter().flatten().map(|p| p.id).collect();
    assert_eq!(walked, made.iter().rev().copied().collect::<Vec<_>>(), "newest first, each once");
    let counts: Vec<usize> = pages.iter().flatten().map(|p| p.track_count).collect();
    assert_eq!(counts, [0, 2, 1, 0, 2, 1, 0]);
    // Without a limit the first page holds up to 50: all eight.
    let all: PlaylistPage = ann.call(&PlaylistList::default()).await.unwrap();
    assert_eq!((all.playlists.len(), Some(all.playlists[0].id), all.next), (8, late.get(), None));

    // A playlist's tracks, by position, at one revision; a stale one is 409.
    let order: Vec<Uuid> = [0, 1, 2, 3, 4, 5, 6, 7, 0, 1].iter().map(|&i| ids[i]).collect();
    let long = create(&ann, "Long", &order).await.unwrap();
    let (id, revision, entries) = (long.id, long.revision, order.len());
    let pages = walk(|cursor| {
        let ann = ann.clone();
        async move {
            let req = PlaylistGet { id, revision: Some(revision), cursor, limit: Some(4) };
            let view: PlaylistView = ann.call(&req).await.unwrap();
            assert_eq!((view.hidden, view.playlist.tracks.len()), (0, entries));
            (view.tracks.into_iter().map(|t| t.id).collect::<Vec<_>>(), view.next)
        }
    })
    .await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 2]);
    assert_eq!(pages.concat(), order, "every entry, in playlist order, duplicates included");
    let renamed = PlaylistUpdate { name: Some("Longer".into()), ..edit(&long, Vec::new()) };
    let _: Playlist = ann.call(&renamed).await.unwrap();
    let stale = PlaylistGet { id, revision: Some(revision), cursor: Some("4".into()), limit: Some(4) };
    assert_eq!(error(ann.call(&stale).await), is(Status::Conflict, "revision_conflict"));

    // Favorites: tracks, then albums, then artists, each newest first; three a page.
    let albums: Vec<Uuid> =
        distinct(stack.tracks.iter().filter_map(|t| t.album.as_ref().map(|a| a.id))).take(2).collect();
    let artist = stack.tracks[0].artists[0].id;
    let mut starred = HashSet::new();
    for s in ids[..5]
        .iter()
        .map(|id| star(FavoriteKind::Track, *id))
        .chain(albums.iter().map(|id| star(FavoriteKind::Album, *id)))
        .chain([star(FavoriteKind::Artist, artist)])
    {
        let _: Empty = ann.call(&s).await.unwrap();
        starred.insert((s.kind as u8, s.id));
    }
    let late = ids[7];
    let pages = walk(|cursor| {
        let (ann, first) = (ann.clone(), cursor.is_none());
        async move {
            let req = FavoriteList { kind: None, cursor, limit: Some(3) };
            let page: Favorites = ann.call(&req).await.unwrap();
            if first {
                // Starred after the walk began: newest, so before the cursor.
                let _: Empty = ann.call(&star(FavoriteKind::Track, late)).await.unwrap();
            }
            let kinds = [(FavoriteKind::Track, &page.tracks), (FavoriteKind::Album, &page.albums)];
            let entries: Vec<(u8, Starred)> = kinds
                .into_iter()
                .chain([(FavoriteKind::Artist, &page.artists)])
                .flat_map(|(k, v)| v.iter().map(move |s| (k as u8, s.clone())))
                .collect();
            (entries, page.next)
        }
    })
    .await;
    let walked: Vec<(u8, Starred)> = pages.iter().flatten().cloned().collect();
    assert!(pages.iter().all(|p| p.len() <= 3) && pages.len() == starred.len().div_ceil(3), "{pages:?}");
    let seen: HashSet<(u8, Uuid)> = walked.iter().map(|(k, s)| (*k, s.id)).collect();
    assert_eq!(seen.len(), walked.len(), "no entry twice");
    assert_eq!(seen, starred, "every entry there when the walk began, and only those");
    assert!(!seen.contains(&(FavoriteKind::Track as u8, late)));
    assert!(walked.windows(2).all(|w| w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1.starred_at >= w[1].1.starred_at)));
    // One kind alone, one a page.
    let pages = walk(|cursor| {
        let ann = ann.clone();
        async move {
            let req = FavoriteList { kind: Some(FavoriteKind::Album), cursor, limit: Some(1) };
            let page: Favorites = ann.call(&req).await.unwrap();
            assert!(page.tracks.is_empty() && page.artists.is_empty());
            (page.albums.into_iter().map(|s| s.id).collect::<Vec<_>>(), page.next)
        }
    })
    .await;
    assert_eq!(pages.concat().into_iter().collect::<HashSet<_>>(), albums.iter().copied().collect::<HashSet<_>>());
    assert_eq!(pages.len(), albums.len());

    // Ratings, in track id order, three a page.
    for id in &ids[..7] {
        let _: Empty = ann.call(&RatingSet { track_id: *id, rating: 4 }).await.unwrap();
    }
    let pages = walk(|cursor| {
        let ann = ann.clone();
        async move {
            let page: Ratings = ann.call(&RatingList { cursor, limit: Some(3) }).await.unwrap();
            (page.ratings.into_iter().map(|r| r.track_id).collect::<Vec<_>>(), page.next)
        }
    })
    .await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
    let mut expected = ids[..7].to_vec();
    expected.sort();
    assert_eq!(pages.concat(), expected);

    // Limits and cursors are checked.
    let bad_list = |cursor: Option<&str>, limit| PlaylistList { cursor: cursor.map(str::to_string), limit };
    for (req, code) in [
        (bad_list(Some("not a cursor"), None), "invalid_cursor"),
        (bad_list(None, Some(0)), "invalid_limit"),
        (bad_list(None, Some(51)), "invalid_limit"),
    ] {
        let r = ann.call(&req).await;
        assert_eq!(error(r), is(Status::BadRequest, code));
    }
    let r = ann.call(&RatingList { cursor: None, limit: Some(501) }).await;
    assert_eq!(error(r), is(Status::BadRequest, "invalid_limit"));
    let track_cursor = format!("track.1.{}", ids[0]);
    let mixed = FavoriteList { kind: Some(FavoriteKind::Album), cursor: Some(track_cursor), limit: None };
    let r = ann.call(&mixed).await;
    assert_eq!(error(r), is(Status::BadRequest, "invalid_cursor"));
    let past = PlaylistGet { id, cursor: Some("11".into()), ..Default::default() };
    let r = ann.call(&past).await;
    assert_eq!(error(r), is(Status::BadRequest, "invalid_cursor"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_client_asking_with_an_empty_body_gets_the_first_page() {
    let stack = start(1, serde_json::json!({})).await;
    let user = Uuid::now_v7();
    let c = stack.listener_as(user).await;
    let made = create(&c, "By hand", &[stack.tracks[0].id]).await.unwrap();
    let nats = stack.server.connect().await.unwrap();
    let bearer = format!("Bearer {}", stack.issuer.token_for(user, &[Role::Listener]));
    let reply = support::raw(&nats, &profile::playlist_list().subject(), &[("Authorization", &bearer)], b"{}").await;
    let body: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(body["playlists"][0]["id"], made.id.to_string(), "{body}");
    assert_eq!((body["playlists"][0]["track_count"].as_u64(), &body["next"]), (Some(1), &serde_json::Value::Null));
    let get = serde_json::json!({"id": made.id}).to_string();
    let reply =
        support::raw(&nats, &profile::playlist_get().subject(), &[("Authorization", &bearer)], get.as_bytes()).await;
    let body: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!((body["tracks"].as_array().map(Vec::len), &body["next"]), (Some(1), &serde_json::Value::Null), "{body}");
}

/// `ids` each once, in order.
fn distinct(ids: impl Iterator<Item = Uuid>) -> impl Iterator<Item = Uuid> {
    let mut seen = HashSet::new();
    ids.filter(move |id| seen.insert(*id))
}
