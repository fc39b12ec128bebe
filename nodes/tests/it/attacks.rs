//! Attacks through the browser's door: the websocket listener, the web user,
//! the page's Origin, against the dev config and a node hosting the services.
//!
//! Most attacks name a reply subject the services' account would obey (the
//! JetStream API, a KV key): a service answering there from its wide-rights
//! connection would be a confused deputy. Each must be refused: nothing lands
//! on the target subject (a service-user spy watches `$JS.API.>`, `$KV.>`,
//! `$O.>`), no record changes, the services still answer and the right user
//! still signs in. A new reply attack is one more row: [`ReplyAttack`].

use std::time::Duration;

use chorus_host::host::RunningHost;
use chorus_nats::subjects::{auth, catalog, profile, Endpoint};
use chorus_nats::Encoding;
use chorus_testkit::browser::Browser;
use chorus_testkit::{host_config, NatsServer};
use futures::StreamExt;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::auth::{auth_section, key, password, ADMIN};

/// The dev page's origin, as the listener's `allowed_origins` lists it.
const ORIGIN: &str = "http://127.0.0.1:5173";
const TIMEOUT: Duration = Duration::from_secs(5);
/// How long a reply that was let through would take to land, at most.
const SETTLE: Duration = Duration::from_millis(500);

/// A dev-conf server, the seeded catalog, and one node with catalog, auth
/// (answering the callout) and profile as the service user.
struct Stack {
    server: NatsServer,
    config: chorus_host::Config,
    _host: RunningHost,
    service: async_nats::Client,
    js: async_nats::jetstream::Context,
    tracks: Vec<Uuid>,
}

/// A signed-in listener in their own browser.
struct Listener {
    name: String,
    id: Uuid,
    token: String,
    page: Browser,
}

/// A request a browser may make, with a reply subject it must not get to choose.
struct ReplyAttack {
    endpoint: Endpoint,
    body: Vec<u8>,
    reply: String,
}

impl ReplyAttack {
    fn json(endpoint: Endpoint, body: Value, reply: impl Into<String>) -> Self {
        Self { endpoint, body: serde_json::to_vec(&body).unwrap(), reply: reply.into() }
    }

    fn msgpack(endpoint: Endpoint, body: Value, reply: impl Into<String>) -> Self {
        Self { endpoint, body: Encoding::MsgPack.encode(&body).unwrap().to_vec(), reply: reply.into() }
    }
}

impl Stack {
    async fn start() -> Self {
        let conf = crate::dev_conf::dev_conf();
        let server = NatsServer::start_conf(&conf).unwrap();
        let mut config = host_config(&server.url(), &["catalog", "auth", "profile"]);
        config.nats_user = Some("service".into());
        config.nats_password = Some("service-test".into());
        let mut auth = auth_section(&key());
        auth["callout"] = crate::support::auth::callout_section();
        // Browsers' own account. Set "CHORUS" here (and let the ingress
        // answer any reply subject) to watch every reply attack land.
        auth["callout"]["account"] = json!("WEB");
        config.sections.insert("auth".into(), auth);
        // Small caps, so that reaching one is quick.
        config.sections.insert("profile".into(), json!({"max_playlists": 5}));
        let service = chorus_host::connect::connect(&config, "attack checks").await.unwrap();
        chorus_nodes::seed::run(service.clone(), 3, 42, 1).await.unwrap();
        let host = match RunningHost::start(config.clone(), &chorus_nodes::registry()).await {
            Ok(host) => host,
            Err(e) => panic!("host: {e:#}"),
        };
        let tracks = chorus_catalog::synthetic::tracks(3, 42).iter().map(|t| t.id).collect();
        let js = async_nats::jetstream::new(service.clone());
        Stack { server, config, _host: host, service, js, tracks }
    }

    /// A new browser tab: the web user with a fresh nonce.
    async fn page(&self) -> Browser {
        let nonce = Uuid::new_v4().simple().to_string();
        Browser::connect(self.server.ws_port(), ORIGIN, "web", "web-test", &nonce).await.unwrap()
    }

