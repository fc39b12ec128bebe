//! The wire contract through a real nats-server: encodings, errors, deadlines, no responders.

use crate::support;

use std::collections::HashSet;
use std::time::Duration;

use chorus_nats::headers;
use chorus_nats::messages::catalog::{Track, TrackGet, TrackList, TrackPage};
use chorus_nats::{subjects::catalog, ChorusClient, ClientError, Encoding, RequestOptions, Status};
use futures::StreamExt;
use support::{catalog_stack, error_of, raw};

#[tokio::test]
async fn msgpack_round_trip_is_the_default() {
    let (server, _host, tracks) = catalog_stack(3).await;
    let client = ChorusClient::new(server.connect().await.unwrap());
    let got: Track = client.call(&TrackGet { id: tracks[1].id }).await.unwrap();
    assert_eq!(Track { revision: 0, ..got }, tracks[1]);
    assert!(got.revision > 0, "a track carries its record revision");
    // By hand: a MessagePack body with no content type gets a MessagePack reply.
    let body = Encoding::MsgPack.encode(&TrackGet { id: tracks[2].id }).unwrap();
    let msg = raw(client.nats(), &catalog::track_get().subject(), &[], &body).await;
    let back: Track = Encoding::MsgPack.decode(&msg.payload).expect("MessagePack reply");
    assert_eq!(back.id, tracks[2].id);
}

#[tokio::test]
async fn json_requests_get_json_replies() {
    let (server, _host, tracks) = catalog_stack(3).await;
    let nats = server.connect().await.unwrap();
    // Detected by the first byte, as `nats req` sends it.
    let body = format!("{{\"id\":\"{}\"}}", tracks[0].id);
    let msg = raw(&nats, &catalog::track_get().subject(), &[], body.as_bytes()).await;
    let v: serde_json::Value = serde_json::from_slice(&msg.payload).expect("JSON reply");
    assert_eq!(v["title"], tracks[0].title.as_str());
    assert_eq!(msg.headers.unwrap().get(headers::CONTENT_TYPE).unwrap().as_str(), headers::JSON);
    // Or by Content-Type, through the typed client.
    let client = ChorusClient::new(nats).with_encoding(Encoding::Json);
    let page: TrackPage = client.call(&TrackList { limit: Some(2), ..Default::default() }).await.unwrap();
    let ids: Vec<_> = page.tracks.iter().map(|t| t.id).collect();
    assert_eq!(ids, tracks[..2].iter().map(|t| t.id).collect::<Vec<_>>());
    // An empty JSON body is an empty request.
    let msg = raw(client.nats(), &catalog::track_list().subject(), &[], b"").await;
    let v: serde_json::Value = serde_json::from_slice(&msg.payload).expect("JSON reply");
    assert_eq!(v["tracks"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn bad_payloads_get_400_with_a_code() {
    let (server, _host, _) = catalog_stack(1).await;
    let nats = server.connect().await.unwrap();
    let get = catalog::track_get().subject();
    let list = catalog::track_list().subject();
    let json = [(headers::CONTENT_TYPE, headers::JSON)];
    let cases: Vec<(&str, &[(&str, &str)], &[u8], &str)> = vec![
        (&get, &[], b"\xc1\xc1garbage", "invalid_request"),
        (&get, &[], b"{not json", "invalid_request"),
        (&get, &[], b"{\"id\": 5}", "invalid_request"),
        (&get, &[], b"{\"id\": \"not-a-uuid\"}", "invalid_request"),
        (&get, &[], b"[1, 2, 3]", "invalid_request"),
        (&get, &json, b"", "invalid_request"),
        (&list, &[], b"{\"limit\": \"ten\"}", "invalid_request"),
        (&list, &[], b"{\"bogus\": 1}", "invalid_request"),
        (&list, &[], b"{\"limit\": 0}", "invalid_limit"),
        (&list, &[], b"{\"limit\": 100000}", "invalid_limit"),
        (&list, &[], b"{\"cursor\": \"zzz\"}", "invalid_cursor"),
    ];
    for (subject, h, body, code) in cases {
        let msg = raw(&nats, subject, h, body).await;
        let (status, err) = error_of(&msg);
        assert_eq!(status, 400, "{subject} {:?}", String::from_utf8_lossy(body));
        assert_eq!(err["code"], code, "{subject} {:?}: {err}", String::from_utf8_lossy(body));
        assert!(!err["message"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn input_echoed_in_errors_cannot_break_the_reply() {
    let (server, _host, tracks) = catalog_stack(1).await;
    let nats = server.connect().await.unwrap();
    // serde quotes the unknown field, line break and all, in its message.
    for _ in 0..30 {
        let msg = raw(&nats, &catalog::track_list().subject(), &[], b"{\"a\\r\\nb\": 1}").await;
        let (status, err) = error_of(&msg);
        assert_eq!((status, err["code"].as_str()), (400, Some("invalid_request")));
    }
    let client = ChorusClient::new(nats);
    let t: Track = client.call(&TrackGet { id: tracks[0].id }).await.unwrap();
    assert_eq!(t.id, tracks[0].id);
}

#[tokio::test]
async fn unknown_track_is_404() {
    let (server, _host, _) = catalog_stack(1).await;
    let client = ChorusClient::new(server.connect().await.unwrap());
    let e = client.call(&TrackGet { id: uuid::Uuid::now_v7() }).await.unwrap_err();
    assert_eq!(e.status(), Some(Status::NotFound));
    assert_eq!(e.code(), Some("track_not_found"));
}

#[tokio::test]
async fn client_tells_no_responders_from_timeout() {
    let server = chorus_testkit::NatsServer::start().unwrap();
    let nats = server.connect().await.unwrap();
    let client = ChorusClient::new(nats.clone()).with_timeout(Duration::from_millis(300));
    let e = client.request_raw("chorus.nobody.v1.thing.get", "{}".into(), RequestOptions::default()).await.unwrap_err();
    assert!(matches!(e, ClientError::NoResponders { .. }), "{e:?}");
    // Someone listens but never answers.
    let mut silent = nats.subscribe("chorus.silent.v1.thing.get").await.unwrap();
    tokio::spawn(async move { while silent.next().await.is_some() {} });
    nats.flush().await.unwrap();
    let e = client.request_raw("chorus.silent.v1.thing.get", "{}".into(), RequestOptions::default()).await.unwrap_err();
    assert!(matches!(e, ClientError::TimedOut { .. }), "{e:?}");
}

#[tokio::test]
async fn list_pages_visit_every_track_once() {
    let (server, _host, tracks) = catalog_stack(120).await;
    let client = ChorusClient::new(server.connect().await.unwrap());
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page: TrackPage = client.call(&TrackList { cursor, limit: Some(25), ..Default::default() }).await.unwrap();
        seen.extend(page.tracks.iter().map(|t| t.id));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 120);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 120);
    assert_eq!(seen, tracks.iter().map(|t| t.id).collect::<Vec<_>>());
}

#[tokio::test]
async fn new_records_reach_a_running_view() {
    let (server, _host, _) = catalog_stack(2).await;
    let client = ChorusClient::new(server.connect().await.unwrap());
    // Seeding more with the same seed adds the tracks past the first two.
    let all = support::seed(&server, 10).await;
    let mut found = None;
    for _ in 0..100 {
        match client.call(&TrackGet { id: all[9].id }).await {
            Ok(t) => {
                found = Some(t);
                break;
            }
            Err(e) => assert_eq!(e.status(), Some(Status::NotFound)),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(found.map(|t| Track { revision: 0, ..t }).as_ref(), Some(&all[9]));
}
