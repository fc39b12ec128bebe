//! Logging: human or JSON lines, filtered by `RUST_LOG` or the configured level.

use tracing_subscriber::{fmt, EnvFilter};

use crate::config::{Config, LogFormat};

/// Install the global subscriber. Safe to call more than once (later calls do nothing).
pub fn init(config: &Config) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log_level));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Human => builder.with_target(false).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).try_init(),
    };
}
