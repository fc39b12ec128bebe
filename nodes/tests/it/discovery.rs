//! Micro discovery through the wire: replies the nats CLI accepts, counters that move.

use crate::support;

use std::time::Duration;

use chorus_nats::messages::catalog::TrackGet;
use chorus_nats::{subjects::catalog, ChorusClient};
use serde_json::Value;
use support::catalog_stack;

fn validator(kind: &str) -> jsonschema::Validator {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/micro-schemas");
    let read =
        |f: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(format!("{dir}/{f}")).unwrap()).unwrap() };
    jsonschema::options()
        .should_validate_formats(true)
        .with_resource(
            "https://nats.io/schemas/micro/v1/definitions.json",
            jsonschema::Resource::from_contents(read("definitions.json")).unwrap(),
        )
        .build(&read(&format!("{kind}_response.json")))
        .unwrap()
}

async fn ask(nats: &async_nats::Client, subject: &str) -> Value {
    let msg = nats.request(subject.to_string(), "".into()).await.expect("discovery reply");
    serde_json::from_slice(&msg.payload).expect("JSON")
}

#[tokio::test]
async fn discovery_replies_match_the_nats_cli_schemas() {
    let (server, host, _) = catalog_stack(5).await;
    let nats = server.connect().await.unwrap();
    let id = host.instance_ids()["catalog"].clone();
    for kind in ["ping", "info", "stats"] {
        let schema = validator(kind);
        let verb = kind.to_uppercase();
        for subject in [format!("$SRV.{verb}"), format!("$SRV.{verb}.catalog"), format!("$SRV.{verb}.catalog.{id}")] {
            let reply = ask(&nats, &subject).await;
            let errors: Vec<String> = schema.iter_errors(&reply).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{subject}: {errors:?}\n{reply:#}");
            assert_eq!(reply["type"], format!("io.nats.micro.v1.{kind}_response"));
            assert_eq!(reply["name"], "catalog");
            assert_eq!(reply["id"], id.as_str());
            assert_eq!(reply["version"], env!("CARGO_PKG_VERSION"));
            assert!(reply["metadata"]["node"].is_string() && reply["metadata"]["host"].is_string());
        }
    }
    let info = ask(&nats, "$SRV.INFO.catalog").await;
    let endpoints = info["endpoints"].as_array().unwrap();
    for e in catalog::ALL {
        let found = endpoints.iter().find(|x| x["subject"] == e.subject()).expect("endpoint listed");
        assert_eq!(found["name"], e.name());
        assert!(!e.name().contains('.'));
        assert_eq!(found["queue_group"], "catalog");
    }
}

#[tokio::test]
async fn stats_count_requests_errors_and_time() {
    let (server, _host, tracks) = catalog_stack(5).await;
    let nats = server.connect().await.unwrap();
    let client = ChorusClient::new(nats.clone());
    for t in &tracks {
        let _: chorus_nats::messages::catalog::Track = client.call(&TrackGet { id: t.id }).await.unwrap();
    }
    for _ in 0..2 {
        let missing = TrackGet { id: uuid::Uuid::now_v7() };
        let e = client.call(&missing).await.unwrap_err();
        assert_eq!(e.code(), Some("track_not_found"));
    }
    // Replies are counted before they are sent, so the counters are current.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let stats = ask(&nats, "$SRV.STATS.catalog").await;
    let get = stats["endpoints"].as_array().unwrap().iter().find(|e| e["name"] == "track_get").unwrap().clone();
    assert_eq!(get["num_requests"], 7, "{get:#}");
    assert_eq!(get["num_errors"], 2, "{get:#}");
    assert_eq!(get["last_error"], "404 track_not_found");
    assert!(get["processing_time"].as_u64().unwrap() > 0);
    assert!(get["average_processing_time"].as_u64().unwrap() > 0);
}
