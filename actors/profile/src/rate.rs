//! Writes per listener: a token bucket per user id, in this instance. A
//! listener may write `burst` times at once, then `per_s` times a second;
//! past that a write answers 429 `too_many_writes` with when to retry. With
//! N instances behind the queue group a listener gets up to N times that.
//!
//! Memory is bounded: a bucket that has refilled is the same as no bucket, so
//! sweeps drop those; if more than half of [`MAX_BUCKETS`] are still
//! refilling after a sweep, all are dropped (everyone gets a fresh burst)
//! rather than growing without bound.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chorus_host::token_bucket::TokenBucket;
use chorus_nats::{errors, ServiceError};
use uuid::Uuid;

/// Buckets kept before a sweep is forced.
const MAX_BUCKETS: usize = 100_000;

struct Buckets {
    by_user: HashMap<Uuid, TokenBucket>,
    swept: Instant,
}

/// See the module docs.
pub(crate) struct WriteRate {
    per_s: u32,
    burst: u32,
    buckets: Mutex<Buckets>,
}

impl WriteRate {
    /// `per_s` 0 turns the limit off.
    pub(crate) fn new(per_s: u32, burst: u32) -> Self {
        let buckets = Buckets { by_user: HashMap::new(), swept: Instant::now() };
        Self { per_s, burst: burst.max(1), buckets: Mutex::new(buckets) }
    }

    /// Spend one of `user`'s writes, or 429.
    pub(crate) fn take(&self, user: Uuid) -> Result<(), ServiceError> {
        self.take_at(user, Instant::now())
    }

    fn take_at(&self, user: Uuid, now: Instant) -> Result<(), ServiceError> {
        if self.per_s == 0 {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.by_user.len() >= MAX_BUCKETS || now.saturating_duration_since(buckets.swept) >= self.refill() {
            self.sweep(&mut buckets, now);
        }
        let bucket = buckets.by_user.entry(user).or_insert_with(|| TokenBucket::new(self.per_s, self.burst, now));
        bucket.take(now).map_err(|wait| {
            let wait_ms = (wait.as_secs_f64() * 1000.0).ceil().max(1.0) as u64;
            ServiceError::too_many(
                errors::profile::TOO_MANY_WRITES,
                format!("too many changes at once; try again in {} s", wait_ms.div_ceil(1000)),
                wait_ms,
            )
        })
    }

    /// How long an empty bucket takes to fill.
    fn refill(&self) -> Duration {
        Duration::from_secs_f64(f64::from(self.burst) / f64::from(self.per_s))
    }

    fn sweep(&self, buckets: &mut Buckets, now: Instant) {
        buckets.by_user.retain(|_, b| !b.is_full(now));
        if buckets.by_user.len() > MAX_BUCKETS / 2 {
            buckets.by_user.clear();
        }
        buckets.swept = now;
    }

    #[cfg(test)]
    fn kept(&self) -> usize {
        self.buckets.lock().unwrap().by_user.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_rate_then_429_with_when() {
        let rate = WriteRate::new(2, 3);
        let (ann, bob) = (Uuid::now_v7(), Uuid::now_v7());
        let t0 = Instant::now();
        for _ in 0..3 {
            rate.take_at(ann, t0).unwrap();
        }
        let e = rate.take_at(ann, t0).unwrap_err();
        assert_eq!((e.code.as_ref(), e.retry_after_ms), ("too_many_writes", Some(500)));
        // Someone else is not affected.
        rate.take_at(bob, t0).unwrap();
        // Half a second buys one write at 2 per second, and only one.
        let t1 = t0 + Duration::from_millis(500);
        rate.take_at(ann, t1).unwrap();
        assert!(rate.take_at(ann, t1).is_err());
    }

    #[test]
    fn refilled_buckets_are_let_go() {
        let rate = WriteRate::new(10, 10);
        let t0 = Instant::now();
        for _ in 0..50 {
            rate.take_at(Uuid::now_v7(), t0).unwrap();
        }
        assert_eq!(rate.kept(), 50);
        // After a refill period every bucket is full again: the next write sweeps them.
        rate.take_at(Uuid::now_v7(), t0 + Duration::from_secs(2)).unwrap();
        assert_eq!(rate.kept(), 1);
    }

    #[test]
    fn off_when_the_rate_is_zero() {
        let rate = WriteRate::new(0, 1);
        let ann = Uuid::now_v7();
        for _ in 0..1_000 {
            rate.take(ann).unwrap();
        }
        assert_eq!(rate.kept(), 0);
    }
}
