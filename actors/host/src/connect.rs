//! Connecting to NATS with the configured credentials, logging connection events.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_nats::{ConnectOptions, Event};

use crate::config::Config;

/// Inbox prefix of service and operator connections.
pub const SERVICE_INBOX_PREFIX: &str = "_CHORUS_SVC_INBOX";

/// Connect as `name`. Credentials come from the config, never from the URL
/// (async-nats ignores `user:pass@` in URLs).
pub async fn connect(config: &Config, name: &str) -> anyhow::Result<async_nats::Client> {
    let options = ConnectOptions::new().event_callback(|event| async move { log_event(event) });
    connect_with(config, name, options).await
}

/// The node's ingress connection: its endpoint subscriptions, each holding at
/// most `ingress_buffer` requests the ingress has not read yet. Past that the
/// client drops what arrives (the caller's own timeout answers it): a burst
/// far above what the node reads waits in no hidden queue, so what is read is
/// answered at once — a reply or a 503 — and memory stays bounded. Drops are
/// counted in `dropped` and logged at most once a second.
pub async fn connect_ingress(
    config: &Config,
    name: &str,
    dropped: Arc<AtomicU64>,
) -> anyhow::Result<async_nats::Client> {
    let logged = Arc::new(AtomicU64::new(0));
    let started = std::time::Instant::now();
    let options =
        ConnectOptions::new().subscription_capacity(config.ingress_buffer.max(1)).event_callback(move |event| {
            let (dropped, logged) = (dropped.clone(), logged.clone());
            async move {
                let Event::SlowConsumer(_) = event else { return log_event(event) };
                // One event per dropped message: count them, and say so once a second.
                let total = dropped.fetch_add(1, Ordering::Relaxed) + 1;
                let second = started.elapsed().as_secs() + 1;
                if logged.swap(second, Ordering::Relaxed) != second {
                    tracing::warn!(dropped_total = total, "ingress over capacity: requests dropped unread");
                }
            }
        });
    connect_with(config, name, options).await
}

async fn connect_with(config: &Config, name: &str, options: ConnectOptions) -> anyhow::Result<async_nats::Client> {
    let mut options = options
        .name(name)
        // Replies to services come to their own inbox prefix, which browser
        // users (who may subscribe to `_INBOX.>`) cannot read.
        .custom_inbox_prefix(SERVICE_INBOX_PREFIX)
        .retry_on_initial_connect();
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
    let client = tokio::time::timeout(Duration::from_secs(30), options.connect(urls))
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
