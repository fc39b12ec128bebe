//! The catalog through the wire: writes, concurrency, read-your-writes,
//! restarts of in-memory and on-disk views, browsing, and bad input.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use chorus_nats::messages::catalog::*;
use chorus_nats::{headers, subjects::catalog, ChorusClient, ClientError, Status};
use chorus_testkit::NatsServer;
use serde::de::DeserializeOwned;
use support::{catalog_host, error_of, raw};
use uuid::Uuid;

fn artist(name: &str) -> Artist {
    Artist { id: Uuid::nil(), name: name.into(), sort_name: String::new(), mbid: None, image: None, added_at: 0, revision: 0 }
}

fn album(title: &str, by: &Artist, year: i32, genre: &str) -> Album {
    Album {
        id: Uuid::nil(),
        title: title.into(),
        sort_title: String::new(),
        artist: Some(ArtistCredit { id: by.id, name: by.name.clone() }),
        year: Some(year),
        genres: vec![genre.into()],
        cover_art: None,
        mbid: None,
        added_at: 0,
        revision: 0,
    }
}

fn track(title: &str, on: &Album, by: &Artist, n: u32) -> Track {
    let mut t = chorus_catalog::synthetic::tracks(1, 1).remove(0);
    t.id = Uuid::nil();
    t.title = title.into();
    t.sort_title = String::new();
    t.artists = vec![ArtistCredit { id: by.id, name: by.name.clone() }];
    t.album_artist = t.artists.first().cloned();
    t.album = Some(AlbumRef { id: on.id, title: on.title.clone() });
    t.track_number = Some(n);
    t.year = on.year;
    t.genres = on.genres.clone();
    t
}

async fn write<B: serde::Serialize, T: DeserializeOwned>(c: &ChorusClient, e: chorus_nats::Endpoint, body: &B) -> Result<Written<T>, ClientError> {
    c.request(e, body).await
}

async fn create<T: serde::Serialize + DeserializeOwned>(c: &ChorusClient, e: chorus_nats::Endpoint, body: &T) -> T {
    write::<T, T>(c, e, body).await.expect("created").entity.expect("entity")
}

#[tokio::test]
async fn create_read_update_delete() {
    let server = NatsServer::start().unwrap();
    let _host = catalog_host(&server, "mem").await;
    let c = ChorusClient::new(server.connect().await.unwrap());
    let ar = create(&c, catalog::artist_create(), &artist("Sigur Rós")).await;
    assert!(!ar.id.is_nil() && ar.revision > 0 && ar.added_at > 0);
    let al = create(&c, catalog::album_create(), &album("Ágætis byrjun", &ar, 1999, "Post-Rock")).await;
    let t = create(&c, catalog::track_create(), &track("Svefn-g-englar", &al, &ar, 1)).await;

    let got: Track = c.request(catalog::track_get(), &TrackGet { id: t.id }).await.unwrap();
    assert_eq!(got, t);
    let detail: AlbumDetail = c.request(catalog::album_get(), &AlbumGet { id: al.id }).await.unwrap();
    assert_eq!(detail.tracks, vec![t.clone()]);
    let by: ArtistDetail = c.request(catalog::artist_get(), &ArtistGet { id: ar.id }).await.unwrap();
    assert_eq!(by.albums, vec![al.clone()]);

    // Update at the revision read; the same stale revision again is a conflict.
    let renamed = Track { title: "Svefn-g-englar (edit)".into(), ..t.clone() };
    let w = write::<_, Track>(&c, catalog::track_update(), &renamed).await.unwrap();
    assert!(w.seq > t.revision);
    let e = write::<_, Track>(&c, catalog::track_update(), &renamed).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(Status::Conflict), Some("revision_conflict")));
    let got: Track = c.request(catalog::track_get(), &TrackGet { id: t.id }).await.unwrap();
    assert_eq!((got.title.as_str(), got.added_at), ("Svefn-g-englar (edit)", t.added_at));

    // A create of an existing id is a conflict: imports re-run safely.
    let e = write::<_, Track>(&c, catalog::track_create(), &got).await.unwrap_err();
    assert_eq!(e.code(), Some("already_exists"));

    let w: Written<Track> = c.request(catalog::track_delete(), &Delete { id: t.id, revision: None }).await.unwrap();
    assert!(w.entity.is_none());
    let e = c.request::<_, Track>(catalog::track_get(), &TrackGet { id: t.id }).await.unwrap_err();
    assert_eq!(e.code(), Some("track_not_found"));
    let e = c.request::<_, Written<Track>>(catalog::track_delete(), &Delete { id: t.id, revision: None }).await.unwrap_err();
    assert_eq!(e.status(), Some(Status::NotFound));
}

