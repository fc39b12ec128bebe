//! Child `chorus-node` processes: queue-group sharing and drain on SIGTERM.

use crate::support;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chorus_nats::messages::catalog::TrackGet;
use chorus_nats::ChorusClient;
use chorus_testkit::{ChildNode, NatsServer};
use futures::StreamExt;

fn node_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_chorus-node"))
}

/// Discovery replies of every running catalog instance.
async fn instances(nats: &async_nats::Client, verb: &str) -> Vec<serde_json::Value> {
    let inbox = nats.new_inbox();
    let mut sub = nats.subscribe(inbox.clone()).await.unwrap();
    nats.publish_with_reply(format!("$SRV.{verb}.catalog"), inbox, "".into()).await.unwrap();
    let mut out = Vec::new();
    while let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(300), sub.next()).await {
        // A no-responders status comes back with an empty body while no instance is up.
        if !m.payload.is_empty() {
            out.push(serde_json::from_slice(&m.payload).unwrap());
        }
    }
    out
}

async fn wait_for_instances(nats: &async_nats::Client, n: usize) {
    for _ in 0..300 {
        if instances(nats, "PING").await.len() == n {
            return;
        }
    }
    panic!("{n} catalog instances never answered PING");
}

fn get_requests(stats: &serde_json::Value) -> u64 {
    stats["endpoints"].as_array().unwrap().iter().find(|e| e["name"] == "track_get").unwrap()["num_requests"]
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_in_one_queue_group_share_the_load() {
    let server = NatsServer::start().unwrap();
    let tracks = support::seed(&server, 50).await;
    let _a = ChildNode::start(node_bin(), &server.url(), "catalog", &[]).unwrap();
    let _b = ChildNode::start(node_bin(), &server.url(), "catalog", &[]).unwrap();
    let nats = server.connect().await.unwrap();
    wait_for_instances(&nats, 2).await;
    let client = ChorusClient::new(nats.clone());
    let results: Vec<_> = futures::stream::iter(0..1000)
        .map(|i| {
            let client = client.clone();
            let id = tracks[i % tracks.len()].id;
            async move { client.call(&TrackGet { id }).await }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    assert!(results.iter().all(|r| r.is_ok()), "{:?}", results.iter().find(|r| r.is_err()));
    let stats = instances(&nats, "STATS").await;
    assert_eq!(stats.len(), 2);
    let served: Vec<u64> = stats.iter().map(get_requests).collect();
    assert!(served.iter().all(|n| *n > 0), "both instances serve: {served:?}");
    assert_eq!(served.iter().sum::<u64>(), 1000, "{served:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_loses_no_request() {
    let server = NatsServer::start().unwrap();
    let tracks = support::seed(&server, 50).await;
    let mut a = ChildNode::start(node_bin(), &server.url(), "catalog", &[]).unwrap();
    let _b = ChildNode::start(node_bin(), &server.url(), "catalog", &[]).unwrap();
    let nats = server.connect().await.unwrap();
    wait_for_instances(&nats, 2).await;
    let client = ChorusClient::new(nats.clone()).with_timeout(Duration::from_secs(5));
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let load: Vec<_> = (0..32)
        .map(|i| {
            let (client, stop, ok, failed) = (client.clone(), stop.clone(), ok.clone(), failed.clone());
            let id = tracks[i % tracks.len()].id;
            tokio::spawn(async move {
                let mut errors = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    match client.call(&TrackGet { id }).await {
                        Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
                        Err(e) => {
                            errors.push(e.to_string());
                            failed.fetch_add(1, Ordering::Relaxed)
                        }
                    };
                }
                errors
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = ok.load(Ordering::Relaxed);
    a.terminate().unwrap();
    let status = tokio::task::spawn_blocking(move || {
        let status = a.wait(Duration::from_secs(15));
        (status, a)
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let mut errors = Vec::new();
    for task in load {
        errors.extend(task.await.unwrap());
    }
    let exit = status.0.expect("the node exits after SIGTERM");
    assert!(exit.success(), "drained node exits 0, got {exit:?}");
    assert!(
        errors.is_empty(),
        "{} of {} requests failed: {:?}",
        errors.len(),
        ok.load(Ordering::Relaxed),
        &errors[..errors.len().min(5)]
    );
    assert!(ok.load(Ordering::Relaxed) > before, "load went on after SIGTERM");
    assert_eq!(failed.load(Ordering::Relaxed), 0);
}
