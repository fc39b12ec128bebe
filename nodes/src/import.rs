//! `chorus import <folder>`: read audio files and their tags, upload the audio
//! to the `chorus_audio` object store, and create catalog records through the
//! catalog service.
//!
//! Ids are derived from content (artist name, album artist and title, audio
//! bytes), so a re-run finds every record already there and creates nothing
//! twice. A file that cannot be read is reported and skipped.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, object_store};
use chorus_nats::messages::catalog::{Album, AlbumRef, Artist, ArtistCredit, Track, Written};
use chorus_nats::{subjects::catalog, ChorusClient, ClientError};
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
pub async fn run(
    client: &ChorusClient,
    folder: &Path,
    default_artist: &str,
    progress: bool,
) -> anyhow::Result<ImportReport> {
    let files = audio_files(folder)?;
    let js = jetstream::new(client.nats().clone());
    let store = chorus_state::objects::ensure_store(&js, AUDIO_BUCKET, "Chorus audio").await?;
    let art = chorus_state::objects::ensure_store(&js, ART_BUCKET, "Chorus cover art").await?;
    let bar = if progress { ProgressBar::new(files.len() as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut report = ImportReport::default();
    for path in files {
        bar.set_message(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        match import_file(client, &store, &art, &path, default_artist).await {
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

/// An object store bucket, created on first use.

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

/// A uuid with the v7 layout whose random bits come from `parts` and whose
/// time is `ms` (0 for imports: a file's mtime does not survive copies), so
/// the same input always gives the same id.
fn stable_id(ms: u64, parts: &[&str]) -> Uuid {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.trim().to_lowercase().as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    let mut random = [0u8; 10];
    random.copy_from_slice(&digest[..10]);
    uuid::Builder::from_unix_timestamp_millis(ms, &random).into_uuid()
}

/// Import one file; true when its track was new.
async fn import_file(
    client: &ChorusClient,
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
    put_once(store, &object, &bytes).await?;
    let cover = match &tags.cover {
        Some((image, ext)) => {
            let name = format!("{:x}.{ext}", Sha256::digest(image));
            put_once(art, &name, image).await?;
            Some(name)
        }
        None => None,
    };

    let artist = Artist {
        id: stable_id(0, &["artist", &tags.artist]),
        name: tags.artist.clone(),
        sort_name: String::new(),
        mbid: None,
        image: None,
        added_at: 0,
        revision: 0,
    };
    let album_artist =
        Artist { id: stable_id(0, &["artist", &tags.album_artist]), name: tags.album_artist.clone(), ..artist.clone() };
    let album = Album {
        id: stable_id(0, &["album", &tags.album_artist, &tags.album]),
        title: tags.album.clone(),
        sort_title: String::new(),
        artist: Some(ArtistCredit { id: album_artist.id, name: album_artist.name.clone() }),
        year: tags.year,
        genres: tags.genres.clone(),
        cover_art: cover.clone(),
        mbid: None,
        added_at: 0,
        revision: 0,
    };
    ensure(client, catalog::artist_create(), &artist).await?;
    if album_artist.id != artist.id {
        ensure(client, catalog::artist_create(), &album_artist).await?;
    }
    ensure(client, catalog::album_create(), &album).await?;
    let track = Track {
        id: stable_id(0, &["track", &sha]),
        title: tags.title,
        sort_title: String::new(),
        artists: vec![ArtistCredit { id: artist.id, name: artist.name }],
        album_artist: Some(ArtistCredit { id: album_artist.id, name: album_artist.name }),
        album: Some(AlbumRef { id: album.id, title: album.title }),
        track_number: tags.track,
        disc_number: tags.disc,
        year: tags.year,
        genres: tags.genres,
        duration_ms: tags.duration_ms,
        codec: tags.codec.into(),
        bitrate_kbps: tags.bitrate_kbps,
        file_size: bytes.len() as u64,
        cover_art: cover,
        audio_object: Some(object),
        mbid: None,
        added_at: 0,
        revision: 0,
    };
    ensure(client, catalog::track_create(), &track).await
}

/// Create a record; true when it was new, false when it was there already.
async fn ensure<T>(client: &ChorusClient, endpoint: chorus_nats::Endpoint, entity: &T) -> anyhow::Result<bool>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    match client.request::<_, Written<T>>(endpoint, entity).await {
        Ok(_) => Ok(true),
        Err(ClientError::Service { code, .. }) if code == "already_exists" => Ok(false),
        Err(e) => Err(anyhow::Error::new(e).context(format!("{}", endpoint.subject()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_names_humane() {
        assert_eq!(stable_id(5, &["artist", "Björk"]), stable_id(5, &["artist", " björk "]));
        assert_ne!(stable_id(5, &["artist", "Björk"]), stable_id(5, &["artist", "Bjork"]));
        assert_eq!(stable_id(5, &["a"]).get_version_num(), 7);
        assert_eq!(humanize("calm_acoustic_1"), "Calm Acoustic 1");
    }
}
