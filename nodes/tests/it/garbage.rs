//! Bad input to every endpoint of every service: garbage, deep nesting,
//! wrong shapes and unknown fields, in JSON and MessagePack, with an admin's
//! token so that only the body stands between the request and its handler.
//! Each is answered 4xx within a second, and every instance keeps running.

use crate::support;

use std::time::{Duration, Instant};

use chorus_host::host::RunningHost;
use chorus_testkit::{host_config, NatsServer};

/// A JSON array nested `depth` deep around a value.
fn deep_json(depth: usize) -> Vec<u8> {
    let mut body = b"{\"zzz\":".to_vec();
    body.extend(std::iter::repeat_n(b'[', depth));
    body.extend(std::iter::repeat_n(b']', depth));
    body.push(b'}');
    body
}

/// A MessagePack map `{"zzz": [[[...nil...]]]}`, the arrays `depth` deep.
fn deep_msgpack(depth: usize) -> Vec<u8> {
    let mut body = vec![0x81, 0xa3, b'z', b'z', b'z'];
    body.extend(std::iter::repeat_n(0x91, depth));
    body.push(0xc0);
    body
}

/// The bad bodies, each with the content type it claims.
fn bad_bodies() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    vec![
        ("garbage MessagePack", "application/msgpack", vec![0xc1, 0xff, 0x00]),
        ("garbage JSON", "application/json", b"{\"id\": ".to_vec()),
        ("an unknown field (JSON)", "application/json", br#"{"zzz": 1}"#.to_vec()),
        ("an unknown field (MessagePack)", "application/msgpack", vec![0x81, 0xa3, b'z', b'z', b'z', 0x01]),
        ("an array for the request (JSON)", "application/json", br#"[["x"], 0, 0]"#.to_vec()),
        ("an array for the request (MessagePack)", "application/msgpack", vec![0x93, 0x90, 0x00, 0x00]),
        ("a scalar for the request", "application/json", b"42".to_vec()),
        ("800 arrays deep (JSON)", "application/json", deep_json(800)),
        ("800 arrays deep (MessagePack)", "application/msgpack", deep_msgpack(800)),
        ("100,000 arrays deep (MessagePack)", "application/msgpack", deep_msgpack(100_000)),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_refuses_bad_bodies_with_a_4xx_in_time() {
    let server = NatsServer::start().unwrap();
    support::seed(&server, 3).await;
    // Every service a node can host with auth (the gate alone is auth's callout, which has no endpoints).
    let services: Vec<&str> = chorus_nodes::registry()
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !chorus_host::config::NAMED_ONLY.contains(name))
        .collect();
    let mut config = host_config(&server.url(), &services);
    config.sections.insert("auth".into(), support::auth::auth_section(&support::auth::key()));
    config.sections.insert("catalog".into(), serde_json::json!({"allow_writes": true}));
    config.sections.insert("subsonic".into(), serde_json::json!({"listen": "127.0.0.1:0"}));
    let _host = RunningHost::start(config, &chorus_nodes::registry()).await.unwrap();
    let nats = server.connect().await.unwrap();
    let issuer = chorus_testkit::TestIssuer::publish(&nats).await.unwrap();
    let bearer = format!("Bearer {}", issuer.admin());

    let mut wrong = Vec::new();
    let mut tried = 0;
    for endpoint in chorus_nats::subjects::all() {
        for (what, content_type, body) in bad_bodies() {
            tried += 1;
            let sent = Instant::now();
            let headers = [("Authorization", bearer.as_str()), ("Content-Type", content_type)];
            let reply = support::raw(&nats, &endpoint.subject(), &headers, &body).await;
            let took = sent.elapsed();
            let status = reply.headers.as_ref().and_then(|h| h.get("Nats-Service-Error-Code")).map(|v| v.to_string());
            let is_4xx = status.as_deref().is_some_and(|s| s.starts_with('4'));
            if !is_4xx || took > Duration::from_secs(1) {
                wrong.push(format!("{} with {what}: status {status:?} after {took:?}", endpoint.subject()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {tried} bad requests were not refused 4xx within 1 s:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    // Every service is still there and answers.
    for service in services {
        let ping = nats.request(format!("$SRV.PING.{service}"), "".into()).await;
        assert!(ping.is_ok(), "{service} stopped answering: {ping:?}");
    }
}
