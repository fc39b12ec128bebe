//! The runtime under stress, through the wire: overload, crashes, restarts, drain.

use crate::support;

use std::time::Duration;

use chorus_host::host::RunningHost;
use chorus_host::Config;
use chorus_nats::{ChorusClient, ClientError, Status};
use chorus_testkit::{host_config, NatsServer};
use support::probe::{self, Echo, Sleep};

async fn probe_host(server: &NatsServer, tune: impl FnOnce(&mut Config)) -> RunningHost {
    let mut config = host_config(&server.url(), &["probe"]);
    tune(&mut config);
    RunningHost::start(config, probe::REGISTRY).await.expect("probe host")
}

fn echo(text: &str) -> Echo {
    Echo { text: text.into() }
}

#[tokio::test]
async fn a_full_queue_answers_503_at_once() {
    let server = NatsServer::start().unwrap();
    let _host = probe_host(&server, |c| {
        c.workers = 1;
        c.queue_bound = 2;
    })
    .await;
    let client = ChorusClient::new(server.connect().await.unwrap()).with_timeout(Duration::from_secs(5));
    let calls = (0..12).map(|_| {
        let client = client.clone();
        async move { client.request::<_, Sleep>(probe::SLEEP, &Sleep { ms: 300 }).await }
    });
    let results = futures::future::join_all(calls).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let overloaded = results.iter().filter(|r| matches!(r, Err(e) if e.code() == Some("overloaded"))).count();
    assert!(ok >= 1, "{results:?}");
    assert!(overloaded >= 1, "{results:?}");
    assert_eq!(ok + overloaded, 12, "every request answered, none timed out: {results:?}");
    for r in &results {
        if let Err(e) = r {
            assert_eq!(e.status(), Some(Status::Unavailable));
        }
    }
}

