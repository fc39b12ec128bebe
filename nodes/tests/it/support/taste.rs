//! A listening world with known taste, written where the services read it
//! (`chorus_nodes::world`), and what the tests ask of its truth.

use std::time::Duration;

use chorus_recsys::synthetic::World;
use chorus_testkit::NatsServer;
use uuid::Uuid;

pub use chorus_nodes::world::GENRES;

/// The world and the ids it was written with.
pub struct Taste {
    pub world: World,
    pub tracks: Vec<Uuid>,
    pub artists: Vec<Uuid>,
    pub listeners: Vec<Uuid>,
}

impl Taste {
    /// The genre (cluster) of a track id, if it is one of the world's.
    pub fn genre_of(&self, track: Uuid) -> Option<u32> {
        self.tracks.iter().position(|t| *t == track).map(|i| self.world.track_cluster(i as u32))
    }

    /// The world's artist index of a track id.
    pub fn artist_of(&self, track: Uuid) -> Option<u32> {
        self.tracks.iter().position(|t| *t == track).map(|i| self.world.track_artist(i as u32))
    }

    /// Tracks of `genre`.
    pub fn tracks_of_genre(&self, genre: u32) -> Vec<Uuid> {
        (0..self.world.tracks())
            .filter(|t| self.world.track_cluster(*t) == genre)
            .map(|t| self.tracks[t as usize])
            .collect()
    }
}

/// Generate the world and write it (`chorus_nodes::world`).
pub async fn write(server: &NatsServer, tracks: u32, listeners: u32, plays: usize, clusters: u32) -> Taste {
    let nats = server.connect().await.unwrap();
    let w = chorus_nodes::world::write(nats, tracks, listeners, plays, clusters, 7).await.expect("a listening world");
    Taste { world: w.world, tracks: w.tracks, artists: w.artists, listeners: w.listeners }
}

/// Wait (bounded) until `done`.
pub async fn eventually<F, Fut>(what: &str, within: Duration, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + within;
    while std::time::Instant::now() < deadline {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not within {within:?}");
}
