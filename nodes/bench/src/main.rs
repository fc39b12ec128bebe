//! `chorus-bench`: benchmarks that print figures against a baseline measured in the same run.
//!
//! `cargo run --release -p chorus-bench -- request` compares a raw async-nats
//! echo responder with `catalog.track.get` through the full runtime, on one
//! nats-server, at 1, 16 and 64 requests in flight.
//! `cargo run --release -p chorus-bench -- catalog` measures the catalog view
//! (rebuild, time to ready, restart from disk), reads and memory.
//! `cargo run --release -p chorus-bench -- auth` measures logins and what
//! token verification costs an authenticated read; `auth-attack` a
//! listener's sign-in while many connections spray passwords and register.
//! `cargo run --release -p chorus-bench -- search` runs the FTS5 anchor and
//! compares search with it on the same catalog and queries.
//! `cargo run --release -p chorus-bench -- names` measures search's hit@3 on
//! real-world name shapes ("and" for "&", symbols, transpositions, typos).
//! `cargo run --release -p chorus-bench -- recommend` compares the trainer
//! with the recsys anchors on MovieLens-100k, then serves a synthetic world
//! of 100,000 tracks and 1,000,000 plays.
//! `cargo run --release -p chorus-bench -- edge` measures an edge site's
//! footprint: start to ready, catch-up, resident memory at 10,000 tracks.
//! `cargo run -p chorus-bench -- faults` kills nodes and servers under a
//! mixed load and counts the acknowledged writes lost (must be 0).

mod anchor;
mod auth;
mod auth_attack;
mod catalog;
mod echo;
mod edge;
mod faults;
mod load;
mod memory;
mod names;
mod payment;
mod recommend;
mod request;
mod search;
mod stream;
mod subsonic;

use clap::{Parser, Subcommand};

/// The same allocator as chorus-node, set as it sets it (`main`), so the figures are the node's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about)]
struct Args {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Request/reply: raw echo against catalog.track.get through the runtime.
    Request(request::Options),
    /// Catalog: view rebuild, time to ready, reads against raw, memory.
    Catalog(catalog::Options),
    /// Auth: login throughput, and authenticated against public track.get.
    Auth(auth::Options),
    /// Auth under attack: sign-in latency alone and while many connections spray passwords and register.
    AuthAttack(auth_attack::Options),
    /// Stream: chunk throughput for concurrent listeners against direct object-store reads.
    Stream(stream::Options),
    /// Search: index build, latency and hit@10 against SQLite FTS5 (the anchor).
    Search(search::Options),
    /// Payment: subscribe against the raw echo, and a pile of subscriptions renewed at one instant by two instances.
    Payment(payment::Options),
    /// Recommend: offline quality against the anchors (MovieLens-100k), and mixes and radio at scale against the raw echo.
    Recommend(recommend::Options),
    /// Edge: a site's start-to-ready, catch-up and resident memory (server and node) at the given catalog size.
    Edge(edge::Options),
    /// Faults: kill nodes and servers under a mixed load, then read back every acknowledged write (lost must be 0).
    Faults(faults::Options),
    /// Subsonic: a whole-library search3 sync, getAlbumList2 latency, and stream over HTTP against the NATS path.
    Subsonic(subsonic::Options),
    /// Names: hit@3 per shape of real-world names ("and" for "&", symbols, typos) among synthetic noise.
    Names(names::Options),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    chorus_nodes::allocator::return_freed_memory_soon();
    match Args::parse().bench {
        Bench::Request(o) => request::run(o).await,
        Bench::Catalog(o) => catalog::run(o).await,
        Bench::Auth(o) => auth::run(o).await,
        Bench::AuthAttack(o) => auth_attack::run(o).await,
        Bench::Stream(o) => stream::run(o).await,
        Bench::Search(o) => search::run(o).await,
        Bench::Names(o) => names::run(o).await,
        Bench::Subsonic(o) => subsonic::run(o).await,
        Bench::Payment(o) => payment::run(o).await,
        Bench::Recommend(o) => recommend::run(o).await,
        Bench::Faults(o) => faults::run(o).await,
        Bench::Edge(o) => edge::run(o).await,
    }
}
