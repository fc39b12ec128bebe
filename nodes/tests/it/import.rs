//! `chorus import` against the real stack: real Opus files, a corrupt one, a re-run.

use crate::support;

use chorus_nats::messages::catalog::Genres;
use chorus_nats::messages::catalog::{
    AlbumList, AlbumOrder, AlbumPage, ArtistList, ArtistPage, Track, TrackList, TrackPage,
};
use chorus_nats::subjects::catalog;
use chorus_testkit::NatsServer;
use support::catalog::{album, artist, create, track};
use tokio::io::AsyncReadExt;

/// The demo music (scripts/test.sh fetches it into .tools/demo).

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_real_files_skips_corrupt_ones_and_never_duplicates() {
    let music = tempfile::tempdir().unwrap();
    let calm = music.path().join("calm");
    std::fs::create_dir_all(&calm).unwrap();
    let mut originals = Vec::new();
    for name in ["calm_acoustic_1.opus", "calm_electronic_s411.opus"] {
        std::fs::copy(support::demo_music().join("calm").join(name), calm.join(name)).unwrap();
        originals.push(std::fs::read(calm.join(name)).unwrap());
    }
    std::fs::write(calm.join("broken.mp3"), b"this is not audio at all").unwrap();
    let half = &originals[0][..originals[0].len() / 50];
    std::fs::write(calm.join("truncated.opus"), half).unwrap();
    std::fs::write(calm.join("notes.txt"), b"ignored").unwrap();

    let server = NatsServer::start().unwrap();
    let _host = support::catalog_host(&server, "mem").await;
    let client = support::admin_client(&server).await.with_timeout(std::time::Duration::from_secs(10));

    let first = chorus_nodes::import::run(&client, music.path(), "Demo Artist", false).await.unwrap();
    assert_eq!(first.created, 2, "{first:?}");
    let failed: Vec<String> =
        first.failed.iter().map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(failed.contains(&"broken.mp3".to_string()), "{first:?}");
    assert_eq!(first.failed.len() + first.created, 4, "{first:?}");

    let again = chorus_nodes::import::run(&client, music.path(), "Demo Artist", false).await.unwrap();
    assert_eq!((again.created, again.existing), (0, first.created), "{again:?}");

    let page: TrackPage = client.call(&TrackList::default()).await.unwrap();
    assert_eq!(page.tracks.len(), 2);
    let js = async_nats::jetstream::new(client.nats().clone());
    let store = chorus_state::objects::ensure_store(&js, chorus_nodes::import::AUDIO_BUCKET, "audio", 1).await.unwrap();
    for t in &page.tracks {
        assert_eq!(t.codec, "opus");
        assert!(t.duration_ms > 10_000, "{t:?}");
        assert_eq!(t.album.as_ref().unwrap().title, "Calm");
        assert_eq!(t.artists[0].name, "Demo Artist");
        // The stored audio is the file, byte for byte.
        let mut object = store.get(t.audio_object.as_ref().unwrap()).await.unwrap();
        let mut bytes = Vec::new();
        object.read_to_end(&mut bytes).await.unwrap();
        assert_eq!(bytes.len() as u64, t.file_size);
        assert!(originals.contains(&bytes));
    }
    let genres: Genres = client.call(&chorus_nats::messages::catalog::GenreList {}).await.unwrap();
    assert!(genres.genres.is_empty(), "untagged files have no genre");
}

