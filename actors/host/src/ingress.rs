//! Ingress: one task per endpoint subscription, from NATS into the bounded queue.
//!
//! It answers at once what needs no worker: a passed deadline (504) and a
//! full queue (503). On drain it unsubscribes, keeps reading what the server
//! had already sent, and returns; dropping its sender closes the queue once
//! every endpoint has drained.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_channel::TrySendError;
use async_nats::Subscriber;
use chorus_nats::ServiceError;
use futures::StreamExt;
use tokio::sync::watch;

use crate::context::RequestCtx;
use crate::pool::{Job, ServiceRuntime};
use crate::reply;

pub(crate) async fn run(
    rt: Arc<ServiceRuntime>,
    endpoint: usize,
    mut sub: Subscriber,
    queue: async_channel::Sender<Job>,
    mut drain: watch::Receiver<bool>,
    default_timeout: Duration,
) {
    let mut draining = false;
    loop {
        tokio::select! {
            biased;
            _ = async { let _ = drain.wait_for(|d| *d).await; }, if !draining => {
                draining = true;
                if let Err(e) = sub.drain().await {
                    tracing::warn!(error = %e, "unsubscribe failed");
                    break;
                }
            }
            msg = sub.next() => {
                let Some(msg) = msg else { break };
                accept(&rt, endpoint, msg, &queue, default_timeout).await;
            }
        }
    }
}

async fn accept(
    rt: &ServiceRuntime,
    endpoint: usize,
    msg: async_nats::Message,
    queue: &async_channel::Sender<Job>,
    default_timeout: Duration,
) {
    let received = Instant::now();
    let Some(reply_to) = msg.reply.clone() else {
        tracing::debug!(subject = %msg.subject, "message without reply subject ignored");
        return;
    };
    let ctx = RequestCtx::from_message(&msg, default_timeout);
    let stats = &rt.stats[endpoint];
    if ctx.expired() {
        reply::send(&rt.nats, reply_to, ctx.encoding, Err(ServiceError::deadline_exceeded()), rt.seq(), stats, received).await;
        return;
    }
    let encoding = ctx.encoding;
    let job = Job { endpoint, reply: reply_to, body: msg.payload, ctx, received };
    let refused = match queue.try_send(job) {
        Ok(()) => return,
        Err(TrySendError::Full(job)) => (job, ServiceError::unavailable("overloaded", "the service is at capacity; retry shortly")),
        Err(TrySendError::Closed(job)) => (job, ServiceError::unavailable("draining", "the instance is shutting down; retry")),
    };
    reply::send(&rt.nats, refused.0.reply, encoding, Err(refused.1), rt.seq(), stats, received).await;
}
