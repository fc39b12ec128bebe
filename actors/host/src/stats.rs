//! Per-endpoint counters for `$SRV.STATS`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Counters of one endpoint; updated once per reply.
#[derive(Debug, Default)]
pub struct EndpointStats {
    requests: AtomicU64,
    errors: AtomicU64,
    processing_ns: AtomicU64,
    last_error: Mutex<String>,
}

/// A consistent-enough copy of the counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// Requests answered.
    pub requests: u64,
    /// Requests answered with an error.
    pub errors: u64,
    /// Total handling time, ns.
    pub processing_ns: u64,
    /// The last error, as `<status> <code>`.
    pub last_error: String,
}

impl EndpointStats {
    /// Count one answered request.
    pub fn record(&self, took: Duration, error: Option<String>) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.processing_ns.fetch_add(took.as_nanos() as u64, Ordering::Relaxed);
        if let Some(e) = error {
            self.errors.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut last) = self.last_error.lock() {
                *last = e;
            }
        }
    }

    /// Read the counters.
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            requests: self.requests.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            processing_ns: self.processing_ns.load(Ordering::Relaxed),
            last_error: self.last_error.lock().map(|s| s.clone()).unwrap_or_default(),
        }
    }
}