#[tokio::test]
async fn writes_are_validated_and_can_be_switched_off() {
    let server = NatsServer::start().unwrap();
    let _host = catalog_host(&server, "mem").await;
    let c = ChorusClient::new(server.connect().await.unwrap());
    let ar = create(&c, catalog::artist_create(), &artist("Motörhead")).await;
    let al = create(&c, catalog::album_create(), &album("Ace of Spades", &ar, 1980, "Metal")).await;
    let cases: Vec<(Track, &str)> = vec![
        (track("", &al, &ar, 1), "invalid_title"),
        (track(&"x".repeat(600), &al, &ar, 1), "invalid_title"),
        (Track { year: Some(-5), ..track("Jailbait", &al, &ar, 2) }, "invalid_year"),
        (track("Jailbait", &Album { id: Uuid::now_v7(), ..al.clone() }, &ar, 2), "unknown_album"),
        (track("Jailbait", &al, &Artist { id: Uuid::now_v7(), ..ar.clone() }, 2), "unknown_artist"),
    ];
    for (t, code) in cases {
        let e = write::<_, Track>(&c, catalog::track_create(), &t).await.unwrap_err();
        assert_eq!((e.status(), e.code()), (Some(Status::BadRequest), Some(code)), "{e}");
    }
    let server2 = NatsServer::start().unwrap();
    let config = chorus_testkit::host_config(&server2.url(), &["catalog"]);
    let _readonly = chorus_host::host::RunningHost::start(config, &chorus_nodes::registry()).await.unwrap();
    let c2 = ChorusClient::new(server2.connect().await.unwrap());
    let e = write::<_, Artist>(&c2, catalog::artist_create(), &artist("Nobody")).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(Status::Forbidden), Some("writes_disabled")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_updates_through_two_instances_lose_nothing() {
    let server = NatsServer::start().unwrap();
    let _a = catalog_host(&server, "mem").await;
    let _b = catalog_host(&server, "mem").await;
    let c = ChorusClient::new(server.connect().await.unwrap());
    let ar = create(&c, catalog::artist_create(), &artist("Röyksopp")).await;
    let al = create(&c, catalog::album_create(), &album("Melody A.M.", &ar, 2001, "Electronic")).await;
    let t = create(&c, catalog::track_create(), &track("Eple", &al, &ar, 1)).await;

    // All at the same revision: exactly one wins, the rest get 409.
    let at_revision = futures::future::join_all((0..10).map(|i| {
        let c = ChorusClient::new(c.nats().clone());
        let entity = Track { title: format!("Eple {i}"), ..t.clone() };
        async move { write::<_, Track>(&c, catalog::track_update(), &entity).await }
    }))
    .await;
    let won = at_revision.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{at_revision:?}");
    assert!(at_revision.iter().filter_map(|r| r.as_ref().err()).all(|e| e.code() == Some("revision_conflict")));

    // Without a revision each update re-reads and retries: every acknowledged
    // update is a distinct revision, and the survivor is the last of them.
    let free = futures::future::join_all((0..10).map(|i| {
        let c = ChorusClient::new(c.nats().clone());
        let entity = Track { title: format!("Eple free {i}"), revision: 0, ..t.clone() };
        async move { write::<_, Track>(&c, catalog::track_update(), &entity).await }
    }))
    .await;
    let ok: Vec<&Written<Track>> = free.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert!(!ok.is_empty());
    assert!(free.iter().filter_map(|r| r.as_ref().err()).all(|e| e.code() == Some("revision_conflict")), "{free:?}");
    let seqs: HashSet<u64> = ok.iter().map(|w| w.seq).collect();
    assert_eq!(seqs.len(), ok.len(), "two acknowledged updates at one revision");
    let last = ok.iter().max_by_key(|w| w.seq).unwrap();
    // Those writes went through other clients: ask for their sequence explicitly.
    let options = chorus_nats::RequestOptions { min_seq: Some(last.seq), ..Default::default() };
    let got: Track = c.request_with(catalog::track_get(), &TrackGet { id: t.id }, options).await.unwrap();
    assert_eq!(got.title, last.entity.as_ref().unwrap().title);
    assert_eq!(got.revision, last.seq);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_your_writes_across_instances() {
    let server = NatsServer::start().unwrap();
    let _a = catalog_host(&server, "mem").await;
    let _b = catalog_host(&server, "mem").await;
    let nats = server.connect().await.unwrap();
    let writer = ChorusClient::new(nats.clone());
    let ar = create(&writer, catalog::artist_create(), &artist("Björk")).await;
    let al = create(&writer, catalog::album_create(), &album("Homogenic", &ar, 1997, "Electronic")).await;
    for i in 0..30 {
        let t = create(&writer, catalog::track_create(), &track(&format!("Jóga {i}"), &al, &ar, i)).await;
        // The client sends the write's sequence; whichever instance answers has it.
        let got: Track = writer.request(catalog::track_get(), &TrackGet { id: t.id }).await.unwrap();
        assert_eq!(got.id, t.id);
    }
    // The gate is real: a sequence nobody has reached gets 503 after a bounded wait.
    let far = (writer.seen_seq("catalog") + 1_000).to_string();
    let body = format!("{{\"id\":\"{}\"}}", ar.id);
    let msg = raw(&nats, &catalog::artist_get().subject(), &[(headers::MIN_SEQ, &far)], body.as_bytes()).await;
    let (status, err) = error_of(&msg);
    assert_eq!((status, err["code"].as_str()), (503, Some("not_caught_up")));
}

async fn snapshot(c: &ChorusClient) -> (Vec<Track>, Vec<Album>, Vec<Artist>, Vec<Genre>) {
    let mut tracks = Vec::new();
    let mut cursor = None;
    loop {
        let page: TrackPage = c.request(catalog::track_list(), &TrackList { cursor, limit: Some(500), ..Default::default() }).await.unwrap();
        tracks.extend(page.tracks);
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let albums: AlbumPage = c
        .request(catalog::album_list(), &AlbumList { order: AlbumOrder::AlphabeticalByName, offset: 0, limit: Some(500), year_from: None, year_to: None, genre: None })
        .await
        .unwrap();
    let artists: ArtistPage = c.request(catalog::artist_list(), &ArtistList { offset: 0, limit: Some(500) }).await.unwrap();
    let genres: GenreList = c.request(catalog::genre_list(), &Empty {}).await.unwrap();
    (tracks, albums.albums, artists.artists, genres.genres)
}

async fn info(nats: &async_nats::Client) -> serde_json::Value {
    // Logged, not hidden: a ready instance should answer at once.
    let mut tries = 0;
    let m = loop {
        match nats.request("$SRV.INFO.catalog", "".into()).await {
            Ok(m) => break m,
            Err(e) if tries < 10 => {
                tries += 1;
                eprintln!("$SRV.INFO.catalog try {tries}: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            Err(e) => panic!("no catalog instance answers $SRV.INFO: {e}"),
        }
    };
    serde_json::from_slice(&m.payload).unwrap()
}

#[tokio::test]
async fn a_restarted_memory_instance_answers_exactly_as_before() {
    let server = NatsServer::start().unwrap();
    support::seed(&server, 150).await;
    let host = catalog_host(&server, "mem").await;
    let c = ChorusClient::new(server.connect().await.unwrap());
    let t = chorus_catalog::synthetic::tracks(150, 42).remove(3);
    let got: Track = c.request(catalog::track_get(), &TrackGet { id: t.id }).await.unwrap();
    let _: Written<Track> = c.request(catalog::track_update(), &Track { title: "Renamed".into(), revision: 0, ..got }).await.unwrap();
    let _: Written<Track> = c.request(catalog::track_delete(), &Delete { id: chorus_catalog::synthetic::tracks(150, 42)[7].id, revision: None }).await.unwrap();
    let before = snapshot(&c).await;
    assert_eq!(before.0.len(), 149);
    host.drain().await.unwrap();
    let _again = catalog_host(&server, "mem").await;
    let c = ChorusClient::new(server.connect().await.unwrap());
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
    assert_eq!(replayed, 3, "one new album and two new tracks: {second}");
    let after = snapshot(&c).await;
    assert_eq!(after.0.len(), 122);
    assert_eq!(after.0[..120], before.0[..]);
    host.drain().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagination_visits_every_track_once_while_writes_go_on() {
    let server = NatsServer::start().unwrap();
    let seeded = support::seed(&server, 300).await;
    let _host = catalog_host(&server, "mem").await;
    let c = ChorusClient::new(server.connect().await.unwrap());
    let any: Track = c.request(catalog::track_get(), &TrackGet { id: seeded[0].id }).await.unwrap();
    let al = AlbumRef::clone(any.album.as_ref().unwrap());
    let writer = {
        let c = ChorusClient::new(c.nats().clone());
        tokio::spawn(async move {
            for i in 0..60 {
                let t = Track { id: Uuid::nil(), title: format!("New {i}"), album: Some(al.clone()), ..any.clone() };
                let _: Written<Track> = c.request(catalog::track_create(), &t).await.unwrap();
            }
        })
    };
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page: TrackPage = c.request(catalog::track_list(), &TrackList { cursor, limit: Some(20), ..Default::default() }).await.unwrap();
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
    let c = ChorusClient::new(server.connect().await.unwrap());
    let list = |order, genre: Option<&str>, years: Option<(i32, i32)>| AlbumList {
        order,
        offset: 0,
        limit: Some(500),
        year_from: years.map(|y| y.0),
        year_to: years.map(|y| y.1),
        genre: genre.map(str::to_string),
    };
    let newest: AlbumPage = c.request(catalog::album_list(), &list(AlbumOrder::Newest, None, None)).await.unwrap();
    assert_eq!(newest.albums.len(), cat.albums.len());
    assert!(newest.albums.windows(2).all(|w| w[0].added_at >= w[1].added_at));
    let by_name: AlbumPage = c.request(catalog::album_list(), &list(AlbumOrder::AlphabeticalByName, None, None)).await.unwrap();
    assert!(by_name.albums.windows(2).all(|w| w[0].title.to_lowercase() <= w[1].title.to_lowercase()));
    let by_year: AlbumPage = c.request(catalog::album_list(), &list(AlbumOrder::ByYear, None, Some((2025, 1990)))).await.unwrap();
    assert!(by_year.albums.iter().all(|a| (1990..=2025).contains(&a.year.unwrap())));
    assert!(by_year.albums.windows(2).all(|w| w[0].year >= w[1].year));
    let genre = cat.albums[0].genres[0].clone();
    let by_genre: AlbumPage = c.request(catalog::album_list(), &list(AlbumOrder::ByGenre, Some(&genre.to_uppercase()), None)).await.unwrap();
    assert_eq!(by_genre.albums.len(), cat.albums.iter().filter(|a| a.genres.contains(&genre)).count());
    let random: AlbumPage = c.request(catalog::album_list(), &AlbumList { limit: Some(5), ..list(AlbumOrder::Random, None, None) }).await.unwrap();
    assert_eq!(random.albums.len(), 5);
    let e = c.request::<_, AlbumPage>(catalog::album_list(), &list(AlbumOrder::ByGenre, None, None)).await.unwrap_err();
    assert_eq!(e.code(), Some("missing_genre"));

    let genres: GenreList = c.request(catalog::genre_list(), &Empty {}).await.unwrap();
    let total: u64 = genres.genres.iter().map(|g| g.tracks).sum();
    assert_eq!(total, 240);
    let g = genres.genres.iter().find(|g| g.name == genre).unwrap();
    assert_eq!(g.tracks as usize, cat.tracks.iter().filter(|t| t.genres.contains(&genre)).count());
    assert!(genres.genres.windows(2).all(|w| w[0].tracks >= w[1].tracks));

    // Filters on track.list.
    let artist = cat.artists[1].id;
    let page: TrackPage = c.request(catalog::track_list(), &TrackList { artist: Some(artist), limit: Some(500), ..Default::default() }).await.unwrap();
    assert_eq!(page.tracks.len(), cat.tracks.iter().filter(|t| t.artists[0].id == artist).count());
    let page: TrackPage = c.request(catalog::track_list(), &TrackList { year_from: Some(2000), year_to: Some(2010), limit: Some(500), ..Default::default() }).await.unwrap();
    assert!(page.tracks.iter().all(|t| (2000..=2010).contains(&t.year.unwrap())));
    assert_eq!(page.tracks.len(), cat.tracks.iter().filter(|t| (2000..=2010).contains(&t.year.unwrap())).count());

    // Batch.
    let ids = vec![cat.tracks[0].id, Uuid::now_v7(), cat.tracks[5].id];
    let b: TrackBatchReply = c.request(catalog::track_batch(), &TrackBatch { ids: ids.clone() }).await.unwrap();
    assert_eq!(b.tracks.iter().map(|t| t.id).collect::<Vec<_>>(), vec![ids[0], ids[2]]);
    assert_eq!(b.missing, vec![ids[1]]);
}

#[tokio::test]
async fn bad_input_to_every_endpoint_gets_4xx() {
    let server = NatsServer::start().unwrap();
    let _host = catalog_host(&server, "mem").await;
    let nats = server.connect().await.unwrap();
    for e in catalog::ALL {
        for body in [&b"\xc1garbage"[..], b"{\"id\": 7, \"title\": []}", b"[[[", b"\"just a string\""] {
            let msg = raw(&nats, &e.subject(), &[], body).await;
            let (status, err) = error_of(&msg);
            assert!((400..500).contains(&status), "{} {:?}: {status} {err}", e.subject(), String::from_utf8_lossy(body));
            assert!(err["code"].as_str().is_some_and(|c| !c.is_empty()));
        }
    }
}
