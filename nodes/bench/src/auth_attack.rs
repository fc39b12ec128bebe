//! Sign-in under attack: a listener signs in every `--interval-ms` alone,
//! then again while many connections spray wrong passwords across every
//! account and others register accounts as fast as they are answered. Prints
//! what the attack got (answers by code, passwords actually checked) and the
//! listener's sign-in latency in both phases of the same run.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chorus_host::host::RunningHost;
use chorus_nats::messages::auth::{Login, Register, Session, User};
use chorus_nats::{subjects, ChorusClient, ClientError};
use chorus_testkit::{host_config, NatsServer};
use hdrhistogram::Histogram;

use crate::load::histogram;

#[derive(clap::Args)]
pub(crate) struct Options {
    /// Attacking connections spraying wrong passwords.
    #[arg(long, default_value_t = 64)]
    attackers: usize,
    /// Connections registering accounts.
    #[arg(long, default_value_t = 8)]
    registrars: usize,
    /// Accounts sprayed.
    #[arg(long, default_value_t = 200)]
    accounts: usize,
    /// Seconds of each phase.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// The listener signs in this often.
    #[arg(long, default_value_t = 250)]
    interval_ms: u64,
}

/// Answers by code.
type Tally = Arc<Mutex<BTreeMap<String, u64>>>;

fn count(tally: &Tally, outcome: &Result<impl Sized, ClientError>) {
    let key = match outcome {
        Ok(_) => "ok".to_string(),
        Err(e) => match (e.status(), e.code()) {
            (Some(s), Some(c)) => format!("{} {c}", s.code()),
            _ => format!("{e}"),
        },
    };
    *tally.lock().unwrap_or_else(|p| p.into_inner()).entry(key).or_default() += 1;
}

pub(crate) async fn run(o: Options) -> anyhow::Result<()> {
    println!("auth attack benchmark (release build: {})", !cfg!(debug_assertions));
    let server = NatsServer::start()?;
    let mut config = host_config(&server.url(), &["auth"]);
    config.log_level = "error".into();
    config
        .sections
        .insert("auth".into(), serde_json::json!({"signing_keys": chorus_auth::keys::SigningKeys::generate()}));
    let host = RunningHost::start(config, &chorus_nodes::registry()).await?;
    let admin = ChorusClient::new(server.connect().await?).with_timeout(Duration::from_secs(60));
    let password = "the listener's own password".to_string();
    for i in 0..=o.accounts {
        let username = if i == 0 { "listener".to_string() } else { format!("sprayed{i}") };
        let req = Register { username, email: format!("u{i}@chorus.test"), password: password.clone() };
        let _: User = admin.call(&req).await.context("registering")?;
    }
    let phase = Duration::from_secs_f64(o.seconds);
    let listener = ChorusClient::new(server.connect().await?).with_timeout(Duration::from_secs(10));
    let login = Login { username: "listener".into(), password };

    let (alone, alone_failed) = sign_ins(&listener, &login, phase, o.interval_ms).await;
    report("listener alone", &alone, alone_failed);

    let until = Instant::now() + phase;
    let (attack, registered) = (Tally::default(), Tally::default());
    let mut tasks = Vec::new();
    for a in 0..o.attackers {
        let c = ChorusClient::new(server.connect().await?).with_timeout(Duration::from_secs(10));
        let (tally, accounts) = (attack.clone(), o.accounts);
        tasks.push(tokio::spawn(async move {
            let mut i = a;
            while Instant::now() < until {
                i = i.wrapping_mul(31).wrapping_add(7);
                let guess = Login { username: format!("sprayed{}", 1 + i % accounts), password: format!("guess {i}") };
                let r = c.call(&guess).await;
                count(&tally, &r);
            }
        }));
    }
    for r in 0..o.registrars {
        let c = ChorusClient::new(server.connect().await?).with_timeout(Duration::from_secs(10));
        let tally = registered.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while Instant::now() < until {
                n += 1;
                let req = Register {
                    username: format!("reg{r}x{n}"),
                    email: format!("reg{r}x{n}@chorus.test"),
                    password: "a registration password".into(),
                };
                count(&tally, &c.call(&req).await);
            }
        }));
    }
    let (attacked, attacked_failed) = sign_ins(&listener, &login, phase, o.interval_ms).await;
    for t in tasks {
        let _ = t.await;
    }
    report("listener under attack", &attacked, attacked_failed);
    let seconds = phase.as_secs_f64();
    for (what, tally) in [("spraying logins", &attack), ("registrations", &registered)] {
        let tally = tally.lock().unwrap_or_else(|p| p.into_inner());
        let total: u64 = tally.values().sum();
        println!(
            "  {what}: {:.0} answered/s from {} connections",
            total as f64 / seconds,
            if what.starts_with('s') { o.attackers } else { o.registrars }
        );
        for (code, n) in tally.iter() {
            println!("    {code:<32} {n:>8}  ({:.0}/s)", *n as f64 / seconds);
        }
    }
    println!(
        "listener sign-in p99 under attack / alone: {:.2} ({:.0} ms / {:.0} ms); target: p99 under 2 s, every sign-in answered",
        attacked.value_at_quantile(0.99) as f64 / alone.value_at_quantile(0.99) as f64,
        attacked.value_at_quantile(0.99) as f64 / 1000.0,
        alone.value_at_quantile(0.99) as f64 / 1000.0,
    );
    host.drain().await?;
    Ok(())
}

/// Sign in every `interval_ms` for `phase`: latencies, and how many failed.
async fn sign_ins(c: &ChorusClient, login: &Login, phase: Duration, interval_ms: u64) -> (Histogram<u64>, u64) {
    let (mut h, mut failed) = (histogram(), 0);
    let until = Instant::now() + phase;
    let mut tick = tokio::time::interval(Duration::from_millis(interval_ms));
    while Instant::now() < until {
        tick.tick().await;
        let sent = Instant::now();
        if c.request::<_, Session>(subjects::auth::session_login(), login).await.is_err() {
            failed += 1;
        }
        let _ = h.record(sent.elapsed().as_micros().max(1) as u64);
    }
    (h, failed)
}

fn report(what: &str, h: &Histogram<u64>, failed: u64) {
    println!(
        "  {what:<24} {:>4} sign-ins, {failed} failed   p50 {:>7.1} ms   p99 {:>7.1} ms   max {:>7.1} ms",
        h.len(),
        h.value_at_quantile(0.5) as f64 / 1000.0,
        h.value_at_quantile(0.99) as f64 / 1000.0,
        h.max() as f64 / 1000.0,
    );
}