#[tokio::test]
async fn a_service_whose_handlers_wait_gets_the_waiting_pool_and_keeps_answering() {
    // Three handlers asleep for 2 s: with one worker the echo behind them
    // cannot answer within 1 s; with the waiting pool it answers at once.
    for (registry, answers) in [(probe::REGISTRY, false), (probe::WAITING, true)] {
        let server = NatsServer::start().unwrap();
        let mut config = host_config(&server.url(), &["probe"]);
        (config.workers, config.waiting_workers) = (1, 8);
        let host = RunningHost::start(config, registry).await.expect("probe host");
        let nats = server.connect().await.unwrap();
        let info: serde_json::Value =
            serde_json::from_slice(&nats.request("$SRV.INFO.probe", "".into()).await.unwrap().payload).unwrap();
        assert_eq!(info["metadata"]["workers"], if answers { "8" } else { "1" });
        let client = ChorusClient::new(nats).with_timeout(Duration::from_secs(20));
        let sleepers: Vec<_> = (0..3)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move { client.request::<_, Sleep>(probe::SLEEP, &Sleep { ms: 2000 }).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let quick =
            client.clone().with_timeout(Duration::from_secs(1)).request::<_, Echo>(probe::ECHO, &echo("quick")).await;
        assert_eq!(quick.is_ok(), answers, "{quick:?}");
        assert!(sleepers.iter().all(|s| !s.is_finished()), "the sleepers were still asleep");
        for s in sleepers {
            s.await.unwrap().expect("every sleeper answered");
        }
        host.drain().await.unwrap();
    }
}

#[tokio::test]
async fn a_crashing_handler_gets_500_and_the_service_keeps_serving() {
    let server = NatsServer::start().unwrap();
    // One worker: serving after a crash proves the worker was restarted.
    let _host = probe_host(&server, |c| {
        c.workers = 1;
        c.restart_backoff_ms = 5;
    })
    .await;
    let client = ChorusClient::new(server.connect().await.unwrap());
    for endpoint in [probe::PANIC, probe::CRASH, probe::PANIC] {
        let e = client.request::<_, Echo>(endpoint, &echo("boom")).await.unwrap_err();
        assert_eq!(e.status(), Some(Status::Internal), "{e:?}");
        assert_eq!(e.code(), Some("internal"));
        let back: Echo = client.request(probe::ECHO, &echo("still here")).await.unwrap();
        assert_eq!(back, echo("still here"));
    }
}

#[tokio::test]
async fn a_spent_restart_budget_stops_the_host_with_an_error() {
    let server = NatsServer::start().unwrap();
    let mut config = host_config(&server.url(), &["doomed"]);
    config.restart_budget = 3;
    config.restart_backoff_ms = 1;
    config.restart_backoff_max_ms = 5;
    let host = RunningHost::start(config, probe::DOOMED).await.expect("starts; its child fails after");
    let outcome = tokio::time::timeout(Duration::from_secs(10), host.serve_until(std::future::pending()))
        .await
        .expect("host stops");
    let error = outcome.expect_err("a spent budget is an error").to_string();
    assert!(error.contains("restart budget spent"), "{error}");
}

#[tokio::test]
async fn crashing_requests_never_spend_the_node_budget() {
    let server = NatsServer::start().unwrap();
    let host = probe_host(&server, |c| {
        c.workers = 2;
        c.restart_budget = 2;
        c.restart_backoff_ms = 1;
    })
    .await;
    let client = ChorusClient::new(server.connect().await.unwrap());
    let serving = tokio::spawn(host.serve_until(std::future::pending()));
    for _ in 0..10 {
        let e = client.request::<_, Echo>(probe::PANIC, &echo("boom")).await.unwrap_err();
        assert_eq!(e.status(), Some(Status::Internal));
    }
    let back: Echo = client.request(probe::ECHO, &echo("alive")).await.unwrap();
    assert_eq!(back, echo("alive"));
    assert!(!serving.is_finished(), "the node keeps running");
    serving.abort();
}

#[tokio::test]
async fn a_passed_deadline_gets_504_and_the_work_is_not_done() {
    let server = NatsServer::start().unwrap();
    let _host = probe_host(&server, |_| {}).await;
    let nats = server.connect().await.unwrap();
    let past = (chorus_nats::clock::now_ms() - 1_000).to_string();
    let msg =
        support::raw(&nats, &probe::COUNT.subject(), &[(chorus_nats::headers::DEADLINE, &past)], b"{\"text\": \"\"}")
            .await;
    let (status, body) = support::error_of(&msg);
    assert_eq!((status, body["code"].as_str()), (504, Some("deadline_exceeded")));
    // The handler ran once, for the request with time left: not for the late one.
    let client = ChorusClient::new(nats);
    let ran: Sleep = client.request(probe::COUNT, &echo("")).await.unwrap();
    assert_eq!(ran.ms, 1);
}

#[tokio::test]
async fn a_handler_past_its_deadline_gets_504() {
    let server = NatsServer::start().unwrap();
    let _host = probe_host(&server, |_| {}).await;
    let nats = server.connect().await.unwrap();
    let deadline = (chorus_nats::clock::now_ms() + 200).to_string();
    let msg =
        support::raw(&nats, &probe::SLEEP.subject(), &[(chorus_nats::headers::DEADLINE, &deadline)], b"{\"ms\": 2000}")
            .await;
    let (status, body) = support::error_of(&msg);
    assert_eq!((status, body["code"].as_str()), (504, Some("deadline_exceeded")));
}

#[tokio::test]
async fn drain_finishes_in_flight_requests_then_leaves() {
    let server = NatsServer::start().unwrap();
    let host = probe_host(&server, |c| c.workers = 4).await;
    let client = ChorusClient::new(server.connect().await.unwrap()).with_timeout(Duration::from_secs(5));
    let calls: Vec<_> = (0..8)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.request::<_, Sleep>(probe::SLEEP, &Sleep { ms: 300 + i }).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    host.drain().await.unwrap();
    // Every request reached the instance before it left, or found nobody:
    // none is dropped half-way (which would be a timeout).
    let mut answered = 0;
    for (i, call) in calls.into_iter().enumerate() {
        match call.await.unwrap() {
            Ok(reply) => {
                assert_eq!(reply.ms, 300 + i as u64);
                answered += 1;
            }
            Err(e) => assert!(matches!(e, ClientError::NoResponders { .. }), "{e:?}"),
        }
    }
    assert!(answered >= 4, "in-flight requests were answered ({answered})");
    let e = client.request::<_, Echo>(probe::ECHO, &echo("anyone?")).await.unwrap_err();
    assert!(matches!(e, ClientError::NoResponders { .. }), "{e:?}");
}

#[tokio::test]
async fn a_reply_past_the_max_payload_is_answered_413_not_silence() {
    let server = NatsServer::start().unwrap();
    let _host = probe_host(&server, |_| {}).await;
    let client = ChorusClient::new(server.connect().await.unwrap()).with_timeout(Duration::from_secs(5));
    let small: Echo = client.request(probe::GROW, &echo("ab")).await.unwrap();
    assert_eq!(small.text.len(), 2 * 4096);
    let e = client.request::<_, Echo>(probe::GROW, &echo(&"x".repeat(300))).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(Status::TooLarge), Some("reply_too_large")), "{e:?}");
}

#[tokio::test]
async fn a_dependency_that_is_down_is_a_503_not_a_crash() {
    let server = NatsServer::start().unwrap();
    let _host = probe_host(&server, |c| c.workers = 1).await;
    let client = ChorusClient::new(server.connect().await.unwrap()).with_timeout(Duration::from_secs(10));
    for _ in 0..3 {
        let e = client.request::<_, Echo>(probe::DOWN, &echo("x")).await.unwrap_err();
        assert_eq!((e.status(), e.code()), (Some(Status::Unavailable), Some("dependency_unavailable")), "{e:?}");
    }
    let back: Echo = client.request(probe::ECHO, &echo("alive")).await.unwrap();
    assert_eq!(back, echo("alive"));
}
