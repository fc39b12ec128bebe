//! The search query parser and planner, over a small real index: the input
//! is a `search.query` request when it decodes as one (JSON), the query text
//! otherwise; it is searched and suggested as the endpoints would.
#![no_main]

use std::sync::OnceLock;

use chorus_nats::messages::catalog::{Album, Artist, Track};
use chorus_nats::messages::search::{SearchQuery, Suggest};
use chorus_nats::Encoding;
use chorus_search::SearchIndex;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

const NAMES: [&str; 12] = [
    "Kind of Blue",
    "So What",
    "Blue in Green",
    "Sigur Rós",
    "Ágætis byrjun",
    "AC/DC",
    "Back in Black",
    "Björk",
    "Homogenic",
    "!!!",
    "Hey Jude",
    "Für Elise",
];

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        // The catalog's own types, read from JSON as a catalog record would be.
        let (mut tracks, mut albums, mut artists) = (Vec::<Track>::new(), Vec::<Album>::new(), Vec::<Artist>::new());
        for (i, name) in NAMES.iter().enumerate() {
            let (artist, album) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
            let by = NAMES[(i + 1) % NAMES.len()];
            artists.push(serde_json::from_value(json!({"id": artist, "name": by})).expect("an artist"));
            albums.push(
                serde_json::from_value(json!({"id": album, "title": name, "artist": {"id": artist, "name": by}}))
                    .expect("an album"),
            );
            tracks.push(
                serde_json::from_value(json!({
                    "id": uuid::Uuid::now_v7(), "title": name, "genres": ["jazz"], "year": 1959,
                    "artists": [{"id": artist, "name": by}], "album": {"id": album, "title": name},
                }))
                .expect("a track"),
            );
        }
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
        runtime.block_on(chorus_search::fuzzing::index_of(&tracks, &albums, &artists)).expect("an index")
    })
}

fuzz_target!(|data: &[u8]| {
    let index = index();
    let query = match Encoding::Json.decode_request::<SearchQuery>(data) {
        Ok(q) => q,
        Err(_) => SearchQuery { q: String::from_utf8_lossy(data).into_owned(), ..Default::default() },
    };
    let _ = index.search(&query);
    let _ = index.suggest(&Suggest { q: query.q.clone(), limit: query.limit });
});
