//! Catalog helpers: entities to write, writes, and a whole-catalog snapshot.

use chorus_nats::messages::catalog::*;
use chorus_nats::{ChorusClient, ClientError};
use serde::de::DeserializeOwned;
use uuid::Uuid;

pub fn artist(name: &str) -> Artist {
    Artist {
        id: Uuid::nil(),
        name: name.into(),
        sort_name: String::new(),
        mbid: None,
        image: None,
        added_at: 0,
        revision: 0,
    }
}

pub fn album(title: &str, by: &Artist, year: i32, genre: &str) -> Album {
    Album {
        id: Uuid::nil(),
        title: title.into(),
        artist: Some(ArtistCredit { id: by.id, name: by.name.clone() }),
        year: Some(year),
        genres: vec![genre.into()],
        ..Default::default()
    }
}

pub fn track(title: &str, on: &Album, by: &Artist, n: u32) -> Track {
    let mut t = chorus_catalog::synthetic::tracks(1, 1).remove(0);
    t.id = Uuid::nil();
    t.title = title.into();
    t.sort_title = String::new();
    t.artists = vec![ArtistCredit { id: by.id, name: by.name.clone() }];
    t.album_artist = t.artists.first().cloned();
    t.album = Some(AlbumRef { id: on.id, title: on.title.clone() });
    t.track_number = Some(n);
    t.year = on.year;
    t.genres = on.genres.clone();
    t
}

pub async fn write<B: serde::Serialize, T: DeserializeOwned>(
    c: &ChorusClient,
    e: chorus_nats::Endpoint,
    body: &B,
) -> Result<Written<T>, ClientError> {
    c.request(e, body).await
}

pub async fn create<T: serde::Serialize + DeserializeOwned>(c: &ChorusClient, e: chorus_nats::Endpoint, body: &T) -> T {
    write::<T, T>(c, e, body).await.expect("created").entity.expect("entity")
}

pub async fn snapshot(c: &ChorusClient) -> (Vec<Track>, Vec<Album>, Vec<Artist>, Vec<Genre>) {
    let mut tracks = Vec::new();
    let mut cursor = None;
    loop {
        let page: TrackPage = c.call(&TrackList { cursor, limit: Some(500), ..Default::default() }).await.unwrap();
        tracks.extend(page.tracks);
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let albums: AlbumPage = c
        .call(&AlbumList {
            order: AlbumOrder::AlphabeticalByName,
            offset: 0,
            limit: Some(500),
            year_from: None,
            year_to: None,
            genre: None,
        })
        .await
        .unwrap();
    let artists: ArtistPage = c.call(&ArtistList { offset: 0, limit: Some(500) }).await.unwrap();
    let genres: Genres = c.call(&GenreList {}).await.unwrap();
    (tracks, albums.albums, artists.artists, genres.genres)
}

pub async fn info(nats: &async_nats::Client) -> serde_json::Value {
    // Logged, not hidden: a ready instance should answer at once.
    let mut tries = 0;
    let m = loop {
        match nats.request("$SRV.INFO.catalog", "".into()).await {
            Ok(m) => break m,
            Err(e) if tries < 10 => {
                tries += 1;
                eprintln!("$SRV.INFO.catalog try {tries}: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            Err(e) => panic!("no catalog instance answers $SRV.INFO: {e}"),
        }
    };
    serde_json::from_slice(&m.payload).unwrap()
}
