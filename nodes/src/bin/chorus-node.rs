//! `chorus-node`: hosts any set of Chorus services.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// mimalloc: the request path allocates per message, and glibc malloc costs
/// about a fifth of the throughput there (chorus-bench request).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Host Chorus services on one NATS connection.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// TOML configuration file (also `CHORUS_CONFIG`).
    #[arg(long, env = "CHORUS_CONFIG")]
    config: Option<PathBuf>,
    /// Services to host, comma separated, or `all` (overrides the config).
    #[arg(long, value_delimiter = ',')]
    services: Option<Vec<String>>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut config = match chorus_host::Config::load(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("chorus-node: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(services) = args.services {
        config.services = services;
    }
    chorus_host::telemetry::init(&config);
    match chorus_host::run(config, &chorus_nodes::registry(), chorus_host::shutdown::signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("chorus-node stopped: {e:#}");
            ExitCode::FAILURE
        }
    }
}
