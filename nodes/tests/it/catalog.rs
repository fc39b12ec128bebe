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

    let got: Track = c.call(&TrackGet { id: t.id }).await.unwrap();
    assert_eq!(got, t);
    let detail: AlbumDetail = c.call(&AlbumGet { id: al.id }).await.unwrap();
    assert_eq!(detail.tracks, vec![t.clone()]);
    let by: ArtistDetail = c.call(&ArtistGet { id: ar.id }).await.unwrap();
    // Served with the release type its one short track suggests (subjects.md, catalog: Release types).
    let inferred = Album {
        release_type: Some(ReleaseType::Single),
        release_type_inferred: true,
        track_count: Some(1),
        duration_ms: Some(t.duration_ms),
        ..al.clone()
    };
    assert_eq!((by.albums, detail.album), (vec![inferred.clone()], inferred));

    // Update at the revision read; the same stale revision again is a conflict.
    let renamed = Track { title: "Svefn-g-englar (edit)".into(), ..t.clone() };
    let w = write::<_, Track>(&c, catalog::track_update(), &renamed).await.unwrap();
    assert!(w.seq > t.revision);
    let e = write::<_, Track>(&c, catalog::track_update(), &renamed).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(Status::Conflict), Some("revision_conflict")));
    let got: Track = c.call(&TrackGet { id: t.id }).await.unwrap();
    assert_eq!((got.title.as_str(), got.added_at), ("Svefn-g-englar (edit)", t.added_at));

    // A create of an existing id is a conflict: imports re-run safely.
    let e = write::<_, Track>(&c, catalog::track_create(), &got).await.unwrap_err();
    assert_eq!(e.code(), Some("already_exists"));

    let w: Written<Track> = c.call(&TrackDelete { id: t.id, revision: None }).await.unwrap();
    assert!(w.entity.is_none());
    let e = c.call(&TrackGet { id: t.id }).await.unwrap_err();
    assert_eq!(e.code(), Some("track_not_found"));
    let e = c.call(&TrackDelete { id: t.id, revision: None }).await.unwrap_err();
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
    let got: Track = c.call_with(&TrackGet { id: t.id }, options).await.unwrap();
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
        let got: Track = writer.call(&TrackGet { id: t.id }).await.unwrap();
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
    let page: AlbumPage = c.call(&albums_by(order)).await.unwrap();
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
    let got: Track = c.call(&TrackGet { id: end.id }).await.unwrap();
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
    let page: ArtistPage = c.call(&ArtistList::default()).await.unwrap();
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

#[tokio::test]
async fn year_bounds_in_either_order_are_one_range_everywhere() {
    let server = NatsServer::start().unwrap();
    let _host = catalog_host(&server, "mem").await;
    let c = support::admin_client(&server).await;
    let ar = create(&c, catalog::artist_create(), &artist("Years")).await;
    let mut tracks = Vec::new();
    for year in [1985, 1990, 2000, 2010, 2015] {
        let al = create(&c, catalog::album_create(), &album(&format!("Album {year}"), &ar, year, "Rock")).await;
        tracks.push(create(&c, catalog::track_create(), &track(&format!("Track {year}"), &al, &ar, 1)).await);
    }
    let undated = create(&c, catalog::album_create(), &Album { year: None, ..album("Undated", &ar, 0, "Rock") }).await;
    create(&c, catalog::track_create(), &Track { year: None, ..track("Undated", &undated, &ar, 1) }).await;

    let track_years = |from: Option<i32>, to: Option<i32>| {
        let c = c.clone();
        async move {
            let req = TrackList { year_from: from, year_to: to, ..Default::default() };
            let page: TrackPage = c.call(&req).await.unwrap();
            page.tracks.iter().map(|t| t.year.unwrap()).collect::<Vec<_>>()
        }
    };
    // track.list: both bounds inclusive, in either order; one alone is open on the other side.
    assert_eq!(track_years(Some(1990), Some(2010)).await, [1990, 2000, 2010]);
    assert_eq!(track_years(Some(2010), Some(1990)).await, [1990, 2000, 2010]);
    assert_eq!(track_years(Some(2000), Some(2000)).await, [2000]);
    assert_eq!(track_years(Some(2010), None).await, [2010, 2015]);
    assert_eq!(track_years(None, Some(1990)).await, [1985, 1990]);

    // album.list by_year: the same range; the order of the bounds is the order of the list.
    let by_year = |from: i32, to: i32| {
        let c = c.clone();
        async move {
            let req = AlbumList { year_from: Some(from), year_to: Some(to), ..albums_by(AlbumOrder::ByYear) };
            let page: AlbumPage = c.call(&req).await.unwrap();
            page.albums.iter().map(|a| a.year.unwrap()).collect::<Vec<_>>()
        }
    };
    assert_eq!(by_year(1990, 2010).await, [1990, 2000, 2010]);
    assert_eq!(by_year(2010, 1990).await, [2010, 2000, 1990]);
    assert_eq!(by_year(2000, 2000).await, [2000]);
    // by_year needs both bounds; the other types ignore them.
    let e = c.call(&AlbumList { year_from: Some(1990), ..albums_by(AlbumOrder::ByYear) }).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(Status::BadRequest), Some("missing_years")));
    let req = AlbumList { year_from: Some(2010), year_to: Some(1990), ..albums_by(AlbumOrder::Newest) };
    let page: AlbumPage = c.call(&req).await.unwrap();
    assert_eq!(page.albums.len(), 6);
}

