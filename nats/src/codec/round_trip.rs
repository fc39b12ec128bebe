//! Every request type survives `encode` then `decode_request` in both
//! encodings; records and replies survive `decode`; the largest legitimate
//! requests fit [`MAX_REQUEST_BYTES`].

use std::collections::BTreeMap;
use std::fmt::Debug;

use bytes::Bytes;
use serde::{de::DeserializeOwned, Serialize};
use uuid::Uuid;

use super::{CodecErrorKind, Encoding, MAX_REQUEST_BYTES};
use crate::messages::auth::*;
use crate::messages::catalog::*;
use crate::messages::profile::*;
use crate::messages::search::*;
use crate::messages::stream::*;
use crate::messages::Empty;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(0x0190_b7e5_0000_7000_8000_0000_0000_0000 | n)
}

fn request<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: T) {
    for encoding in [Encoding::MsgPack, Encoding::Json] {
        let body = encoding.encode(&value).unwrap();
        let back: T = encoding.decode_request(&body).unwrap_or_else(|e| panic!("{encoding:?} {value:?}: {e}"));
        assert_eq!(back, value, "{encoding:?}");
    }
}

fn reply<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: T) {
    for encoding in [Encoding::MsgPack, Encoding::Json] {
        let body = encoding.encode(&value).unwrap();
        let back: T = encoding.decode(&body).unwrap_or_else(|e| panic!("{encoding:?} {value:?}: {e}"));
        assert_eq!(back, value, "{encoding:?}");
    }
}

fn track() -> Track {
    Track {
        id: id(1),
        title: "Ünder Pressure".into(),
        sort_title: "under pressure".into(),
        artists: vec![ArtistCredit { id: id(2), name: "Queen".into() }],
        album_artist: Some(ArtistCredit { id: id(2), name: "Queen".into() }),
        album: Some(AlbumRef { id: id(3), title: "Hot Space".into() }),
        track_number: Some(11),
        disc_number: None,
        year: Some(1982),
        genres: vec!["rock".into()],
        duration_ms: 248_000,
        codec: "opus".into(),
        bitrate_kbps: 160,
        file_size: 4_960_000,
        cover_art: Some("ab.jpg".into()),
        audio_object: None,
        mbid: Some(id(4)),
        added_at: 1_700_000_000_000,
        revision: 3,
    }
}

fn album() -> Album {
    Album {
        id: id(3),
        title: "Hot Space".into(),
        sort_title: "hot space".into(),
        artist: Some(ArtistCredit { id: id(2), name: "Queen".into() }),
        year: Some(1982),
        genres: vec!["rock".into()],
        cover_art: None,
        mbid: None,
        release_type: Some(ReleaseType::Album),
        release_type_inferred: false,
        track_count: None,
        duration_ms: None,
        added_at: 1,
        revision: 0,
    }
}

fn artist() -> Artist {
    Artist {
        id: id(2),
        name: "Queen".into(),
        sort_name: "queen".into(),
        mbid: Some(id(5)),
        image: None,
        added_at: 1,
        revision: 2,
    }
}

fn user() -> User {
    User {
        id: id(6),
        username: "ann".into(),
        email: "ann@example.org".into(),
        roles: vec![Role::Listener, Role::Admin],
        plan: Plan::Premium,
        disabled: false,
        created_at: 1,
    }
}

fn playlist_update(ops: Vec<PlaylistOp>, description: Option<String>) -> PlaylistUpdate {
    PlaylistUpdate { id: id(7), revision: 4, name: Some("Mix".into()), description, public: Some(true), ops }
}

#[test]
fn auth_requests() {
    request(Register { username: "ann".into(), email: "ann@example.org".into(), password: "correct horse".into() });
    request(ChangePassword { current_password: "a".into(), new_password: "b".into() });
    request(Login { username: "Ann".into(), password: "p".into() });
    request(RefreshToken { refresh_token: "t".into() });
    request(UserList { cursor: Some("c".into()), limit: None });
    request(UserList::default());
    request(Logout { refresh_token: "t".into() });
    request(UserDisable { user_id: id(6) });
    request(UserEnable { user_id: id(6) });
    request(RoleGrant { user_id: id(6), role: Role::Admin });
    request(RoleRevoke { user_id: id(6), role: Role::Listener });
    request(KeyList {});
    request(UserMe {});
}

