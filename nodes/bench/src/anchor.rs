//! The FTS5 anchor (`shared/anchors/fts5_search.py`): run it, and read the
//! catalog, the query set and the figures it writes, so search indexes the
//! same catalog and replays the same queries.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use anyhow::Context as _;
use chorus_nats::messages::catalog::{Album, Artist, ArtistCredit, Track};
use serde::Deserialize;
use uuid::Uuid;

/// One track as the anchor writes it (catalog JSON Lines).
#[derive(Debug, Deserialize)]
pub(crate) struct AnchorTrack {
    pub(crate) id: u64,
    pub(crate) title: String,
    pub(crate) album: String,
    pub(crate) artist: String,
    pub(crate) album_artist: String,
    pub(crate) genre: String,
    pub(crate) year: i32,
    pub(crate) track_no: u32,
    pub(crate) duration_s: u64,
}

/// One query of the anchor's set: its target is the track `target_id`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AnchorQuery {
    pub(crate) kind: String,
    pub(crate) query: String,
    pub(crate) target_id: u64,
}

/// The anchor's figures for one kind of query.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct AnchorFigures {
    pub(crate) p50_us: f64,
    pub(crate) p95_us: f64,
    pub(crate) p99_us: f64,
    pub(crate) hit_at_10: f64,
}

/// What the anchor reports (`--results`).
#[derive(Debug, Deserialize)]
pub(crate) struct AnchorResults {
    pub(crate) per_kind: HashMap<String, AnchorFigures>,
    pub(crate) build: AnchorBuild,
}

/// The anchor's index build.
#[derive(Debug, Deserialize)]
pub(crate) struct AnchorBuild {
    pub(crate) fts_build_tracks_per_s: f64,
}

/// Everything one anchor run produced.
pub(crate) struct Anchor {
    pub(crate) tracks: Vec<AnchorTrack>,
    pub(crate) queries: Vec<AnchorQuery>,
    pub(crate) results: AnchorResults,
}

fn jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<Vec<T>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).with_context(|| format!("a line of {}", path.display())))
        .collect()
}

/// Run the anchor script for `tracks` tracks in `dir`, printing its report.
pub(crate) fn run(python: &str, script: &Path, tracks: usize, dir: &Path) -> anyhow::Result<Anchor> {
    let (catalog, queries, results) = (dir.join("catalog.jsonl"), dir.join("queries.jsonl"), dir.join("results.json"));
    let out = Command::new(python)
        .arg(script)
        .args(["-n", &tracks.to_string(), "--db", ":memory:"])
        .arg("--out")
        .arg(&catalog)
        .arg("--queries")
        .arg(&queries)
        .arg("--results")
        .arg(&results)
        .output()
        .with_context(|| format!("running {python} {}", script.display()))?;
    anyhow::ensure!(out.status.success(), "the anchor failed: {}", String::from_utf8_lossy(&out.stderr));
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        println!("  fts5 | {line}");
    }
    let results = std::fs::read_to_string(&results).context("reading the anchor's results")?;
    Ok(Anchor {
        tracks: jsonl(&catalog)?,
        queries: jsonl(&queries)?,
        results: serde_json::from_str(&results).context("the anchor's results")?,
    })
}

/// The track id the anchor's integer id becomes.
pub(crate) fn track_id(id: u64) -> Uuid {
    Uuid::from_u64_pair(3, id)
}

/// The anchor's catalog as catalog records: artists by name, albums by
/// (album artist, title, year), tracks with the ids of [`track_id`].
pub(crate) fn records(tracks: &[AnchorTrack]) -> (Vec<Artist>, Vec<Album>, Vec<Track>) {
    let mut artists: HashMap<&str, Artist> = HashMap::new();
    let mut albums: HashMap<(&str, &str, i32), Album> = HashMap::new();
    let mut out = Vec::with_capacity(tracks.len());
    for t in tracks {
        for name in [&t.artist, &t.album_artist] {
            let n = artists.len() as u64;
            artists.entry(name.as_str()).or_insert_with(|| artist(Uuid::from_u64_pair(1, n), name));
        }
        let credit = |name: &str| ArtistCredit { id: artists[name].id, name: name.to_string() };
        let (by, album_artist) = (credit(&t.artist), credit(&t.album_artist));
        let n = albums.len() as u64;
        let album = albums.entry((t.album_artist.as_str(), t.album.as_str(), t.year)).or_insert_with(|| Album {
            id: Uuid::from_u64_pair(2, n),
            title: t.album.clone(),
            artist: Some(album_artist.clone()),
            year: Some(t.year),
            genres: vec![t.genre.clone()],
            ..Default::default()
        });
        let mut track = chorus_catalog::synthetic::track_on(track_id(t.id), &t.title, &album_artist, album, t.track_no);
        track.artists = vec![by];
        track.duration_ms = t.duration_s * 1000;
        // One track in ten has a genre of its own.
        track.genres = vec![t.genre.clone()];
        out.push(track);
    }
    (artists.into_values().collect(), albums.into_values().collect(), out)
}

fn artist(id: Uuid, name: &str) -> Artist {
    Artist { id, name: name.into(), sort_name: String::new(), mbid: None, image: None, added_at: 0, revision: 0 }
}
