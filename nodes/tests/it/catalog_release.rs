//! Release types through the wire (subjects.md, catalog: Release types):
//! set and updated on an album, inferred from its tracks when it has none
//! (on every read, and following the tracks), never stored when inferred,
//! read from the tags at import, and mixed in the synthetic seed.

use crate::support;

use chorus_nats::messages::catalog::*;
use chorus_nats::{subjects::catalog, ChorusClient};
use chorus_testkit::NatsServer;
use support::catalog::{album, artist, create, track, write};

/// The album as each read serves it: `album.get`, `album.list`, `album.browse`, `artist.get`.
async fn served(c: &ChorusClient, a: &Album) -> Vec<(Option<ReleaseType>, bool)> {
    let got: AlbumDetail = c.call(&AlbumGet { id: a.id }).await.unwrap();
    let list = AlbumList {
        order: AlbumOrder::Newest,
        offset: 0,
        limit: Some(500),
        year_from: None,
        year_to: None,
        genre: None,
    };
    let listed: AlbumPage = c.call(&list).await.unwrap();
    let browse = AlbumBrowse { sort: AlbumSort::Name, cursor: None, limit: Some(500), genre: None, decade: None };
    let browsed: AlbumBrowsePage = c.call(&browse).await.unwrap();
    let artist: ArtistDetail = c.call(&ArtistGet { id: a.artist.as_ref().unwrap().id }).await.unwrap();
    let find = |list: &[Album]| list.iter().find(|x| x.id == a.id).cloned().expect("listed");
    [got.album, find(&listed.albums), find(&browsed.albums), find(&artist.albums)]
        .into_iter()
        .map(|x| (x.release_type, x.release_type_inferred))
        .collect()
}

/// What every read says of `a`: the same on each.
async fn kind(c: &ChorusClient, a: &Album) -> (Option<ReleaseType>, bool) {
    let all = served(c, a).await;
    assert!(all.windows(2).all(|w| w[0] == w[1]), "reads disagree: {all:?}");
    all[0]
}

