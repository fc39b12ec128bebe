//! Catalog views through the wire: restarts of in-memory and on-disk views,
//! pagination under writes, browse lists and genres.

use crate::support;

use std::collections::HashSet;
use std::time::Duration;

use chorus_nats::messages::catalog::*;
use chorus_nats::ChorusClient;
use chorus_testkit::NatsServer;
use support::catalog::{info, snapshot};
use support::catalog_host;
use uuid::Uuid;

#[tokio::test]
async fn a_restarted_memory_instance_answers_exactly_as_before() {
    let server = NatsServer::start().unwrap();
    support::seed(&server, 150).await;
    let host = catalog_host(&server, "mem").await;
    let c = support::admin_client(&server).await;
    let t = chorus_catalog::synthetic::tracks(150, 42).remove(3);
    let got: Track = c.call(&TrackGet { id: t.id }).await.unwrap();
    let _: Written<Track> = c.call(&TrackUpdate(Track { title: "Renamed".into(), revision: 0, ..got })).await.unwrap();
    let _: Written<Track> =
        c.call(&TrackDelete { id: chorus_catalog::synthetic::tracks(150, 42)[7].id, revision: None }).await.unwrap();
    let before = snapshot(&c).await;
    assert_eq!(before.0.len(), 149);
    host.drain().await.unwrap();
    let _again = catalog_host(&server, "mem").await;
    let c = support::admin_client(&server).await;
    assert_eq!(snapshot(&c).await, before);
}

#[tokio::test]
async fn an_on_disk_view_restarts_without_a_full_replay() {
    let server = NatsServer::start().unwrap();
    support::seed(&server, 120).await;
    let dir = tempfile::tempdir().unwrap();
    let view = format!("surrealkv:{}", dir.path().join("catalog").display());
    let nats = server.connect().await.unwrap();
    let host = catalog_host(&server, &view).await;
    let first = info(&nats).await;
    assert_eq!(first["metadata"]["view"], "surrealkv");
    let initial: u64 = first["metadata"]["view_replayed"].as_str().unwrap().parse().unwrap();
    assert!(initial >= 120, "a fresh view replays everything: {first}");
    let c = ChorusClient::new(nats.clone());
    let before = snapshot(&c).await;
    host.drain().await.unwrap();

    // Two writes while it is down; the restarted view applies just those.
    support::seed(&server, 122).await;
    let host = catalog_host(&server, &view).await;
    let second = info(&nats).await;
    let replayed: u64 = second["metadata"]["view_replayed"].as_str().unwrap().parse().unwrap();
    // Two new tracks, and their album (and its artist) when the first 120 had none of them.
    let (was, is) = (chorus_catalog::synthetic::generate(120, 42), chorus_catalog::synthetic::generate(122, 42));
    let new = 2 + (is.albums.len() - was.albums.len()) + (is.artists.len() - was.artists.len());
    assert_eq!(replayed, new as u64, "the new records only: {second}");
    let after = snapshot(&c).await;
    assert_eq!(after.0.len(), 122);
    assert_eq!(after.0[..120], before.0[..]);
    host.drain().await.unwrap();
}

