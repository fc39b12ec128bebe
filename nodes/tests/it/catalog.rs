//! Catalog writes through the wire: CRUD, validation, concurrency,
//! read-your-writes, and bad input to every endpoint.

use crate::support;

use std::collections::HashSet;

use chorus_nats::messages::catalog::*;
use chorus_nats::{headers, subjects::catalog, Status};
use chorus_testkit::NatsServer;
use support::catalog::{album, artist, create, track, write};
use support::{catalog_host, error_of, raw};
use uuid::Uuid;

#[tokio::test]
async fn create_read_update_delete() {
    let server = NatsServer::start().unwrap();
    let _host = catalog_host(&server, "mem").await;
    let c = support::admin_client(&server).await;
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
    let e = c
        .request::<_, Written<Track>>(catalog::track_delete(), &Delete { id: t.id, revision: None })
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(Status::NotFound));
}

#[tokio::test]
async fn writes_are_validated_and_can_be_switched_off() {
    let server = NatsServer::start().unwrap();
    let _host = catalog_host(&server, "mem").await;
    let c = support::admin_client(&server).await;
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
    let c2 = support::admin_client(&server2).await;
    let e = write::<_, Artist>(&c2, catalog::artist_create(), &artist("Nobody")).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(Status::Forbidden), Some("writes_disabled")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_updates_through_two_instances_lose_nothing() {
    let server = NatsServer::start().unwrap();
    let _a = catalog_host(&server, "mem").await;
    let _b = catalog_host(&server, "mem").await;
    let c = support::admin_client(&server).await;
    let ar = create(&c, catalog::artist_create(), &artist("Röyksopp")).await;
    let al = create(&c, catalog::album_create(), &album("Melody A.M.", &ar, 2001, "Electronic")).await;
    let t = create(&c, catalog::track_create(), &track("Eple", &al, &ar, 1)).await;

    // All at the same revision: exactly one wins, the rest get 409.
    let at_revision = futures::future::join_all((0..10).map(|i| {
        let c = c.fresh().with_timeout(std::time::Duration::from_secs(10));
        let entity = Track { title: format!("Eple {i}"), ..t.clone() };
        async move { write::<_, Track>(&c, catalog::track_update(), &entity).await }
    }))
    .await;
    let won = at_revision.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{at_revision:?}");
    assert!(
        at_revision.iter().filter_map(|r| r.as_ref().err()).all(|e| e.code() == Some("revision_conflict")),
        "{at_revision:?}"
    );

    // Without a revision each update re-reads and retries: every acknowledged
    // update is a distinct revision, and the survivor is the last of them.
    let free = futures::future::join_all((0..10).map(|i| {
        let c = c.fresh().with_timeout(std::time::Duration::from_secs(10));
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
    let writer = support::admin_client(&server).await;
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

#[tokio::test]
async fn bad_input_to_every_endpoint_gets_4xx() {
    let server = NatsServer::start().unwrap();
    let _host = catalog_host(&server, "mem").await;
    let nats = server.connect().await.unwrap();
    for e in catalog::ALL {
        for body in [&b"\xc1garbage"[..], b"{\"id\": 7, \"title\": []}", b"[[[", b"\"just a string\""] {
            let msg = raw(&nats, &e.subject(), &[], body).await;
            let (status, err) = error_of(&msg);
            assert!(
                (400..500).contains(&status),
                "{} {:?}: {status} {err}",
                e.subject(),
                String::from_utf8_lossy(body)
            );
            assert!(err["code"].as_str().is_some_and(|c| !c.is_empty()));
        }
    }
}

fn albums_by(order: AlbumOrder) -> AlbumList {
    AlbumList { order, offset: 0, limit: None, year_from: None, year_to: None, genre: None }
}

async fn titles(c: &chorus_nats::ChorusClient, order: AlbumOrder) -> Vec<String> {
    let page: AlbumPage = c.request(catalog::album_list(), &albums_by(order)).await.unwrap();
    page.albums.into_iter().map(|a| a.title).collect()
}

#[tokio::test]
async fn lists_sort_by_sort_names_folded() {
    let server = NatsServer::start().unwrap();
    let _host = catalog_host(&server, "mem").await;
    let c = support::admin_client(&server).await;
    let beatles = create(&c, catalog::artist_create(), &artist("The Beatles")).await;
    let sigur = create(&c, catalog::artist_create(), &artist("Sigur Rós")).await;
    let husker = create(&c, catalog::artist_create(), &artist("Hüsker Dü")).await;
    let zappa = Artist { sort_name: "Zappa, Frank".into(), ..artist("Frank Zappa") };
    let zappa = create(&c, catalog::artist_create(), &zappa).await;
    let abba = create(&c, catalog::artist_create(), &artist("ABBA")).await;
    // Filled when not given, kept when given.
    assert_eq!((beatles.sort_name.as_str(), sigur.sort_name.as_str()), ("Beatles, The", "Sigur Rós"));
    assert_eq!(zappa.sort_name, "Zappa, Frank");
    let zen = create(&c, catalog::album_create(), &album("Zen Arcade", &husker, 1984, "Punk")).await;
    create(&c, catalog::album_create(), &album("Ágætis byrjun", &sigur, 1999, "Post-Rock")).await;
    let abbey = create(&c, catalog::album_create(), &album("Abbey Road", &beatles, 1969, "Rock")).await;
    let rats = create(&c, catalog::album_create(), &album("Hot Rats", &zappa, 1969, "Jazz")).await;
    let end = create(&c, catalog::track_create(), &track("The End", &abbey, &beatles, 16)).await;
    assert_eq!((abbey.sort_title.as_str(), end.sort_title.as_str()), ("Abbey Road", "End, The"));
    let got: Track = c.request(catalog::track_get(), &TrackGet { id: end.id }).await.unwrap();
    assert_eq!(got.sort_title, "End, The");

    assert_eq!(
        titles(&c, AlbumOrder::AlphabeticalByName).await,
        ["Abbey Road", "Ágætis byrjun", "Hot Rats", "Zen Arcade"]
    );
    // Beatles under B, Zappa under Z as given (not F).
    assert_eq!(
        titles(&c, AlbumOrder::AlphabeticalByArtist).await,
        ["Abbey Road", "Zen Arcade", "Ágætis byrjun", "Hot Rats"]
    );
    let page: ArtistPage = c.request(catalog::artist_list(), &ArtistList::default()).await.unwrap();
    let names: Vec<&str> = page.artists.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["ABBA", "The Beatles", "Hüsker Dü", "Sigur Rós", "Frank Zappa"]);
    assert_eq!(page.artists[0], abba);

    // An artist's new sort name re-files its albums.
    let refiled = Artist { sort_name: "Zz, Hüsker Dü".into(), ..husker.clone() };
    write::<_, Artist>(&c, catalog::artist_update(), &refiled).await.unwrap();
    assert_eq!(
        titles(&c, AlbumOrder::AlphabeticalByArtist).await,
        ["Abbey Road", "Ágætis byrjun", "Hot Rats", "Zen Arcade"]
    );
    // A rename sent back with the sort title read follows the name; a given one stays.
    let renamed = Album { title: "The Hot Rats".into(), ..rats.clone() };
    let w = write::<_, Album>(&c, catalog::album_update(), &renamed).await.unwrap();
    assert_eq!(w.entity.unwrap().sort_title, "Hot Rats, The");
    let renamed = Album { title: "Zen Arcade (remaster)".into(), sort_title: "Arcade".into(), ..zen.clone() };
    let w = write::<_, Album>(&c, catalog::album_update(), &renamed).await.unwrap();
    assert_eq!(w.entity.unwrap().sort_title, "Arcade");
    let renamed = Artist { name: "Frank Vincent Zappa".into(), revision: 0, ..zappa.clone() };
    let w = write::<_, Artist>(&c, catalog::artist_update(), &renamed).await.unwrap();
    assert_eq!(w.entity.unwrap().sort_name, "Zappa, Frank");
    assert_eq!(
        titles(&c, AlbumOrder::AlphabeticalByName).await,
        ["Abbey Road", "Ágætis byrjun", "Zen Arcade (remaster)", "The Hot Rats"]
    );
}
