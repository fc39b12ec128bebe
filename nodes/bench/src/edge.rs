//! An edge site's footprint (issue 18): a hub and a site from
//! `nats/conf/edge` on loopback, the hub's catalog seeded with `--tracks`
//! synthetic tracks and served by a hub node, then a site node (catalog,
//! search, stream, recommend, as `scripts/edge.sh` runs it) started as a
//! process. Printed: the site node's start-to-ready time, the time until its
//! mirrors and views hold every track, the resident memory of the site's
//! nats-server and node (the target: at most 256 MB for the pair at 10,000
//! tracks), and the node binary's size.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chorus_testkit::edge::Edge;
use chorus_testkit::http::until;
use chorus_testkit::ChildNode;

use crate::memory::{rss_mib, rss_parts_mib};

#[derive(clap::Args)]
pub(crate) struct Options {
    /// Synthetic tracks in the hub's catalog.
    #[arg(long, default_value_t = 10_000)]
    tracks: usize,
    /// The services the site's node hosts (to see what each one costs).
    #[arg(long, default_value = "catalog,search,stream,recommend")]
    site_services: String,
    /// Seconds to wait after the catch-up before reading resident memory.
    #[arg(long, default_value_t = 2.0)]
    settle_s: f64,
}

/// A node process on `url` hosting `services`, its probes on `http`.
fn node(
    bin: &PathBuf,
    url: &str,
    services: &str,
    http: SocketAddr,
    extra: &[(&str, &str)],
) -> anyhow::Result<ChildNode> {
    let keys = chorus_auth::keys::SigningKeys::generate();
    let http = http.to_string();
    let mut env = vec![
        ("CHORUS_NATS_USER", "service"),
        ("CHORUS_NATS_PASSWORD", "service-test"),
        ("CHORUS_AUTH__SIGNING_KEYS", keys.as_str()),
        ("CHORUS_SUBSONIC__LISTEN", "127.0.0.1:0"),
        ("CHORUS_HTTP_LISTEN", http.as_str()),
        ("CHORUS_LOG_LEVEL", "error"),
    ];
    env.extend_from_slice(extra);
    ChildNode::start(bin, url, services, &env)
}

/// The value of the metric line starting `prefix` (`name{labels}`).
fn metric(body: &str, prefix: &str) -> Option<f64> {
    body.lines().find_map(|l| l.strip_prefix(prefix)?.trim().parse().ok())
}

pub(crate) async fn run(o: Options) -> anyhow::Result<()> {
    let bin = std::env::current_exe()?.with_file_name("chorus-node");
    anyhow::ensure!(bin.exists(), "{} is missing: cargo build -p chorus-nodes --bin chorus-node", bin.display());
    let edge = tokio::task::block_in_place(Edge::start)?;
    let hub = edge.hub.connect_service().await?;
    let seeded = Instant::now();
    chorus_nodes::seed::run(hub.clone(), o.tracks, 42, 1).await.context("seeding the hub's catalog")?;
    println!(
        "edge footprint: {} synthetic tracks at the hub (seeded in {:.1} s)",
        o.tracks,
        seeded.elapsed().as_secs_f64()
    );
    let hub_http = chorus_testkit::http::free_addr();
    let hub_node = node(&bin, &edge.hub.url(), "all", hub_http, &[])?;
    let took = tokio::task::block_in_place(|| until(hub_http, "/readyz", Duration::from_secs(300), |_| true))?;
    println!("hub node ready in {:.2} s", took.as_secs_f64());

    let site_http = chorus_testkit::http::free_addr();
    let site_node = node(
        &bin,
        &edge.site.url(),
        &o.site_services,
        site_http,
        &[("CHORUS_HUB_DOMAIN", "hub"), ("CHORUS_UPLINK_CHECK_MS", "500")],
    )?;
    let ready = tokio::task::block_in_place(|| until(site_http, "/readyz", Duration::from_secs(300), |_| true))?;
    // Every track mirrored and in every view: the catalog mirror has nothing
    // left to fetch, and no view is behind it.
    let catalog = o.site_services.split(',').any(|s| s.trim() == "catalog");
    let caught_up = tokio::task::block_in_place(|| {
        until(site_http, "/metrics", Duration::from_secs(600), |body| {
            let mirrored = metric(body, "chorus_mirror_lag{stream=\"KV_chorus_catalog\"}") == Some(0.0)
                && (!catalog
                    || metric(body, "chorus_view_applied_sequence{service=\"catalog\",view=\"catalog\"}")
                        .unwrap_or(0.0)
                        > 0.0);
            let behind = body.lines().filter(|l| l.starts_with("chorus_view_lag{")).any(|l| !l.ends_with(" 0"));
            mirrored && !behind
        })
    })?;
    let caught_up = caught_up + ready;
    // Settled: a moment for the allocator after the catch-up.
    tokio::time::sleep(Duration::from_secs_f64(o.settle_s)).await;
    let (server_rss, node_rss) = (rss_mib(edge.site.pid()), rss_mib(site_node.pid()));
    let binary = std::fs::metadata(&bin)?.len() as f64 / (1024.0 * 1024.0);
    println!();
    println!("| site, {} tracks | figure | target |", o.tracks);
    println!("|---|---|---|");
    println!("| site node start to ready | {:.2} s | |", ready.as_secs_f64());
    println!("| start to every track mirrored and in every view | {:.2} s | |", caught_up.as_secs_f64());
    println!("| site nats-server resident | {server_rss:.0} MiB | |");
    let (anon, file) = rss_parts_mib(site_node.pid());
    println!(
        "| site node resident ({}) | {node_rss:.0} MiB ({anon:.0} MiB heap and anonymous, {file:.0} MiB mapped files: its code) | |",
        o.site_services
    );
    println!(
        "| the pair | **{:.0} MiB** | ≤ 256 MB ({}) |",
        server_rss + node_rss,
        if (server_rss + node_rss) * 1.048_576 <= 256.0 { "met" } else { "not met" }
    );
    println!("| chorus-node binary ({}) | {binary:.0} MiB | |", bin.display());
    let (anon, file) = rss_parts_mib(hub_node.pid());
    println!(
        "| the hub's node (every service, the same catalog) | {:.0} MiB ({anon:.0} MiB heap and anonymous, {file:.0} MiB mapped files) | |",
        rss_mib(hub_node.pid())
    );
    Ok(())
}
