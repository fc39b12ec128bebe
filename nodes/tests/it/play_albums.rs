//! `play.albums` through the wire: a listener's most played albums, most
//! played first (ties by id), paged by a cursor that stays valid while the
//! listener plays on (subjects.md, profile: Paging), each listener's own.

use crate::support;

use chorus_nats::messages::catalog::{Album, Artist, Track};
use chorus_nats::messages::profile::*;
use chorus_nats::messages::Empty;
use chorus_nats::{subjects::catalog, ChorusClient, Status};
use support::catalog::{album, artist, create, track};
use uuid::Uuid;

async fn plays(c: &ChorusClient, track: &Track, n: usize) {
    for _ in 0..n {
        let _: Empty = c.call(&support::play_of(track.id)).await.unwrap();
    }
}

async fn page(c: &ChorusClient, cursor: Option<String>, limit: u32) -> PlayAlbumsPage {
    c.call(&PlayAlbums { cursor, limit: Some(limit) }).await.unwrap()
}

/// Every album of a walk, `limit` a page: `(album, plays)` and the number of pages.
async fn walk(c: &ChorusClient, limit: u32) -> (Vec<(Uuid, u64)>, usize) {
    let (mut all, mut pages, mut cursor) = (Vec::new(), 0, None);
    loop {
        let p = page(c, cursor, limit).await;
        pages += 1;
        assert!(p.albums.len() <= limit as usize);
        all.extend(p.albums.iter().map(|a| (a.id, a.plays)));
        match p.next {
            Some(n) => cursor = Some(n),
            None => return (all, pages),
        }
    }
}

fn code<T: std::fmt::Debug>(r: Result<T, chorus_nats::ClientError>) -> (Option<Status>, Option<String>) {
    let e = r.expect_err("an error");
    (e.status(), e.code().map(str::to_string))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn most_played_albums_page_by_a_cursor_that_survives_plays() {
    let stack = support::listener::start(1, serde_json::json!({})).await;
    let admin = support::admin_client(&stack.server).await;
    let ar: Artist = create(&admin, catalog::artist_create(), &artist("Stereolab")).await;
    // Five albums of one track each, created in id order: a < b < c < d < e.
    let mut albums: Vec<Album> = Vec::new();
    let mut tracks: Vec<Track> = Vec::new();
    for title in ["Emperor Tomato Ketchup", "Dots and Loops", "Mars Audiac Quintet", "Transient Random", "Sound-Dust"] {
        let al: Album = create(&admin, catalog::album_create(), &album(title, &ar, 1996, "Post-Rock")).await;
        tracks.push(create(&admin, catalog::track_create(), &track(title, &al, &ar, 1)).await);
        albums.push(al);
    }
    // A track on no album counts for no album.
    let loose: Track =
        create(&admin, catalog::track_create(), &Track { album: None, ..track("Loose", &albums[0], &ar, 1) }).await;
    let id = |i: usize| albums[i].id;
    let (ann, _) = stack.listener("ann").await;
    let first: PlayAlbumsPage = ann.call(&PlayAlbums::default()).await.unwrap();
    assert_eq!((first.albums.len(), first.next), (0, None), "nothing played, nothing listed");

    for (i, n) in [(0, 3), (1, 1), (2, 3), (3, 2)] {
        plays(&ann, &tracks[i], n).await;
    }
    plays(&ann, &loose, 4).await;
    let (all, pages) = walk(&ann, 200).await;
    assert_eq!(all, [(id(0), 3), (id(2), 3), (id(3), 2), (id(1), 1)], "most played first, ties by id");
    assert_eq!(pages, 1);
    // The same counts as play.counts' albums.
    let counts: PlayCounts = ann.call(&CountsRequest { limit: Some(200), ..Default::default() }).await.unwrap();
    assert_eq!(counts.albums.iter().map(|c| (c.id, c.plays)).collect::<Vec<_>>(), all);
    // Pages of one, of two: the same walk; a full last page says so.
    assert_eq!(walk(&ann, 1).await, (all.clone(), 4));
    assert_eq!(walk(&ann, 2).await, (all.clone(), 2));

    // A walk while the listener plays on: the first page, then plays, then the rest.
    let p1 = page(&ann, None, 2).await;
    assert_eq!(p1.albums.iter().map(|a| a.id).collect::<Vec<_>>(), [id(0), id(2)]);
    plays(&ann, &tracks[0], 1).await; // listed already: moves further ahead, not listed again
    plays(&ann, &tracks[1], 2).await; // 3 plays, ahead of the cursor (3, c): this walk passed its place
    plays(&ann, &tracks[3], 1).await; // 3 plays, still after the cursor: listed, with its new count
    plays(&ann, &tracks[4], 1).await; // new, after the cursor: listed
    let p2 = page(&ann, p1.next.clone(), 2).await;
    assert_eq!(p2.albums.iter().map(|a| (a.id, a.plays)).collect::<Vec<_>>(), [(id(3), 3), (id(4), 1)]);
    assert_eq!(p2.next, None);
    // A walk started now sees them all.
    let (again, _) = walk(&ann, 2).await;
    assert_eq!(again, [(id(0), 4), (id(1), 3), (id(2), 3), (id(3), 3), (id(4), 1)]);

    // A cursor is a place, not an album: one past every album is an empty last page.
    let far = page(&ann, Some(format!("1.{}", Uuid::max())), 10).await;
    assert_eq!((far.albums.len(), far.next), (0, None));
    let high = page(&ann, Some(format!("1000000.{}", Uuid::nil())), 10).await;
    assert_eq!(high.albums.len(), 5);

    for bad in [0, 201] {
        let r = ann.call(&PlayAlbums { cursor: None, limit: Some(bad) }).await;
        assert_eq!(code(r), (Some(Status::BadRequest), Some("invalid_limit".into())), "limit {bad}");
    }
    let valid = format!("3.{}", id(0));
    for bad in ["x", "3", "0.{id}", "-1.{id}", "3.not-a-uuid", "3.{id}.4", "three.{id}"] {
        let bad = bad.replace("{id}", &id(0).to_string());
        let r = ann.call(&PlayAlbums { cursor: Some(bad.clone()), limit: None }).await;
        assert_eq!(code(r), (Some(Status::BadRequest), Some("invalid_cursor".into())), "cursor {bad}");
    }
    let _: PlayAlbumsPage = ann.call(&PlayAlbums { cursor: Some(valid), limit: None }).await.unwrap();

    // Each listener's own: bob's plays are not ann's, and ann's are not bob's.
    let (bob, _) = stack.listener("bob").await;
    assert!(page(&bob, None, 50).await.albums.is_empty());
    plays(&bob, &tracks[4], 2).await;
    assert_eq!(walk(&bob, 50).await.0, [(id(4), 2)]);
    assert_eq!(walk(&ann, 50).await.0, again);
    // A cursor of ann's walk is only a place in bob's.
    let from_ann = page(&bob, p1.next, 50).await;
    assert_eq!(from_ann.albums.iter().map(|a| a.id).collect::<Vec<_>>(), [id(4)]);
}
