//! `chorus import <folder>`: read audio files and their tags, upload the audio
//! to the `chorus_audio` object store, and create catalog records through the
//! catalog service.
//!
//! A re-run creates nothing twice: before importing, it reads what the
//! catalog has and recognises a track by its audio object (named by the
//! file's content hash), an album by its album artist and title, an artist by
//! name (both case-insensitive). Only what it does not recognise is created,
//! and the catalog gives it a fresh uuid v7, so what an import adds sorts
//! after everything already there (`track.list` pages in id order; a client
//! syncing from its last cursor must see it). Ids derived from content would
//! be stable too, but carry no time, and would land before tracks a client
//! has paged past. Run one import at a time: two at once may both create a
//! record for the same file. A file that cannot be read is reported and
//! skipped.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, object_store};
use chorus_nats::messages::catalog::{
    Album, AlbumList, AlbumOrder, AlbumPage, AlbumRef, Artist, ArtistCredit, ArtistList, ArtistPage, ReleaseType,
    Track, TrackList, TrackPage, Written,
};
use chorus_nats::{subjects::catalog, ChorusClient};
use indicatif::{ProgressBar, ProgressStyle};
use lofty::file::FileType;
use lofty::picture::PictureType;
use lofty::prelude::*;
use lofty::tag::ItemKey;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The object store bucket holding audio.
pub const AUDIO_BUCKET: &str = chorus_nats::messages::catalog::AUDIO_STORE;

/// The object store bucket holding cover art taken from the files' tags.
pub const ART_BUCKET: &str = chorus_nats::messages::catalog::ART_STORE;

/// File extensions the import reads.
const AUDIO_EXTENSIONS: &[&str] = &["mp3", "flac", "ogg", "opus", "oga", "m4a", "mp4", "aac"];

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Tracks created.
    pub created: usize,
    /// Tracks already in the catalog.
    pub existing: usize,
    /// Files that could not be imported, with why.
    pub failed: Vec<(PathBuf, String)>,
}

/// Import every audio file under `folder`. Untagged files take their title
/// from the file name, their album from the folder, and `default_artist`.
/// The object stores, when the import is the first to use them, are made at R1:
/// [`run_replicated`] for a cluster.
pub async fn run(
    client: &ChorusClient,
    folder: &Path,
    default_artist: &str,
    progress: bool,
) -> anyhow::Result<ImportReport> {
    run_replicated(client, folder, default_artist, progress, 1).await
}