    /// Register `name` and sign in, in a browser of their own.
    async fn listener(&self, name: &str) -> Listener {
        let page = self.page().await;
        let register = json!({"username": name, "email": format!("{name}@chorus.test"), "password": password(name)});
        ask(&page, auth::user_register(), None, register).await.unwrap();
        let (id, token) = sign_in(&page, name, &password(name)).await;
        Listener { name: name.into(), id, token, page }
    }

    /// Send the attack as `who`; check it reached its service and that the
    /// reply landed nowhere the spy watches.
    async fn reply_attack(&self, who: &Listener, attack: &ReplyAttack) {
        let mut spy = Spy::start(&self.server).await;
        let served = self.requests(attack.endpoint).await;
        let bearer = format!("Bearer {}", who.token);
        let subject = attack.endpoint.subject();
        who.page.publish(&subject, Some(&attack.reply), &[("Authorization", &bearer)], &attack.body).await.unwrap();
        who.page.flush().await.unwrap();
        // The service saw it, so whatever it answered is on its way.
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        while self.requests(attack.endpoint).await <= served {
            assert!(tokio::time::Instant::now() < deadline, "{subject} never reached its service");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let landed = spy.landed(&attack.reply).await;
        assert!(landed.is_empty(), "{subject} answered on {}: {landed:?}", attack.reply);
        assert!(who.page.is_open() && who.page.errors().is_empty(), "{:?}", who.page.errors());
    }

    /// Requests an endpoint's instances counted (`$SRV.STATS`), refused ones too.
    async fn requests(&self, endpoint: Endpoint) -> u64 {
        let subject = format!("$SRV.STATS.{}", endpoint.service);
        let reply = self.service.request(subject, "".into()).await.unwrap();
        let stats: Value = serde_json::from_slice(&reply.payload).unwrap();
        let name = endpoint.name();
        let found = stats["endpoints"].as_array().unwrap().iter().find(|e| e["name"] == name.as_str());
        found.and_then(|e| e["num_requests"].as_u64()).unwrap_or(0)
    }

    /// A stream's messages, sequences and consumers.
    async fn stream_state(&self, name: &str) -> (u64, u64, u64, Vec<String>) {
        let mut stream = self.js.get_stream(name).await.unwrap_or_else(|e| panic!("stream {name}: {e}"));
        let state = stream.info().await.unwrap().state.clone();
        let mut consumers: Vec<String> = stream.consumer_names().map(|c| c.unwrap()).collect().await;
        consumers.sort();
        (state.messages, state.first_sequence, state.last_sequence, consumers)
    }

    /// A KV entry's revision and value, if the key holds one.
    async fn entry(&self, bucket: &str, key: &str) -> Option<(u64, Vec<u8>)> {
        let kv = self.js.get_key_value(bucket).await.unwrap_or_else(|e| panic!("bucket {bucket}: {e}"));
        let entry = kv.entry(key).await.unwrap();
        entry
            .filter(|e| e.operation == async_nats::jetstream::kv::Operation::Put)
            .map(|e| (e.revision, e.value.to_vec()))
    }

    /// `who` signs in from a new tab as themselves, `user.me` knows them,
    /// and the catalog and profile still answer.
    async fn assert_still_served(&self, who: &Listener) {
        let page = self.page().await;
        let (id, token) = sign_in(&page, &who.name, &password(&who.name)).await;
        assert_eq!(id, who.id, "{} signed in as someone else", who.name);
        let me = ask(&page, auth::user_me(), Some(&token), json!({})).await.unwrap();
        assert_eq!((me["id"].as_str(), me["disabled"].as_bool()), (Some(who.id.to_string().as_str()), Some(false)));
        let page_of_tracks = ask(&page, catalog::track_list(), None, json!({})).await.unwrap();
        assert_eq!(page_of_tracks["tracks"].as_array().map(Vec::len), Some(self.tracks.len()));
        ask(&page, profile::queue_get(), Some(&token), json!({})).await.unwrap();
    }
}

/// A JSON request from a page: the reply body, or (status, code).
async fn ask(page: &Browser, endpoint: Endpoint, token: Option<&str>, body: Value) -> Result<Value, (String, String)> {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = bearer.iter().map(|b| ("Authorization", b.as_str())).collect();
    let reply = page.request(&endpoint.subject(), &headers, &serde_json::to_vec(&body).unwrap(), TIMEOUT).await;
    let reply = reply.unwrap_or_else(|e| panic!("{}: {e:#}", endpoint.subject()));
    assert_eq!(reply.status, None, "{}: no responders", endpoint.subject());
    let value: Value = serde_json::from_slice(&reply.payload).unwrap_or(Value::Null);
    match reply.header("Nats-Service-Error-Code") {
        None => Ok(value),
        Some(status) => Err((status.to_string(), value["code"].as_str().unwrap_or_default().to_string())),
    }
}

/// Sign in: the session's user id and access token.
async fn sign_in(page: &Browser, username: &str, password: &str) -> (Uuid, String) {
    let session = ask(page, auth::session_login(), None, json!({"username": username, "password": password}))
        .await
        .unwrap_or_else(|e| panic!("{username} cannot sign in: {e:?}"));
    let id = session["user"]["id"].as_str().unwrap().parse().unwrap();
    (id, session["access_token"].as_str().unwrap().to_string())
}

/// A service-user connection of its own, watching what the services' account
/// publishes to JetStream, KV and object stores.
struct Spy {
    _nats: async_nats::Client,
    seen: futures::stream::SelectAll<async_nats::Subscriber>,
}

impl Spy {
    async fn start(server: &NatsServer) -> Self {
        let nats = async_nats::ConnectOptions::with_user_and_password("service".into(), "service-test".into())
            .connect(server.url())
            .await
            .unwrap();
        let mut subs = Vec::new();
        for subject in ["$JS.API.>", "$KV.>", "$O.>"] {
            subs.push(nats.subscribe(subject).await.unwrap());
        }
        nats.flush().await.unwrap();
        Spy { _nats: nats, seen: futures::stream::select_all(subs) }
    }

