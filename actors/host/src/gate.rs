//! Read-your-writes: a service with state tells the runtime how far its view is.

use std::time::{Duration, Instant};

use futures::future::BoxFuture;

/// How long a request waits for the view to reach its `Chorus-Min-Seq` before 503.
pub const MIN_SEQ_WAIT: Duration = Duration::from_secs(2);

/// A service's view position. With one, the runtime holds a request carrying
/// `Chorus-Min-Seq` until the view has applied that sequence (bounded).
pub trait SeqGate: Send + Sync {
    /// The last record sequence applied.
    fn applied(&self) -> u64;
    /// Wait until `seq` is applied or `until` passes; true when applied.
    fn wait_for(&self, seq: u64, until: Instant) -> BoxFuture<'_, bool>;
    /// Called once the service has drained and its actors stopped: let go of
    /// the view (an on-disk one saves itself for a quick next start). Nothing by default.
    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}