/// Memory comes back from the snapshot when it is at the view's revision
/// (changes made while the instance was down replayed after it), and from
/// the view's rows when the view went on past it.
#[tokio::test]
async fn an_on_disk_view_restores_memory_from_its_snapshot_only_at_the_views_revision() {
    let server = NatsServer::start().unwrap();
    support::seed(&server, 120).await;
    let dir = tempfile::tempdir().unwrap();
    let view = format!("surrealkv:{}", dir.path().join("catalog").display());
    let file = dir.path().join("catalog.memory");
    let nats = server.connect().await.unwrap();
    let host = catalog_host(&server, &view).await;
    assert_eq!(info(&nats).await["metadata"]["view_restored"], "record");
    let c = support::admin_client(&server).await;
    let before = snapshot(&c).await;
    let until = std::time::Instant::now() + Duration::from_secs(20);
    while !file.exists() {
        assert!(std::time::Instant::now() < until, "no memory snapshot written after 20 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    host.drain().await.unwrap();

    // Two tracks added while it is down: the snapshot, then those two.
    support::seed(&server, 122).await;
    let host = catalog_host(&server, &view).await;
    assert_eq!(info(&nats).await["metadata"]["view_restored"], "snapshot");
    let c = support::admin_client(&server).await;
    let after = snapshot(&c).await;
    assert_eq!(after.0.len(), 122);
    assert_eq!(after.0[..120], before.0[..]);
    // A rename, and the instance stopped before the snapshot follows it
    // (the snapshot from before the rename put back, should it have).
    let stale = std::fs::read(&file).unwrap();
    let t = chorus_catalog::synthetic::tracks(122, 42).remove(5);
    let got: Track = c.call(&TrackGet { id: t.id }).await.unwrap();
    let _: Written<Track> = c.call(&TrackUpdate(Track { title: "Renamed".into(), revision: 0, ..got })).await.unwrap();
    let renamed = snapshot(&c).await;
    host.drain().await.unwrap();
    std::fs::write(&file, stale).unwrap();
    let _host = catalog_host(&server, &view).await;
    assert_eq!(info(&nats).await["metadata"]["view_restored"], "view");
    let c = support::admin_client(&server).await;
    assert_eq!(snapshot(&c).await, renamed);
    let got: Track = c.call(&TrackGet { id: t.id }).await.unwrap();
    assert_eq!(got.title, "Renamed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagination_visits_every_track_once_while_writes_go_on() {
    let server = NatsServer::start().unwrap();
    let seeded = support::seed(&server, 300).await;
    let _host = catalog_host(&server, "mem").await;
    let c = support::admin_client(&server).await;
    let any: Track = c.call(&TrackGet { id: seeded[0].id }).await.unwrap();
    let al = AlbumRef::clone(any.album.as_ref().unwrap());
    let writer = {
        let c = c.fresh();
        tokio::spawn(async move {
            for i in 0..60 {
                let t = Track { id: Uuid::nil(), title: format!("New {i}"), album: Some(al.clone()), ..any.clone() };
                let _: Written<Track> = c.call(&TrackCreate(t)).await.unwrap();
            }
        })
    };
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page: TrackPage = c.call(&TrackList { cursor, limit: Some(20), ..Default::default() }).await.unwrap();
        seen.extend(page.tracks.iter().map(|t| t.id));
        tokio::time::sleep(Duration::from_millis(5)).await;
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    writer.await.unwrap();
    let unique: HashSet<Uuid> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "a track was listed twice");
    assert!(seeded.iter().all(|t| unique.contains(&t.id)), "a track was skipped");
}

#[tokio::test]
async fn browse_lists_and_genres() {
    let server = NatsServer::start().unwrap();
    let cat = chorus_catalog::synthetic::generate(240, 42);
    support::seed(&server, 240).await;
    let _host = catalog_host(&server, "mem").await;
    let c = support::admin_client(&server).await;
    let list = |order, genre: Option<&str>, years: Option<(i32, i32)>| AlbumList {
        order,
        offset: 0,
        limit: Some(500),
        year_from: years.map(|y| y.0),
        year_to: years.map(|y| y.1),
        genre: genre.map(str::to_string),
    };
    let newest: AlbumPage = c.call(&list(AlbumOrder::Newest, None, None)).await.unwrap();
    assert_eq!(newest.albums.len(), cat.albums.len());
    assert!(newest.albums.windows(2).all(|w| w[0].added_at >= w[1].added_at));
    let by_name: AlbumPage = c.call(&list(AlbumOrder::AlphabeticalByName, None, None)).await.unwrap();
    assert!(by_name.albums.windows(2).all(|w| w[0].title.to_lowercase() <= w[1].title.to_lowercase()));
    let by_year: AlbumPage = c.call(&list(AlbumOrder::ByYear, None, Some((2025, 1990)))).await.unwrap();
    assert!(by_year.albums.iter().all(|a| (1990..=2025).contains(&a.year.unwrap())));
    assert!(by_year.albums.windows(2).all(|w| w[0].year >= w[1].year));
    let genre = cat.albums[0].genres[0].clone();
    let by_genre: AlbumPage = c.call(&list(AlbumOrder::ByGenre, Some(&genre.to_uppercase()), None)).await.unwrap();
    assert_eq!(by_genre.albums.len(), cat.albums.iter().filter(|a| a.genres.contains(&genre)).count());
    let random: AlbumPage =
        c.call(&AlbumList { limit: Some(5), ..list(AlbumOrder::Random, None, None) }).await.unwrap();
    assert_eq!(random.albums.len(), 5);
    let e = c.call(&list(AlbumOrder::ByGenre, None, None)).await.unwrap_err();
    assert_eq!(e.code(), Some("missing_genre"));

    let genres: Genres = c.call(&GenreList {}).await.unwrap();
    let total: u64 = genres.genres.iter().map(|g| g.tracks).sum();
    assert_eq!(total, 240);
    let g = genres.genres.iter().find(|g| g.name == genre).unwrap();
    assert_eq!(g.tracks as usize, cat.tracks.iter().filter(|t| t.genres.contains(&genre)).count());
    assert!(genres.genres.windows(2).all(|w| w[0].tracks >= w[1].tracks));

    // Filters on track.list.
    let artist = cat.artists[1].id;
    let page: TrackPage =
        c.call(&TrackList { artist: Some(artist), limit: Some(500), ..Default::default() }).await.unwrap();
    assert_eq!(page.tracks.len(), cat.tracks.iter().filter(|t| t.artists[0].id == artist).count());
    let page: TrackPage = c
        .call(&TrackList { year_from: Some(2000), year_to: Some(2010), limit: Some(500), ..Default::default() })
        .await
        .unwrap();
    assert!(page.tracks.iter().all(|t| (2000..=2010).contains(&t.year.unwrap())));
    assert_eq!(page.tracks.len(), cat.tracks.iter().filter(|t| (2000..=2010).contains(&t.year.unwrap())).count());

    // Batch.
    let ids = vec![cat.tracks[0].id, Uuid::now_v7(), cat.tracks[5].id];
    let b: TrackBatchReply = c.call(&TrackBatch { ids: ids.clone() }).await.unwrap();
    assert_eq!(b.tracks.iter().map(|t| t.id).collect::<Vec<_>>(), vec![ids[0], ids[2]]);
    assert_eq!(b.missing, vec![ids[1]]);
}