    /// The messages on `target` within [`SETTLE`] (others, the services' own
    /// JetStream traffic, are not the attack's).
    async fn landed(&mut self, target: &str) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + SETTLE;
        let mut landed = Vec::new();
        while let Ok(Some(msg)) = tokio::time::timeout_at(deadline, self.seen.next()).await {
            if msg.subject.as_str() == target {
                landed.push(format!("{} {}", msg.subject, String::from_utf8_lossy(&msg.payload)));
            }
        }
        landed
    }
}

/// 1. A write's reply aimed at the JetStream API of the accounts' stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_cannot_delete_or_purge_a_stream() {
    let stack = Stack::start().await;
    let ann = stack.listener("ann").await;
    let stream = "KV_chorus_auth";
    let before = stack.stream_state(stream).await;
    let consumer = before.3.first().cloned().unwrap_or_else(|| "any".into());
    let star = json!({"kind": "track", "id": Uuid::new_v4(), "starred": false});
    for reply in [
        format!("$JS.API.STREAM.DELETE.{stream}"),
        format!("$JS.API.STREAM.PURGE.{stream}"),
        format!("$JS.API.CONSUMER.DELETE.{stream}.{consumer}"),
    ] {
        stack.reply_attack(&ann, &ReplyAttack::json(profile::favorite_set(), star.clone(), reply)).await;
    }
    assert_eq!(stack.stream_state(stream).await, before, "the accounts' stream changed");
    stack.assert_still_served(&ann).await;
}

/// 2. A reply that would be a KV put disabling the user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_cannot_disable_a_user() {
    let stack = Stack::start().await;
    let ann = stack.listener("ann").await;
    let key = format!("disabled.{}", ann.id);
    let reply = format!("$KV.{}.{key}", chorus_host::auth::watch::BUCKET);
    stack.reply_attack(&ann, &ReplyAttack::json(auth::key_list(), json!({}), reply)).await;
    assert_eq!(stack.entry(chorus_host::auth::watch::BUCKET, &key).await, None);
    stack.assert_still_served(&ann).await;
}

/// 3. A reply that would plant a failed-login counter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_cannot_write_a_login_counter() {
    let stack = Stack::start().await;
    let ann = stack.listener("ann").await;
    let limits = stack.js.get_key_value("chorus_auth_limits").await.unwrap();
    let keys = || async { limits.keys().await.unwrap().map(|k| k.unwrap()).collect::<Vec<String>>().await };
    let before = keys().await;
    let reply = format!("$KV.chorus_auth_limits.user.{}", "0".repeat(64));
    stack.reply_attack(&ann, &ReplyAttack::json(auth::key_list(), json!({}), reply)).await;
    assert_eq!(keys().await, before, "a counter appeared");
    stack.assert_still_served(&ann).await;
}

