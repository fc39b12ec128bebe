//! Sign-in limits that hold: failed-attempt counters in a KV bucket shared by
//! every instance, whose entries age out. After `free` failures a key waits
//! 1 s, then 2 s, 4 s, ... up to `max`, before it may try again.
//!
//! An attempt is *reserved* before its password is hashed: the counter is
//! raised with a compare-and-set at the revision read, so concurrent attempts
//! for one key are counted one by one and at most `free` of them are ever
//! checked before the backoff starts. A success gives the reservation back.
//! The limiter fails closed: a counter it cannot read or write refuses the
//! attempt (503), and contention it cannot settle within a few retries is
//! answered 429, never 500.
//!
//! Beside the counters, each instance keeps a budget of failed sign-ins a
//! second (a token bucket, spent by each failure). While it is spent, only
//! clean attempts go on to hashing — an account and a connection with no
//! failures counted, which is what a listener signing in looks like — and
//! the rest are refused 429 `login_busy` at once. The hashing queue (see
//! `hasher`) bounds the rest.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use chorus_host::token_bucket::TokenBucket;
use chorus_nats::errors::auth as codes;
use chorus_nats::ServiceError;
use chorus_state::{Records, WriteError};
use serde::{Deserialize, Serialize};

use crate::records::LIMITS;

/// Compare-and-set rounds on one counter before the attempt is refused.
const ATTEMPTS: usize = 8;

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
    budget: Mutex<TokenBucket>,
}

impl Limiter {
    /// Open (or create) the counters bucket; entries age out after `max_backoff` and an hour.
    /// `failures_per_s` (burst `failures_burst`) is this instance's budget of failed attempts.
    pub(crate) async fn open(
        js: &jetstream::Context,
        replicas: usize,
        free: u32,
        max_backoff: Duration,
        failures_per_s: u32,
        failures_burst: u32,
    ) -> anyhow::Result<Self> {
        let records =
            Records::open_expiring(js, LIMITS, replicas, Some(max_backoff + Duration::from_secs(3600))).await?;
        Ok(Self {
            records,
            free,
            max_ms: max_backoff.as_millis() as u64,
            budget: Mutex::new(TokenBucket::new(failures_per_s, failures_burst, Instant::now())),
        })
    }

    /// A password attempt against each of `keys` at `now_ms`: 429 if a key
    /// must still wait, or the instance's failure budget is spent and a key
    /// has failures counted; 503 if a counter cannot be read or written. It
    /// counts as a failure unless [`Limiter::succeeded`] gives it back.
    pub(crate) async fn attempt(&self, keys: &[String], now_ms: u64) -> Result<(), ServiceError> {
        let busy = self.budget.lock().unwrap_or_else(|p| p.into_inner()).spent(Instant::now());
        self.count(keys, now_ms, busy).await
    }

    /// Count one use against each of `keys` at `now_ms`, as [`Limiter::attempt`]
    /// does but outside the failure budget (registrations).
    pub(crate) async fn reserve(&self, keys: &[String], now_ms: u64) -> Result<(), ServiceError> {
        self.count(keys, now_ms, None).await
    }

    /// A password attempt failed: it spends the instance's failure budget.
    pub(crate) fn failed(&self) {
        let _ = self.budget.lock().unwrap_or_else(|p| p.into_inner()).take(Instant::now());
    }

    /// `busy`: the failure budget is spent, refills in that long.
    async fn count(&self, keys: &[String], now_ms: u64, busy: Option<Duration>) -> Result<(), ServiceError> {
        let (free, max_ms) = (self.free, self.max_ms);
        for key in keys {
            let reserved = self
                .records
                .modify::<Failures, _, _>(key, ATTEMPTS, |f| async move {
                    let count = f.as_ref().map_or(0, |f| f.count);
                    let wait = f
                        .as_ref()
                        .map_or(0, |f| (f.last_ms + backoff_ms(free, max_ms, f.count)).saturating_sub(now_ms));
                    if wait > 0 {
                        return Err(too_many_attempts(wait));
                    }
                    if let (Some(refill), true) = (busy, count > 0) {
                        return Err(ServiceError::too_many(
                            codes::LOGIN_BUSY,
                            "too many failed sign-ins on this service right now; try again shortly",
                            refill.as_millis().max(1) as u64,
                        ));
                    }
                    Ok(Some(Failures { count: count.saturating_add(1), last_ms: now_ms }))
                })
                .await;
            match reserved {
                Ok(_) => {}
                Err(WriteError::Refused(e)) => return Err(e),
                Err(WriteError::Conflict | WriteError::Exists) => {
                    return Err(ServiceError::too_many(
                        codes::TOO_MANY_ATTEMPTS,
                        "too many sign-ins at once for this account; try again in a moment",
                        1000,
                    ))
                }
                Err(WriteError::Failed(e)) => {
                    tracing::warn!(error = %format!("{e:#}"), "sign-in limits unavailable; refusing the attempt");
                    return Err(ServiceError::unavailable(
                        codes::LIMITS_UNAVAILABLE,
                        "sign-in is briefly unavailable; try again shortly",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The attempt reserved against `keys` succeeded: the last key (the
    /// account's) is cleared, the others get their reservation back.
    pub(crate) async fn succeeded(&self, keys: &[String]) {
        for (i, key) in keys.iter().enumerate() {
            let account = i + 1 == keys.len();
            let given_back = self
                .records
                .modify::<Failures, _, _>(key, ATTEMPTS, |f| async move {
                    Ok(match f {
                        Some(f) if !account && f.count > 1 => Some(Failures { count: f.count - 1, ..f }),
                        _ => None,
                    })
                })
                .await;
            // A failure counted meanwhile stays counted: losing this race only
            // leaves a counter one higher than it need be.
            if let Err(e) = given_back {
                tracing::debug!(error = %e, "giving a sign-in reservation back");
            }
        }
    }
}

fn too_many_attempts(wait_ms: u64) -> ServiceError {
    ServiceError::too_many(
        codes::TOO_MANY_ATTEMPTS,
        format!("too many failed sign-ins; try again in {} s", wait_ms.div_ceil(1000)),
        wait_ms,
    )
}

fn backoff_ms(free: u32, max_ms: u64, count: u32) -> u64 {
    match count.checked_sub(free) {
        None => 0,
        Some(over) => 1000u64.saturating_mul(1u64 << over.min(30)).min(max_ms),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_starts_after_the_free_failures_and_doubles_to_the_cap() {
        assert_eq!(backoff_ms(5, 900_000, 4), 0);
        assert_eq!(backoff_ms(5, 900_000, 5), 1000);
        assert_eq!(backoff_ms(5, 900_000, 7), 4000);
        assert_eq!(backoff_ms(5, 900_000, 40), 900_000);
    }
}
