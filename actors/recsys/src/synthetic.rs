//! A deterministic listening world with known taste, for tests and the
//! scale benchmark: genres (clusters) of artists of tracks, listeners with
//! a home genre, plays mostly from home with a Zipf-like head.

use crate::dataset::{Dataset, Play};
use crate::interactions::{Event, Interactions, InteractionsError};
use crate::splitmix::SplitMix64;

/// Tracks per artist on average.
const TRACKS_PER_ARTIST: u32 = 8;
/// Share of a listener's plays from their home genre.
const HOME_SHARE: f64 = 0.85;
/// Share of home plays from one of the listener's favourite artists.
const FAVOURITE_SHARE: f64 = 0.3;
/// Favourite artists per listener.
const FAVOURITES: usize = 2;
/// Zipf exponent of popularity inside a genre: a head, and a long tail.
const ZIPF: f64 = 0.8;

/// Tracks, artists and listeners with their true genre, and the plays.
#[derive(Debug, Clone)]
pub struct World {
    clusters: u32,
    track_cluster: Vec<u32>,
    track_artist: Vec<u32>,
    artist_cluster: Vec<u32>,
    listener_cluster: Vec<u32>,
    events: Vec<Event>,
}

/// One genre's tracks and the cumulative weights to draw them by popularity.
struct Genre {
    tracks: Vec<u32>,
    cumulative: Vec<f64>,
}

impl Genre {
    fn draw(&self, rng: &mut SplitMix64) -> u32 {
        let total = *self.cumulative.last().expect("every genre has a track");
        let x = rng.next_f64() * total;
        let at = self.cumulative.partition_point(|&c| c <= x).min(self.tracks.len() - 1);
        self.tracks[at]
    }
}

impl World {
    /// Generates the same world for the same arguments.
    ///
    /// Every artist gets at least one track and every genre at least one
    /// artist, so `tracks ≥ clusters` is all that is required. Play `p` is at
    /// time `p`: timestamps increase.
    pub fn generate(tracks: u32, listeners: u32, plays: usize, clusters: u32, seed: u64) -> World {
        assert!(clusters > 0 && tracks >= clusters && listeners > 0, "need tracks ≥ clusters > 0 and listeners");
        let mut rng = SplitMix64::new(seed);
        let artists = (tracks / TRACKS_PER_ARTIST).max(clusters);
        let artist_cluster: Vec<u32> = (0..artists).map(|a| a % clusters).collect();
        let track_artist: Vec<u32> =
            (0..tracks).map(|t| if t < artists { t } else { rng.below(u64::from(artists)) as u32 }).collect();
        let track_cluster: Vec<u32> = track_artist.iter().map(|&a| artist_cluster[a as usize]).collect();

        let mut genres: Vec<Genre> =
            (0..clusters).map(|_| Genre { tracks: Vec::new(), cumulative: Vec::new() }).collect();
        for (t, &c) in track_cluster.iter().enumerate() {
            genres[c as usize].tracks.push(t as u32);
        }
        for genre in &mut genres {
            shuffle(&mut genre.tracks, &mut rng);
            let mut total = 0.0;
            genre.cumulative = (0..genre.tracks.len())
                .map(|rank| {
                    total += 1.0 / ((rank + 1) as f64).powf(ZIPF);
                    total
                })
                .collect();
        }
        let mut artist_tracks: Vec<Vec<u32>> = vec![Vec::new(); artists as usize];
        for (t, &a) in track_artist.iter().enumerate() {
            artist_tracks[a as usize].push(t as u32);
        }
        let genre_artists: Vec<Vec<u32>> =
            (0..clusters).map(|c| (0..artists).filter(|&a| artist_cluster[a as usize] == c).collect()).collect();

        let listener_cluster: Vec<u32> = (0..listeners).map(|_| rng.below(u64::from(clusters)) as u32).collect();
        let favourites: Vec<Vec<u32>> = listener_cluster
            .iter()
            .map(|&c| {
                let pool = &genre_artists[c as usize];
                (0..FAVOURITES).map(|_| pool[rng.below(pool.len() as u64) as usize]).collect()
            })
            .collect();

        let events = (0..plays)
            .map(|p| {
                let user = rng.below(u64::from(listeners)) as u32;
                let home = listener_cluster[user as usize];
                let item = if rng.next_f64() < HOME_SHARE {
                    if rng.next_f64() < FAVOURITE_SHARE {
                        let fav = &favourites[user as usize];
                        let songs = &artist_tracks[fav[rng.below(fav.len() as u64) as usize] as usize];
                        songs[rng.below(songs.len() as u64) as usize]
                    } else {
                        genres[home as usize].draw(&mut rng)
                    }
                } else {
                    genres[rng.below(u64::from(clusters)) as usize].draw(&mut rng)
                };
                Event { user, item, weight: 1.0, at: p as u64 }
            })
            .collect();
        World { clusters, track_cluster, track_artist, artist_cluster, listener_cluster, events }
    }

    /// Number of genres.
    pub fn clusters(&self) -> u32 {
        self.clusters
    }

    /// Number of tracks.
    pub fn tracks(&self) -> u32 {
        self.track_cluster.len() as u32
    }

    /// Number of listeners.
    pub fn listeners(&self) -> u32 {
        self.listener_cluster.len() as u32
    }

    /// The track's true genre.
    pub fn track_cluster(&self, track: u32) -> u32 {
        self.track_cluster[track as usize]
    }

    /// The track's artist.
    pub fn track_artist(&self, track: u32) -> u32 {
        self.track_artist[track as usize]
    }

    /// The artist's genre.
    pub fn artist_cluster(&self, artist: u32) -> u32 {
        self.artist_cluster[artist as usize]
    }

    /// The listener's home genre.
    pub fn listener_cluster(&self, listener: u32) -> u32 {
        self.listener_cluster[listener as usize]
    }

    /// Every play, in time order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The play matrix.
    pub fn interactions(&self) -> Result<Interactions, InteractionsError> {
        Interactions::new(self.listeners(), self.tracks(), self.events.iter().copied())
    }

    /// Plays per listener, for the offline protocol.
    pub fn dataset(&self) -> Dataset {
        let mut users = vec![Vec::new(); self.listeners() as usize];
        for e in &self.events {
            users[e.user as usize].push(Play { item: e.item, at: e.at });
        }
        Dataset::new(self.tracks(), users)
    }
}

/// Fisher–Yates.
fn shuffle(items: &mut [u32], rng: &mut SplitMix64) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_world_and_plays_are_mostly_from_home() {
        let a = World::generate(400, 50, 5000, 4, 9);
        let b = World::generate(400, 50, 5000, 4, 9);
        assert_eq!(a.events(), b.events());
        let home = a.events().iter().filter(|e| a.track_cluster(e.item) == a.listener_cluster(e.user)).count();
        let share = home as f64 / a.events().len() as f64;
        // 85% from home plus a quarter of the 15% drawn from a random genre.
        assert!((0.85..0.93).contains(&share), "home share {share}");
        assert!(a.events().windows(2).all(|w| w[0].at < w[1].at));
        for t in 0..a.tracks() {
            assert_eq!(a.track_cluster(t), a.artist_cluster(a.track_artist(t)));
        }
    }
}
