//! The auth benchmark: login throughput (argon2id at OWASP's parameters
//! dominates it), and what token verification costs every other service:
//! `track.get` with an access token (sign-in required) against public
//! `track.get`, at the same concurrency, alternating A B A B in one run.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chorus_host::host::RunningHost;
use chorus_nats::messages::auth::{Login, Register, Session};
use chorus_nats::messages::catalog::TrackGet;
use chorus_nats::ChorusClient;
use chorus_testkit::{host_config, NatsServer};

use crate::load::{closed_loop, Figures};

#[derive(clap::Args)]
pub(crate) struct Options {
    /// Tracks in the synthetic catalog.
    #[arg(long, default_value_t = 10_000)]
    tracks: usize,
    /// Seconds measured per point.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Requests in flight for the track.get points.
    #[arg(long, default_value_t = 64)]
    in_flight: usize,
    /// Logins in flight.
    #[arg(long, default_value_t = 8)]
    login_in_flight: usize,
    /// Rounds of public then authenticated track.get.
    #[arg(long, default_value_t = 2)]
    rounds: usize,
}

async fn start(server: &NatsServer, services: &[&str], sign_in: bool, keys: &str) -> anyhow::Result<RunningHost> {
    let mut config = host_config(&server.url(), services);
    config.log_level = "warn".into();
    config.sections.insert("catalog".into(), serde_json::json!({"require_sign_in": sign_in}));
    config.sections.insert("auth".into(), serde_json::json!({"signing_keys": keys}));
    RunningHost::start(config, &chorus_nodes::registry()).await
}

pub(crate) async fn run(o: Options) -> anyhow::Result<()> {
    println!("auth benchmark (release build: {})", !cfg!(debug_assertions));
    let server = NatsServer::start()?;
    let nats = server.connect().await?;
    chorus_nodes::seed::run(nats.clone(), o.tracks, 11, 1).await.context("seeding")?;
    let keys = chorus_auth::keys::SigningKeys::generate();
    let auth = start(&server, &["auth"], false, &keys).await?;
    let client = ChorusClient::new(nats.clone()).with_timeout(Duration::from_secs(30));
    let password = "a benchmark password".to_string();
    // Each login slot is a listener of its own on a connection of its own,
    // as logins arrive: attempts are reserved per account and per connection
    // before hashing, so one account signing in many times at once would
    // measure the limiter, not the hashing.
    let mut slots = Vec::new();
    for i in 0..o.login_in_flight.max(1) {
        let username = format!("bench{i}");
        let register = Register {
            username: username.clone(),
            email: format!("{username}@chorus.test"),
            password: password.clone(),
        };
        let _: chorus_nats::messages::auth::User = client.call(&register).await?;
        let c = ChorusClient::new(server.connect().await?).with_timeout(Duration::from_secs(30));
        slots.push((c, Login { username, password: password.clone() }));
    }
    let slots = Arc::new(slots);

    let measure = Duration::from_secs_f64(o.seconds);
    let login = slots[0].1.clone();
    let logins = {
        let slots = slots.clone();
        let in_flight = slots.len();
        closed_loop(in_flight, Duration::from_millis(500), measure, move |i| {
            let (client, login) = slots[i as usize % in_flight].clone();
            async move { client.call(&login).await.is_ok() }
        })
        .await
    };
    report("login (argon2id m=19 MiB, t=2, p=1)", &logins);
    let session: Session = client.call(&login).await?;

    let ids: Arc<Vec<uuid::Uuid>> =
        Arc::new(chorus_catalog::synthetic::tracks(o.tracks, 11).iter().map(|t| t.id).collect());
    let get = |client: ChorusClient| {
        let ids = ids.clone();
        move |i: u64| {
            let (client, id) = (client.clone(), ids[i as usize % ids.len()]);
            async move { client.call(&TrackGet { id }).await.is_ok() }
        }
    };
    // Three ways to ask, alternated so that machine noise hits them alike:
    // public without a token (what an anonymous browser sends), public with
    // the token's header (the same bytes on the wire, nothing verified), and
    // sign-in required (the token verified on every request).
    let kinds = ["public, no token", "public, token sent but unchecked", "sign-in required, token checked"];
    let mut figures: [Vec<Figures>; 3] = Default::default();
    for round in 0..o.rounds {
        for (k, kind) in kinds.iter().enumerate() {
            let host = start(&server, &["catalog"], k == 2, &keys).await?;
            let mut c = ChorusClient::new(server.connect().await?);
            if k > 0 {
                c = c.with_token(session.access_token.as_str());
            }
            let f = closed_loop(o.in_flight, Duration::from_millis(500), measure, get(c)).await;
            report(&format!("round {} track.get, {kind}", round + 1), &f);
            figures[k].push(f);
            host.drain().await?;
        }
    }
    auth.drain().await?;
    let rate = |v: &[Figures]| v.iter().map(Figures::rate).sum::<f64>() / v.len() as f64;
    let p99 = |v: &[Figures]| v.iter().map(|f| f.p(0.99)).sum::<f64>() / v.len() as f64;
    println!("access token: {} bytes", session.access_token.len());
    for (base, what) in [(0, "public without a token"), (1, "public with the same header")] {
        println!(
            "authenticated / {what}, {} in flight: req/s ratio {:.2}, p99 ratio {:.2}",
            o.in_flight,
            rate(&figures[2]) / rate(&figures[base]),
            p99(&figures[2]) / p99(&figures[base])
        );
    }
    println!("target: req/s ratio >= 0.90");
    Ok(())
}

fn report(what: &str, f: &Figures) {
    println!(
        "  {what:<45} {:>9.0} req/s   p50 {:>6.0} µs   p99 {:>6.0} µs   errors {}",
        f.rate(),
        f.p(0.5),
        f.p(0.99),
        f.errors
    );
}
