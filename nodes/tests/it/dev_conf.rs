//! `nats/conf/dev.conf` as the dev stack runs it: the service user serves, the
//! web user may only make public requests, the websocket listener checks origins.

use std::path::Path;
use std::time::Duration;

use chorus_host::host::RunningHost;
use chorus_nats::messages::catalog::{TrackList, TrackPage};
use chorus_nats::{subjects::catalog, ChorusClient, ClientError, Encoding};
use chorus_testkit::{host_config, NatsServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn dev_conf() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../nats/conf/dev.conf")
}

async fn connect(server: &NatsServer, user: &str, password: &str) -> async_nats::Client {
    async_nats::ConnectOptions::with_user_and_password(user.into(), password.into())
        .connect(server.url())
        .await
        .expect("connect")
}

#[test]
fn the_web_user_may_publish_exactly_the_browser_subjects() {
    let conf = std::fs::read_to_string(dev_conf()).unwrap();
    let start = conf.find("BROWSER_REQUESTS: [").expect("a BROWSER_REQUESTS list");
    let end = start + conf[start..].find(']').unwrap();
    let listed: std::collections::BTreeSet<String> =
        conf[start..end].split('"').skip(1).step_by(2).map(str::to_string).collect();
    let browser: std::collections::BTreeSet<String> =
        chorus_nats::subjects::browser().iter().map(|e| e.subject()).collect();
    assert_eq!(listed, browser);
}

#[tokio::test]
async fn service_user_serves_and_web_user_is_fenced() {
    let server = NatsServer::start_conf(&dev_conf()).unwrap();
    let mut config = host_config(&server.url(), &["catalog"]);
    config.nats_user = Some("service".into());
    config.nats_password = Some("service-test".into());
    // The web user may listen on _INBOX.>: service replies must not land there.
    let web_spy = connect(&server, "web", "web-test").await;
    let mut inbox_spy = web_spy.subscribe("_INBOX.>").await.unwrap();
    web_spy.flush().await.unwrap();
    let service = chorus_host::connect::connect(&config, "test service").await.unwrap();
    chorus_nodes::seed::run(service.clone(), 3, 42, 1).await.unwrap();
    let _host = RunningHost::start(config, &chorus_nodes::registry()).await.unwrap();
    let leaked = tokio::time::timeout(Duration::from_millis(300), futures::StreamExt::next(&mut inbox_spy)).await;
    assert!(leaked.is_err(), "a service reply reached the web user's _INBOX.> subscription: {leaked:?}");

    let web = connect(&server, "web", "web-test").await;
    let client = ChorusClient::new(web.clone()).with_encoding(Encoding::Json).with_timeout(Duration::from_millis(500));
    let page: TrackPage = client.request(catalog::track_list(), &TrackList::default()).await.unwrap();
    assert_eq!(page.tracks.len(), 3);

    // Denied publishes are dropped by the server: a request there never gets an answer.
    for subject in ["$KV.chorus_catalog.track.x", "$JS.API.INFO", "$SRV.INFO", "chorus.catalog.v1.track.delete"] {
        let e = client.request_raw(subject, "{}".into(), Default::default()).await.unwrap_err();
        assert!(matches!(e, ClientError::TimedOut { .. } | ClientError::NoResponders { .. }), "{subject}: {e:?}");
    }
    // And it cannot listen in on service traffic: the subscription is refused.
    let mut errors = Vec::new();
    let web_events = async_nats::ConnectOptions::with_user_and_password("web".into(), "web-test".into())
        .event_callback(|e| async move { eprintln!("web event: {e}") });
    let spy = web_events.connect(server.url()).await.unwrap();
    let mut sub = spy.subscribe("chorus.>").await.unwrap();
    spy.flush().await.unwrap();
    let _ = client.request::<_, TrackPage>(catalog::track_list(), &TrackList::default()).await.unwrap();
    if let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(300), futures::StreamExt::next(&mut sub)).await {
        errors.push(m.subject.to_string());
    }
    assert!(errors.is_empty(), "web user saw service traffic: {errors:?}");

    // Wrong passwords are refused.
    assert!(async_nats::ConnectOptions::with_user_and_password("web".into(), "nope".into())
        .connect(server.url())
        .await
        .is_err());
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
