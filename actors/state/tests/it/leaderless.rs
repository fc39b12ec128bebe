//! Records on a three-server cluster: a write that comes while its bucket's
//! stream has no leader (its leader's server was just killed) waits for the
//! new one instead of failing (JetStream does not answer it at all then).

use std::time::Duration;

use chorus_state::Records;
use chorus_testkit::NatsCluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_wait_for_a_new_stream_leader() {
    let mut cluster = NatsCluster::start(3).unwrap();
    let first = cluster.servers()[0].connect().await.unwrap();
    let js = async_nats::jetstream::new(first);
    let records = Records::open(&js, "leaderless", 3).await.unwrap();
    // Setup, not under test: a new R3 stream's first write can time out while its group forms.
    let started = std::time::Instant::now();
    let rev = loop {
        match records.create("k0", &0u32).await {
            Ok(rev) => break rev,
            Err(chorus_state::WriteError::Exists) => break records.get::<u32>("k0").await.unwrap().unwrap().1,
            Err(e) if started.elapsed() < Duration::from_secs(30) => eprintln!("first write: {e:#}"),
            Err(e) => panic!("the first write never succeeded: {e:#}"),
        }
    };
    let info = js.get_stream("KV_leaderless").await.unwrap().info().await.unwrap().clone();
    let leader = info.cluster.and_then(|c| c.leader).expect("a stream leader");
    let dying = cluster.index_of(&leader).unwrap();
    // Write through a server that stays up, so that only the stream is leaderless.
    let other = (0..3).find(|i| *i != dying).unwrap();
    let conn = cluster.servers()[other].connect().await.unwrap();
    let js = async_nats::jetstream::new(conn);
    let records = Records::open(&js, "leaderless", 3).await.unwrap();
    cluster.servers()[dying].kill();
    let killed = std::time::Instant::now();
    // A write may still time out (it reached the dying leader: its outcome
    // is unknown, so it is not tried again); none may fail for want of a leader.
    let no_leader = |e: &chorus_state::WriteError| format!("{e:#}").contains("no stream found");
    let (mut rev, mut timed_out) = (rev, 0);
    for n in 1..30u32 {
        match records.update("k0", &n, rev).await {
            Ok(r) => rev = r,
            Err(e) => {
                assert!(!no_leader(&e), "update {n}, {:?} after the leader died: {e:#}", killed.elapsed());
                timed_out += 1;
                rev = loop {
                    if let Ok(Some((_, r))) = records.get::<u32>("k0").await {
                        break r;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                };
            }
        }
        if let Err(e) = records.create(&format!("k{n}"), &n).await {
            assert!(!no_leader(&e), "create {n}, {:?} after the leader died: {e:#}", killed.elapsed());
            timed_out += 1;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(timed_out <= 4, "{timed_out} of 58 writes timed out");
    assert!(matches!(records.create("k29", &1u32).await, Err(chorus_state::WriteError::Exists)));
}