/// 4. MessagePack replies (the records' own encoding) aimed at another
/// listener's queue and playlist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_cannot_overwrite_another_listeners_records() {
    let stack = Stack::start().await;
    let (ann, bob) = (stack.listener("ann").await, stack.listener("bob").await);
    let queue = json!({"tracks": stack.tracks[..2], "index": 1, "position_ms": 5});
    ask(&bob.page, profile::queue_save(), Some(&bob.token), queue).await.unwrap();
    let create = json!({"name": "Bob's", "tracks": stack.tracks[..1]});
    let playlist = ask(&bob.page, profile::playlist_create(), Some(&bob.token), create).await.unwrap();
    let playlist_id = playlist["id"].as_str().unwrap().to_string();
    let (queue_key, playlist_key) = (format!("queue.{}", bob.id), format!("playlist.{playlist_id}"));
    let records = [stack.entry("chorus_profile", &queue_key).await, stack.entry("chorus_profile", &playlist_key).await];
    assert!(records.iter().all(Option::is_some), "bob's records are in the bucket");

    for attack in [
        ReplyAttack::msgpack(profile::queue_get(), json!({}), format!("$KV.chorus_profile.{queue_key}")),
        ReplyAttack::msgpack(
            profile::playlist_create(),
            json!({"name": "Ann's"}),
            format!("$KV.chorus_profile.{playlist_key}"),
        ),
    ] {
        stack.reply_attack(&ann, &attack).await;
    }
    let after = [stack.entry("chorus_profile", &queue_key).await, stack.entry("chorus_profile", &playlist_key).await];
    assert!(after == records, "bob's records changed");
    let queue = ask(&bob.page, profile::queue_get(), Some(&bob.token), json!({})).await.unwrap();
    assert_eq!(queue["tracks"], json!(stack.tracks[..2]));
    let view = ask(&bob.page, profile::playlist_get(), Some(&bob.token), json!({"id": playlist_id})).await.unwrap();
    assert_eq!(
        (view["playlist"]["owner"].as_str(), view["playlist"]["name"].as_str()),
        (Some(bob.id.to_string().as_str()), Some("Bob's"))
    );
    stack.assert_still_served(&ann).await;
    stack.assert_still_served(&bob).await;
}

/// 5. A reply that would plant a user record no decoder expects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_cannot_plant_a_user_record() {
    let stack = Stack::start().await;
    let ann = stack.listener("ann").await;
    let before = stack.stream_state("KV_chorus_auth").await;
    let key = format!("user.{}", Uuid::now_v7());
    stack.reply_attack(&ann, &ReplyAttack::json(auth::key_list(), json!({}), format!("$KV.chorus_auth.{key}"))).await;
    assert_eq!(stack.entry("chorus_auth", &key).await, None);
    assert_eq!(stack.stream_state("KV_chorus_auth").await.0, before.0, "a record was written");
    stack.assert_still_served(&ann).await;
    // A new auth instance reads the whole bucket as it starts.
    let mut config = stack.config.clone();
    config.services = vec!["auth".into()];
    match RunningHost::start(config, &chorus_nodes::registry()).await {
        Ok(second) => second.drain().await.unwrap(),
        Err(e) => panic!("a new auth instance does not start: {e:#}"),
    }
}

