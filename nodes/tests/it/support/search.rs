//! Search helpers: a small hand-made catalog with the tricky names, written
//! straight into the catalog's record, and a search host on it.

use std::collections::HashMap;

use chorus_catalog::records::Kind;
use chorus_host::host::RunningHost;
use chorus_nats::messages::catalog::{Album, Artist, ArtistCredit, Track};
use chorus_nats::messages::search::{SearchQuery, SearchReply};
use chorus_nats::{subjects::search, ChorusClient, ClientError};
use chorus_state::Records;
use chorus_testkit::{host_config, NatsServer};
use uuid::Uuid;

/// The hand-made catalog, by name.
pub struct Fixture {
    pub records: Records,
    pub artists: HashMap<&'static str, Artist>,
    pub albums: HashMap<&'static str, Album>,
    pub tracks: HashMap<&'static str, Track>,
}

/// (artist, album, year, genre, tracks). "Home" is on several albums: the filters and facets test.
const CATALOG: &[(&str, &str, i32, &str, &[&str])] = &[
    ("Motörhead", "Ace of Spades", 1980, "Metal", &["Ace of Spades", "Jailbait", "Home Again"]),
    ("Sigur Rós", "Ágætis byrjun", 1999, "Post-Rock", &["Svefn-g-englar", "Starálfur", "Home"]),
    ("Beyoncé", "Lemonade", 2016, "Pop", &["Formation", "Hold Up", "Home"]),
    ("R.E.M.", "Automatic for the People", 1992, "Alternative", &["Everybody Hurts", "Nightswimming", "Home"]),
    ("AC/DC", "Back in Black", 1980, "Rock", &["Hells Bells", "Shoot to Thrill", "Home"]),
    ("Guns N' Roses", "Appetite for Destruction", 1987, "Rock", &["Paradise City", "Sweet Child o' Mine"]),
    ("P!nk", "Missundaztood", 2001, "Pop", &["Get the Party Started", "Home"]),
    ("Søren Juul", "Shadows", 2011, "Singer-Songwriter", &["Fools"]),
    ("Łukasz Nowak", "Zima", 2005, "Jazz", &["Śnieg"]),
    ("Heart", "Little Queen", 1977, "Rock", &["Barracuda"]),
    ("The Stranglers", "Heart Songs", 1990, "Punk", &["Heart", "Information"]),
    // Name shapes: connectors, letters written with symbols, symbols only, short words.
    ("Simon & Garfunkel", "Bookends", 1968, "Folk", &["Mrs. Robinson", "America"]),
    ("Ke$ha", "Animal", 2010, "Dance-Pop", &["Tik Tok", "Blah Blah Blah"]),
    ("!!!", "Myth Takes", 2007, "Dance-Punk", &["Must Be the Moon", "All My Heroes"]),
    ("Daft Punk", "Discovery", 2001, "Electronic", &["One More Time", "Digital Love"]),
    ("Ella Fitzgerald", "Ella and Louis", 1956, "Vocal Jazz", &["Cheek to Cheek", "Moonlight in Vermont"]),
    ("Ella Henderson", "Chapter One", 2014, "Soul", &["Ghost", "Glow"]),
    ("Bob Dylan", "Highway 61 Revisited", 1965, "Folk Rock", &["Like a Rolling Stone", "Desolation Row"]),
    ("Bon Iver", "For Emma, Forever Ago", 2007, "Indie Folk", &["Skinny Love", "Flume"]),
];

pub fn track(title: &str, artist: &Artist, album: &Album) -> Track {
    let credit = ArtistCredit { id: artist.id, name: artist.name.clone() };
    chorus_catalog::synthetic::track_on(Uuid::now_v7(), title, &credit, album, 1)
}

impl Fixture {
    /// Write the catalog into `server`'s catalog bucket.
    pub async fn write(server: &NatsServer) -> Fixture {
        let js = async_nats::jetstream::new(server.connect().await.expect("connect"));
        let records = chorus_catalog::open_records(&js, 1).await.expect("catalog bucket");
        let mut f = Fixture { records, artists: HashMap::new(), albums: HashMap::new(), tracks: HashMap::new() };
        for (artist, album, year, genre, tracks) in CATALOG {
            let ar = Artist {
                id: Uuid::now_v7(),
                name: artist.to_string(),
                sort_name: String::new(),
                mbid: None,
                image: None,
                added_at: 0,
                revision: 0,
            };
            let al = Album {
                id: Uuid::now_v7(),
                title: album.to_string(),
                artist: Some(ArtistCredit { id: ar.id, name: ar.name.clone() }),
                year: Some(*year),
                genres: vec![genre.to_string()],
                ..Default::default()
            };
            f.put(Kind::Artist, ar.id, &ar).await;
            f.put(Kind::Album, al.id, &al).await;
            for title in *tracks {
                let t = track(title, &ar, &al);
                f.put(Kind::Track, t.id, &t).await;
                // Titles repeat ("Home"): key them by artist too.
                f.tracks.insert(leak(format!("{artist}/{title}")), t);
            }
            f.artists.insert(artist, ar);
            f.albums.insert(album, al);
        }
        f
    }

    pub async fn put<T: serde::Serialize>(&self, kind: Kind, id: Uuid, value: &T) -> u64 {
        self.records.create(&kind.key(id), value).await.expect("record written")
    }

    pub fn track(&self, artist: &str, title: &str) -> &Track {
        &self.tracks[format!("{artist}/{title}").as_str()]
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// A search host on `server`.
pub async fn search_host(server: &NatsServer) -> RunningHost {
    match RunningHost::start(host_config(&server.url(), &["search"]), &chorus_nodes::registry()).await {
        Ok(host) => host,
        Err(e) => panic!("search host: {e:#}"),
    }
}

/// `catalog.query` with just a query string.
pub async fn query(c: &ChorusClient, q: &str) -> SearchReply {
    find(c, &SearchQuery { q: q.into(), ..Default::default() }).await.unwrap_or_else(|e| panic!("{q:?}: {e}"))
}

/// `catalog.query`. An instance that just started has flushed its
/// subscriptions, but another connection may still find no responders for a
/// moment: retried (bounded, logged), like `support::catalog::info`.
pub async fn find(c: &ChorusClient, req: &SearchQuery) -> Result<SearchReply, ClientError> {
    let mut tries = 0;
    loop {
        match c.request(search::catalog_query(), req).await {
            Err(ClientError::NoResponders { subject }) if tries < 10 => {
                tries += 1;
                eprintln!("{subject} try {tries}: no responders yet");
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            other => return other,
        }
    }
}
