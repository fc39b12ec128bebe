//! Release types, and an album's track count and length: an album record may carry one (tagged at import, or
//! given); one that does not is served with the type its tracks suggest,
//! marked as inferred, so a player can file every album (Albums, EPs,
//! Singles, ...) without the catalog storing a guess that its tracks would
//! later contradict.

use chorus_nats::messages::catalog::{Album, ReleaseType};

/// Under this much audio, a short release is a single or an EP.
const SHORT_MS: u64 = 30 * 60 * 1000;

/// What an album's tracks add up to, kept current as tracks come and go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Shape {
    pub(crate) tracks: u32,
    pub(crate) ms: u64,
}

impl Shape {
    /// Count `duration_ms` in (`delta` 1) or out (-1).
    pub(crate) fn add(&mut self, duration_ms: u64, delta: i32) {
        if delta >= 0 {
            self.tracks += 1;
            self.ms = self.ms.saturating_add(duration_ms);
        } else {
            self.tracks = self.tracks.saturating_sub(1);
            self.ms = self.ms.saturating_sub(duration_ms);
        }
    }

    /// The usual rule of taggers and stores: 1 to 3 tracks under 30 minutes
    /// is a single, up to 6 under 30 minutes an EP, anything else an album.
    /// No tracks, no guess.
    pub(crate) fn infer(self) -> Option<ReleaseType> {
        match (self.tracks, self.ms < SHORT_MS) {
            (0, _) => None,
            (1..=3, true) => Some(ReleaseType::Single),
            (4..=6, true) => Some(ReleaseType::Ep),
            _ => Some(ReleaseType::Album),
        }
    }
}

/// `album` as a read serves it: its stored type, or the inferred one.
/// With its tracks counted and their length added up (never stored).
pub(crate) fn served(mut album: Album, shape: Option<&Shape>) -> Album {
    let shape = shape.copied().unwrap_or_default();
    if album.release_type.is_none() {
        album.release_type = shape.infer();
        album.release_type_inferred = album.release_type.is_some();
    }
    album.track_count = Some(shape.tracks);
    album.duration_ms = Some(shape.ms);
    album
}

/// What a write stores: a type a client read as inferred and sent back is
/// not one it gave, so none is stored.
pub(crate) fn stored(album: &mut Album) {
    // Counted at each read, from the tracks.
    album.track_count = None;
    album.duration_ms = None;
    if album.release_type_inferred {
        album.release_type = None;
        album.release_type_inferred = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(durations: &[u64]) -> Shape {
        let mut s = Shape::default();
        durations.iter().for_each(|d| s.add(*d, 1));
        s
    }

    #[test]
    fn short_releases_are_singles_and_eps() {
        let min = 60_000;
        assert_eq!(shape(&[]).infer(), None);
        assert_eq!(shape(&[3 * min]).infer(), Some(ReleaseType::Single));
        assert_eq!(shape(&[4 * min; 3]).infer(), Some(ReleaseType::Single));
        assert_eq!(shape(&[4 * min; 4]).infer(), Some(ReleaseType::Ep));
        assert_eq!(shape(&[4 * min; 6]).infer(), Some(ReleaseType::Ep));
        assert_eq!(shape(&[4 * min; 7]).infer(), Some(ReleaseType::Album));
        // Long pieces make an album of few tracks.
        assert_eq!(shape(&[20 * min, 15 * min]).infer(), Some(ReleaseType::Album));
        assert_eq!(shape(&[6 * min; 5]).infer(), Some(ReleaseType::Album));
        let mut s = shape(&[4 * min; 4]);
        s.add(4 * min, -1);
        assert_eq!((s.tracks, s.infer()), (3, Some(ReleaseType::Single)));
    }
}