/// Tag a copy of a demo file as a tagger would: title, artist, album, year, genre, a front cover.
fn tag_file(path: &std::path::Path, cover: &[u8]) {
    use lofty::config::WriteOptions;
    use lofty::picture::{MimeType, Picture, PictureType};
    use lofty::prelude::*;
    use lofty::tag::Tag;
    let mut tagged = lofty::read_from_path(path).unwrap();
    if tagged.primary_tag().is_none() {
        let kind = tagged.primary_tag_type();
        tagged.insert_tag(Tag::new(kind));
    }
    let tag = tagged.primary_tag_mut().unwrap();
    tag.set_title("Hoppípolla".into());
    tag.set_artist("Sigur Rós".into());
    tag.set_album("Takk...".into());
    tag.set_year(2005);
    tag.set_genre("Post-Rock".into());
    tag.set_track(3);
    tag.push_picture(Picture::new_unchecked(PictureType::CoverFront, Some(MimeType::Png), None, cover.to_vec()));
    tagged.save_to_path(path, WriteOptions::default()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_and_cover_art_reach_the_catalog() {
    let music = tempfile::tempdir().unwrap();
    let file = music.path().join("hoppipolla.opus");
    std::fs::copy(support::demo_music().join("happy").join("happy_acoustic_1.opus"), &file).unwrap();
    let cover = b"\x89PNG\r\n\x1a\n not really a picture, but bytes to carry".to_vec();
    tag_file(&file, &cover);

    let server = NatsServer::start().unwrap();
    let _host = support::catalog_host(&server, "mem").await;
    let client = support::admin_client(&server).await.with_timeout(std::time::Duration::from_secs(10));
    let report = chorus_nodes::import::run(&client, music.path(), "Unused", false).await.unwrap();
    assert_eq!(report.created, 1, "{report:?}");

    let page: TrackPage = client.call(&TrackList::default()).await.unwrap();
    let t = &page.tracks[0];
    assert_eq!(
        (t.title.as_str(), t.artists[0].name.as_str(), t.year, t.track_number),
        ("Hoppípolla", "Sigur Rós", Some(2005), Some(3))
    );
    assert_eq!(t.album.as_ref().unwrap().title, "Takk...");
    assert_eq!(t.genres, vec!["Post-Rock".to_string()]);
    let name = t.cover_art.clone().expect("a cover art reference");
    assert!(name.ends_with(".png"), "{name}");
    let js = async_nats::jetstream::new(client.nats().clone());
    let art = chorus_state::objects::ensure_store(&js, chorus_nodes::import::ART_BUCKET, "art", 1).await.unwrap();
    let mut bytes = Vec::new();
    art.get(&name).await.unwrap().read_to_end(&mut bytes).await.unwrap();
    assert_eq!(bytes, cover);
    // Browsers cannot read the object store: the catalog serves the art.
    let served: chorus_nats::messages::catalog::Art =
        client.call(&chorus_nats::messages::catalog::ArtGet { name: name.clone() }).await.unwrap();
    assert_eq!((served.mime.as_str(), served.data.as_ref()), ("image/png", cover.as_slice()));
    for (bad, code) in
        [("../../etc/passwd", "invalid_art_name"), (&*format!("{}.png", "0".repeat(64)), "art_not_found")]
    {
        let req = chorus_nats::messages::catalog::ArtGet { name: bad.to_string() };
        let e = client.call(&req).await.unwrap_err();
        assert_eq!(e.code(), Some(code));
    }
    let genres: Genres = client.call(&chorus_nats::messages::catalog::GenreList {}).await.unwrap();
    assert_eq!(genres.genres.len(), 1);
    assert_eq!((genres.genres[0].name.as_str(), genres.genres[0].tracks, genres.genres[0].albums), ("Post-Rock", 1, 1));
}

/// Copy `names` from the demo folder `mood` into `<root>/<mood>`.
fn demo_folder(root: &std::path::Path, mood: &str, names: &[&str]) {
    let dir = root.join(mood);
    std::fs::create_dir_all(&dir).unwrap();
    for name in names {
        std::fs::copy(support::demo_music().join(mood).join(name), dir.join(name)).unwrap();
    }
}

/// Every track from `cursor` on, in `track.list` order.
async fn tracks_after(client: &chorus_nats::ChorusClient, mut cursor: Option<String>) -> Vec<Track> {
    let mut all = Vec::new();
    loop {
        let req = TrackList { cursor, limit: Some(2), ..Default::default() };
        let page: TrackPage = client.call(&req).await.unwrap();
        all.extend(page.tracks);
        match page.next {
            Some(n) => cursor = Some(n),
            None => return all,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_import_lands_after_everything_a_client_has_paged_past() {
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    demo_folder(first.path(), "calm", &["calm_acoustic_1.opus", "calm_electronic_s411.opus"]);
    demo_folder(second.path(), "happy", &["happy_acoustic_1.opus", "happy_electronic_1.opus"]);
    let server = NatsServer::start().unwrap();
    let _host = support::catalog_host(&server, "mem").await;
    let client = support::admin_client(&server).await.with_timeout(std::time::Duration::from_secs(10));
    // A track a client has already synced before anything is imported.
    let ar = create(&client, catalog::artist_create(), &artist("Hüsker Dü")).await;
    let al = create(&client, catalog::album_create(), &album("Zen Arcade", &ar, 1984, "Punk")).await;
    let before = create(&client, catalog::track_create(), &track("Something I Learned Today", &al, &ar, 1)).await;

    let report = chorus_nodes::import::run(&client, first.path(), "Demo Artist", false).await.unwrap();
    assert_eq!(report.created, 2, "{report:?}");
    let synced = tracks_after(&client, None).await;
    assert_eq!(synced[0].id, before.id, "an import lands after what was there");
    assert_eq!(synced.len(), 3);
    let cursor = synced.last().map(|t| t.id.to_string());

    let report = chorus_nodes::import::run(&client, second.path(), "Demo Artist", false).await.unwrap();
    assert_eq!(report.created, 2, "{report:?}");
    // A client syncing from its last cursor sees exactly the second import.
    let later = tracks_after(&client, cursor.clone()).await;
    assert_eq!(later.len(), 2, "{later:?}");
    assert!(later.iter().all(|t| t.album.as_ref().unwrap().title == "Happy"), "{later:?}");
    assert!(later.iter().all(|t| synced.iter().all(|s| s.id < t.id)));
    assert!(later.iter().all(|t| t.id.get_version_num() == 7 && t.added_at >= synced[2].added_at));
    // Albums and artists the import makes are time-ordered too; the artist is reused.
    let (calm, happy) = (synced[1].album.as_ref().unwrap().id, later[0].album.as_ref().unwrap().id);
    assert!(al.id < calm && calm < happy);
    assert_eq!(later[0].artists[0].id, synced[1].artists[0].id);

    // Re-running either import adds nothing.
    for folder in [first.path(), second.path()] {
        let again = chorus_nodes::import::run(&client, folder, "Demo Artist", false).await.unwrap();
        assert_eq!((again.created, again.existing, again.failed.len()), (0, 2, 0), "{again:?}");
    }
    assert!(tracks_after(&client, cursor).await.iter().map(|t| t.id).eq(later.iter().map(|t| t.id)));
    let albums: AlbumPage = client
        .call(&AlbumList {
            order: AlbumOrder::Newest,
            offset: 0,
            limit: None,
            year_from: None,
            year_to: None,
            genre: None,
        })
        .await
        .unwrap();
    assert_eq!(albums.albums.len(), 3, "{albums:?}");
    let artists: ArtistPage = client.call(&ArtistList::default()).await.unwrap();
    assert_eq!(artists.artists.len(), 2, "{artists:?}");
}
