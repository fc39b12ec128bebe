//! Synthetic catalogs for scale tests, benchmarks and the dev stack: N tracks
//! from a fixed seed, with plausible titles, artists, albums, genres and years.

use chorus_nats::messages::catalog::{AlbumRef, ArtistCredit, Track};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

const WORDS: &[&str] = &[
    "midnight", "river", "golden", "echo", "velvet", "storm", "paper", "neon", "silent", "ocean", "ember",
    "glass", "northern", "lights", "wild", "heart", "static", "summer", "ghost", "city", "hollow", "crimson",
    "satellite", "garden", "winter", "fever", "dream", "machine", "shadow", "canyon", "honey", "thunder",
];
const GENRES: &[&str] = &["rock", "pop", "jazz", "electronic", "hip-hop", "folk", "classical", "metal", "soul", "ambient"];

/// Generate `n` tracks deterministically from `seed`: about 12 tracks an
/// album, 3 albums an artist.
pub fn tracks(n: usize, seed: u64) -> Vec<Track> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(n);
    let mut artist = (Uuid::nil(), String::new());
    let mut album = (Uuid::nil(), String::new(), 0i32, String::new());
    for i in 0..n {
        if i % 36 == 0 {
            artist = (uuid_from(&mut rng), title(&mut rng, 2));
        }
        if i % 12 == 0 {
            let genre = GENRES[rng.random_range(0..GENRES.len())].to_string();
            album = (uuid_from(&mut rng), title(&mut rng, 3), rng.random_range(1960..=2025), genre);
        }
        let words = rng.random_range(1..=4);
        let name = title(&mut rng, words);
        out.push(Track {
            id: uuid_v7_from(&mut rng, i as u64),
            sort_title: name.to_lowercase(),
            title: name,
            artists: vec![ArtistCredit { id: artist.0, name: artist.1.clone() }],
            album_artist: Some(ArtistCredit { id: artist.0, name: artist.1.clone() }),
            album: Some(AlbumRef { id: album.0, title: album.1.clone() }),
            track_number: Some((i % 12) as u32 + 1),
            disc_number: Some(1),
            year: Some(album.2),
            genres: vec![album.3.clone()],
            duration_ms: rng.random_range(90_000..420_000),
            codec: "opus".into(),
            bitrate_kbps: 128,
            file_size: 0,
            cover_art: None,
            audio_object: None,
            mbid: None,
            added_at: 1_700_000_000_000 + i as u64 * 1000,
        });
    }
    out
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

fn uuid_from(rng: &mut StdRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

/// A v7 uuid whose time part grows with `i`, so generation order is id order.
fn uuid_v7_from(rng: &mut StdRng, i: u64) -> Uuid {
    uuid::Builder::from_unix_timestamp_millis(1_700_000_000_000 + i, &rng.random()).into_uuid()
}

#[cfg(test)]
mod tests {
    #[test]
    fn same_seed_same_catalog() {
        let a = super::tracks(50, 7);
        assert_eq!(a, super::tracks(50, 7));
        assert_ne!(a, super::tracks(50, 8));
        assert!(a.windows(2).all(|w| w[0].id < w[1].id));
    }
}
