//! Synthetic catalogs for scale tests, benchmarks and the dev stack: N tracks
//! from a fixed seed, with plausible titles, artists, albums, genres and years
//! (3 releases an artist, a discography's mix of them: mostly albums of
//! 10 to 13 tracks, then singles, EPs, live albums, compilations, a few
//! soundtracks and remix sets, one in ten without a release type, as
//! untagged files are; no audio).

use chorus_nats::messages::catalog::{Album, AlbumRef, Artist, ArtistCredit, ReleaseType, Track};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::entity::sort::sort_name;

const WORDS: &[&str] = &[
    "midnight",
    "river",
    "golden",
    "echo",
    "velvet",
    "storm",
    "paper",
    "neon",
    "silent",
    "ocean",
    "ember",
    "glass",
    "northern",
    "lights",
    "wild",
    "heart",
    "static",
    "summer",
    "ghost",
    "city",
    "hollow",
    "crimson",
    "satellite",
    "garden",
    "winter",
    "fever",
    "dream",
    "machine",
    "shadow",
    "canyon",
    "honey",
    "thunder",
];
const GENRES: &[&str] =
    &["Rock", "Pop", "Jazz", "Electronic", "Hip-Hop", "Folk", "Classical", "Metal", "Soul", "Ambient"];

/// A generated catalog, in the order its records must be written.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticCatalog {
    /// Artists.
    pub artists: Vec<Artist>,
    /// Albums, each by one of the artists.
    pub albums: Vec<Album>,
    /// Tracks, in id order.
    pub tracks: Vec<Track>,
}

/// Generate a catalog of `n` tracks deterministically from `seed`.
pub fn generate(n: usize, seed: u64) -> SyntheticCatalog {
    let mut rng = StdRng::seed_from_u64(seed);
    // The release shapes come from a generator of their own, so that names,
    // ids and years are drawn as they were before releases had types.
    let mut shapes = StdRng::seed_from_u64(seed ^ 0x5eed_0f7e_1ea5_e5e5);
    let mut out = SyntheticCatalog { artists: Vec::new(), albums: Vec::new(), tracks: Vec::with_capacity(n) };
    let base = 1_700_000_000_000u64;
    let mut i = 0;
    // Artists of 3 releases, until `n` tracks exist.
    while i < n {
        let name = title(&mut rng, 2);
        let artist = Artist {
            id: uuid_v7_from(&mut rng, base + i as u64),
            sort_name: sort_name(&name),
            name,
            mbid: None,
            image: None,
            added_at: base + i as u64,
            revision: 0,
        };
        let credit = ArtistCredit { id: artist.id, name: artist.name.clone() };
        out.artists.push(artist);
        for _ in 0..3 {
            if i >= n {
                break;
            }
            let t = title(&mut rng, 3);
            let (kind, size) = release(&mut shapes);
            let album = Album {
                id: uuid_v7_from(&mut rng, base + i as u64),
                sort_title: sort_name(&t),
                title: t,
                artist: Some(credit.clone()),
                year: Some(rng.random_range(1960..=2025)),
                genres: vec![GENRES[rng.random_range(0..GENRES.len())].to_string()],
                cover_art: None,
                mbid: None,
                release_type: shapes.random_bool(0.9).then_some(kind),
                release_type_inferred: false,
                track_count: None,
                duration_ms: None,
                added_at: base + i as u64,
                revision: 0,
            };
            for number in 1..=size {
                if i >= n {
                    break;
                }
                let mut t = track(&mut rng, i, number, &credit, &album);
                if matches!(kind, ReleaseType::Single | ReleaseType::Ep) {
                    // Radio edits: 2 to 4 minutes, so an untyped one reads as what it is.
                    t.duration_ms = 120_000 + (t.duration_ms - 90_000) / 3;
                }
                out.tracks.push(t);
                i += 1;
            }
            out.albums.push(album);
        }
    }
    out
}

