//! Per-endpoint counters, for `$SRV.STATS` and `/metrics`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use chorus_nats::{ServiceError, Status};

/// Upper bounds of the latency histogram, in seconds (Prometheus `le`): from
/// half a millisecond (an in-memory read) to ten seconds (the handler timeout).
pub const LATENCY_BUCKETS_S: [f64; 14] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Counters of one endpoint; updated once per reply.
#[derive(Debug, Default)]
pub struct EndpointStats {
    requests: AtomicU64,
    errors: AtomicU64,
    unavailable: AtomicU64,
    processing_ns: AtomicU64,
    /// Replies per latency bucket (not cumulative); the last one is past every bound.
    latency: [AtomicU64; LATENCY_BUCKETS_S.len() + 1],
    last_error: Mutex<String>,
}

/// A consistent-enough copy of the counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// Requests answered.
    pub requests: u64,
    /// Requests answered with an error.
    pub errors: u64,
    /// Of those, answered 503 (overloaded, draining, a dependency down).
    pub unavailable: u64,
    /// Total handling time, ns.
    pub processing_ns: u64,
    /// Replies per latency bucket of [`LATENCY_BUCKETS_S`], cumulative (the last: all).
    pub latency_cumulative: Vec<u64>,
    /// The last error, as `<status> <code>`.
    pub last_error: String,
}

impl EndpointStats {
    /// Count one answered request.
    pub fn record(&self, took: Duration, error: Option<&ServiceError>) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let ns = took.as_nanos() as u64;
        self.processing_ns.fetch_add(ns, Ordering::Relaxed);
        let bucket = LATENCY_BUCKETS_S.iter().position(|le| ns as f64 <= le * 1e9).unwrap_or(LATENCY_BUCKETS_S.len());
        self.latency[bucket].fetch_add(1, Ordering::Relaxed);
        if let Some(e) = error {
            self.errors.fetch_add(1, Ordering::Relaxed);
            if e.status == Status::Unavailable {
                self.unavailable.fetch_add(1, Ordering::Relaxed);
            }
            if let Ok(mut last) = self.last_error.lock() {
                *last = format!("{} {}", e.status, e.code);
            }
        }
    }

    /// Read the counters.
    pub fn snapshot(&self) -> StatsSnapshot {
        let mut total = 0;
        let latency_cumulative = self
            .latency
            .iter()
            .map(|b| {
                total += b.load(Ordering::Relaxed);
                total
            })
            .collect();
        StatsSnapshot {
            requests: self.requests.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            unavailable: self.unavailable.load(Ordering::Relaxed),
            processing_ns: self.processing_ns.load(Ordering::Relaxed),
            latency_cumulative,
            last_error: self.last_error.lock().map(|s| s.clone()).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_fall_in_their_buckets_and_503s_are_counted() {
        let s = EndpointStats::default();
        s.record(Duration::from_micros(300), None);
        s.record(Duration::from_millis(3), Some(&ServiceError::unavailable("overloaded", "full")));
        s.record(Duration::from_secs(60), Some(&ServiceError::new(Status::BadRequest, "invalid", "x")));
        let snap = s.snapshot();
        assert_eq!((snap.requests, snap.errors, snap.unavailable), (3, 2, 1));
        assert_eq!(snap.latency_cumulative[0], 1, "300 µs is within 0.5 ms");
        assert_eq!(snap.latency_cumulative[2], 1, "3 ms is past 2.5 ms");
        assert_eq!(snap.latency_cumulative[3], 2, "and within 5 ms");
        assert_eq!(snap.latency_cumulative[LATENCY_BUCKETS_S.len() - 1], 2, "60 s is past every bound");
        assert_eq!(*snap.latency_cumulative.last().unwrap(), 3);
        assert_eq!(snap.last_error, "400 invalid");
    }
}