/// [`run`], creating the object stores (if no node has yet) at `replicas`.
pub async fn run_replicated(
    client: &ChorusClient,
    folder: &Path,
    default_artist: &str,
    progress: bool,
    replicas: usize,
) -> anyhow::Result<ImportReport> {
    let files = audio_files(folder)?;
    let js = jetstream::new(client.nats().clone());
    let store = chorus_state::objects::ensure_store(&js, AUDIO_BUCKET, "Chorus audio", replicas).await?;
    let art = chorus_state::objects::ensure_store(&js, ART_BUCKET, "Chorus cover art", replicas).await?;
    let bar = if progress { ProgressBar::new(files.len() as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut known = Known::load(client).await.context("reading what the catalog has")?;
    let mut report = ImportReport::default();
    for path in files {
        bar.set_message(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        match import_file(client, &mut known, &store, &art, &path, default_artist).await {
            Ok(true) => report.created += 1,
            Ok(false) => report.existing += 1,
            Err(e) => {
                bar.println(format!("skipped {}: {e:#}", path.display()));
                report.failed.push((path, format!("{e:#}")));
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(report)
}

/// Store `bytes` under `name` unless an object of that name is there already
/// (names are content hashes, so it is the same content).
async fn put_once(store: &object_store::ObjectStore, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    if store.info(name).await.is_err() {
        let mut reader = std::io::Cursor::new(bytes.to_vec());
        store.put(name, &mut reader).await.with_context(|| format!("uploading {name}"))?;
    }
    Ok(())
}

fn audio_files(folder: &Path) -> anyhow::Result<Vec<PathBuf>> {
    anyhow::ensure!(folder.is_dir(), "{} is not a folder", folder.display());
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(folder)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// What the tags (or, lacking them, the path) say about one file.
struct Tags {
    title: String,
    artist: String,
    album_artist: String,
    album: String,
    track: Option<u32>,
    disc: Option<u32>,
    year: Option<i32>,
    genres: Vec<String>,
    duration_ms: u64,
    bitrate_kbps: u32,
    codec: &'static str,
    /// The front cover (or first picture) and its file extension.
    cover: Option<(Vec<u8>, String)>,
    /// The release's type, when tagged (the catalog infers one otherwise).
    release_type: Option<ReleaseType>,
}

fn read_tags(path: &Path, bytes: &[u8], default_artist: &str) -> anyhow::Result<Tags> {
    let tagged = lofty::probe::Probe::new(std::io::Cursor::new(bytes))
        .guess_file_type()
        .context("reading the file")?
        .read()
        .context("not a readable audio file")?;
    let props = tagged.properties();
    anyhow::ensure!(props.duration() > Duration::ZERO, "the audio has no duration");
    let tag = tagged.primary_tag().or_else(|| tagged.first_tag());
    let text = |f: fn(&lofty::tag::Tag) -> Option<std::borrow::Cow<'_, str>>| {
        tag.and_then(|t| f(t)).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
    };
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let folder =
        path.parent().and_then(|p| p.file_name()).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let artist = text(|t| t.artist()).unwrap_or_else(|| default_artist.to_string());
    let album_artist = tag
        .and_then(|t| t.get_string(&ItemKey::AlbumArtist))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| artist.clone());
    Ok(Tags {
        title: text(|t| t.title()).unwrap_or_else(|| humanize(&stem)),
        album: text(|t| t.album()).unwrap_or_else(|| humanize(&folder)),
        artist,
        album_artist,
        track: tag.and_then(|t| t.track()),
        disc: tag.and_then(|t| t.disk()),
        year: tag.and_then(|t| t.year()).map(|y| y as i32),
        genres: text(|t| t.genre())
            .map(|g| g.split([';', '/']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default(),
        duration_ms: props.duration().as_millis() as u64,
        bitrate_kbps: props.audio_bitrate().unwrap_or(0),
        cover: tag.and_then(|t| {
            let pictures = t.pictures();
            let p = pictures.iter().find(|p| p.pic_type() == PictureType::CoverFront).or(pictures.first())?;
            Some((p.data().to_vec(), p.mime_type().and_then(|m| m.ext()).unwrap_or("img").to_string()))
        }),
        release_type: tag.and_then(tagged_release_type),
        codec: match tagged.file_type() {
            FileType::Mpeg => "mp3",
            FileType::Flac => "flac",
            FileType::Opus => "opus",
            FileType::Vorbis => "vorbis",
            FileType::Mp4 | FileType::Aac => "aac",
            _ => "unknown",
        },
    })
}

/// The keys MusicBrainz Picard writes a release's type under (Vorbis
/// comments, APE, ID3v2 `TXXX`, MP4 freeform atoms), which lofty has no
/// name for: it keeps them as `ItemKey::Unknown`, with the key as written.
const RELEASE_TYPE_KEYS: &[&str] =
    &["RELEASETYPE", "MUSICBRAINZ_ALBUMTYPE", "MusicBrainz Album Type", "----:com.apple.iTunes:MusicBrainz Album Type"];

fn tagged_release_type(tag: &lofty::tag::Tag) -> Option<ReleaseType> {
    let values: Vec<&str> = tag
        .items()
        .filter(
            |i| matches!(i.key(), ItemKey::Unknown(k) if RELEASE_TYPE_KEYS.iter().any(|r| r.eq_ignore_ascii_case(k))),
        )
        .filter_map(|i| i.value().text())
        .collect();
    let compilation = tag.get_string(&ItemKey::FlagCompilation).is_some_and(|v| v.trim() == "1");
    release_type(&values, compilation)
}

/// The type a release is filed under, from MusicBrainz's values: the
/// primary type first, then secondary ones, in one value ("album; live",
/// "album/live") or several. A secondary live, compilation, soundtrack or
/// remix decides (a live album is filed with live albums), else the primary
/// does; an unknown primary is `other`. The compilation flag (iTunes, Picard
/// for various artists) makes an album, or a release of no type, a compilation.
fn release_type(values: &[&str], compilation: bool) -> Option<ReleaseType> {
    let words: Vec<String> = values
        .iter()
        .flat_map(|v| v.split([';', '/', ',', '\0']))
        .map(|w| w.trim().to_ascii_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    let decisive = |w: &str| match w {
        "live" => Some(ReleaseType::Live),
        "compilation" => Some(ReleaseType::Compilation),
        "soundtrack" => Some(ReleaseType::Soundtrack),
        "remix" => Some(ReleaseType::Remix),
        _ => None,
    };
    let primary = words.first().map(|w| match w.as_str() {
        "album" => ReleaseType::Album,
        "ep" => ReleaseType::Ep,
        "single" => ReleaseType::Single,
        other => decisive(other).unwrap_or(ReleaseType::Other),
    });
    match words.iter().skip(1).find_map(|w| decisive(w)).or(primary) {
        None | Some(ReleaseType::Album) if compilation => Some(ReleaseType::Compilation),
        kind => kind,
    }
}

/// `calm_acoustic_1` -> `Calm Acoustic 1`.
fn humanize(s: &str) -> String {
    s.split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How an import recognises a name: case and surrounding space do not count
/// ("björk" is Björk; "Bjork" is someone else).
fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// What the catalog has, by the keys an import recognises records by.
#[derive(Debug, Default)]
struct Known {
    /// Audio object names of the tracks.
    tracks: HashSet<String>,
    /// Albums by album artist and title key.
    albums: HashMap<(Uuid, String), AlbumRef>,
    /// Artist ids by name key (the oldest, if several share a name).
    artists: HashMap<String, Uuid>,
}

impl Known {
    /// Page through every track, album and artist once.
    async fn load(client: &ChorusClient) -> anyhow::Result<Known> {
        const PAGE: u32 = 500;
        let mut known = Known::default();
        let mut cursor = None;
        loop {
            let req = TrackList { cursor, limit: Some(PAGE), ..Default::default() };
            let page: TrackPage = client.call(&req).await.context("track.list")?;
            known.tracks.extend(page.tracks.into_iter().filter_map(|t| t.audio_object));
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        for offset in (0..).step_by(PAGE as usize) {
            let req = ArtistList { offset, limit: Some(PAGE) };
            let page: ArtistPage = client.call(&req).await.context("artist.list")?;
            let last = page.artists.len() < PAGE as usize;
            for a in page.artists {
                let id = known.artists.entry(name_key(&a.name)).or_insert(a.id);
                *id = (*id).min(a.id);
            }
            if last {
                break;
            }
        }
        for offset in (0..).step_by(PAGE as usize) {
            let req = AlbumList {
                order: AlbumOrder::AlphabeticalByName,
                offset,
                limit: Some(PAGE),
                year_from: None,
                year_to: None,
                genre: None,
            };
            let page: AlbumPage = client.call(&req).await.context("album.list")?;
            let last = page.albums.len() < PAGE as usize;
            for a in page.albums {
                if let Some(artist) = &a.artist {
                    let album = AlbumRef { id: a.id, title: a.title.clone() };
                    let kept = known.albums.entry((artist.id, name_key(&a.title))).or_insert_with(|| album.clone());
                    if album.id < kept.id {
                        *kept = album;
                    }
                }
            }
            if last {
                break;
            }
        }
        Ok(known)
    }

    /// The artist named `name`, created when the catalog has none.
    async fn artist(&mut self, client: &ChorusClient, name: &str) -> anyhow::Result<ArtistCredit> {
        let id = match self.artists.get(&name_key(name)) {
            Some(id) => *id,
            None => {
                let new = Artist {
                    id: Uuid::nil(),
                    name: name.to_string(),
                    sort_name: String::new(),
                    mbid: None,
                    image: None,
                    added_at: 0,
                    revision: 0,
                };
                let id = create(client, catalog::artist_create(), &new).await?.id;
                self.artists.insert(name_key(name), id);
                id
            }
        };
        Ok(ArtistCredit { id, name: name.to_string() })
    }
}

/// Import one file; true when its track was new.
async fn import_file(
    client: &ChorusClient,
    known: &mut Known,
    store: &object_store::ObjectStore,
    art: &object_store::ObjectStore,
    path: &Path,
    default_artist: &str,
) -> anyhow::Result<bool> {
    let bytes = tokio::fs::read(path).await.with_context(|| format!("reading {}", path.display()))?;
    let tags = {
        let (path, bytes) = (path.to_path_buf(), bytes.clone());
        let default_artist = default_artist.to_string();
        tokio::task::spawn_blocking(move || read_tags(&path, &bytes, &default_artist)).await??
    };
    let sha = format!("{:x}", Sha256::digest(&bytes));
    let object = format!("{sha}.{}", tags.codec);
    if known.tracks.contains(&object) {
        // Its audio went up before its record was written.
        return Ok(false);
    }
    put_once(store, &object, &bytes).await?;
    let cover = match &tags.cover {
        Some((image, ext)) => {
            let name = format!("{:x}.{ext}", Sha256::digest(image));
            put_once(art, &name, image).await?;
            Some(name)
        }
        None => None,
    };

    let artist = known.artist(client, &tags.artist).await?;
    let album_artist = known.artist(client, &tags.album_artist).await?;
    let album_key = (album_artist.id, name_key(&tags.album));
    let album = match known.albums.get(&album_key) {
        Some(album) => album.clone(),
        None => {
            let new = Album {
                id: Uuid::nil(),
                title: tags.album.clone(),
                artist: Some(album_artist.clone()),
                year: tags.year,
                genres: tags.genres.clone(),
                cover_art: cover.clone(),
                release_type: tags.release_type,
                ..Default::default()
            };
            let created = create(client, catalog::album_create(), &new).await?;
            let album = AlbumRef { id: created.id, title: created.title };
            known.albums.insert(album_key, album.clone());
            album
        }
    };
    let track = Track {
        id: Uuid::nil(),
        title: tags.title,
        sort_title: String::new(),
        artists: vec![artist],
        album_artist: Some(album_artist),
        album: Some(album),
        track_number: tags.track,
        disc_number: tags.disc,
        year: tags.year,
        genres: tags.genres,
        duration_ms: tags.duration_ms,
        codec: tags.codec.into(),
        bitrate_kbps: tags.bitrate_kbps,
        file_size: bytes.len() as u64,
        cover_art: cover,
        audio_object: Some(object.clone()),
        mbid: None,
        added_at: 0,
        revision: 0,
    };
    create(client, catalog::track_create(), &track).await?;
    known.tracks.insert(object);
    Ok(true)
}

/// Create a record under an id the catalog mints; the record as written.
async fn create<T>(client: &ChorusClient, endpoint: chorus_nats::Endpoint, entity: &T) -> anyhow::Result<T>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let written: Written<T> = client.request(endpoint, entity).await.with_context(|| endpoint.subject().to_string())?;
    written.entity.with_context(|| format!("{} answered without the record", endpoint.subject()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_recognised_and_humane() {
        assert_eq!(name_key("Björk"), name_key(" björk "));
        assert_ne!(name_key("Björk"), name_key("Bjork"));
        assert_eq!(humanize("calm_acoustic_1"), "Calm Acoustic 1");
    }

    #[test]
    fn release_types_as_picard_writes_them() {
        use ReleaseType::*;
        let kind = |values: &[&str]| release_type(values, false);
        assert_eq!(kind(&[]), None);
        assert_eq!(kind(&["album"]), Some(Album));
        assert_eq!(kind(&["EP"]), Some(Ep));
        assert_eq!(kind(&["single"]), Some(Single));
        // A secondary type that files the release decides; others do not.
        assert_eq!(kind(&["album; live"]), Some(Live));
        assert_eq!(kind(&["album", "compilation"]), Some(Compilation));
        assert_eq!(kind(&["album/soundtrack"]), Some(Soundtrack));
        assert_eq!(kind(&["ep; remix"]), Some(Remix));
        assert_eq!(kind(&["album; demo"]), Some(Album));
        assert_eq!(kind(&["broadcast"]), Some(Other));
        assert_eq!(kind(&["live"]), Some(Live));
        // The compilation flag files an album, or an untyped release, as a compilation.
        assert_eq!(release_type(&[], true), Some(Compilation));
        assert_eq!(release_type(&["album"], true), Some(Compilation));
        assert_eq!(release_type(&["single"], true), Some(Single));
        assert_eq!(release_type(&["album; live"], true), Some(Live));
    }
}
