//! The OpenSubsonic gateway through real HTTP, against a node with a real
//! nats-server: sign-in by app password (plain, token+salt) and API key,
//! the protocol's error codes, browsing, lists, search (and the empty
//! query's full sync), streaming with ranges, stars, ratings, scrobbles,
//! playlists and the play queue, in JSON and XML.

use crate::support;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Duration;

use chorus_host::host::RunningHost;
use chorus_nats::messages::auth::{AppPasswordCreate, AppPasswordCreated, AppPasswordList, AppPasswordRevoke};
use chorus_nats::messages::catalog::{Album, AlbumGet, AlbumUpdate, TrackList, TrackPage, ART_STORE};
use chorus_nats::ChorusClient;
use chorus_testkit::http::{free_addr, request, Response};
use chorus_testkit::{host_config, NatsServer};
use md5::Digest as _;
use serde_json::Value;
use sha2::Sha256;

use support::auth::{auth_section, client, key, login, password, register, ADMIN};

struct Gateway {
    server: NatsServer,
    _host: RunningHost,
    addr: SocketAddr,
}

/// A node with the listener's services and the gateway; `files` demo tracks
/// imported (none: `seeded` synthetic tracks instead).
async fn start(files: usize, seeded: usize) -> Gateway {
    start_with(files, seeded, serde_json::json!({})).await
}

/// [`start`] with `[stream]` settings.
async fn start_with(files: usize, seeded: usize, stream: serde_json::Value) -> Gateway {
    let server = NatsServer::start().expect("nats-server");
    if seeded > 0 {
        support::seed(&server, seeded).await;
    }
    let addr = free_addr();
    let mut config = host_config(&server.url(), &["auth", "catalog", "profile", "stream", "search", "subsonic"]);
    config.sections.insert("auth".into(), auth_section(&key()));
    config.sections.insert("catalog".into(), serde_json::json!({"allow_writes": true}));
    config.sections.insert("stream".into(), stream);
    // Every request signs in afresh: a revoked app password fails at once.
    config.sections.insert(
        "subsonic".into(),
        serde_json::json!({"listen": addr.to_string(), "credential_cache_s": 0, "forwarded_for": true}),
    );
    let host = match RunningHost::start(config, &chorus_nodes::registry()).await {
        Ok(h) => h,
        Err(e) => panic!("gateway stack: {e:#}"),
    };
    if files > 0 {
        let music = tempfile::tempdir().unwrap();
        let mut names: Vec<_> =
            std::fs::read_dir(support::demo_music().join("calm")).unwrap().flatten().map(|e| e.path()).collect();
        names.sort();
        for path in names.into_iter().take(files) {
            std::fs::copy(&path, music.path().join(path.file_name().unwrap())).unwrap();
        }
        let admin = client(&server).await.with_timeout(Duration::from_secs(20));
        let root = login(&admin, ADMIN.0, ADMIN.1).await.unwrap();
        let admin = admin.with_token(root.access_token);
        chorus_nodes::import::run(&admin, music.path(), "Demo", false).await.expect("import");
    }
    Gateway { server, _host: host, addr }
}

impl Gateway {
    /// A new listener with one app password: their client and the password.
    async fn listener(&self, name: &str) -> (ChorusClient, AppPasswordCreated) {
        let c = client(&self.server).await.with_timeout(Duration::from_secs(10));
        register(&c, name).await.unwrap();
        let s = login(&c, name, &password(name)).await.unwrap();
        let c = c.with_token(s.access_token);
        let app = c.call(&AppPasswordCreate { name: "phone".into() }).await.unwrap();
        (c, app)
    }

    /// Each request from an address of its own (`forwarded_for` is on), so
    /// the failures a test provokes on purpose do not add up to a limit.
    async fn get(&self, endpoint: &str, query: &str) -> Response {
        let from = format!("10.0.{}.{}", rand::random::<u8>(), rand::random::<u8>());
        self.get_from(endpoint, query, &from).await
    }

    async fn get_from(&self, endpoint: &str, query: &str, from: &str) -> Response {
        request(self.addr, "GET", &format!("/rest/{endpoint}?{query}"), &[("X-Forwarded-For", from)], b"")
            .await
            .expect("an HTTP answer")
    }

