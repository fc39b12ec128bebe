//! Whether the node is starting, ready or draining (`/readyz`).

use std::sync::atomic::{AtomicU8, Ordering};

/// The node's phase; see [`Health::phase`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Connecting, catching views up, registering services.
    Starting,
    /// Every hosted service has caught up and registered.
    Ready,
    /// Leaving discovery and finishing what it took: no new work.
    Draining,
}

/// Shared between the host, which moves it on, and the HTTP listener.
#[derive(Debug, Default)]
pub struct Health(AtomicU8);

impl Health {
    /// Where the node is.
    pub fn phase(&self) -> Phase {
        match self.0.load(Ordering::Acquire) {
            0 => Phase::Starting,
            1 => Phase::Ready,
            _ => Phase::Draining,
        }
    }

    /// Every service is serving.
    pub(crate) fn ready(&self) {
        // Never back from draining to ready.
        let _ = self.0.compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire);
    }

    /// The drain has begun.
    pub(crate) fn draining(&self) {
        self.0.store(2, Ordering::Release);
    }
}
