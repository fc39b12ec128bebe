//! Job consumption through a real nats-server: two instances share one durable
//! consumer; one is killed mid-way; every job is handled, none lost, none
//! taking effect twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, kv};
use chorus_host::supervisor::{RestartPolicy, ServiceSupervisor, SupervisorArgs, SupervisorMsg};
use chorus_state::jobs::{job_child, Job, JobHandler, JobQueue};
use chorus_testkit::NatsServer;
use ractor::{Actor, ActorRef};

const JOBS: u64 = 200;

fn queue() -> JobQueue {
    JobQueue {
        stream: "jobtest_jobs".into(),
        subjects: vec!["jobtest.jobs.>".into()],
        durable: "jobtest".into(),
        ack_wait: Duration::from_secs(1),
        retry_delay: Duration::from_millis(50),
        replicas: 1,
        retention: async_nats::jetstream::stream::RetentionPolicy::WorkQueue,
        max_ack_pending: 0,
    }
}

/// Handled jobs by instance, and effects that actually took place by job id.
#[derive(Default)]
struct Ledger {
    handled: HashMap<&'static str, u64>,
    effects: HashMap<u64, u32>,
}

fn handler(name: &'static str, done: kv::Store, ledger: Arc<Mutex<Ledger>>) -> JobHandler {
    Arc::new(move |job: Job| {
        let (done, ledger) = (done.clone(), ledger.clone());
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            // The effect is keyed on the job id: a redelivered job finds it done.
            let took_effect = match done.create(format!("done.{}", job.id), job.payload.clone()).await {
                Ok(_) => true,
                Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => false,
                Err(e) => return Err(e.into()),
            };
            let mut l = ledger.lock().unwrap();
            *l.handled.entry(name).or_default() += 1;
            if took_effect {
                *l.effects.entry(job.id).or_default() += 1;
            }
            Ok(())
        })
    })
}

async fn instance(
    server: &NatsServer,
    name: &'static str,
    done: kv::Store,
    ledger: Arc<Mutex<Ledger>>,
) -> ActorRef<SupervisorMsg> {
    let js = jetstream::new(server.connect().await.unwrap());
    let (fatal, _) = tokio::sync::mpsc::unbounded_channel();
    let args = SupervisorArgs {
        service: name.into(),
        children: vec![job_child(name, js, queue(), handler(name, done, ledger))],
        policy: RestartPolicy {
            budget: 10,
            window: Duration::from_secs(10),
            backoff: Duration::from_millis(10),
            backoff_max: Duration::from_millis(100),
        },
        fatal,
        restarts: Default::default(),
    };
    Actor::spawn(None, ServiceSupervisor, args).await.unwrap().0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_job_once_across_a_killed_instance() {
    let server = NatsServer::start().unwrap();
    let js = jetstream::new(server.connect().await.unwrap());
    let done = js.create_key_value(kv::Config { bucket: "jobtest_done".into(), ..Default::default() }).await.unwrap();
    queue().ensure(&js).await.unwrap();
    for i in 0..JOBS {
        js.publish(format!("jobtest.jobs.{i}"), i.to_string().into()).await.unwrap().await.unwrap();
    }
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let a = instance(&server, "a", done.clone(), ledger.clone()).await;
    let _b = instance(&server, "b", done.clone(), ledger.clone()).await;

    // Kill A once both have worked a while: whatever it held unacknowledged comes back to B.
    let start = Instant::now();
    while ledger.lock().unwrap().handled.get("a").copied().unwrap_or(0) < 20 {
        assert!(start.elapsed() < Duration::from_secs(20), "instance a never got work");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    a.kill();

    let start = Instant::now();
    loop {
        // Fresh state (kv::Store::status is cached at open).
        let values = done.stream.get_info().await.unwrap().state.messages;
        if values >= JOBS {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "only {values} of {JOBS} jobs done");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Every job took effect once: one record per job (a KV create cannot make two),
    // and no handler saw its own create succeed twice.
    let mut keys: Vec<String> = futures::TryStreamExt::try_collect(done.keys().await.unwrap()).await.unwrap();
    keys.sort();
    let mut expected: Vec<String> = (1..=JOBS).map(|id| format!("done.{id}")).collect();
    expected.sort();
    assert_eq!(keys, expected);
    let l = ledger.lock().unwrap();
    assert!(l.handled["a"] > 0 && l.handled["b"] > 0, "{:?}", l.handled);
    assert!(l.effects.values().all(|n| *n == 1), "a job took effect twice");
}