async fn minutes_track(c: &ChorusClient, on: &Album, by: &Artist, n: u32, minutes: u64) -> Track {
    create(
        c,
        catalog::track_create(),
        &Track { duration_ms: minutes * 60_000, ..track(&format!("Part {n}"), on, by, n) },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_types_are_set_updated_and_inferred_from_the_tracks() {
    let server = NatsServer::start().unwrap();
    let _host = support::catalog_host(&server, "mem").await;
    let c = support::admin_client(&server).await;
    let ar: Artist = create(&c, catalog::artist_create(), &artist("Talk Talk")).await;

    // Given on create: stored and served as it is.
    let live = Album { release_type: Some(ReleaseType::Live), ..album("London 1986", &ar, 1999, "Art Rock") };
    let live: Album = create(&c, catalog::album_create(), &live).await;
    assert_eq!((live.release_type, live.release_type_inferred), (Some(ReleaseType::Live), false));
    minutes_track(&c, &live, &ar, 1, 4).await;
    assert_eq!(kind(&c, &live).await, (Some(ReleaseType::Live), false), "a stored type is not inferred over");

    // None given: no tracks, no type; then the tracks decide, as they change.
    let untyped: Album = create(&c, catalog::album_create(), &album("Spirit of Eden", &ar, 1988, "Art Rock")).await;
    assert_eq!(kind(&c, &untyped).await, (None, false));
    let mut parts = Vec::new();
    for n in 1..=2 {
        parts.push(minutes_track(&c, &untyped, &ar, n, 4).await);
    }
    assert_eq!(kind(&c, &untyped).await, (Some(ReleaseType::Single), true));
    for n in 3..=5 {
        parts.push(minutes_track(&c, &untyped, &ar, n, 4).await);
    }
    assert_eq!(kind(&c, &untyped).await, (Some(ReleaseType::Ep), true), "5 tracks, 20 minutes");
    parts.push(minutes_track(&c, &untyped, &ar, 6, 12).await);
    assert_eq!(kind(&c, &untyped).await, (Some(ReleaseType::Album), true), "6 tracks, 32 minutes");
    // A track that moves to another album, or goes, takes its minutes along.
    let moved = Track { album: Some(AlbumRef { id: live.id, title: live.title.clone() }), ..parts[5].clone() };
    let _: Written<Track> = write(&c, catalog::track_update(), &moved).await.unwrap();
    assert_eq!(kind(&c, &untyped).await, (Some(ReleaseType::Ep), true));
    for t in &parts[..3] {
        let _: Written<Track> =
            write(&c, catalog::track_delete(), &TrackDelete { id: t.id, revision: None }).await.unwrap();
    }
    assert_eq!(kind(&c, &untyped).await, (Some(ReleaseType::Single), true));

    // Sent back as read (inferred): nothing is stored, the inference goes on.
    let read: AlbumDetail = c.call(&AlbumGet { id: untyped.id }).await.unwrap();
    let renamed = Album { title: "Spirit of Eden (remaster)".into(), ..read.album.clone() };
    let written: Written<Album> = write(&c, catalog::album_update(), &renamed).await.unwrap();
    let stored = written.entity.unwrap();
    assert_eq!((stored.release_type, stored.release_type_inferred), (None, false));
    assert_eq!(kind(&c, &untyped).await, (Some(ReleaseType::Single), true));
    // Set: stored, and the tracks no longer decide.
    let typed = Album { release_type: Some(ReleaseType::Album), release_type_inferred: false, ..stored.clone() };
    let written: Written<Album> = write(&c, catalog::album_update(), &typed).await.unwrap();
    assert_eq!(written.entity.unwrap().release_type, Some(ReleaseType::Album));
    assert_eq!(kind(&c, &untyped).await, (Some(ReleaseType::Album), false));
    // Cleared: inferred again.
    let cleared = Album { release_type: None, revision: 0, ..typed };
    let _: Written<Album> = write(&c, catalog::album_update(), &cleared).await.unwrap();
    assert_eq!(kind(&c, &untyped).await, (Some(ReleaseType::Single), true));
    // A create that sends an inferred type stores none.
    let echo = Album {
        release_type: Some(ReleaseType::Ep),
        release_type_inferred: true,
        ..album("Laughing Stock", &ar, 1991, "Art Rock")
    };
    let echo: Album = create(&c, catalog::album_create(), &echo).await;
    assert_eq!((echo.release_type, echo.release_type_inferred), (None, false));

    // A type the catalog does not know is a body that does not decode.
    for bad in ["lp", "EP", ""] {
        let body = serde_json::json!({"title": "The Colour of Spring", "release_type": bad});
        let e = write::<_, Album>(&c, catalog::album_create(), &body).await.unwrap_err();
        assert_eq!(e.code(), Some("invalid_request"), "{bad:?}");
    }
    let body = serde_json::json!({"title": "The Colour of Spring", "release_type": "compilation"});
    let ok: Written<Album> = write(&c, catalog::album_create(), &body).await.unwrap();
    assert_eq!(ok.entity.unwrap().release_type, Some(ReleaseType::Compilation));
}

/// Tag a copy of a demo file with a release type (Vorbis `RELEASETYPE`, as
/// Picard writes it) and the album, and optionally the compilation flag.
fn tag(path: &std::path::Path, album: &str, release_type: Option<&str>, compilation: bool) {
    use lofty::config::WriteOptions;
    use lofty::prelude::*;
    use lofty::tag::{ItemKey, ItemValue, Tag, TagItem};
    let mut tagged = lofty::read_from_path(path).unwrap();
    if tagged.primary_tag().is_none() {
        let kind = tagged.primary_tag_type();
        tagged.insert_tag(Tag::new(kind));
    }
    let tag = tagged.primary_tag_mut().unwrap();
    tag.set_album(album.into());
    tag.set_artist("Sigur Rós".into());
    if let Some(kind) = release_type {
        // A key lofty has no name for: inserted unchecked, as a tagger's own.
        tag.insert_unchecked(TagItem::new(ItemKey::Unknown("RELEASETYPE".into()), ItemValue::Text(kind.into())));
    }
    if compilation {
        tag.insert_text(ItemKey::FlagCompilation, "1".into());
    }
    tagged.save_to_path(path, WriteOptions::default()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_reads_the_release_type_from_the_tags() {
    let music = tempfile::tempdir().unwrap();
    let calm = support::demo_music().join("calm");
    let files =
        ["calm_acoustic_1.opus", "calm_acoustic_s411.opus", "calm_acoustic_s522.opus", "calm_electronic_s411.opus"];
    for (dir, file, album, release_type, compilation) in [
        ("live", files[0], "Inni", Some("album; live"), false),
        ("live", files[1], "Inni", Some("album; live"), false),
        ("best", files[2], "Hvarf-Heim", None, true),
        ("plain", files[3], "Untagged", None, false),
    ] {
        let to = music.path().join(dir);
        std::fs::create_dir_all(&to).unwrap();
        std::fs::copy(calm.join(file), to.join(file)).unwrap();
        tag(&to.join(file), album, release_type, compilation);
    }
    let server = NatsServer::start().unwrap();
    let _host = support::catalog_host(&server, "mem").await;
    let client = support::admin_client(&server).await.with_timeout(std::time::Duration::from_secs(10));
    let report = chorus_nodes::import::run(&client, music.path(), "Unused", false).await.unwrap();
    assert_eq!((report.created, report.failed.len()), (4, 0), "{report:?}");
    let list = AlbumList {
        order: AlbumOrder::AlphabeticalByName,
        offset: 0,
        limit: None,
        year_from: None,
        year_to: None,
        genre: None,
    };
    let page: AlbumPage = client.call(&list).await.unwrap();
    let kinds: Vec<(&str, Option<ReleaseType>, bool)> =
        page.albums.iter().map(|a| (a.title.as_str(), a.release_type, a.release_type_inferred)).collect();
    assert_eq!(
        kinds,
        [
            ("Hvarf-Heim", Some(ReleaseType::Compilation), false),
            ("Inni", Some(ReleaseType::Live), false),
            // One short demo track, untagged: the catalog reads it as a single.
            ("Untagged", Some(ReleaseType::Single), true),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seeded_catalog_has_a_mix_of_release_types() {
    let server = NatsServer::start().unwrap();
    let generated = chorus_catalog::synthetic::generate(1200, 42);
    support::seed(&server, 1200).await;
    let _host = support::catalog_host(&server, "mem").await;
    let c = support::admin_client(&server).await;
    let mut served = Vec::new();
    let mut cursor = None;
    loop {
        let req = AlbumBrowse { sort: AlbumSort::Added, cursor, limit: Some(500), genre: None, decade: None };
        let page: AlbumBrowsePage = c.call(&req).await.unwrap();
        served.extend(page.albums);
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    assert_eq!(served.len(), generated.albums.len());
    let mut kinds = std::collections::BTreeMap::new();
    for a in &served {
        let made = generated.albums.iter().find(|g| g.id == a.id).unwrap();
        match made.release_type {
            Some(t) => assert_eq!((a.release_type, a.release_type_inferred), (Some(t), false), "{}", a.title),
            None => assert!(a.release_type_inferred && a.release_type.is_some(), "{a:?}"),
        }
        *kinds.entry(format!("{:?}", a.release_type.unwrap())).or_insert(0) += 1;
    }
    for k in ["Album", "Single", "Ep", "Live", "Compilation"] {
        assert!(kinds.get(k).copied().unwrap_or(0) > 0, "no {k}: {kinds:?}");
    }
    // The untyped ones, by the rule: 1 to 3 tracks under 30 minutes a single, up to 6 an EP, else an album.
    let untyped: Vec<&Album> = served.iter().filter(|a| a.release_type_inferred).collect();
    assert!(untyped.len() * 20 > served.len(), "{} of {}", untyped.len(), served.len());
    for a in untyped {
        let tracks: Vec<&Track> =
            generated.tracks.iter().filter(|t| t.album.as_ref().map(|r| r.id) == Some(a.id)).collect();
        let short = tracks.iter().map(|t| t.duration_ms).sum::<u64>() < 30 * 60_000;
        let rule = match tracks.len() {
            1..=3 if short => ReleaseType::Single,
            4..=6 if short => ReleaseType::Ep,
            _ => ReleaseType::Album,
        };
        assert_eq!(a.release_type, Some(rule), "{} ({} tracks)", a.title, tracks.len());
    }
}