/// 6. Subjects a browser may not publish at all: the server refuses each
/// (a permissions violation) and no service sees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_cannot_publish_outside_the_browser_subjects() {
    let stack = Stack::start().await;
    let ann = stack.listener("ann").await;
    let admin_page = stack.page().await;
    let (_, admin_token) = sign_in(&admin_page, ADMIN.0, ADMIN.1).await;
    let before = stack.stream_state("KV_chorus_auth").await;
    let play = json!({"play_id": Uuid::new_v4(), "track_id": stack.tracks[0], "started_at": 1, "ms_played": 60_000});
    let cases: Vec<(&Browser, String, Value, &str)> = vec![
        (&ann.page, "$JS.API.STREAM.DELETE.KV_chorus_auth".into(), json!({}), &ann.token),
        (&ann.page, "$JS.API.STREAM.PURGE.KV_chorus_profile".into(), json!({}), &ann.token),
        (&ann.page, "$JS.API.INFO".into(), json!({}), &ann.token),
        (&ann.page, format!("$KV.{}.disabled.{}", chorus_host::auth::watch::BUCKET, ann.id), json!({}), &ann.token),
        (&ann.page, format!("$KV.chorus_auth.user.{}", ann.id), json!({}), &ann.token),
        (&ann.page, "$O.chorus_art.C.x".into(), json!({}), &ann.token),
        (&admin_page, auth::user_disable().subject(), json!({"user_id": ann.id}), &admin_token),
        (&ann.page, profile::play_record().subject(), play, &ann.token),
    ];
    for (page, subject, body, token) in cases {
        let mut spy = Spy::start(&stack.server).await;
        let errors = page.errors().len();
        let bearer = format!("Bearer {token}");
        let inbox = format!("{}.x", page.inbox_prefix());
        page.publish(&subject, Some(&inbox), &[("Authorization", &bearer)], &serde_json::to_vec(&body).unwrap())
            .await
            .unwrap();
        page.flush().await.unwrap();
        let refusals = page.errors()[errors..].to_vec();
        assert!(
            refusals.iter().any(|e| e.contains("Permissions Violation for Publish") && e.contains(&subject)),
            "{subject} was not refused: {refusals:?}"
        );
        assert!(page.is_open(), "a refused publish keeps the connection");
        assert_eq!(spy.landed(&subject).await, Vec::<String>::new(), "{subject} reached the services' account");
    }
    for endpoint in [auth::user_disable(), profile::play_record()] {
        assert_eq!(stack.requests(endpoint).await, 0, "{} saw a browser's request", endpoint.subject());
    }
    assert_eq!(stack.stream_state("KV_chorus_auth").await, before);
    let recent = ask(&ann.page, profile::play_recent(), Some(&ann.token), json!({})).await.unwrap();
    assert_eq!(recent["tracks"], json!([]), "a play was recorded");
    stack.assert_still_served(&ann).await;
}

/// 7. No browser reads another's replies or writes into another's inbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_cannot_read_or_write_another_browsers_inbox() {
    let stack = Stack::start().await;
    let ann = stack.page().await;
    let bob = stack.page().await;
    let ann_inbox = ann.inbox_prefix();
    let mut spies = Vec::new();
    for subject in
        ["_INBOX.>".to_string(), ">".into(), format!("{ann_inbox}.>"), format!("{ann_inbox}.*"), "_R_.>".into()]
    {
        spies.push((subject.clone(), bob.subscribe(&subject).await.unwrap()));
    }
    bob.flush().await.unwrap();
    for (subject, _) in &spies {
        let quoted = format!("\"{subject}\"");
        assert!(
            bob.errors().iter().any(|e| e.contains("Permissions Violation for Subscription") && e.contains(&quoted)),
            "bob may subscribe {subject}: {:?}",
            bob.errors()
        );
    }
    // Ann signs in (her reply holds her tokens) while Bob listens.
    sign_in(&ann, ADMIN.0, ADMIN.1).await;
    for (subject, spy) in &mut spies {
        assert_eq!(spy.next(SETTLE).await, None, "bob read ann's traffic on {subject}");
    }

    let mut ann_reads = ann.subscribe(&format!("{ann_inbox}.>")).await.unwrap();
    ann.flush().await.unwrap();
    let target = format!("{ann_inbox}.x");
    let errors = bob.errors().len();
    bob.publish(&target, None, &[], br#"{"access_token":"forged"}"#).await.unwrap();
    bob.flush().await.unwrap();
    assert!(
        bob.errors()[errors..].iter().any(|e| e.contains("Permissions Violation for Publish")),
        "{:?}",
        bob.errors()
    );
    assert_eq!(ann_reads.next(SETTLE).await, None, "bob wrote into ann's inbox");
    assert!(ann.errors().is_empty(), "{:?}", ann.errors());
    // Bob's own requests still work.
    ask(&bob, catalog::track_list(), None, json!({})).await.unwrap();
}

