//! `nats/conf/dev.conf` as the dev stack runs it: the service user serves; the
//! auth service's callout lets each web connection make browser requests and
//! read its own inbox only; the websocket listener checks origins.

use std::path::Path;
use std::time::Duration;

use chorus_host::host::RunningHost;
use chorus_nats::messages::auth::{Login, Session};
use chorus_nats::messages::catalog::{TrackList, TrackPage};
use chorus_nats::{subjects::auth, ChorusClient, ClientError, Encoding};
use chorus_testkit::{host_config, NatsServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub(crate) fn dev_conf() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../nats/conf/dev.conf")
}

/// A dev-conf server with catalog and auth (answering the callout) as the service user.
async fn dev_stack() -> (NatsServer, RunningHost) {
    let server = NatsServer::start_conf(&dev_conf()).unwrap();
    let mut config = host_config(&server.url(), &["catalog", "auth"]);
    config.nats_user = Some("service".into());
    config.nats_password = Some("service-test".into());
    let mut auth = crate::support::auth::auth_section(&crate::support::auth::key());
    auth["callout"] = crate::support::auth::callout_section();
    config.sections.insert("auth".into(), auth);
    let service = chorus_host::connect::connect(&config, "test service").await.unwrap();
    chorus_nodes::seed::run(service.clone(), 3, 42, 1).await.unwrap();
    let host = RunningHost::start(config, &chorus_nodes::registry()).await.unwrap();
    (server, host)
}

/// A browser-like connection: the web user, a random nonce as its token and
/// the inbox prefix the callout grants for it.
async fn web(server: &NatsServer, password: &str, nonce: &str) -> Result<async_nats::Client, String> {
    async_nats::ConnectOptions::with_user_and_password("web".into(), password.into())
        .token(nonce.into())
        .custom_inbox_prefix(chorus_auth::callout::inbox_prefix(nonce))
        .event_callback(|e| async move { eprintln!("web event: {e}") })
        .connect(server.url())
        .await
        .map_err(|e| e.to_string())
}

pub(crate) fn nonce() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[tokio::test]
async fn service_user_serves_and_web_user_is_fenced() {
    let (server, _host) = dev_stack().await;
    let (ann_nonce, bob_nonce) = (nonce(), nonce());
    let ann = web(&server, "web-test", &ann_nonce).await.unwrap();
    let bob = web(&server, "web-test", &bob_nonce).await.unwrap();

    // Bob tries to read everyone's replies, Ann's inbox, and service traffic:
    // the server refuses each subscription, so nothing arrives.
    let ann_inbox = format!("{}.>", chorus_auth::callout::inbox_prefix(&ann_nonce));
    let mut spies = Vec::new();
    for subject in ["_INBOX.>", ">", ann_inbox.as_str(), "chorus.>", "_INBOX_chorus.>"] {
        spies.push(bob.subscribe(subject.to_string()).await.unwrap());
    }
    bob.flush().await.unwrap();

    let client = ChorusClient::new(ann.clone()).with_encoding(Encoding::Json).with_timeout(Duration::from_secs(2));
    let page: TrackPage = client.call(&TrackList::default()).await.unwrap();
    assert_eq!(page.tracks.len(), 3);
    let (user, password) = crate::support::auth::ADMIN;
    let login = Login { username: user.into(), password: password.into() };
    let session: Session = client.call(&login).await.unwrap();
    assert!(!session.access_token.is_empty());
    for mut spy in spies {
        let seen = tokio::time::timeout(Duration::from_millis(300), futures::StreamExt::next(&mut spy)).await;
        assert!(!matches!(seen, Ok(Some(_))), "bob read a message not meant for him: {seen:?}");
    }
    // Bob's own requests work.
    let bobs = ChorusClient::new(bob).with_encoding(Encoding::Json).with_timeout(Duration::from_secs(2));
    let _: TrackPage = bobs.call(&TrackList::default()).await.unwrap();

    // Denied publishes are dropped by the server: a request there never gets an answer.
    let client = client.with_timeout(Duration::from_millis(500));
    for subject in ["$KV.chorus_catalog.track.x", "$JS.API.INFO", "$SRV.INFO", "chorus.catalog.v1.track.delete"] {
        let e = client.request_raw(subject, "{}".into(), Default::default()).await.unwrap_err();
        assert!(matches!(e, ClientError::TimedOut { .. } | ClientError::NoResponders { .. }), "{subject}: {e:?}");
    }

    // Wrong passwords, and browsers without an inbox nonce, are refused.
    assert!(web(&server, "nope", &nonce()).await.is_err());
    assert!(web(&server, "web-test", "").await.is_err());
    assert!(web(&server, "web-test", "short").await.is_err());
}

/// Open a websocket upgrade with `origin` and return the HTTP status line.
async fn upgrade(port: u16, origin: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let req = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 512];
    let n = tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf)).await.unwrap().unwrap();
    String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn websocket_listener_accepts_the_dev_page_only() {
    let server = NatsServer::start_conf(&dev_conf()).unwrap();
    let ok = upgrade(server.ws_port(), "http://localhost:5173").await;
    assert!(ok.contains(" 101 "), "{ok}");
    let foreign = upgrade(server.ws_port(), "http://evil.example").await;
    assert!(foreign.contains(" 403 "), "{foreign}");
}

#[test]
fn accounts_conf_is_generated_from_the_subject_builders() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../nats/conf/accounts.conf");
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == chorus_nodes::accounts_conf::accounts_conf(),
        "nats/conf/accounts.conf is out of date: run `chorus accounts-conf > nats/conf/accounts.conf`"
    );
    // The browsers' account imports exactly the browser subjects, never an admin or service one.
    for e in chorus_nats::subjects::all() {
        let imported = committed.contains(&format!("subject: \"{}\" }}", e.subject()));
        assert_eq!(imported, chorus_nats::subjects::browser().contains(&e), "{}", e.subject());
    }
}

/// A browser names a reply subject of the services' account (the JetStream
/// API, a KV key): nats-server rewrites it, so the service's reply comes back
/// to the browser and nothing is published there.
#[tokio::test]
async fn a_browser_cannot_choose_where_a_service_replies() {
    let (server, _host) = dev_stack().await;
    let service = async_nats::ConnectOptions::with_user_and_password("service".into(), "service-test".into())
        .connect(server.url())
        .await
        .unwrap();
    let mut spy = service.subscribe("$KV.>").await.unwrap();
    let mut js_spy = service.subscribe("$JS.API.STREAM.>").await.unwrap();
    service.flush().await.unwrap();
    let ann = web(&server, "web-test", &nonce()).await.unwrap();
    for reply in
        ["$KV.chorus_auth_trust.disabled.0190d2c5-0000-7000-8000-000000000000", "$JS.API.STREAM.DELETE.KV_chorus_auth"]
    {
        ann.publish_with_reply(auth::key_list().subject(), reply.to_string(), "{}".into()).await.unwrap();
    }
    ann.flush().await.unwrap();
    for spy in [&mut spy, &mut js_spy] {
        let seen = tokio::time::timeout(Duration::from_millis(500), futures::StreamExt::next(spy)).await;
        assert!(seen.is_err(), "a reply was published where the browser said: {seen:?}");
    }
    let js = async_nats::jetstream::new(service);
    assert!(js.get_stream("KV_chorus_auth").await.is_ok(), "the accounts bucket survives");
}