    /// `endpoint` in JSON: the `subsonic-response` object.
    async fn json(&self, endpoint: &str, query: &str) -> Value {
        let r = self.get(endpoint, &format!("{query}&f=json&v=1.16.1&c=test")).await;
        assert_eq!(r.status, 200, "{endpoint}: {}", r.text());
        assert_eq!(r.header("content-type"), Some("application/json"));
        r.json()["subsonic-response"].clone()
    }

    /// `endpoint` in JSON, which must succeed.
    async fn ok(&self, endpoint: &str, query: &str) -> Value {
        let v = self.json(endpoint, query).await;
        assert_eq!(v["status"], "ok", "{endpoint}?{query}: {v}");
        assert_eq!(v["version"], "1.16.1");
        assert_eq!(v["openSubsonic"], true);
        v
    }

    /// The error code `endpoint` answers.
    async fn code(&self, endpoint: &str, query: &str) -> u64 {
        let v = self.json(endpoint, query).await;
        assert_eq!(v["status"], "failed", "{endpoint}?{query}: {v}");
        v["error"]["code"].as_u64().expect("an error code")
    }
}

fn md5_hex(s: &str) -> String {
    md5::Md5::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn sha(b: &[u8]) -> String {
    Sha256::digest(b).iter().map(|b| format!("{b:02x}")).collect()
}

fn enc(s: &str) -> String {
    form_encode(s)
}

fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apps_sign_in_with_app_passwords_and_api_keys_and_wrong_ones_get_the_protocols_codes() {
    let gw = start(0, 0).await;
    // Public: no credentials needed.
    gw.ok("ping", "").await;
    let ext = gw.ok("getOpenSubsonicExtensions", "").await;
    let names: Vec<_> = ext["openSubsonicExtensions"].as_array().unwrap().iter().map(|e| e["name"].clone()).collect();
    assert!(names.contains(&"apiKeyAuthentication".into()) && names.contains(&"formPost".into()), "{ext}");
    assert_eq!(gw.ok("getLicense", "").await["license"]["valid"], true);

    let (ann, app) = gw.listener("ann").await;
    let p = &app.password;
    assert_eq!(p.len(), 27, "four groups of six: {p}");
    // u + p, with or without the dashes, and hex-encoded (enc:).
    gw.ok("ping", &format!("u=ann&p={}", enc(p))).await;
    gw.ok("ping.view", &format!("u=ann&p={}", p.replace('-', "").to_uppercase())).await;
    let hex: String = p.bytes().map(|b| format!("{b:02x}")).collect();
    gw.ok("ping", &format!("u=ann&p=enc:{hex}")).await;
    // u + t + s.
    let salt = "c19b2d";
    gw.ok("ping", &format!("u=ann&t={}&s={salt}", md5_hex(&format!("{p}{salt}")))).await;
    // apiKey alone; tokenInfo names its user.
    let who = gw.ok("tokenInfo", &format!("apiKey={}", enc(&app.api_key))).await;
    assert_eq!(who["tokenInfo"]["username"], "ann");
    let user = gw.ok("getUser", &format!("apiKey={}&username=ann", enc(&app.api_key))).await;
    assert_eq!((user["user"]["username"].as_str(), user["user"]["streamRole"].as_bool()), (Some("ann"), Some(true)));

    // Wrong ones.
    assert_eq!(gw.code("ping", "u=ann&p=nope").await, 40, "a wrong password");
    assert_eq!(gw.code("ping", &format!("u=ann&p={}", enc(&password("ann")))).await, 40, "the account password");
    assert_eq!(gw.code("ping", &format!("u=bob&p={}", enc(p))).await, 40, "another user");
    assert_eq!(gw.code("ping", &format!("u=ann&t={}&s=other", md5_hex(&format!("{p}{salt}")))).await, 40);
    assert_eq!(gw.code("ping", "apiKey=nope").await, 44);
    assert_eq!(gw.code("ping", &format!("apiKey={}x", enc(&app.api_key))).await, 44);
    assert_eq!(gw.code("ping", &format!("apiKey={}&u=ann", enc(&app.api_key))).await, 43);
    assert_eq!(gw.code("ping", &format!("u=ann&p={}&t=x&s=y", enc(p))).await, 43);
    assert_eq!(gw.code("getGenres", "").await, 10, "no credentials on a private endpoint");
    assert_eq!(gw.code("ping", "u=ann").await, 10);
    assert_eq!(gw.code("ping", "u=ann&t=abc").await, 10);
    let auth = format!("u=ann&p={}", enc(p));
    assert_eq!(gw.code("getVideos", &auth).await, 0, "not implemented");
    assert_eq!(gw.code("getAlbum", &auth).await, 10, "a missing id");
    assert_eq!(gw.code("getAlbum", &format!("{auth}&id=al-{}", uuid::Uuid::now_v7())).await, 70);

    // XML (the default), JSONP, POSTed forms.
    let xml = gw.get("ping.view", &auth).await;
    assert_eq!(xml.header("content-type"), Some("application/xml"));
    let body = xml.text();
    assert!(body.contains("<subsonic-response") && body.contains(r#"status="ok""#), "{body}");
    assert!(body.contains(r#"xmlns="http://subsonic.org/restapi""#) && body.contains(r#"version="1.16.1""#));
    let failed = gw.get("ping", "u=ann&p=nope").await.text();
    assert!(failed.contains(r#"status="failed""#) && failed.contains(r#"<error code="40""#), "{failed}");
    let jsonp = gw.get("ping", &format!("{auth}&f=jsonp&callback=cb")).await.text();
    assert!(jsonp.starts_with("cb({\"subsonic-response\":") && jsonp.ends_with(");"), "{jsonp}");
    let form = format!("{auth}&f=json");
    let posted = request(
        gw.addr,
        "POST",
        "/rest/ping.view",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(posted.json()["subsonic-response"]["status"], "ok", "{}", posted.text());

    // Listed (never with a secret), then revoked: both ways stop working.
    let listed = ann.call(&AppPasswordList {}).await.unwrap();
    assert_eq!(listed.app_passwords.iter().map(|a| a.id).collect::<Vec<_>>(), [app.id]);
    let second = ann.call(&AppPasswordCreate { name: "car".into() }).await.unwrap();
    ann.call(&AppPasswordRevoke { id: app.id }).await.unwrap();
    assert_eq!(gw.code("ping", &auth).await, 40, "a revoked app password");
    assert_eq!(gw.code("ping", &format!("apiKey={}", enc(&app.api_key))).await, 44, "a revoked API key");
    gw.ok("ping", &format!("u=ann&p={}", enc(&second.password))).await;
    let again = ann.call(&AppPasswordRevoke { id: app.id }).await.unwrap_err();
    assert_eq!(again.code(), Some("app_password_not_found"));
    let blank = ann.call(&AppPasswordCreate { name: " ".into() }).await.unwrap_err();
    assert_eq!(blank.code(), Some("invalid_app_name"));

    // Failed sign-ins are limited as logins are (per account and per
    // client): past five, 429 from auth, told with Retry-After.
    let mut limited = false;
    for _ in 0..8 {
        let r = gw.get_from("ping", "u=ann&p=wrong&f=json", "10.1.1.1").await;
        let v = r.json()["subsonic-response"].clone();
        if v["error"]["message"].as_str().is_some_and(|m| m.contains("too_many_attempts")) {
            assert!(r.header("retry-after").is_some(), "{:?}", r.headers);
            limited = true;
            break;
        }
    }
    assert!(limited, "failed sign-ins are rate limited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_browses_searches_streams_with_ranges_and_keeps_stars_ratings_plays_playlists_and_its_queue() {
    let gw = start(3, 0).await;
    let (ann, app) = gw.listener("ann").await;
    let auth = format!("apiKey={}", enc(&app.api_key));
    let page: TrackPage = ann.call(&TrackList::default()).await.unwrap();
    assert_eq!(page.tracks.len(), 3);

    // Browse: folders, artists, an artist, an album, a song, directories, genres.
    let folders = gw.ok("getMusicFolders", &auth).await;
    assert_eq!(folders["musicFolders"]["musicFolder"][0]["id"], 1);
    let artists = gw.ok("getArtists", &auth).await;
    let index = artists["artists"]["index"].as_array().unwrap();
    let artist = &index[0]["artist"][0];
    let artist_id = artist["id"].as_str().unwrap().to_string();
    assert!(artist_id.starts_with("ar-"), "{artist}");
    assert_eq!(artist["albumCount"], 1, "{artist}");
    let indexes = gw.ok("getIndexes", &auth).await;
    assert!(indexes["indexes"]["index"].as_array().is_some_and(|i| !i.is_empty()));
    let a = gw.ok("getArtist", &format!("{auth}&id={artist_id}")).await;
    let album = &a["artist"]["album"][0];
    let album_id = album["id"].as_str().unwrap().to_string();
    assert!(album["songCount"].as_u64().unwrap() >= 1, "{album}");
    let al = gw.ok("getAlbum", &format!("{auth}&id={album_id}")).await;
    let songs = al["album"]["song"].as_array().unwrap().clone();
    assert_eq!(songs.len() as u64, al["album"]["songCount"].as_u64().unwrap());
    let song = &songs[0];
    let song_id = song["id"].as_str().unwrap().to_string();
    assert_eq!((song["contentType"].as_str(), song["suffix"].as_str()), (Some("audio/ogg"), Some("opus")));
    let s = gw.ok("getSong", &format!("{auth}&id={song_id}")).await;
    assert_eq!(s["song"]["title"], song["title"]);
    let dir = gw.ok("getMusicDirectory", &format!("{auth}&id={artist_id}")).await;
    assert_eq!(dir["directory"]["child"][0]["id"], album_id.as_str());
    let dir = gw.ok("getMusicDirectory", &format!("{auth}&id={album_id}")).await;
    assert_eq!(dir["directory"]["child"].as_array().unwrap().len(), songs.len());
    let genres = gw.ok("getGenres", &auth).await;
    let genre = genres["genres"]["genre"][0]["value"].as_str().map(str::to_string);
    // XML: a genre's name is the element's text.
    let xml = gw.get("getGenres", &auth).await.text();
    assert!(xml.contains("<genres>") || xml.contains("<genres/>"), "{xml}");
    let xml = gw.get("getAlbum", &format!("{auth}&id={album_id}")).await.text();
    assert!(
        xml.contains("<album ") && xml.contains(&format!(r#" id="{album_id}""#)) && xml.contains("<song "),
        "{xml}"
    );

    // Lists.
    for kind in
        ["random", "newest", "alphabeticalByName", "alphabeticalByArtist", "starred", "frequent", "recent", "highest"]
    {
        gw.ok("getAlbumList2", &format!("{auth}&type={kind}&size=5")).await;
    }
    let newest = gw.ok("getAlbumList2", &format!("{auth}&type=newest")).await;
    assert_eq!(newest["albumList2"]["album"][0]["id"], album_id.as_str());
    assert_eq!(gw.code("getAlbumList2", &auth).await, 10, "no type");
    assert_eq!(gw.code("getAlbumList2", &format!("{auth}&type=byYear&fromYear=1990")).await, 10);
    assert_eq!(gw.code("getAlbumList2", &format!("{auth}&type=byGenre")).await, 10);
    assert_eq!(gw.code("getAlbumList2", &format!("{auth}&type=sideways")).await, 0);
    gw.ok("getAlbumList2", &format!("{auth}&type=byYear&fromYear=2030&toYear=1900")).await;
    gw.ok("getAlbumList", &format!("{auth}&type=newest")).await;
    let random = gw.ok("getRandomSongs", &format!("{auth}&size=2")).await;
    assert_eq!(random["randomSongs"]["song"].as_array().unwrap().len(), 2);
    if let Some(g) = &genre {
        let by_genre = gw.ok("getAlbumList2", &format!("{auth}&type=byGenre&genre={}", enc(g))).await;
        assert!(!by_genre["albumList2"]["album"].as_array().unwrap().is_empty());
        let songs = gw.ok("getSongsByGenre", &format!("{auth}&genre={}&count=2", enc(g))).await;
        assert!(!songs["songsByGenre"]["song"].as_array().unwrap().is_empty());
    }

    // Search: a word of a title; the empty query pages the whole library.
    let title = song["title"].as_str().unwrap();
    let word = title.split_whitespace().next().unwrap();
    let found = gw.ok("search3", &format!("{auth}&query={}", enc(word))).await;
    assert!(found["searchResult3"]["song"].as_array().unwrap().iter().any(|s| s["title"] == title), "{found}");
    let all = gw.ok("search3", &format!("{auth}&query=%22%22&songCount=2&artistCount=0&albumCount=0")).await;
    let first: Vec<_> = all["searchResult3"]["song"].as_array().unwrap().iter().map(|s| s["id"].clone()).collect();
    let rest = gw.ok("search3", &format!("{auth}&query=&songCount=2&songOffset=2&artistCount=0&albumCount=0")).await;
    let second: Vec<_> = rest["searchResult3"]["song"].as_array().unwrap().iter().map(|s| s["id"].clone()).collect();
    assert_eq!((first.len(), second.len()), (2, 1));
    assert!(!first.contains(&second[0]));

    // Stream the whole file, then a range from the middle, then one past the end.
    let originals: HashSet<String> = std::fs::read_dir(support::demo_music().join("calm"))
        .unwrap()
        .flatten()
        .map(|e| sha(&std::fs::read(e.path()).unwrap()))
        .collect();
    let whole = gw.get("stream", &format!("{auth}&id={song_id}")).await;
    assert_eq!(whole.status, 200);
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    assert_eq!(whole.header("content-type"), Some("audio/ogg; codecs=opus"));
    assert_eq!(whole.header("content-length"), Some(whole.body.len().to_string().as_str()));
    assert_eq!(whole.body.len() as u64, song["size"].as_u64().unwrap());
    assert!(originals.contains(&sha(&whole.body)), "the bytes streamed are the file imported");
    let len = whole.body.len();
    let (from, to) = (len / 2 - 1000, len / 2 + 300_000); // across a chunk boundary
    let to = to.min(len - 1);
    let ranged = request(
        gw.addr,
        "GET",
        &format!("/rest/stream?{auth}&id={song_id}"),
        &[("Range", &format!("bytes={from}-{to}"))],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(ranged.status, 206);
    assert_eq!(ranged.header("content-range"), Some(format!("bytes {from}-{to}/{len}").as_str()));
    assert_eq!(ranged.body, whole.body[from..=to]);
    let tail =
        request(gw.addr, "GET", &format!("/rest/download.view?{auth}&id={song_id}"), &[("Range", "bytes=-100")], b"")
            .await
            .unwrap();
    assert_eq!((tail.status, &tail.body[..]), (206, &whole.body[len - 100..]));
    let past = request(
        gw.addr,
        "GET",
        &format!("/rest/stream?{auth}&id={song_id}"),
        &[("Range", &format!("bytes={len}-"))],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(past.status, 416);
    assert_eq!(gw.code("stream", &format!("{auth}&id={}", uuid::Uuid::now_v7())).await, 70);
    // Cover art: an image put in the art store and named on the album, by its name and by the album.
    let png = b"\x89PNG\r\n\x1a\n not really an image".to_vec();
    let art = format!("{}.png", sha(&png));
    let js = async_nats::jetstream::new(gw.server.connect().await.unwrap());
    let store = match js.get_object_store(ART_STORE).await {
        Ok(store) => store,
        Err(_) => js
            .create_object_store(async_nats::jetstream::object_store::Config {
                bucket: ART_STORE.into(),
                ..Default::default()
            })
            .await
            .unwrap(),
    };
    store.put(art.as_str(), &mut png.as_slice()).await.unwrap();
    let root = login(&client(&gw.server).await, ADMIN.0, ADMIN.1).await.unwrap();
    let admin = client(&gw.server).await.with_token(root.access_token);
    let id = uuid::Uuid::parse_str(album_id.trim_start_matches("al-")).unwrap();
    let stored = admin.call(&AlbumGet { id }).await.unwrap().album;
    admin.call(&AlbumUpdate(Album { cover_art: Some(art.clone()), ..stored })).await.unwrap();
    let img = gw.get("getCoverArt", &format!("{auth}&id={art}&size=300")).await;
    assert_eq!((img.status, img.header("content-type")), (200, Some("image/png")));
    assert_eq!(img.body, png);
    let by_album = gw.get("getCoverArt", &format!("{auth}&id={album_id}")).await;
    assert_eq!(by_album.body, png);
    let listed = gw.ok("getAlbum", &format!("{auth}&id={album_id}")).await;
    assert_eq!(listed["album"]["coverArt"], art.as_str());
    assert_eq!(gw.code("getCoverArt", &format!("{auth}&id=nope.png")).await, 70);
    assert_eq!(gw.code("getCoverArt", &format!("{auth}&id={}.png", "0".repeat(64))).await, 70);

    // Stars, a rating, a scrobble found in recently played.
    gw.ok("star", &format!("{auth}&id={song_id}&albumId={album_id}&artistId={artist_id}")).await;
    gw.ok("setRating", &format!("{auth}&id={song_id}&rating=4")).await;
    let starred = gw.ok("getStarred2", &auth).await;
    let st = &starred["starred2"];
    assert_eq!(st["song"][0]["id"], song_id.as_str());
    assert_eq!(st["album"][0]["id"], album_id.as_str());
    assert_eq!(st["artist"][0]["id"], artist_id.as_str());
    let rated = gw.ok("getSong", &format!("{auth}&id={song_id}")).await;
    assert_eq!(rated["song"]["userRating"], 4);
    assert!(rated["song"]["starred"].is_string());
    let highest = gw.ok("getAlbumList2", &format!("{auth}&type=highest")).await;
    assert_eq!(highest["albumList2"]["album"][0]["id"], album_id.as_str());
    let starred_albums = gw.ok("getAlbumList2", &format!("{auth}&type=starred")).await;
    assert_eq!(starred_albums["albumList2"]["album"][0]["id"], album_id.as_str());
    assert_eq!(gw.code("setRating", &format!("{auth}&id={song_id}&rating=9")).await, 0);
    gw.ok("unstar", &format!("{auth}&id={song_id}")).await;
    let starred = gw.ok("getStarred2", &auth).await;
    assert!(starred["starred2"]["song"].as_array().unwrap().is_empty());
    gw.ok("scrobble", &format!("{auth}&id={song_id}&submission=false")).await;
    gw.ok("scrobble", &format!("{auth}&id={song_id}")).await;
    let recent = gw.ok("getAlbumList2", &format!("{auth}&type=recent")).await;
    assert_eq!(recent["albumList2"]["album"][0]["id"], album_id.as_str(), "the scrobbled play is recently played");
    let frequent = gw.ok("getAlbumList2", &format!("{auth}&type=frequent")).await;
    assert_eq!(frequent["albumList2"]["album"][0]["id"], album_id.as_str());

    // Playlists: create, read, update, list, replace, delete.
    let ids: Vec<String> = page.tracks.iter().map(|t| t.id.to_string()).collect();
    let made = gw.ok("createPlaylist", &format!("{auth}&name=Road&songId={}&songId={}", ids[0], ids[1])).await;
    let pl = made["playlist"]["id"].as_str().unwrap().to_string();
    assert!(pl.starts_with("pl-"));
    assert_eq!(made["playlist"]["songCount"], 2);
    gw.ok("updatePlaylist", &format!("{auth}&playlistId={pl}&name=Trip&songIndexToRemove=0&songIdToAdd={}", ids[2]))
        .await;
    let got = gw.ok("getPlaylist", &format!("{auth}&id={pl}")).await;
    let entries: Vec<_> = got["playlist"]["entry"].as_array().unwrap().iter().map(|e| e["id"].clone()).collect();
    assert_eq!(entries, [Value::from(ids[1].clone()), Value::from(ids[2].clone())]);
    assert_eq!(got["playlist"]["name"], "Trip");
    let lists = gw.ok("getPlaylists", &auth).await;
    assert_eq!(lists["playlists"]["playlist"][0]["id"], pl.as_str());
    let replaced = gw.ok("createPlaylist", &format!("{auth}&playlistId={pl}&songId={}", ids[0])).await;
    assert_eq!(replaced["playlist"]["songCount"], 1);
    gw.ok("deletePlaylist", &format!("{auth}&id={pl}")).await;
    assert_eq!(gw.code("getPlaylist", &format!("{auth}&id={pl}")).await, 70);

    // The play queue.
    assert!(gw.ok("getPlayQueue", &auth).await.get("playQueue").is_none());
    gw.ok("savePlayQueue", &format!("{auth}&id={}&id={}&current={}&position=42000", ids[0], ids[1], ids[1])).await;
    let q = gw.ok("getPlayQueue", &auth).await;
    assert_eq!(q["playQueue"]["current"], ids[1].as_str());
    assert_eq!(q["playQueue"]["position"], 42000);
    assert_eq!(q["playQueue"]["entry"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search3_with_an_empty_query_syncs_a_10000_track_library_500_a_page_with_none_missing_or_twice() {
    let gw = start(0, 10_000).await;
    let (_ann, app) = gw.listener("ann").await;
    let auth = format!("u=ann&p={}", enc(&app.password));
    let mut seen = HashSet::new();
    let mut pages = 0;
    loop {
        let q = format!("{auth}&query=%22%22&songCount=500&songOffset={}&artistCount=0&albumCount=0", seen.len());
        let v = gw.ok("search3", &q).await;
        let songs = v["searchResult3"]["song"].as_array().unwrap();
        if songs.is_empty() {
            break;
        }
        pages += 1;
        for s in songs {
            assert!(seen.insert(s["id"].as_str().unwrap().to_string()), "{} listed twice", s["id"]);
        }
    }
    assert_eq!((seen.len(), pages), (10_000, 20));
    // Artists and albums page the same way.
    let v = gw.ok("search3", &format!("{auth}&query=&songCount=0&artistCount=500&albumCount=500")).await;
    assert!(!v["searchResult3"]["artist"].as_array().unwrap().is_empty());
    assert!(!v["searchResult3"]["album"].as_array().unwrap().is_empty());
}

/// The script that drives the gateway with PyPI's py-opensonic.
const CLIENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../actors/subsonic/tests/libopensonic_client.py");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_third_party_client_py_opensonic_signs_in_browses_syncs_streams_stars_scrobbles_and_keeps_lists() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let has_client = std::process::Command::new(&python)
        .args(["-c", "import libopensonic"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_client {
        // The client is a test tool from PyPI: `pip install py-opensonic==10.4.1`.
        eprintln!("SKIPPED: py-opensonic is not installed (pip install py-opensonic==10.4.1)");
        return;
    }
    let gw = start(3, 10_000).await;
    let (ann, app) = gw.listener("ann").await;
    let revoked = ann.call(&AppPasswordCreate { name: "old phone".into() }).await.unwrap();
    ann.call(&AppPasswordRevoke { id: revoked.id }).await.unwrap();
    let shas: Vec<String> = std::fs::read_dir(support::demo_music().join("calm"))
        .unwrap()
        .flatten()
        .map(|e| sha(&std::fs::read(e.path()).unwrap()))
        .collect();
    let port = gw.addr.port().to_string();
    let out = tokio::process::Command::new(&python)
        .arg(CLIENT)
        .env("CHORUS_SUBSONIC_PORT", &port)
        .env("CHORUS_SUBSONIC_USER", "ann")
        .env("CHORUS_SUBSONIC_PASSWORD", &app.password)
        .env("CHORUS_SUBSONIC_API_KEY", &app.api_key)
        .env("CHORUS_SUBSONIC_REVOKED", &revoked.password)
        .env("CHORUS_SUBSONIC_TRACKS", "10003")
        .env("CHORUS_SUBSONIC_ARTIST", "Demo")
        .env("CHORUS_SUBSONIC_SHAS", shas.join(","))
        .output()
        .await
        .expect("running python");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "py-opensonic failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("every check held"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn similar_songs_similar_artists_and_top_songs_come_from_the_recommend_service() {
    use chorus_nats::messages::catalog::{ArtistGet, TrackGet};
    use chorus_nats::messages::recommend::{ArtistTop, ModelGet};

    let server = NatsServer::start().expect("nats-server");
    let taste = support::taste::write(&server, 480, 60, 6000, 4).await;
    let addr = free_addr();
    let mut config = host_config(&server.url(), &["auth", "catalog", "profile", "search", "recommend", "subsonic"]);
    config.sections.insert("auth".into(), auth_section(&key()));
    config.sections.insert("recommend".into(), serde_json::json!({"check_every_ms": 200}));
    config.sections.insert("subsonic".into(), serde_json::json!({"listen": addr.to_string(), "forwarded_for": true}));
    let host = match RunningHost::start(config, &chorus_nodes::registry()).await {
        Ok(h) => h,
        Err(e) => panic!("recommend stack: {e:#}"),
    };
    let gw = Gateway { server, _host: host, addr };
    let (ann, app) = gw.listener("ann").await;
    let admin = {
        let root = login(&client(&gw.server).await, ADMIN.0, ADMIN.1).await.unwrap();
        client(&gw.server).await.with_token(root.access_token).with_timeout(Duration::from_secs(10))
    };
    support::taste::eventually("a first model", Duration::from_secs(60), || async {
        admin.call(&ModelGet {}).await.unwrap().manifest.is_some()
    })
    .await;
    let auth = format!("apiKey={}", enc(&app.api_key));

    // A track's similar songs, and an artist's (a radio from it).
    let track = taste.tracks[0];
    let similar = gw.ok("getSimilarSongs", &format!("{auth}&id={track}&count=10")).await;
    let songs = similar["similarSongs"]["song"].as_array().unwrap();
    assert!(!songs.is_empty() && songs.len() <= 10, "{similar}");
    assert!(songs.iter().all(|s| s["id"] != track.to_string().as_str()));
    let artist = taste.artists[0];
    let by_artist = gw.ok("getSimilarSongs2", &format!("{auth}&id=ar-{artist}&count=5")).await;
    assert!(!by_artist["similarSongs2"]["song"].as_array().unwrap().is_empty(), "{by_artist}");

    // Similar artists.
    let info = gw.ok("getArtistInfo2", &format!("{auth}&id=ar-{artist}&count=5")).await;
    let similar_artists = info["artistInfo2"]["similarArtist"].as_array().unwrap();
    assert!(!similar_artists.is_empty() && similar_artists.len() <= 5, "{info}");
    assert!(similar_artists
        .iter()
        .all(|a| a["id"].as_str().unwrap().starts_with("ar-") && a["id"] != format!("ar-{artist}").as_str()));

    // Top songs by the artist's name: recommend's artist.top, in its order.
    let played = ann.call(&TrackGet { id: track }).await.unwrap();
    let credit = played.artists[0].clone();
    let name = ann.call(&ArtistGet { id: credit.id }).await.unwrap().artist.name;
    let top = gw.ok("getTopSongs", &format!("{auth}&artist={}&count=5", enc(&name))).await;
    let listed: Vec<String> =
        top["topSongs"]["song"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect();
    let expected = ann.call(&ArtistTop { artist_id: credit.id, limit: Some(5) }).await.unwrap();
    let expected: Vec<String> = expected.tracks.iter().map(|t| t.track_id.to_string()).collect();
    assert!(!listed.is_empty());
    assert_eq!(listed, expected);
    assert_eq!(gw.code("getTopSongs", &auth).await, 10);
    assert_eq!(gw.code("getArtistInfo2", &format!("{auth}&id=ar-{}", uuid::Uuid::now_v7())).await, 70);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_free_listener_past_the_days_full_plays_streams_the_preview_only_and_closing_the_account_ends_its_app_passwords(
) {
    let gw = start_with(1, 0, serde_json::json!({"free_full_plays_per_day": 0, "preview_ms": 5000})).await;
    let (ann, app) = gw.listener("ann").await;
    let auth = format!("u=ann&p={}", enc(&app.password));
    let all = gw.ok("search3", &format!("{auth}&query=")).await;
    let song = all["searchResult3"]["song"][0].clone();
    let size = song["size"].as_u64().unwrap();
    let preview = gw.get("stream", &format!("{auth}&id={}", song["id"].as_str().unwrap())).await;
    assert_eq!(preview.status, 200);
    let served = preview.body.len() as u64;
    assert!(served > 0 && served < size, "a preview's bytes only: {served} of {size}");
    assert_eq!(preview.header("content-length"), Some(served.to_string().as_str()));
    // Past the preview there is nothing to seek to.
    let past = request(
        gw.addr,
        "GET",
        &format!("/rest/stream?{auth}&id={}", song["id"].as_str().unwrap()),
        &[("Range", &format!("bytes={served}-"))],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(past.status, 416);

    ann.call(&chorus_nats::messages::auth::AccountClose { password: password("ann") }).await.unwrap();
    support::taste::eventually("the app password ends with the account", Duration::from_secs(10), || async {
        gw.json("ping", &auth).await["error"]["code"] == 40
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draining_node_stops_taking_http_requests() {
    let Gateway { server: _server, _host: host, addr } = start(0, 0).await;
    let ping = request(addr, "GET", "/rest/ping?f=json", &[], b"").await.unwrap();
    assert_eq!(ping.json()["subsonic-response"]["status"], "ok");
    host.drain().await.unwrap();
    assert!(request(addr, "GET", "/rest/ping?f=json", &[], b"").await.is_err(), "still answering after the drain");
}
