//! `chorus seed-world`: a synthetic listening world with known taste
//! (`chorus_recsys::synthetic`), written where the services read it — its
//! artists, albums (one per artist) and tracks (with an audio object name,
//! so they count as playable) into the catalog's record, its plays into
//! `chorus_plays` as profile records them, ending a minute ago, a minute
//! apart. For the recommend service's tests and benchmark, and to try it.

use anyhow::Context as _;
use chorus_nats::messages::catalog::{Album, AlbumRef, Artist, ArtistCredit, Track};
use chorus_nats::messages::profile::{Play, PlayRecord};
use chorus_nats::records::catalog::Kind;
use chorus_recsys::synthetic::World;
use uuid::Uuid;

/// The genre names of the world's clusters (cluster `c` is `GENRES[c % len]`).
pub const GENRES: [&str; 8] = ["Jazz", "Techno", "Folk", "Classical", "Hip-Hop", "Metal", "Reggae", "Ambient"];

/// A world as written: the ids its tracks, artists and listeners were given.
pub struct Written {
    /// The world (its truth: genres, artists, listeners' genres, plays).
    pub world: World,
    /// Track `i` of the world.
    pub tracks: Vec<Uuid>,
    /// Artist `i` of the world.
    pub artists: Vec<Uuid>,
    /// Listener `i` of the world.
    pub listeners: Vec<Uuid>,
}

/// Generate the world from `seed` and write it.
pub async fn write(
    nats: async_nats::Client,
    tracks: u32,
    listeners: u32,
    plays: usize,
    genres: u32,
    seed: u64,
) -> anyhow::Result<Written> {
    let world = World::generate(tracks, listeners, plays, genres, seed);
    let js = async_nats::jetstream::new(nats);
    let records = chorus_state::Records::open(&js, chorus_nats::records::catalog::BUCKET, 1).await?;
    let n_artists = (0..world.tracks()).map(|t| world.track_artist(t)).max().map_or(0, |a| a + 1);
    let artists: Vec<Artist> = (0..n_artists).map(|a| artist(format!("Artist {a}"))).collect();
    let albums: Vec<Album> = artists
        .iter()
        .enumerate()
        .map(|(a, by)| {
            album(format!("Album of {}", by.name), by, GENRES[world.artist_cluster(a as u32) as usize % GENRES.len()])
        })
        .collect();
    let track_records: Vec<Track> = (0..world.tracks())
        .map(|t| {
            let a = world.track_artist(t) as usize;
            track(format!("Track {t}"), &albums[a], &artists[a], t)
        })
        .collect();
    crate::seed::create_all(&records, Kind::Artist, artists.iter().map(|a| (a.id, a))).await?;
    crate::seed::create_all(&records, Kind::Album, albums.iter().map(|a| (a.id, a))).await?;
    crate::seed::create_all(&records, Kind::Track, track_records.iter().map(|t| (t.id, t))).await?;
    let window = chorus_nats::records::profile::PLAYS_DUPLICATE_WINDOW;
    chorus_nats::records::profile::open_plays(&js, 1, window).await.context("the plays stream")?;
    let people: Vec<Uuid> = (0..world.listeners()).map(|_| Uuid::now_v7()).collect();
    let now = chorus_nats::clock::now_ms();
    let last = world.events().iter().map(|e| e.at).max().unwrap_or(0);
    // Acknowledged 256 at a time: many unawaited publishes on one connection stall it.
    for chunk in world.events().chunks(256) {
        let mut acks = Vec::with_capacity(chunk.len());
        for e in chunk {
            let t = &track_records[e.item as usize];
            let play = Play {
                user: people[e.user as usize],
                album: t.album.as_ref().map(|a| a.id),
                artists: t.artists.iter().map(|a| a.id).collect(),
                record: PlayRecord {
                    play_id: Uuid::new_v4(),
                    track_id: t.id,
                    started_at: now.saturating_sub(60_000 * (last - e.at + 1)),
                    ms_played: t.duration_ms,
                    source: "seed-world".into(),
                    client: "chorus".into(),
                },
            };
            let payload = chorus_nats::Encoding::MsgPack.encode(&play)?;
            let subject = chorus_nats::records::profile::play_subject(play.user);
            acks.push(js.publish(subject, payload.into()).await.context("recording a play")?);
        }
        for ack in acks {
            ack.await.context("a play's ack")?;
        }
    }
    Ok(Written {
        world,
        tracks: track_records.iter().map(|t| t.id).collect(),
        artists: artists.iter().map(|a| a.id).collect(),
        listeners: people,
    })
}

fn artist(name: String) -> Artist {
    Artist {
        id: Uuid::now_v7(),
        sort_name: name.to_lowercase(),
        name,
        mbid: None,
        image: None,
        added_at: 0,
        revision: 0,
    }
}

fn album(title: String, by: &Artist, genre: &str) -> Album {
    Album {
        id: Uuid::now_v7(),
        sort_title: title.to_lowercase(),
        title,
        artist: Some(ArtistCredit { id: by.id, name: by.name.clone() }),
        year: Some(2020),
        genres: vec![genre.into()],
        added_at: chorus_nats::clock::now_ms(),
        ..Default::default()
    }
}

fn track(title: String, on: &Album, by: &Artist, n: u32) -> Track {
    let mut t = chorus_catalog::synthetic::tracks(1, u64::from(n)).remove(0);
    t.id = Uuid::now_v7();
    t.sort_title = title.to_lowercase();
    t.title = title;
    t.artists = vec![ArtistCredit { id: by.id, name: by.name.clone() }];
    t.album_artist = t.artists.first().cloned();
    t.album = Some(AlbumRef { id: on.id, title: on.title.clone() });
    t.genres = on.genres.clone();
    t.year = on.year;
    t.audio_object = Some(format!("{}.mp3", t.id));
    t.added_at = chorus_nats::clock::now_ms();
    t
}