/// The per-connection sign-in limit is keyed on the connection nats-server
/// names, not on the reply subject: a page that changes its reply inbox
/// with every guess (each request here has a new one) is still one client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_reply_subject_per_guess_does_not_evade_the_sign_in_limit() {
    let stack = Stack::start().await;
    let page = stack.page().await;
    let mut codes = Vec::new();
    for i in 0..7 {
        // A different username each time: only the connection's counter can bind.
        let guess = json!({"username": format!("sprayed{i}"), "password": "a wrong password"});
        codes.push(ask(&page, auth::session_login(), None, guess).await.unwrap_err());
    }
    assert!(codes[..5].iter().all(|(s, c)| s == "401" && c == "invalid_credentials"), "{codes:?}");
    assert!(codes[5..].iter().all(|(s, c)| s == "429" && c == "too_many_attempts"), "{codes:?}");
    // Another page signs in.
    let (user, pass) = ADMIN;
    sign_in(&stack.page().await, user, pass).await;
}

/// A public `track.get` nesting an unknown field 800 arrays deep (it killed
/// the node), a JSON array for the request, an unknown or misspelt field:
/// each answered 400 `invalid_request` through the browser's door, and the
/// node keeps serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_shapes_and_deep_nesting_are_refused_at_the_browsers_door() {
    let stack = Stack::start().await;
    let admin = {
        let page = stack.page().await;
        let (user, pass) = ADMIN;
        let (_, token) = sign_in(&page, user, pass).await;
        (page, token)
    };
    let id = stack.tracks[0].to_string();
    let mut deep = vec![0x82, 0xa2, b'i', b'd', 0xc4, 16];
    deep.extend(stack.tracks[0].as_bytes());
    deep.extend([0xa3, b'z', b'z', b'z']);
    deep.extend(std::iter::repeat_n(0x91, 800));
    deep.push(0xc0);
    let cases: Vec<(Endpoint, Vec<u8>)> = vec![
        (catalog::track_get(), deep),
        (catalog::track_get(), serde_json::to_vec(&json!([id])).unwrap()),
        (catalog::track_get(), serde_json::to_vec(&json!({"id": id, "zzz": 1})).unwrap()),
        (profile::queue_save(), serde_json::to_vec(&json!([[id], 0, 0])).unwrap()),
        (profile::playlist_create(), serde_json::to_vec(&json!({"name": "mine", "pulbic": true})).unwrap()),
    ];
    let bearer = format!("Bearer {}", admin.1);
    for (endpoint, body) in cases {
        let reply = admin.0.request(&endpoint.subject(), &[("Authorization", &bearer)], &body, TIMEOUT).await.unwrap();
        let status = reply.header("Nats-Service-Error-Code").map(str::to_string);
        let code: Value = serde_json::from_slice(&reply.payload)
            .or_else(|_| Encoding::MsgPack.decode(&reply.payload).map_err(|e| e.to_string()))
            .unwrap_or(Value::Null);
        assert_eq!(
            (status.as_deref(), code["code"].as_str()),
            (Some("400"), Some("invalid_request")),
            "{}",
            endpoint.subject()
        );
    }
    let listener = stack.listener("nora").await;
    stack.assert_still_served(&listener).await;
}

/// Ten pages guess one account's password at once: attempts are reserved
/// before hashing, so at most five are checked, and the limiter's contention
/// is a 429, never a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_guesses_from_many_pages_are_counted_before_they_are_checked() {
    let stack = Stack::start().await;
    let victim = stack.listener("olga").await;
    let mut pages = Vec::new();
    for _ in 0..10 {
        pages.push(stack.page().await);
    }
    let guess = json!({"username": "olga", "password": "not her password"});
    let tries = pages.iter().map(|p| ask(p, auth::session_login(), None, guess.clone()));
    let codes: Vec<_> = futures::future::join_all(tries).await.into_iter().map(|r| r.unwrap_err()).collect();
    let checked = codes.iter().filter(|(_, c)| c == "invalid_credentials").count();
    assert!(checked <= 5, "{checked} of 10 guesses checked: {codes:?}");
    assert!(codes.iter().all(|(s, _)| s == "401" || s == "429"), "{codes:?}");
    // A stolen access token is no way to guess either.
    let bearer = victim.token.clone();
    // Guesses refused for contention were not counted, so the account has
    // `checked` failures: the rest of its five free ones, then a wait.
    let mut changes = Vec::new();
    for i in 0..(5 - checked + 2) {
        let body = json!({"current_password": format!("guess {i} guess"), "new_password": "a brand new secret"});
        changes.push(ask(&victim.page, auth::password_change(), Some(&bearer), body).await.unwrap_err());
    }
    let checked_too = changes.iter().filter(|(_, c)| c == "invalid_credentials").count();
    assert!(checked + checked_too <= 5, "{checked} + {checked_too} guesses checked: {changes:?}");
    assert_eq!(changes.last().map(|(s, _)| s.as_str()), Some("429"), "the account is waiting: {changes:?}");
}

