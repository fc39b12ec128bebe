//! The request benchmark; see the crate docs.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chorus_host::host::RunningHost;
use chorus_nats::messages::catalog::{Track, TrackGet};
use chorus_nats::ChorusClient;
use chorus_testkit::{host_config, NatsServer};

use crate::load::{closed_loop, Figures};

use crate::echo::ECHO;

#[derive(clap::Args)]
pub(crate) struct Options {
    /// Seconds measured per point.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Requests in flight, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    in_flight: Vec<usize>,
    /// Tracks in the catalog.
    #[arg(long, default_value_t = 1000)]
    tracks: usize,
    /// Worker actors of the catalog service (the node's default).
    #[arg(long, default_value_t = chorus_host::Config::default().workers)]
    workers: usize,
}

pub(crate) async fn run(o: Options) -> anyhow::Result<()> {
    let server = NatsServer::start()?;
    let nats = server.connect().await?;
    chorus_nodes::seed::run(nats.clone(), o.tracks, 7, 1).await.context("seeding the catalog")?;
    let seeded = chorus_catalog::synthetic::tracks(o.tracks, 7);
    let ids: Arc<Vec<uuid::Uuid>> = Arc::new(seeded.iter().map(|t| t.id).collect());

    // The baseline: a raw async-nats responder that replies with a stored track's bytes.
    crate::echo::start(&nats, chorus_nats::Encoding::MsgPack.encode(&seeded[0])?).await?;

    let mut config = host_config(&server.url(), &["catalog"]);
    config.workers = o.workers;
    config.log_level = "warn".into();
    chorus_host::telemetry::init(&config);
    let host = RunningHost::start(config, &chorus_nodes::registry()).await?;

    let client_conn = server.connect().await?;
    let client = ChorusClient::new(client_conn.clone());
    let measure = Duration::from_secs_f64(o.seconds);
    let warmup = Duration::from_millis(500);
    println!(
        "request benchmark: one nats-server, {} tracks, {:.1} s a point (release build: {})",
        o.tracks,
        o.seconds,
        !cfg!(debug_assertions)
    );
    println!(
        "{:>9} | {:>22} | {:>22} | {:>12} {:>10}",
        "in flight", "raw echo req/s p50/p99", "track.get req/s p50/p99", "ratio req/s", "ratio p99"
    );
    for &n in &o.in_flight {
        let raw = || {
            let nats = client_conn.clone();
            closed_loop(n, warmup, measure, move |_| {
                let nats = nats.clone();
                async move { nats.request(ECHO, "x".into()).await.is_ok() }
            })
        };
        // Raw requests carrying the two headers every Chorus request carries
        // (Chorus-Deadline, traceparent): what the protocol's headers cost.
        let headed = {
            let nats = client_conn.clone();
            closed_loop(n, warmup, measure, move |_| {
                let nats = nats.clone();
                async move {
                    let mut h = async_nats::HeaderMap::new();
                    h.insert(
                        chorus_nats::headers::DEADLINE,
                        (chorus_nats::clock::now_ms() + 2000).to_string().as_str(),
                    );
                    h.insert(
                        chorus_nats::headers::TRACEPARENT,
                        chorus_nats::trace::TraceContext::new().header().as_str(),
                    );
                    nats.request_with_headers(ECHO, h, "x".into()).await.is_ok()
                }
            })
            .await
        };
        // The typed client (headers, MessagePack decode) against the raw echo:
        // what the client costs, apart from the runtime.
        let typed = {
            let client = client.clone();
            closed_loop(n, warmup, measure, move |_| {
                let client = client.clone();
                async move {
                    client
                        .request_raw(ECHO, bytes::Bytes::from_static(b"\x81\xa2id\xa0"), Default::default())
                        .await
                        .is_ok_and(|b| chorus_nats::Encoding::MsgPack.decode::<Track>(&b).is_ok())
                }
            })
            .await
        };
        let svc = || {
            let (client, ids) = (client.clone(), ids.clone());
            closed_loop(n, warmup, measure, move |i| {
                let (client, ids) = (client.clone(), ids.clone());
                async move {
                    let id = ids[(i as usize) % ids.len()];
                    client.call(&TrackGet { id }).await.is_ok()
                }
            })
        };
        // Raw and track.get alternate, twice, so that machine noise hits both alike.
        let (raw_1, svc_1) = (raw().await, svc().await);
        let (raw_2, svc_2) = (raw().await, svc().await);
        let (raw, svc) = (raw_1.merge(raw_2), svc_1.merge(svc_2));
        println!(
            "{:>9} | {:>8.0} {:>6.0}µs {:>6.0}µs | {:>8.0} {:>6.0}µs {:>6.0}µs | {:>12.2} {:>10.2}",
            n,
            raw.rate(),
            raw.p(0.5),
            raw.p(0.99),
            svc.rate(),
            svc.p(0.5),
            svc.p(0.99),
            svc.rate() / raw.rate(),
            svc.p(0.99) / raw.p(0.99),
        );
        println!(
            "{:>9} | raw echo with the Chorus headers: {:.0} req/s ({:.2} of raw), p99 {:.0}µs",
            "",
            headed.rate(),
            headed.rate() / raw.rate(),
            headed.p(0.99)
        );
        println!(
            "{:>9} | typed client against the raw echo: {:.0} req/s ({:.2} of raw), p99 {:.0}µs",
            "",
            typed.rate(),
            typed.rate() / raw.rate(),
            typed.p(0.99)
        );
        report_errors("raw", &raw);
        report_errors("typed client", &typed);
        report_errors("track.get", &svc);
    }
    println!("targets at 64 in flight: ratio req/s >= 0.60, ratio p99 <= 2.00");
    // Before the server goes: a host outliving it logs its lost connection.
    host.drain().await
}

fn report_errors(what: &str, f: &Figures) {
    if f.errors > 0 {
        println!("  {what}: {} of {} requests failed", f.errors, f.requests);
    }
}