#[tokio::test]
async fn a_create_needs_a_title_or_name_and_known_references() {
    let server = NatsServer::start().unwrap();
    let _host = catalog_host(&server, "mem").await;
    let c = support::admin_client(&server).await;
    let nats = server.connect().await.unwrap();
    let bearer = format!("Bearer {}", chorus_testkit::TestIssuer::publish(&nats).await.unwrap().admin());
    let auth = [("Authorization", bearer.as_str())];
    let written = |m: &async_nats::Message| -> serde_json::Value {
        assert!(m.headers.as_ref().is_none_or(|h| h.get("Nats-Service-Error-Code").is_none()), "{m:?}");
        serde_json::from_slice::<serde_json::Value>(&m.payload).unwrap()["entity"].clone()
    };

    // The least each create takes: the name or title; the rest is derived or empty.
    let m = raw(&nats, &catalog::artist_create().subject(), &auth, br#"{"name": "The Cure", "added_at": 5}"#).await;
    let ar = written(&m);
    assert_eq!(ar["sort_name"], "Cure, The");
    assert!(ar["added_at"].as_u64().unwrap() > 5, "added_at is the service's: {ar}");
    assert!(ar["revision"].as_u64().unwrap() > 0);
    let ar_id = Uuid::parse_str(ar["id"].as_str().unwrap()).unwrap();
    assert_eq!(ar_id.get_version_num(), 7, "a new uuid v7");
    let al = written(&raw(&nats, &catalog::album_create().subject(), &auth, br#"{"title": "Disintegration"}"#).await);
    assert_eq!((al["artist"].is_null(), al["sort_title"].as_str()), (true, Some("Disintegration")));
    let t = written(&raw(&nats, &catalog::track_create().subject(), &auth, br#"{"title": "Lullaby"}"#).await);
    assert_eq!((t["album"].is_null(), t["artists"].as_array().map(Vec::len)), (true, Some(0)));

    // No title or name at all is a body that does not decode; an empty one is invalid.
    for (endpoint, body, code) in [
        (catalog::artist_create(), &br#"{}"#[..], "invalid_request"),
        (catalog::album_create(), br#"{"year": 1989}"#, "invalid_request"),
        (catalog::track_create(), br#"{"artists": []}"#, "invalid_request"),
        (catalog::artist_create(), br#"{"name": "  "}"#, "invalid_name"),
        (catalog::album_create(), br#"{"title": ""}"#, "invalid_title"),
        // A credit names its artist by id and name, an album reference by id and title.
        (
            catalog::track_create(),
            br#"{"title": "x", "album": {"id": "0190b7e5-0000-7000-8000-000000000000"}}"#,
            "invalid_request",
        ),
    ] {
        let (status, err) = error_of(&raw(&nats, &endpoint.subject(), &auth, body).await);
        assert_eq!(
            (status, err["code"].as_str()),
            (400, Some(code)),
            "{} {}",
            endpoint.subject(),
            String::from_utf8_lossy(body)
        );
    }

    // Artist, then album, then track: a reference to one not created (yet) is refused.
    let ghost = ArtistCredit { id: Uuid::now_v7(), name: "Ghost".into() };
    let al = Album { artist: Some(ghost.clone()), ..album("Nowhere", &artist("x"), 2000, "Rock") };
    let e = write::<_, Album>(&c, catalog::album_create(), &al).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(Status::BadRequest), Some("unknown_artist")));
    let cure = Artist { id: ar_id, ..artist("The Cure") };
    let album = create(&c, catalog::album_create(), &album("Pornography", &cure, 1982, "Post-Punk")).await;
    let t = Track { album_artist: Some(ghost), ..track("One Hundred Years", &album, &cure, 1) };
    let e = write::<_, Track>(&c, catalog::track_create(), &t).await.unwrap_err();
    assert_eq!(e.code(), Some("unknown_artist"), "the album artist is a reference too");
    let t = create(&c, catalog::track_create(), &track("One Hundred Years", &album, &cure, 1)).await;

    // Deletes do not cascade: the track keeps its album, and cannot be
    // updated while it names one that is gone.
    let _: Written<Album> = c.call(&AlbumDelete { id: album.id, revision: None }).await.unwrap();
    let kept: Track = c.call(&TrackGet { id: t.id }).await.unwrap();
    assert_eq!(kept.album.as_ref().map(|a| a.id), Some(album.id));
    let e = write::<_, Track>(&c, catalog::track_update(), &Track { title: "100 Years".into(), ..kept.clone() })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("unknown_album"));
    let w = write::<_, Track>(&c, catalog::track_update(), &Track { album: None, ..kept }).await.unwrap();
    assert!(w.entity.unwrap().album.is_none());
    // An update names an existing entity; it never creates one.
    let e = write::<_, Artist>(&c, catalog::artist_update(), &Artist { id: Uuid::now_v7(), ..artist("New") })
        .await
        .unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(Status::NotFound), Some("artist_not_found")));
}

#[tokio::test]
async fn access_is_checked_before_the_body_is_decoded() {
    let server = NatsServer::start().unwrap();
    let _host = catalog_host(&server, "mem").await;
    let nats = server.connect().await.unwrap();
    let issuer = chorus_testkit::TestIssuer::publish(&nats).await.unwrap();
    let listener = format!("Bearer {}", issuer.token(&[chorus_nats::messages::auth::Role::Listener]));
    let admin = format!("Bearer {}", issuer.admin());
    let garbage = &b"\xc1garbage"[..];
    let subject = catalog::track_create().subject();
    let answer = |headers: Vec<(&'static str, String)>| {
        let (nats, subject) = (nats.clone(), subject.clone());
        async move {
            let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, err) = error_of(&raw(&nats, &subject, &headers, garbage).await);
            (status, err["code"].as_str().unwrap_or_default().to_string())
        }
    };
    assert_eq!(answer(vec![]).await, (401, "missing_token".into()));
    assert_eq!(answer(vec![("Authorization", "Bearer nonsense".into())]).await, (401, "invalid_token".into()));
    assert_eq!(answer(vec![("Authorization", listener)]).await, (403, "forbidden".into()));
    // Only a caller who may call it learns what is wrong with the body.
    assert_eq!(answer(vec![("Authorization", admin)]).await, (400, "invalid_request".into()));
    // A public endpoint decodes every body.
    let (status, err) = error_of(&raw(&nats, &catalog::track_get().subject(), &[], garbage).await);
    assert_eq!((status, err["code"].as_str()), (400, Some("invalid_request")));
}

#[tokio::test]
async fn one_page_limit_for_lists_and_batches_and_unknown_types_are_refused() {
    let (server, _host, seeded) = support::catalog_stack(3).await;
    let c = chorus_nats::ChorusClient::new(server.connect().await.unwrap());
    let nats = c.nats().clone();
    // 500 ids (repeats and unknown ones included) are one batch; 501 are refused.
    let mut ids: Vec<Uuid> = (0..497).map(|_| Uuid::now_v7()).collect();
    ids.extend(seeded.iter().map(|t| t.id));
    let b: TrackBatchReply = c.call(&TrackBatch { ids: ids.clone() }).await.unwrap();
    assert_eq!((b.tracks.len(), b.missing.len()), (3, 497));
    ids.push(Uuid::now_v7());
    let e = c.call(&TrackBatch { ids }).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(Status::BadRequest), Some("too_many_ids")));
    // The same number is the largest page of every list.
    for limit in [0, 501] {
        let e = c.call(&TrackList { limit: Some(limit), ..Default::default() }).await.unwrap_err();
        assert_eq!(e.code(), Some("invalid_limit"));
        let req = AlbumList { limit: Some(limit), ..albums_by(AlbumOrder::Newest) };
        assert_eq!(c.call(&req).await.unwrap_err().code(), Some("invalid_limit"));
        let req = ArtistList { offset: 0, limit: Some(limit) };
        assert_eq!(c.call(&req).await.unwrap_err().code(), Some("invalid_limit"));
    }
    let page: TrackPage = c.call(&TrackList { limit: Some(500), ..Default::default() }).await.unwrap();
    assert_eq!(page.tracks.len(), 3);
    let req = ArtistList { offset: 1_000_001, limit: None };
    assert_eq!(c.call(&req).await.unwrap_err().code(), Some("invalid_offset"));
    // A `type` album.list does not know is a body that does not decode.
    for body in [&br#"{"type": "most_played"}"#[..], br#"{}"#] {
        let (status, err) = error_of(&raw(&nats, &catalog::album_list().subject(), &[], body).await);
        assert_eq!((status, err["code"].as_str()), (400, Some("invalid_request")), "{}", String::from_utf8_lossy(body));
    }
}

#[tokio::test]
async fn cover_art_in_json_is_limited_by_the_max_payload() {
    let server = NatsServer::start().unwrap();
    let nats = server.connect().await.unwrap();
    let js = async_nats::jetstream::new(nats.clone());
    let store = chorus_state::objects::ensure_store(&js, ART_STORE, "Chorus cover art", 1).await.unwrap();
    let _host = catalog_host(&server, "mem").await;
    // Image bytes look random: JSON spells each as a number and a comma (3.57 bytes on average).
    let image = |n: usize| -> Vec<u8> {
        let mut x: u32 = 0x9e37_79b9;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            })
            .collect()
    };
    let mut names = Vec::new();
    for (i, size) in [250_000usize, 300_000, 1_000_000, 1_000_001].into_iter().enumerate() {
        let name = format!("{}.png", format!("{i:x}").repeat(64));
        let bytes = image(size);
        store.put(name.as_str(), &mut bytes.as_slice()).await.unwrap();
        names.push(name);
    }
    let mp = chorus_nats::ChorusClient::new(nats.clone());
    let json = mp.clone().with_encoding(chorus_nats::Encoding::Json);
    let get = |c: &chorus_nats::ChorusClient, name: &str| {
        let (c, req) = (c.clone(), ArtGet { name: name.into() });
        async move { c.call(&req).await }
    };
    // MessagePack carries art up to the art limit (1,000,000 bytes); past it, art_too_large.
    assert_eq!(get(&mp, &names[2]).await.unwrap().data.len(), 1_000_000);
    let e = get(&mp, &names[3]).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(Status::TooLarge), Some("art_too_large")));
    // JSON: 250,000 bytes are ~892 KB of reply and arrive; 300,000 are ~1.07 MB, past the max payload.
    assert_eq!(get(&json, &names[0]).await.unwrap().data.len(), 250_000);
    for name in &names[1..3] {
        let e = get(&json, name).await.unwrap_err();
        assert_eq!((e.status(), e.code()), (Some(Status::TooLarge), Some("reply_too_large")), "{name}");
    }
}