/// Passwords cost a hash: one past 1,024 bytes is refused before hashing,
/// and a browser's publish past the account's 64 KiB limit closes its
/// connection at the server, before any service sees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_passwords_never_reach_the_hasher() {
    let stack = Stack::start().await;
    let page = stack.page().await;
    let long = json!({"username": "anyone", "password": "x".repeat(60 * 1024)});
    assert_eq!(
        ask(&page, auth::session_login(), None, long).await.unwrap_err(),
        ("400".into(), "password_too_long".into())
    );
    let served = stack.requests(auth::session_login()).await;
    let huge = serde_json::to_vec(&json!({"username": "anyone", "password": "x".repeat(900 * 1024)})).unwrap();
    let _ = page.publish(&auth::session_login().subject(), Some("_INBOX_x.1"), &[], &huge).await;
    tokio::time::sleep(SETTLE).await;
    assert!(!page.is_open(), "the server closes a connection that publishes past max_payload");
    assert_eq!(stack.requests(auth::session_login()).await, served, "the service never saw it");
}

/// What one listener may keep is capped, and the list still answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_cannot_grow_their_playlists_without_bound() {
    let stack = Stack::start().await;
    let who = stack.listener("pia").await;
    for i in 0..5 {
        ask(&who.page, profile::playlist_create(), Some(&who.token), json!({"name": format!("list {i}")}))
            .await
            .unwrap();
    }
    let sixth = ask(&who.page, profile::playlist_create(), Some(&who.token), json!({"name": "one more"})).await;
    assert_eq!(sixth.unwrap_err(), ("409".into(), "playlist_limit".into()));
    let page = ask(&who.page, profile::playlist_list(), Some(&who.token), json!({})).await.unwrap();
    assert_eq!(page["playlists"].as_array().map(Vec::len), Some(5));
}

/// A nonce is good for one live connection: a second page with the same
/// nonce (which could read the first's replies) is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_connection_cannot_take_a_live_nonce() {
    let stack = Stack::start().await;
    let nonce = Uuid::new_v4().simple().to_string();
    let first = Browser::connect(stack.server.ws_port(), ORIGIN, "web", "web-test", &nonce).await.unwrap();
    let second = Browser::connect(stack.server.ws_port(), ORIGIN, "web", "web-test", &nonce).await;
    assert!(second.is_err(), "a second connection got the live nonce");
    assert!(first.is_open());
    ask(&first, catalog::track_list(), None, json!({})).await.unwrap();
}

/// A record that does not decode (however it got into a bucket) is skipped
/// and reported by every projector: auth and profile keep serving, and an
/// auth instance started afterwards starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undecodable_records_never_stop_a_projector() {
    let stack = Stack::start().await;
    let who = stack.listener("quinn").await;
    let garbage = bytes::Bytes::from_static(b"\xc1 not a record");
    for (bucket, key) in [
        ("chorus_auth", format!("user.{}", Uuid::now_v7())),
        ("chorus_profile", format!("playlist.{}", Uuid::now_v7())),
    ] {
        stack.js.get_key_value(bucket).await.unwrap().put(key, garbage.clone()).await.unwrap();
    }
    tokio::time::sleep(SETTLE).await;
    stack.assert_still_served(&who).await;
    ask(&who.page, profile::playlist_list(), Some(&who.token), json!({})).await.unwrap();
    let mut config = stack.config.clone();
    config.services = vec!["auth".into(), "profile".into()];
    let second = match RunningHost::start(config, &chorus_nodes::registry()).await {
        Ok(host) => host,
        Err(e) => panic!("an instance started after the bad records did not start: {e:#}"),
    };
    second.drain().await.unwrap();
}
