//! Connecting to NATS with the configured credentials, logging connection events.

use anyhow::Context as _;
use async_nats::{ConnectOptions, Event};

use crate::config::Config;

/// Inbox prefix of service and operator connections.
pub const SERVICE_INBOX_PREFIX: &str = "_CHORUS_SVC_INBOX";

/// Connect as `name`. Credentials come from the config, never from the URL
/// (async-nats ignores `user:pass@` in URLs).
pub async fn connect(config: &Config, name: &str) -> anyhow::Result<async_nats::Client> {
    let mut options = ConnectOptions::new()
        .name(name)
        // Replies to services come to their own inbox prefix, which browser
        // users (who may subscribe to `_INBOX.>`) cannot read.
        .custom_inbox_prefix(SERVICE_INBOX_PREFIX)
        .retry_on_initial_connect()
        .event_callback(|event| async move { log_event(event) });
    if let (Some(user), Some(password)) = (&config.nats_user, &config.nats_password) {
        options = options.user_and_password(user.clone(), password.expose().to_string());
    }
    if let Some(creds) = &config.nats_creds {
        options = options
            .credentials_file(creds)
            .await
            .with_context(|| format!("reading NATS credentials {}", creds.display()))?;
    }
    // `nats_url` may name several servers, comma separated: async-nats reads
    // one string as one address, so they are handed over as a list.
    let urls: Vec<&str> = config.nats_url.split(',').map(str::trim).filter(|u| !u.is_empty()).collect();
    let client = tokio::time::timeout(std::time::Duration::from_secs(30), options.connect(urls))
        .await
        .with_context(|| format!("no NATS server answered at {} within 30 s", config.nats_url))?
        .with_context(|| format!("connecting to NATS at {}", config.nats_url))?;
    tracing::info!(url = %config.nats_url, "connected to NATS");
    Ok(client)
}

fn log_event(event: Event) {
    match event {
        Event::Connected => tracing::info!("NATS connected"),
        Event::Disconnected => tracing::warn!("NATS disconnected; reconnecting"),
        Event::SlowConsumer(sid) => tracing::warn!(sid, "NATS slow consumer: messages dropped"),
        Event::LameDuckMode => tracing::warn!("NATS server entering lame duck mode"),
        Event::Draining | Event::Closed => tracing::info!(%event, "NATS connection"),
        Event::ServerError(e) => tracing::error!(error = %e, "NATS server error"),
        Event::ClientError(e) => tracing::error!(error = %e, "NATS client error"),
    }
}
