//! Keeps an instance's [`Trust`] current from the JetStream KV bucket the
//! auth service publishes to: `key.<kid>` (a public key) and
//! `disabled.<user id>` (a user whose tokens must stop working).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, kv};
use chorus_nats::messages::auth::PublicKey;
use futures::StreamExt;
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::token;
use super::trust::Trust;

/// The bucket every instance watches.
pub const BUCKET: &str = "chorus_auth_trust";

/// Key of a published public key.
pub fn key_key(kid: &str) -> String {
    format!("key.{kid}")
}

/// Key that marks a user disabled.
pub fn disabled_key(user: Uuid) -> String {
    format!("disabled.{user}")
}

/// Open the bucket, creating it when this is the first instance to start.
pub async fn open(js: &jetstream::Context, replicas: usize) -> anyhow::Result<kv::Store> {
    let config = kv::Config {
        bucket: BUCKET.into(),
        history: 1,
        num_replicas: replicas.max(1),
        description: "Chorus auth: public keys and disabled users, read by every instance".into(),
        ..Default::default()
    };
    crate::leaderless::open_kv(js, config).await.context("opening the trust bucket")
}

/// Load the bucket into `trust`, then follow it in the background. A broken
/// watch is reopened after a pause and the whole bucket read again, so a
/// change missed in between cannot linger.
pub async fn load_and_follow(store: kv::Store, trust: Arc<Trust>) -> anyhow::Result<JoinHandle<()>> {
    trust.set_store(store.clone());
    let watch = load(&store, &trust).await?;
    Ok(tokio::spawn(async move {
        let mut watch = Some(watch);
        loop {
            if let Some(w) = watch.take() {
                follow(w, &trust).await;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
            match load(&store, &trust).await {
                Ok(w) => watch = Some(w),
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "reloading the trust bucket"),
            }
        }
    }))
}

async fn load(store: &kv::Store, trust: &Trust) -> anyhow::Result<kv::Watch> {
    let mut watch = store.watch_with_history(">").await.context("watching the trust bucket")?;
    // Read the whole bucket aside and swap it in at once: clearing first
    // would trust a disabled user (and refuse every token) until the reload
    // reached their entry.
    let mut fresh = Snapshot::default();
    let pending = store.stream.get_info().await.context("reading the trust bucket")?.state.messages;
    if pending > 0 {
        while let Some(entry) = watch.next().await {
            let entry = entry.context("reading the trust bucket")?;
            let current = entry.delta == 0;
            match fact(&entry) {
                Some(Fact::Key(kid, Some(key))) => {
                    fresh.keys.insert(kid.to_string(), key);
                }
                Some(Fact::Key(kid, None)) => {
                    fresh.keys.remove(kid);
                }
                Some(Fact::Disabled(user, disabled)) => {
                    if disabled {
                        fresh.disabled.insert(user);
                    } else {
                        fresh.disabled.remove(&user);
                    }
                }
                None => {}
            }
            if current {
                break;
            }
        }
    }
    trust.replace(fresh.keys, fresh.disabled);
    tracing::debug!(keys = trust.key_count(), "trust loaded");
    Ok(watch)
}

/// The bucket as read at a reload.
#[derive(Default)]
struct Snapshot {
    keys: std::collections::HashMap<String, ed25519_dalek::VerifyingKey>,
    disabled: std::collections::HashSet<Uuid>,
}

/// What one entry of the bucket says.
enum Fact<'a> {
    /// Trust this key for `kid`, or (`None`) no longer.
    Key(&'a str, Option<ed25519_dalek::VerifyingKey>),
    /// Whether this user is disabled.
    Disabled(Uuid, bool),
}

fn fact(entry: &kv::Entry) -> Option<Fact<'_>> {
    let put = entry.operation == kv::Operation::Put;
    if let Some(kid) = entry.key.strip_prefix("key.") {
        let key = if put { parse_key(&entry.value) } else { None };
        if put && key.is_none() {
            tracing::warn!(kid, "ignoring a malformed public key");
        }
        Some(Fact::Key(kid, key))
    } else {
        let user = entry.key.strip_prefix("disabled.").and_then(|u| Uuid::parse_str(u).ok())?;
        Some(Fact::Disabled(user, put))
    }
}

async fn follow(mut watch: kv::Watch, trust: &Trust) {
    while let Some(entry) = watch.next().await {
        match entry {
            Ok(entry) => apply(trust, &entry),
            Err(e) => {
                tracing::warn!(error = %e, "trust watch failed");
                return;
            }
        }
    }
}

/// A published public key, if the value is one.
pub(crate) fn parse_key(value: &[u8]) -> Option<ed25519_dalek::VerifyingKey> {
    serde_json::from_slice::<PublicKey>(value).ok().and_then(|k| token::decode_key(&k.x))
}

fn apply(trust: &Trust, entry: &kv::Entry) {
    match fact(entry) {
        Some(Fact::Key(kid, Some(key))) => trust.add_key(kid, key),
        Some(Fact::Key(kid, None)) => trust.remove_key(kid),
        Some(Fact::Disabled(user, disabled)) => trust.set_disabled(user, disabled),
        None => {}
    }
}
