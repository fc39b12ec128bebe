//! Failed-login limits, shared by every instance: counters in a KV bucket
//! whose entries age out. After `free` failures a key waits 1 s, then 2 s,
//! 4 s, ... up to `max`, before it may try again.

use std::time::Duration;

use async_nats::jetstream;
use chorus_nats::ServiceError;
use chorus_state::Records;
use serde::{Deserialize, Serialize};

use crate::records::LIMITS;

#[derive(Serialize, Deserialize)]
struct Failures {
    count: u32,
    /// ms since the Unix epoch.
    last_ms: u64,
}

/// See the module docs.
pub(crate) struct Limiter {
    records: Records,
    free: u32,
    max_ms: u64,
}

impl Limiter {
    /// Open (or create) the counters bucket; entries age out after `max_backoff` and an hour.
    pub(crate) async fn open(
        js: &jetstream::Context,
        replicas: usize,
        free: u32,
        max_backoff: Duration,
    ) -> anyhow::Result<Self> {
        let records =
            Records::open_expiring(js, LIMITS, replicas, Some(max_backoff + Duration::from_secs(3600))).await?;
        Ok(Self { records, free, max_ms: max_backoff.as_millis() as u64 })
    }

    /// 429 if any of `keys` must still wait at `now_ms`.
    pub(crate) async fn check(&self, keys: &[String], now_ms: u64) -> Result<(), ServiceError> {
        let mut wait = 0;
        for key in keys {
            if let Ok(Some((f, _))) = self.records.get::<Failures>(key).await {
                wait = wait.max((f.last_ms + self.backoff_ms(f.count)).saturating_sub(now_ms));
            }
        }
        match wait {
            0 => Ok(()),
            ms => Err(ServiceError::too_many(
                "too_many_attempts",
                format!("too many failed sign-ins; try again in {} s", ms.div_ceil(1000)),
                ms,
            )),
        }
    }

    /// Count a failure against each of `keys`.
    pub(crate) async fn failed(&self, keys: &[String], now_ms: u64) -> anyhow::Result<()> {
        for key in keys {
            self.records
                .modify::<Failures, _, _>(key, 5, |f| async move {
                    Ok(Some(Failures { count: f.map_or(0, |f| f.count).saturating_add(1), last_ms: now_ms }))
                })
                .await
                .map_err(|e| anyhow::anyhow!("counting a failed login: {e}"))?;
        }
        Ok(())
    }

    /// Forget `key`'s failures (a successful login).
    pub(crate) async fn clear(&self, key: &str) -> anyhow::Result<()> {
        if let Some((_, rev)) = self.records.get::<Failures>(key).await? {
            // A failure counted meanwhile stays counted: a conflict is fine.
            let _ = self.records.delete(key, rev).await;
        }
        Ok(())
    }

    fn backoff_ms(&self, count: u32) -> u64 {
        match count.checked_sub(self.free) {
            None => 0,
            Some(over) => 1000u64.saturating_mul(1u64 << over.min(30)).min(self.max_ms),
        }
    }
}

/// Counter key for a username.
pub(crate) fn user_key(username: &str) -> String {
    format!("user.{}", digest(username))
}

/// Counter key for a client connection.
pub(crate) fn client_key(client: &str) -> String {
    format!("client.{}", digest(client))
}

// Keys must be plain tokens: hash whatever the caller sent.
fn digest(s: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(s.as_bytes())[..16].iter().map(|b| format!("{b:02x}")).collect()
}
