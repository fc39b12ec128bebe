//! A stalled mirror restarted from the site (`chorus_host::edge::restart_mirror`):
//! a real hub and site, a KV mirror made again on one replica, caught up
//! with the hub's own sequence numbers.

use std::time::Duration;

use crate::edge::until;

/// Wait until the site's mirror `name` holds `messages`; how long it took.
async fn mirrored(site: &async_nats::jetstream::Context, name: &str, messages: u64) -> Duration {
    let (_, took) = until("the site's mirror", Duration::from_secs(60), || async {
        let mut stream = site.get_stream(name).await.ok()?;
        (stream.info().await.ok()?.state.messages == messages).then_some(())
    })
    .await;
    took
}

#[tokio::test]
async fn a_mirror_restarted_from_the_site_resumes_where_it_was() {
    use async_nats::jetstream::{self, kv};
    let edge = chorus_testkit::edge::Edge::start().unwrap();
    let hub = jetstream::new(edge.hub.connect_service().await.unwrap());
    let name = "KV_chorus_catalog";
    let bucket =
        hub.create_key_value(kv::Config { bucket: "chorus_catalog".into(), ..Default::default() }).await.unwrap();
    for i in 0..10 {
        bucket.put(format!("before.{i}"), "x".into()).await.unwrap();
    }
    let site_nats = edge.site.connect_service().await.unwrap();
    let site = jetstream::new(site_nats.clone());
    chorus_host::edge::mirror_from_hub(&site, "hub", 1).await.unwrap();
    mirrored(&site, name, 10).await;
    // One replica: the mirror is made again, and copies the hub's anew.
    let restart = chorus_host::edge::restart_mirror(&site_nats, "hub", name).await.unwrap();
    assert_eq!(restart, chorus_host::edge::Restart::Remade);
    for i in 0..10 {
        bucket.put(format!("after.{i}"), "x".into()).await.unwrap();
    }
    let took = mirrored(&site, name, 20).await;
    println!("a restarted mirror caught up after {:.2} s", took.as_secs_f64());
    let mut mirror = site.get_stream(name).await.unwrap();
    let hub_last = hub.get_stream(name).await.unwrap().info().await.unwrap().state.last_sequence;
    assert_eq!(mirror.info().await.unwrap().state.last_sequence, hub_last, "nothing lost or repeated");
}
