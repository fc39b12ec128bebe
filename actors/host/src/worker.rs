//! A worker actor: takes one job at a time from the service's queue.
//!
//! Jobs wait in a queue shared by all workers, not in a worker's mailbox, so
//! a worker that crashes loses nothing but the request it was handling, which
//! it answers with 500 before it stops.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use chorus_nats::ServiceError;
use futures::FutureExt;
use ractor::{Actor, ActorProcessingErr, ActorRef};
use tracing::Instrument;

use crate::gate::MIN_SEQ_WAIT;
use crate::handler::Fail;
use crate::pool::{Job, ServiceRuntime};
use crate::reply;
use crate::writes::Writes;

/// The worker's only message: take the next job.
pub(crate) struct Next;

pub(crate) struct Worker;

impl Actor for Worker {
    type Msg = Next;
    type State = Arc<ServiceRuntime>;
    type Arguments = Arc<ServiceRuntime>;

    async fn pre_start(
        &self,
        myself: ActorRef<Next>,
        rt: Arc<ServiceRuntime>,
    ) -> Result<Self::State, ActorProcessingErr> {
        myself.cast(Next)?;
        Ok(rt)
    }

    async fn handle(&self, myself: ActorRef<Next>, _: Next, rt: &mut Self::State) -> Result<(), ActorProcessingErr> {
        // One message runs the worker's whole life: a mailbox round trip per
        // job would cost more than many handlers. It ends when the queue closes
        // (the service drained) or a handler crashes (the supervisor restarts it).
        let written = Arc::new(Writes::default());
        while let Ok(job) = rt.queue.recv().await {
            if let Some(crash) = serve(rt, job, &written).await {
                // Answered 500 already; failing hands the restart to the supervisor.
                return Err(crash.into());
            }
        }
        myself.stop(Some("drained".into()));
        Ok(())
    }
}

/// Handle one job and reply. Returns the reason when the handler crashed.
async fn serve(rt: &ServiceRuntime, job: Job, written: &Arc<Writes>) -> Option<String> {
    let endpoint = &rt.endpoints[job.endpoint];
    let stats = &rt.stats[job.endpoint];
    let mut ctx = job.ctx;
    ctx.collect_writes(written);
    // Held until the reply is sent.
    let _in_flight = job.in_flight;
    let span = tracing::info_span!(
        "request",
        service = rt.name,
        subject = %ctx.subject,
        request_id = %ctx.request_id,
        trace_id = %ctx.trace.trace_id,
    );
    async move {
        let deadline = ctx.deadline;
        let answer =
            reply::Reply { nats: &rt.nats, to: job.reply, encoding: ctx.encoding, stats, received: job.received };
        if ctx.expired() {
            answer.send(Err(ServiceError::deadline_exceeded()), None).await;
            return None;
        }
        match crate::auth::authorize(&rt.trust, endpoint.endpoint.access, ctx.token()).await {
            Ok(claims) => ctx.claims = claims,
            Err(e) => {
                answer.send(Err(e), None).await;
                return None;
            }
        }
        if let (Some(min), Some(gate)) = (ctx.min_seq, &rt.gate) {
            let until = deadline.min(std::time::Instant::now() + MIN_SEQ_WAIT);
            if gate.applied() < min && !gate.wait_for(min, until).await {
                let e = ServiceError::unavailable(
                    chorus_nats::errors::common::NOT_CAUGHT_UP,
                    format!("this instance has not yet applied sequence {min}; retry"),
                );
                answer.send(Err(e), None).await;
                return None;
            }
        }
        let mut work = std::pin::pin!(AssertUnwindSafe((endpoint.handler)(ctx, job.body)).catch_unwind());
        // Handlers that answer from memory finish on their first poll: arm the
        // deadline timer (a shared wheel, behind a lock) only for those that wait.
        let finished = match futures::poll!(work.as_mut()) {
            std::task::Poll::Ready(done) => Ok(done),
            std::task::Poll::Pending => tokio::time::timeout_at(deadline.into(), work).await,
        };
        let (result, crash) = match finished {
            Err(_) => (Err(ServiceError::deadline_exceeded()), None),
            Ok(Ok(Ok(body))) => (Ok(body), None),
            Ok(Ok(Err(Fail::Reply(e)))) => (Err(e), None),
            Ok(Ok(Err(Fail::Crash(e)))) if crate::unavailable::is_unavailable(&e) => {
                tracing::warn!(error = %format!("{e:#}"), "a dependency is unavailable");
                (
                    Err(ServiceError::unavailable(
                        chorus_nats::errors::common::DEPENDENCY_UNAVAILABLE,
                        "a service this request needs is briefly unavailable; retry",
                    )),
                    None,
                )
            }
            Ok(Ok(Err(Fail::Crash(e)))) => (Err(ServiceError::internal()), Some(format!("handler failed: {e:#}"))),
            Ok(Err(panic)) => {
                (Err(ServiceError::internal()), Some(format!("handler panicked: {}", panic_message(&panic))))
            }
        };
        if let Some(reason) = &crash {
            tracing::error!(%reason, "request failed; restarting worker");
        }
        answer.send(result, Some(written)).await;
        crash
    }
    .instrument(span)
    .await
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// A child spec that starts one worker on `rt`. A worker fails only with the
/// request it answered 500: it is restarted, but bad requests never spend
/// the budget that stops the node.
pub(crate) fn child(rt: Arc<ServiceRuntime>, index: usize) -> crate::service::ChildSpec {
    crate::service::ChildSpec::actor(format!("{}-worker-{index}", rt.name), false, move || (Worker, rt.clone()))
}
