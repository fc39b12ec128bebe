//! A token bucket: `rate` tokens a second, at most `burst` held. The one
//! rate rule behind every budget (auth's failed sign-ins, profile's writes
//! per listener).

use std::time::{Duration, Instant};

/// See the module docs.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl TokenBucket {
    /// A full bucket at `now`; `rate` and `burst` are at least 1.
    pub fn new(rate: u32, burst: u32, now: Instant) -> Self {
        let burst = f64::from(burst.max(1));
        Self { rate: f64::from(rate.max(1)), burst, tokens: burst, at: now }
    }

    fn refill(&mut self, now: Instant) {
        self.tokens = (self.tokens + now.saturating_duration_since(self.at).as_secs_f64() * self.rate).min(self.burst);
        self.at = now;
    }

    fn until_one(&self) -> Duration {
        Duration::from_secs_f64((1.0 - self.tokens) / self.rate)
    }

    /// Take a token at `now`, or how long until one is there.
    pub fn take(&mut self, now: Instant) -> Result<(), Duration> {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(self.until_one())
        }
    }

    /// Whether no token is left at `now`, and if so how long until one is.
    pub fn spent(&mut self, now: Instant) -> Option<Duration> {
        self.refill(now);
        (self.tokens < 1.0).then(|| self.until_one())
    }

    /// Whether the bucket is full again at `now` (the same as a new one).
    pub fn is_full(&self, now: Instant) -> bool {
        self.tokens + now.saturating_duration_since(self.at).as_secs_f64() * self.rate >= self.burst
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refills_at_its_rate_and_holds_its_burst() {
        let start = Instant::now();
        let mut b = TokenBucket::new(10, 3, start);
        assert!((0..3).all(|_| b.take(start).is_ok()));
        let wait = b.take(start).unwrap_err();
        assert!(wait <= Duration::from_millis(100) && wait > Duration::ZERO, "{wait:?}");
        assert!(!b.is_full(start + Duration::from_millis(100)));
        assert!(b.spent(start + Duration::from_millis(100)).is_none());
        assert!(b.take(start + Duration::from_millis(100)).is_ok());
        assert!(b.spent(start + Duration::from_millis(100)).is_some());
        assert!(b.is_full(start + Duration::from_secs(1)));
    }
}