#[test]
fn catalog_requests() {
    request(TrackGet { id: id(1) });
    request(TrackBatch { ids: vec![id(1), id(2)] });
    request(TrackList {
        cursor: None,
        limit: Some(10),
        artist: Some(id(2)),
        album: None,
        genre: Some("rock".into()),
        year_from: Some(1980),
        year_to: None,
    });
    request(TrackList::default());
    request(AlbumGet { id: id(3) });
    request(AlbumList {
        order: AlbumOrder::ByYear,
        offset: 5,
        limit: None,
        year_from: Some(1990),
        year_to: Some(1980),
        genre: None,
    });
    request(ArtistGet { id: id(2) });
    request(ArtistList { offset: 0, limit: Some(500) });
    request(ArtGet { name: "ab.jpg".into() });
    request(GenreList {});
    request(TrackDelete { id: id(1), revision: Some(3) });
    request(AlbumDelete { id: id(3), revision: None });
    request(ArtistDelete { id: id(2), revision: Some(1) });
    // `<entity>.create|update` take the entity itself.
    request(track());
    request(album());
    request(artist());
    request(TrackCreate(track()));
    request(AlbumUpdate(album()));
    request(ArtistCreate(artist()));
}

#[test]
fn catalog_create_with_defaults_and_a_misspelt_field() {
    let created: Track = Encoding::Json.decode_request(br#"{"title":"New"}"#).unwrap();
    assert_eq!((created.id, created.title.as_str(), created.revision), (Uuid::nil(), "New", 0));
    let e = Encoding::Json.decode_request::<Track>(br#"{"title":"New","sort_tilte":"new"}"#).unwrap_err();
    assert!(e.to_string().starts_with("unknown field `sort_tilte`"), "{e}");
    // A record read back tolerates a field a newer writer added.
    assert_eq!(Encoding::Json.decode::<Track>(br#"{"title":"New","lyrics":"..."}"#).unwrap().title, "New");
}

#[test]
fn release_types_are_snake_case_words() {
    let ep: Album = Encoding::Json.decode_request(br#"{"title":"Four Songs","release_type":"ep"}"#).unwrap();
    assert_eq!((ep.release_type, ep.release_type_inferred), (Some(ReleaseType::Ep), false));
    let none: Album = Encoding::Json.decode_request(br#"{"title":"Untyped"}"#).unwrap();
    assert_eq!(none.release_type, None);
    for bad in [br#"{"title":"X","release_type":"EP"}"#.as_slice(), br#"{"title":"X","release_type":"lp"}"#] {
        assert!(Encoding::Json.decode_request::<Album>(bad).is_err());
    }
    let live = Album { release_type: Some(ReleaseType::Live), ..album() };
    let json = String::from_utf8(Encoding::Json.encode(&live).unwrap().to_vec()).unwrap();
    assert!(json.contains(r#""release_type":"live""#), "{json}");
    let packed = Encoding::MsgPack.encode(&live).unwrap();
    assert_eq!(Encoding::MsgPack.decode::<Album>(&packed).unwrap(), live);
}

#[test]
fn profile_requests() {
    request(PlaylistCreate { name: "Mix".into(), description: "d".into(), public: true, tracks: vec![id(1)] });
    request(PlaylistCreate { name: "Mix".into(), ..Default::default() });
    request(PlaylistRef { id: id(7), revision: None });
    request(PlaylistGet { id: id(7), revision: Some(2), cursor: Some("c".into()), limit: Some(100) });
    request(PlaylistList { cursor: None, limit: Some(50) });
    request(RatingList { cursor: Some("c".into()), limit: None });
    request(FavoriteList { kind: Some(FavoriteKind::Track), cursor: None, limit: None });
    request(playlist_update(
        vec![
            PlaylistOp::Add { tracks: vec![id(1), id(2)], at: Some(0) },
            PlaylistOp::Add { tracks: vec![id(3)], at: None },
            PlaylistOp::Remove { positions: vec![2, 0] },
            PlaylistOp::Move { from: 1, to: 0 },
        ],
        Some("".into()),
    ));
    request(PlaylistUpdate { id: id(7), revision: 0, name: None, description: None, public: None, ops: vec![] });
    request(FavoriteSet { kind: FavoriteKind::Album, id: id(3), starred: true });
    request(RatingSet { track_id: id(1), rating: 5 });
    request(PlayRecord {
        play_id: id(8),
        track_id: id(1),
        started_at: 1,
        ms_played: 30_000,
        source: "album".into(),
        client: "web".into(),
    });
    request(RecentRequest { limit: Some(20) });
    request(CountsRequest { from: Some(1), until: Some(2), limit: None });
    request(PlayAlbums { cursor: Some("3.x".into()), limit: Some(50) });
    request(QueueSave { tracks: vec![id(1), id(2)], index: 1, position_ms: 1_000 });
    request(QueueGet {});
}

#[test]
fn playlist_ops_are_maps_with_known_fields() {
    let body = |ops: &str| format!(r#"{{"id":"{}","revision":1,"ops":[{ops}]}}"#, id(7));
    let ok: PlaylistUpdate =
        Encoding::Json.decode_request(body(r#"{"op":"move","from":1,"to":0}"#).as_bytes()).unwrap();
    assert_eq!(ok.ops, vec![PlaylistOp::Move { from: 1, to: 0 }]);
    // serde reads an internally tagged enum from a sequence, tag first.
    let e = Encoding::Json.decode_request::<PlaylistUpdate>(body(r#"["move",1,0]"#).as_bytes()).unwrap_err();
    assert!(e.to_string().starts_with("expected a map, found a sequence"), "{e}");
    // Buffered variants are out of the wrapper's reach: `PlaylistOp`'s own
    // `deny_unknown_fields` refuses this.
    let e =
        Encoding::Json.decode_request::<PlaylistUpdate>(body(r#"{"op":"move","from":1,"to":0,"too":2}"#).as_bytes());
    assert!(e.unwrap_err().to_string().starts_with("unknown field `too`"));
}

#[test]
fn search_and_stream_requests() {
    request(SearchQuery {
        q: "queen und".into(),
        limit: Some(5),
        cursor: None,
        filters: SearchFilters {
            genre: Some("rock".into()),
            year_from: None,
            year_to: Some(1990),
            artist: Some(id(2)),
        },
        kinds: Some(vec![SearchKind::Tracks, SearchKind::Artists]),
    });
    request(SearchQuery { q: "x".into(), ..Default::default() });
    request(Suggest { q: "qu".into(), limit: None });
    request(SessionOpen { track_id: id(1), source: "".into(), client: "cli".into() });
    request(ChunkGet { session_id: id(9), index: 3 });
    request(Progress { session_id: id(9), position_ms: 31_000, ended: true });
}

#[test]
fn records_and_replies() {
    let play = Play {
        user: id(6),
        album: Some(id(3)),
        artists: vec![id(2)],
        record: PlayRecord {
            play_id: id(8),
            track_id: id(1),
            started_at: 1,
            ms_played: 2,
            source: "".into(),
            client: "web".into(),
        },
    };
    reply(play.clone());
    // `flatten` buffers the body; it still decodes strictly.
    request(play);
    reply(Art { name: "ab.jpg".into(), mime: "image/jpeg".into(), data: Bytes::from_static(&[0xff, 0xd8, 0, 1]) });
    reply(Chunk { index: 0, data: Bytes::from(vec![7u8; 64 * 1024]) });
    reply(Written { entity: Some(track()), seq: 9 });
    reply(Written::<Track> { entity: None, seq: 10 });
    reply(AlbumDetail { album: album(), tracks: vec![track()] });
    reply(ArtistDetail { artist: artist(), albums: vec![album()] });
    reply(Playlist {
        id: id(7),
        owner: id(6),
        name: "Mix".into(),
        description: "".into(),
        public: false,
        tracks: vec![id(1)],
        created_at: 1,
        updated_at: 2,
        revision: 1,
    });
    let session = Session { access_token: "a".into(), expires_at: 1, refresh_token: "r".into(), user: user() };
    for encoding in [Encoding::MsgPack, Encoding::Json] {
        let back: Session = encoding.decode(&encoding.encode(&session).unwrap()).unwrap();
        assert!(back == session);
    }
    reply(Claims {
        iss: ISSUER.into(),
        sub: id(6),
        name: "ann".into(),
        roles: vec![Role::Listener],
        plan: Plan::Free,
        sid: id(10),
        iat: 1,
        exp: 2,
    });
    reply(SearchReply {
        tracks: vec![Hit {
            id: id(1),
            title: "Under".into(),
            album: None,
            artist: Some("Queen".into()),
            year: None,
            genres: vec![],
            score: 1.5,
            highlight: BTreeMap::from([("title".into(), "<em>Und</em>er".into())]),
        }],
        facets: Facets { genre: vec![FacetCount { value: "rock".into(), count: 1 }], decade: vec![] },
        next_cursor: Some("n".into()),
        ..Default::default()
    });
    reply(SessionInfo {
        session_id: id(9),
        track_id: id(1),
        codec: "opus".into(),
        mime: "audio/ogg; codecs=opus".into(),
        size: 1,
        duration_ms: 2,
        chunk_size: 3,
        chunk_count: 4,
        chunks_allowed: 4,
        entitlement: "full".into(),
    });
}

#[test]
fn the_largest_legitimate_requests_fit() {
    // A playlist and a queue hold at most 10,000 tracks (profile's ceilings
    // on `max_playlist_tracks` and `max_queue`); a description up to 2,000
    // characters, here four bytes each.
    let tracks: Vec<Uuid> = (0..10_000).map(id).collect();
    let description = "🎵".repeat(2_000);
    let create = PlaylistCreate {
        name: "n".repeat(200),
        description: description.clone(),
        public: true,
        tracks: tracks.clone(),
    };
    let replace_all = playlist_update(
        vec![
            PlaylistOp::Remove { positions: (0..10_000).collect() },
            PlaylistOp::Add { tracks: tracks.clone(), at: Some(0) },
        ],
        Some(description),
    );
    let queue = PlayQueue { tracks, index: 9_999, position_ms: 1, saved_at: 0 };
    let bodies = |v: &dyn erased::Bodies| v.bodies();
    for (name, [msgpack, json, pretty]) in
        [("create", bodies(&create)), ("replace all", bodies(&replace_all)), ("queue", bodies(&queue))]
    {
        // Twice over as sent by the typed client, and pretty-printed by hand too.
        assert!(2 * msgpack.len().max(json.len()) < MAX_REQUEST_BYTES, "{name}: {} bytes", json.len());
        assert!(pretty.len() * 3 / 2 < MAX_REQUEST_BYTES, "{name}: {} bytes pretty", pretty.len());
    }
    let body = serde_json::to_vec_pretty(&replace_all).unwrap();
    assert_eq!(Encoding::Json.decode_request::<PlaylistUpdate>(&body).unwrap(), replace_all);
}

#[test]
fn a_body_over_the_limit_is_refused_before_decoding() {
    let big = PlaylistCreate { name: "n".into(), description: "d".repeat(MAX_REQUEST_BYTES), ..Default::default() };
    for encoding in [Encoding::MsgPack, Encoding::Json] {
        let body = encoding.encode(&big).unwrap();
        let e = encoding.decode_request::<PlaylistCreate>(&body).unwrap_err();
        assert_eq!(e.kind(), CodecErrorKind::TooLarge);
        assert!(e.to_string().starts_with("body larger than 1048576 bytes"), "{e}");
        // Records and replies have a larger bound.
        assert_eq!(encoding.decode::<PlaylistCreate>(&body).unwrap(), big);
    }
    let huge = vec![b' '; super::MAX_BODY_BYTES + 1];
    assert_eq!(Encoding::Json.decode::<Empty>(&huge).unwrap_err().kind(), CodecErrorKind::TooLarge);
}

/// A request as MessagePack, JSON and pretty JSON, for the size check.
mod erased {
    use super::Encoding;

    pub(super) trait Bodies {
        fn bodies(&self) -> [Vec<u8>; 3];
    }

    impl<T: serde::Serialize> Bodies for T {
        fn bodies(&self) -> [Vec<u8>; 3] {
            [
                Encoding::MsgPack.encode(self).unwrap().to_vec(),
                Encoding::Json.encode(self).unwrap().to_vec(),
                serde_json::to_vec_pretty(self).unwrap(),
            ]
        }
    }
}
