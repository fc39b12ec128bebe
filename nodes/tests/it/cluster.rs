//! The cluster topology: three routed nats-servers and a node with every
//! service, configured as scripts/cluster.sh configures it: every bucket,
//! stream and object store it creates is at R3.

use std::path::Path;
use std::time::{Duration, Instant};

use chorus_testkit::{wait_stream_settled, ChildNode, NatsCluster, R3_NODE_ENV as R3};
use futures::TryStreamExt as _;

/// How many instances of `service` answer PING within half a second.
async fn instances(nats: &async_nats::Client, service: &str) -> usize {
    use futures::StreamExt as _;
    let inbox = nats.new_inbox();
    let Ok(mut replies) = nats.subscribe(inbox.clone()).await else { return 0 };
    if nats.publish_with_reply(format!("$SRV.PING.{service}"), inbox, "".into()).await.is_err() {
        return 0;
    }
    let mut seen = 0;
    while let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(500), replies.next()).await {
        seen += usize::from(!m.payload.is_empty());
    }
    seen
}

/// Two nodes started at the same moment through different servers of a new
/// cluster race to create every bucket and to publish auth's keys into a
/// stream that has not elected its leader yet: both come up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_stream_a_cluster_node_creates_has_three_replicas() {
    let mut cluster = NatsCluster::start(3).unwrap();
    let keys = chorus_auth::keys::SigningKeys::generate();
    let mut env = R3.to_vec();
    env.extend([
        ("CHORUS_AUTH__SIGNING_KEYS", keys.as_str()),
        ("CHORUS_AUTH__ARGON2_MEMORY_KIB", "64"),
        // Two gateways on one machine: each on a port of its own.
        ("CHORUS_SUBSONIC__LISTEN", "127.0.0.1:0"),
    ]);
    // One server's URL each: a node learns the other two from its INFO.
    let bin = Path::new(env!("CARGO_BIN_EXE_chorus-node"));
    let (first, second) = (cluster.servers()[1].url(), cluster.servers()[2].url());
    let _nodes =
        [ChildNode::start(bin, &first, "all", &env).unwrap(), ChildNode::start(bin, &second, "all", &env).unwrap()];
    let nats = cluster.connect().await.unwrap();
    let services = ["auth", "catalog", "profile", "stream", "search", "payment", "recommend"];
    let start = Instant::now();
    for service in services {
        while instances(&nats, service).await < 2 {
            assert!(start.elapsed() < Duration::from_secs(120), "{service} did not answer PING from both nodes");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let js = async_nats::jetstream::new(nats);
    let names: Vec<String> = js.stream_names().try_collect().await.unwrap();
    for expected in ["KV_chorus_auth_trust", "KV_chorus_catalog", "OBJ_chorus_audio", "OBJ_chorus_art"] {
        assert!(names.iter().any(|n| n == expected), "no {expected} among {names:?}");
    }
    let mut below = Vec::new();
    for name in &names {
        let info = js.get_stream(name).await.unwrap().info().await.unwrap().clone();
        let peers = info.cluster.as_ref().map_or(0, |c| c.replicas.len() + 1);
        if info.config.num_replicas != 3 || peers != 3 {
            below.push(format!("{name}: {} replicas configured, {peers} peers", info.config.num_replicas));
        }
    }
    assert!(below.is_empty(), "streams not at R3 (of {} streams): {below:#?}", names.len());
}

/// A KV bucket made at R3 through one server takes writes through every
/// server at once (each connection its own server), and a create conflicts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_r3_bucket_takes_creates_through_every_server() {
    let mut cluster = NatsCluster::start(3).unwrap();
    let first = cluster.servers()[0].connect().await.unwrap();
    let js = async_nats::jetstream::new(first);
    js.create_key_value(async_nats::jetstream::kv::Config {
        bucket: "r3".into(),
        history: 1,
        num_replicas: 3,
        ..Default::default()
    })
    .await
    .unwrap();
    wait_stream_settled(&js, "KV_r3", 3, Duration::from_secs(30)).await.unwrap();
    let mut failures = Vec::new();
    for i in 0..3 {
        let conn = cluster.servers()[i].connect().await.unwrap();
        let kv = async_nats::jetstream::new(conn).get_key_value("r3").await.unwrap();
        // A server that did not create the bucket learns the routes to its
        // leader and replicas a moment after it settled: until then a write
        // or a read through it has no responders.
        let reached = Instant::now();
        while kv.put(format!("probe.{i}"), "p".into()).await.is_err() || kv.entry("probe.none").await.is_err() {
            assert!(reached.elapsed() < Duration::from_secs(30), "server {i} never reached the bucket");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        for n in 0..100 {
            if let Err(e) = kv.create(format!("k{i}.{n}"), "v".into()).await {
                failures.push(format!("server {i}, key {n}: {e}"));
            }
        }
        assert!(kv.create(format!("k{i}.0"), "again".into()).await.is_err(), "a second create of a key succeeded");
    }
    assert!(failures.is_empty(), "{} of 300 creates failed: {:?}", failures.len(), &failures[..failures.len().min(5)]);
}
