//! The bounded queue between ingress and workers, and what workers share.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use async_nats::Subject;
use bytes::Bytes;

use crate::auth::Trust;
use crate::context::RequestCtx;
use crate::gate::SeqGate;
use crate::service::EndpointDef;
use crate::stats::EndpointStats;

/// One accepted request waiting for a worker.
pub(crate) struct Job {
    /// Counted from acceptance to reply, so a drain never misses it.
    pub(crate) in_flight: InFlight,
    /// Index into [`ServiceRuntime::endpoints`].
    pub(crate) endpoint: usize,
    pub(crate) reply: Subject,
    pub(crate) body: Bytes,
    pub(crate) ctx: RequestCtx,
    pub(crate) received: Instant,
}

/// What the ingress and the workers of one service share.
pub(crate) struct ServiceRuntime {
    pub(crate) name: &'static str,
    pub(crate) nats: async_nats::Client,
    pub(crate) endpoints: Vec<EndpointDef>,
    pub(crate) stats: Vec<Arc<EndpointStats>>,
    pub(crate) gate: Option<Arc<dyn SeqGate>>,
    /// Verifies bearer tokens.
    pub(crate) trust: Arc<Trust>,
    /// Workers take jobs from here; it closes when every ingress has drained.
    pub(crate) queue: async_channel::Receiver<Job>,
    in_flight: Arc<Counter>,
}

/// Requests accepted and not yet answered, and a signal for when none are.
#[derive(Default)]
struct Counter {
    count: AtomicUsize,
    idle: tokio::sync::Notify,
}

impl ServiceRuntime {
    pub(crate) fn new(
        name: &'static str,
        nats: async_nats::Client,
        endpoints: Vec<EndpointDef>,
        gate: Option<Arc<dyn SeqGate>>,
        trust: Arc<Trust>,
        queue: async_channel::Receiver<Job>,
    ) -> Self {
        let stats = endpoints.iter().map(|_| Arc::default()).collect();
        Self { name, nats, endpoints, stats, gate, trust, queue, in_flight: Arc::default() }
    }

    /// Count a request as accepted; the guard uncounts it when dropped,
    /// after its reply or when it is refused.
    pub(crate) fn accept(&self) -> InFlight {
        self.in_flight.count.fetch_add(1, Ordering::AcqRel);
        InFlight(self.in_flight.clone())
    }

    /// Requests accepted and not yet answered.
    pub(crate) fn pending(&self) -> usize {
        self.in_flight.count.load(Ordering::Acquire)
    }

    /// Wait until no request is accepted and unanswered.
    pub(crate) async fn idle(&self) {
        loop {
            // Registered before the count is read, so a last reply between
            // the read and the wait still wakes it.
            let notified = self.in_flight.idle.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if self.pending() == 0 {
                return;
            }
            notified.await;
        }
    }
}

/// A request being handled; see [`ServiceRuntime::accept`].
pub(crate) struct InFlight(Arc<Counter>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}
