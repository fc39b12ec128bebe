//! Shared by the integration tests: a seeded catalog, a probe service, requests by hand.
#![allow(dead_code, unreachable_pub)]

pub mod auth;
pub mod catalog;
pub mod listener;
pub mod probe;
pub mod search;
pub mod taste;

use std::time::Duration;

use async_nats::HeaderMap;
use bytes::Bytes;
use chorus_host::host::RunningHost;
use chorus_nats::messages::catalog::Track;
use chorus_testkit::{host_config, NatsServer};

/// A server, `n` synthetic tracks in the catalog record, and an in-process catalog host.
pub async fn catalog_stack(n: usize) -> (NatsServer, RunningHost, Vec<Track>) {
    let server = NatsServer::start().expect("nats-server");
    let tracks = seed(&server, n).await;
    let host = RunningHost::start(host_config(&server.url(), &["catalog"]), &chorus_nodes::registry())
        .await
        .expect("catalog host");
    (server, host, tracks)
}

/// A catalog host on `server` with writes on and the given view (`mem` or `surrealkv:<dir>`).
pub async fn catalog_host(server: &NatsServer, view: &str) -> RunningHost {
    let mut config = host_config(&server.url(), &["catalog"]);
    config.sections.insert("catalog".into(), serde_json::json!({"allow_writes": true, "view": view}));
    match RunningHost::start(config, &chorus_nodes::registry()).await {
        Ok(host) => host,
        Err(e) => panic!("catalog host: {e:#}"),
    }
}

/// Seed the catalog record with `n` synthetic tracks (seed 42).
pub async fn seed(server: &NatsServer, n: usize) -> Vec<Track> {
    let nats = server.connect().await.expect("connect");
    chorus_nodes::seed::run(nats, n, 42, 1).await.expect("seed");
    chorus_catalog::synthetic::tracks(n, 42)
}

/// Send raw bytes with the given headers; returns the reply message.
pub async fn raw(
    nats: &async_nats::Client,
    subject: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> async_nats::Message {
    let mut h = HeaderMap::new();
    for (k, v) in headers {
        h.insert(*k, *v);
    }
    let req = async_nats::Request::new()
        .headers(h)
        .payload(Bytes::copy_from_slice(body))
        .timeout(Some(Duration::from_secs(3)));
    nats.send_request(subject.to_string(), req).await.expect("a reply, not a timeout")
}

/// The status and JSON body of an error reply (panics on a success).
pub fn error_of(msg: &async_nats::Message) -> (u16, serde_json::Value) {
    let h = msg.headers.as_ref().expect("error headers");
    let status = h.get("Nats-Service-Error-Code").expect("status header").as_str().parse().unwrap();
    assert!(h.get("Nats-Service-Error").is_some(), "message header");
    let body = serde_json::from_slice(&msg.payload).or_else(|_| rmp_json(&msg.payload)).expect("error body decodes");
    (status, body)
}

fn rmp_json(b: &[u8]) -> Result<serde_json::Value, String> {
    chorus_nats::Encoding::MsgPack.decode(b).map_err(|e| e.to_string())
}

/// A client on `server` carrying an admin's token, signed by a test key that
/// is published the way the auth service publishes its own.
pub async fn admin_client(server: &NatsServer) -> chorus_nats::ChorusClient {
    let nats = server.connect().await.expect("connect");
    let issuer = chorus_testkit::TestIssuer::publish(&nats).await.expect("test key");
    chorus_nats::ChorusClient::new(nats).with_token(issuer.admin())
}

/// The demo music folder (scripts/test.sh fetches it).
pub fn demo_music() -> std::path::PathBuf {
    let dir = std::env::var_os("CHORUS_DEMO_MUSIC").map(std::path::PathBuf::from).unwrap_or_else(|| {
        std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.tools/demo/immich_memories_music/tracks"))
    });
    assert!(dir.is_dir(), "demo music not found at {}: run scripts/test.sh, which fetches it", dir.display());
    dir
}

/// A play of `track` a minute long, just now, as a client records it.
pub fn play_of(track: uuid::Uuid) -> chorus_nats::messages::profile::PlayRecord {
    chorus_nats::messages::profile::PlayRecord {
        play_id: uuid::Uuid::now_v7(),
        track_id: track,
        started_at: chorus_nats::clock::now_ms(),
        ms_played: 60_000,
        source: "album".into(),
        client: "test".into(),
    }
}
