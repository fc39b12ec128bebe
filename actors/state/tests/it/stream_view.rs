//! A view that follows a stream (an append-only log): catch up from the
//! start, resume an on-disk view from its saved sequence, follow live.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, stream};
use chorus_host::supervisor::{RestartPolicy, ServiceSupervisor, SupervisorArgs};
use chorus_state::{catch_up, projector_child, Change, Projection, Source, View, ViewSpec};
use chorus_testkit::NatsServer;
use futures::future::BoxFuture;
use serde_json::json;

/// Counts plays per subject into the view, and all plays in memory.
#[derive(Default)]
struct Plays {
    seen: AtomicU64,
}

impl Projection for Plays {
    fn apply<'a>(&'a self, view: &'a View, changes: Vec<Change>, revision: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let rows: Vec<_> = changes.iter().map(|c| json!({"seq": c.revision, "subject": c.key})).collect();
            view.write("FOR $r IN $rows { CREATE play CONTENT $r; };", json!({"rows": rows}), revision).await?;
            self.seen.fetch_add(changes.len() as u64, Ordering::SeqCst);
            Ok(())
        })
    }

    fn restore<'a>(&'a self, view: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            self.seen.store(count(view).await?, Ordering::SeqCst);
            Ok(())
        })
    }
}

async fn publish(js: &jetstream::Context, from: u64, to: u64) {
    for i in from..to {
        js.publish(format!("plays_test.user{}", i % 3), i.to_string().into()).await.unwrap().await.unwrap();
    }
}

async fn count(view: &View) -> anyhow::Result<u64> {
    let n: Vec<serde_json::Value> = view.query("SELECT count() AS n FROM play GROUP ALL", json!({})).await?;
    Ok(n.first().and_then(|r| r["n"].as_u64()).unwrap_or(0))
}

async fn rows(view: &View) -> u64 {
    count(view).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_view_catches_up_resumes_and_follows() {
    let server = NatsServer::start().unwrap();
    let js = jetstream::new(server.connect().await.unwrap());
    let s = js
        .create_stream(stream::Config {
            name: "plays_test".into(),
            subjects: vec!["plays_test.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    publish(&js, 0, 150).await;
    let dir = tempfile::tempdir().unwrap();
    let spec = ViewSpec::SurrealKv(dir.path().join("plays"));

    {
        let view = View::open(&spec, "plays").await.unwrap();
        let plays = Plays::default();
        assert_eq!(catch_up(&Source::Stream(s.clone()), &view, &plays).await.unwrap(), 150);
        assert_eq!((view.applied(), plays.seen.load(Ordering::SeqCst), rows(&view).await), (150, 150, 150));
    }

    // Restarted on disk: only what came since is applied.
    publish(&js, 150, 160).await;
    let view = Arc::new(View::open(&spec, "plays").await.unwrap());
    assert_eq!(view.applied(), 150);
    let plays = Arc::new(Plays::default());
    assert_eq!(catch_up(&Source::Stream(s.clone()), &view, plays.as_ref()).await.unwrap(), 10);
    assert_eq!((view.applied(), plays.seen.load(Ordering::SeqCst), rows(&view).await), (160, 160, 160));

    // Live: the supervised projector follows new messages.
    let (fatal, _) = tokio::sync::mpsc::unbounded_channel();
    let args = SupervisorArgs {
        service: "plays".into(),
        children: vec![projector_child("plays", Source::Stream(s.clone()), view.clone(), plays.clone())],
        policy: RestartPolicy {
            budget: 5,
            window: Duration::from_secs(10),
            backoff: Duration::from_millis(10),
            backoff_max: Duration::from_millis(100),
        },
        fatal,
        restarts: Default::default(),
    };
    let (_supervisor, _) = ractor::Actor::spawn(None, ServiceSupervisor, args).await.unwrap();
    publish(&js, 160, 170).await;
    assert!(view.wait_for(170, Instant::now() + Duration::from_secs(10)).await, "applied {}", view.applied());
    assert_eq!((plays.seen.load(Ordering::SeqCst), rows(&view).await), (170, 170));
}
