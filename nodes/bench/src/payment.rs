//! The payment benchmark: `subscription.create` (a new idempotency key
//! each) at 16 in flight against the raw echo in the same run, then a
//! pile of subscriptions all due at one instant (the test clock moved past
//! their period end) renewed by two instances: renewals per second, and
//! duplicates (charges, invoices or ledger transactions beyond one per
//! subscription per period), which must be 0.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chorus_host::host::RunningHost;
use chorus_nats::messages::auth::{Claims, Plan, Role, ISSUER};
use chorus_nats::messages::payment::{ClockAdvance, LedgerCheck, MethodAdd, SubscriptionCreate};
use chorus_nats::{ChorusClient, RequestOptions};
use chorus_testkit::{host_config, NatsServer, TestIssuer};
use futures::StreamExt as _;
use uuid::Uuid;

use crate::echo::ECHO;
use crate::load::{closed_loop, report};

#[derive(clap::Args)]
pub(crate) struct Options {
    /// Seconds measured for subscribe and for the raw echo.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Requests in flight for subscribe and the echo.
    #[arg(long, default_value_t = 16)]
    in_flight: usize,
    /// Subscriptions made, then renewed at one instant.
    #[arg(long, default_value_t = 100_000)]
    subscriptions: usize,
}

const DAY_MS: u64 = 24 * 3600 * 1000;

pub(crate) async fn run(o: Options) -> anyhow::Result<()> {
    println!(
        "payment benchmark: {} subscriptions, {} in flight, {} s measured (release build: {})",
        o.subscriptions,
        o.in_flight,
        o.seconds,
        !cfg!(debug_assertions)
    );
    let server = NatsServer::start()?;
    let nats = server.connect().await?;
    crate::echo::start(&nats, bytes::Bytes::from_static(b"{}")).await?;
    let issuer = Arc::new(TestIssuer::publish(&nats).await?);
    let mut hosts = Vec::new();
    for i in 0..2 {
        let mut config = host_config(&server.url(), &["payment"]);
        config.log_level = "warn".into();
        if i == 0 {
            chorus_host::telemetry::init(&config);
        }
        config.sections.insert("payment".into(), serde_json::json!({"test_clock": true, "renewal_tick_ms": 200}));
        hosts.push(RunningHost::start(config, &chorus_nodes::registry()).await?);
    }
    let conn = server.connect().await?;
    let listeners: Arc<Vec<ChorusClient>> = Arc::new(
        (0..o.subscriptions)
            .map(|_| ChorusClient::new(conn.clone()).with_timeout(Duration::from_secs(30)).with_token(token(&issuer)))
            .collect(),
    );

    // Every listener keeps a card first (not measured here).
    let started = Instant::now();
    let added = all(o.subscriptions, 64, {
        let listeners = listeners.clone();
        move |i| {
            let c = listeners[i].clone();
            async move { c.call(&card()).await.is_ok() }
        }
    })
    .await;
    println!("method.add: {added} cards in {:.1} s", started.elapsed().as_secs_f64());

    let measure = Duration::from_secs_f64(o.seconds);
    let warmup = Duration::from_millis(300);
    let raw = {
        let nats = conn.clone();
        closed_loop(o.in_flight, warmup, measure, move |_| {
            let nats = nats.clone();
            async move { nats.request(ECHO, "x".into()).await.is_ok() }
        })
        .await
    };
    let next = Arc::new(AtomicUsize::new(0));
    let subscribed = {
        let (listeners, next) = (listeners.clone(), next.clone());
        closed_loop(o.in_flight, warmup, measure, move |_| {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let c = listeners.get(i).cloned();
            async move {
                match c {
                    Some(c) => subscribe(&c).await,
                    None => false,
                }
            }
        })
        .await
    };
    report("raw echo", &raw, &raw);
    report("subscription.create", &subscribed, &raw);

    // The rest subscribe too (not measured), so every listener has one.
    let from = next.load(Ordering::Relaxed).min(o.subscriptions);
    let rest = all(o.subscriptions - from, 64, {
        let listeners = listeners.clone();
        move |i| {
            let c = listeners[from + i].clone();
            async move { subscribe(&c).await }
        }
    })
    .await;
    let js = async_nats::jetstream::new(conn.clone());
    let before = invoices(&js).await?;
    println!("subscriptions: {} ({} invoices issued)", from.min(o.subscriptions) + rest, before);

    // Every subscription due at once: a month and a day later.
    // An admin's test token lives a minute: one made when it is used.
    let admin = || ChorusClient::new(conn.clone()).with_timeout(Duration::from_secs(120)).with_token(issuer.admin());
    let moved = Instant::now();
    admin().call(&ClockAdvance { ms: 31 * DAY_MS }).await?;
    let target = before * 2;
    let mut last = (before, Instant::now());
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = invoices(&js).await?;
        if now >= target {
            break;
        }
        if now == last.0 && last.1.elapsed() > Duration::from_secs(30) {
            println!("renewals stalled at {} of {}", now - before, before);
            break;
        }
        if now != last.0 {
            last = (now, Instant::now());
        }
    }
    let took = moved.elapsed();
    let renewed = invoices(&js).await? - before;
    let charges = simulator_charges(&js).await?;
    let transactions = messages(&js, "chorus_payment_ledger").await?;
    // The full audit: every transaction and invoice, in one ordered pass each.
    let audited = Instant::now();
    let audit = admin().call(&LedgerCheck {}).await;
    let audit_took = audited.elapsed();
    println!(
        "renewals by 2 instances: {renewed} of {before} in {:.1} s = {:.0} renewals/s",
        took.as_secs_f64(),
        renewed as f64 / took.as_secs_f64()
    );
    println!(
        "charges {charges}, invoices {}, ledger transactions {transactions} (expected {target} each)",
        before + renewed
    );
    match audit {
        Ok(a) => println!(
            "ledger.check of {} transactions and {} invoices in {:.1} s: balanced {}, invoices gapless {}, mismatched {}",
            a.transactions,
            a.invoices,
            audit_took.as_secs_f64(),
            a.balanced,
            a.invoices_gapless,
            a.mismatched_invoices.len()
        ),
        Err(e) => println!("ledger.check failed after {:.1} s: {e}", audit_took.as_secs_f64()),
    }
    println!(
        "duplicate charges: {}, duplicate ledger transactions: {}",
        charges.saturating_sub(before + renewed),
        transactions.saturating_sub(before + renewed)
    );
    for host in hosts {
        host.drain().await?;
    }
    Ok(())
}

