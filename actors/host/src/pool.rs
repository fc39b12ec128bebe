//! The bounded queue between ingress and workers, and what workers share.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use async_nats::Subject;
use bytes::Bytes;

use crate::context::RequestCtx;
use crate::gate::SeqGate;
use crate::service::EndpointDef;
use crate::stats::EndpointStats;

/// One accepted request waiting for a worker.
pub(crate) struct Job {
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
    /// Workers take jobs from here; it closes when every ingress has drained.
    pub(crate) queue: async_channel::Receiver<Job>,
    in_flight: AtomicUsize,
}

impl ServiceRuntime {
    pub(crate) fn new(
        name: &'static str,
        nats: async_nats::Client,
        endpoints: Vec<EndpointDef>,
        gate: Option<Arc<dyn SeqGate>>,
        queue: async_channel::Receiver<Job>,
    ) -> Self {
        let stats = endpoints.iter().map(|_| Arc::default()).collect();
        Self { name, nats, endpoints, stats, gate, queue, in_flight: AtomicUsize::new(0) }
    }

    /// Mark a job taken; the guard marks it done when dropped, whatever happens.
    pub(crate) fn start_job(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(&self.in_flight)
    }

    /// Requests queued or being handled.
    pub(crate) fn pending(&self) -> usize {
        self.queue.len() + self.in_flight.load(Ordering::Acquire)
    }
}

/// A job being handled; see [`ServiceRuntime::start_job`].
pub(crate) struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl ServiceRuntime {
    /// The sequence replies reflect, for services with state.
    pub(crate) fn seq(&self) -> Option<u64> {
        self.gate.as_ref().map(|g| g.applied())
    }
}