/// A release's type and track count, in about the proportions of a record shop's shelves.
fn release(rng: &mut StdRng) -> (ReleaseType, u32) {
    match rng.random_range(0..100) {
        0..56 => (ReleaseType::Album, rng.random_range(10..=13)),
        56..70 => (ReleaseType::Single, rng.random_range(1..=3)),
        70..82 => (ReleaseType::Ep, rng.random_range(4..=6)),
        82..88 => (ReleaseType::Live, rng.random_range(10..=14)),
        88..94 => (ReleaseType::Compilation, rng.random_range(14..=18)),
        94..97 => (ReleaseType::Soundtrack, rng.random_range(12..=16)),
        _ => (ReleaseType::Remix, rng.random_range(5..=8)),
    }
}

fn track(rng: &mut StdRng, i: usize, number: u32, artist: &ArtistCredit, album: &Album) -> Track {
    let base = 1_700_000_000_000u64;
    let words = rng.random_range(1..=4);
    let name = title(rng, words);
    let id = uuid_v7_from(rng, base + i as u64);
    Track {
        sort_title: sort_name(&name),
        duration_ms: rng.random_range(90_000..420_000),
        added_at: base + i as u64 * 1000,
        ..track_on(id, &name, artist, album, number)
    }
}

/// A track `title` by `artist` on `album` (its year and genres), number
/// `number` on disc 1, with no audio: the shape every made-up catalog uses.
pub fn track_on(id: Uuid, title: &str, artist: &ArtistCredit, album: &Album, number: u32) -> Track {
    Track {
        id,
        title: title.to_string(),
        sort_title: String::new(),
        artists: vec![artist.clone()],
        album_artist: Some(artist.clone()),
        album: Some(AlbumRef { id: album.id, title: album.title.clone() }),
        track_number: Some(number),
        disc_number: Some(1),
        year: album.year,
        genres: album.genres.clone(),
        duration_ms: 0,
        codec: "opus".into(),
        bitrate_kbps: 128,
        file_size: 0,
        cover_art: None,
        audio_object: None,
        mbid: None,
        added_at: 0,
        revision: 0,
    }
}

/// The tracks of [`generate`].
pub fn tracks(n: usize, seed: u64) -> Vec<Track> {
    generate(n, seed).tracks
}

fn title(rng: &mut StdRng, words: usize) -> String {
    (0..words)
        .map(|_| {
            let w = WORDS[rng.random_range(0..WORDS.len())];
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A v7 uuid at `ms`, so generation order is id order.
fn uuid_v7_from(rng: &mut StdRng, ms: u64) -> Uuid {
    uuid::Builder::from_unix_timestamp_millis(ms, &rng.random()).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_catalog() {
        let a = super::generate(50, 7);
        assert_eq!(a, super::generate(50, 7));
        assert_ne!(a.tracks, super::tracks(50, 8));
        assert!(a.tracks.windows(2).all(|w| w[0].id < w[1].id));
        assert!(a.albums.len() >= 4, "{}", a.albums.len());
        assert_eq!(a.artists.len(), a.albums.len().div_ceil(3));
        assert!(a.tracks.iter().all(|t| a.albums.iter().any(|al| Some(al.id) == t.album.as_ref().map(|r| r.id))));
    }

    #[test]
    fn a_discography_has_every_kind_of_release() {
        let c = super::generate(3000, 42);
        let count = |kind: Option<ReleaseType>| c.albums.iter().filter(|a| a.release_type == kind).count();
        let albums = count(Some(ReleaseType::Album));
        assert!(albums * 2 > c.albums.len(), "{albums} of {}", c.albums.len());
        for kind in [ReleaseType::Single, ReleaseType::Ep, ReleaseType::Live, ReleaseType::Compilation] {
            assert!(count(Some(kind)) * 40 > c.albums.len(), "{kind:?}: {}", count(Some(kind)));
        }
        assert!(count(None) * 20 > c.albums.len(), "a few untyped: {}", count(None));
        // An untyped single or EP is short enough to be read as one.
        let minutes = |a: &Album| {
            c.tracks.iter().filter(|t| t.album.as_ref().unwrap().id == a.id).map(|t| t.duration_ms).sum::<u64>()
                / 60_000
        };
        for a in c.albums.iter().filter(|a| matches!(a.release_type, Some(ReleaseType::Single | ReleaseType::Ep))) {
            assert!(minutes(a) < 30, "{} minutes", minutes(a));
        }
    }
}