/// A listener's access token, valid for the whole run.
fn token(issuer: &TestIssuer) -> String {
    let now = chorus_nats::clock::now_ms() / 1000;
    issuer.sign(&Claims {
        iss: ISSUER.into(),
        sub: Uuid::now_v7(),
        name: "bench".into(),
        roles: vec![Role::Listener],
        plan: Plan::Free,
        sid: Uuid::now_v7(),
        iat: now,
        exp: now + 3 * 3600,
    })
}

fn card() -> MethodAdd {
    MethodAdd {
        number: "4242424242424242".into(),
        exp_month: 12,
        exp_year: 2040,
        cvc: Some("123".into()),
        make_default: true,
    }
}

async fn subscribe(c: &ChorusClient) -> bool {
    let options = RequestOptions { idempotency_key: Some(Uuid::new_v4().to_string()), ..Default::default() };
    let req = SubscriptionCreate { plan: "premium_monthly".into(), method: None };
    c.call_with(&req, options).await.is_ok()
}

/// Run `call(0..n)` with `in_flight` at a time; the successes.
async fn all<F, Fut>(n: usize, in_flight: usize, call: F) -> usize
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let ok = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..in_flight)
        .map(|_| {
            let (call, next, ok) = (call.clone(), next.clone(), ok.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    if call(i).await {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    ok.load(Ordering::Relaxed)
}

/// Invoices issued so far.
async fn invoices(js: &async_nats::jetstream::Context) -> anyhow::Result<usize> {
    messages(js, "chorus_payment_invoices").await
}

/// Messages in `stream`.
async fn messages(js: &async_nats::jetstream::Context, stream: &str) -> anyhow::Result<usize> {
    let mut stream = js.get_stream(stream).await.with_context(|| format!("the stream {stream}"))?;
    Ok(stream.info().await?.state.messages as usize)
}

/// Charges the simulated gateway made (its book's `charge.<id>` records).
async fn simulator_charges(js: &async_nats::jetstream::Context) -> anyhow::Result<usize> {
    let kv = js.get_key_value("chorus_payment_simulator").await.context("the simulator's book")?;
    let mut keys = kv.keys().await?;
    let mut n = 0;
    while let Some(key) = keys.next().await {
        if key?.starts_with("charge.") {
            n += 1;
        }
    }
    Ok(n)
}
