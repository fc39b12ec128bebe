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
    /// Load the configuration, report every key no service reads, and exit:
    /// 0 when all is known, 2 otherwise. Serves nothing.
    #[arg(long)]
    check_config: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    chorus_nodes::allocator::return_freed_memory_soon();
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
    let unknown = match chorus_nodes::config_check::unknown_keys(&config) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("chorus-node: {e}");
            return ExitCode::from(2);
        }
    };
    if args.check_config {
        for key in &unknown {
            println!("{key}");
        }
        if !unknown.is_empty() {
            return ExitCode::from(2);
        }
        println!("configuration ok");
        return ExitCode::SUCCESS;
    }
    chorus_host::telemetry::init(&config);
    // A stray top-level variable may belong to another program (the dev stack
    // exports nats-server's): only keys inside a section are surely typos.
    for key in unknown.iter().filter(|k| k.in_section) {
        tracing::warn!("{key}: ignored");
    }
    match chorus_host::run(config, &chorus_nodes::registry(), chorus_host::shutdown::signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("chorus-node stopped: {e:#}");
            ExitCode::FAILURE
        }
    }
}
