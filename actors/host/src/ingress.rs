//! Ingress: one task per endpoint subscription, from NATS into the bounded queue.
//!
//! It answers at once what needs no worker: a passed deadline (504) and a
//! full queue (503). On drain it leaves the queue group without losing a
//! request, and returns; dropping its sender closes the queue once every
//! endpoint has drained.
//!
//! Leaving without loss takes care: async-nats forgets a subscription as soon
//! as it has *sent* the UNSUB, so requests the server routed here just before
//! it read the UNSUB would be dropped unanswered. Instead the ingress sends
//! UNSUB with a limit a little above what it has received: the server routes
//! at most [`DRAIN_SLACK`] more requests here and then unsubscribes by itself,
//! and the client keeps the subscription until it has received exactly that
//! many, so every request the server sent is read and answered. If requests
//! pause for [`DRAIN_LINGER`] before the limit is reached, none is on the way
//! and the ingress unsubscribes outright.

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

/// Reply subjects the ingress answers: inboxes of NATS clients (`_INBOX.`,
/// the nats CLI and other clients), of Chorus services, and the replies
/// nats-server makes for requests that cross a service import (`_R_.`, every
/// browser request). A request naming any other reply subject is counted as
/// an error and not answered: a service's connection has wide rights, and
/// publishing wherever a request says would make it a confused deputy
/// (`$JS.API.STREAM.DELETE.…`, `$KV.…`).
const CLIENT_REPLY_PREFIXES: [&str; 2] = ["_INBOX.", "_R_."];

/// Whether the ingress answers requests whose reply subject is `reply`.
pub(crate) fn expected_reply(reply: &str) -> bool {
    CLIENT_REPLY_PREFIXES.iter().any(|p| reply.starts_with(p))
        || reply.strip_prefix(crate::connect::SERVICE_INBOX_PREFIX).is_some_and(|rest| rest.starts_with('.'))
}

/// Requests the server may still route here after the drain starts.
const DRAIN_SLACK: u64 = 256;
/// While draining, a pause this long in the requests means none is on the way.
const DRAIN_LINGER: Duration = Duration::from_millis(100);

pub(crate) async fn run(
    rt: Arc<ServiceRuntime>,
    endpoint: usize,
    mut sub: Subscriber,
    queue: async_channel::Sender<Job>,
    mut drain: watch::Receiver<bool>,
    default_timeout: Duration,
) {
    let mut received: u64 = 0;
    // Serving: the drain signal is one future made once, so a request costs
    // no waker registration, timer or clock read here.
    {
        let draining = async {
            loop {
                let now = *drain.borrow_and_update();
                // A dropped sender means the host is gone: drain too.
                if now || drain.changed().await.is_err() {
                    return;
                }
            }
        };
        tokio::pin!(draining);
        loop {
            tokio::select! {
                biased;
                _ = &mut draining => break,
                msg = sub.next() => {
                    let Some(msg) = msg else { return };
                    received += 1;
                    accept(&rt, endpoint, msg, &queue, default_timeout).await;
                }
            }
        }
    }
    // Draining: leave the queue group with a limit, then read what is on the way.
    if let Err(e) = sub.unsubscribe_after(received + 1 + DRAIN_SLACK).await {
        tracing::warn!(error = %e, "leaving the queue group failed");
        return;
    }
    let mut leaving = Leaving::Lingering(tokio::time::Instant::now() + DRAIN_LINGER);
    loop {
        let quiet_at = match leaving {
            Leaving::Lingering(at) => Some(at),
            _ => None,
        };
        tokio::select! {
            biased;
            _ = tokio::time::sleep_until(quiet_at.unwrap_or_else(tokio::time::Instant::now)), if quiet_at.is_some() => {
                // Quiet for a while: nothing is on the way. Leave outright and
                // read what is buffered.
                let _ = sub.unsubscribe().await;
                leaving = Leaving::Left;
            }
            msg = sub.next() => {
                let Some(msg) = msg else { break };
                if let Leaving::Lingering(at) = &mut leaving {
                    *at = tokio::time::Instant::now() + DRAIN_LINGER;
                }
                accept(&rt, endpoint, msg, &queue, default_timeout).await;
            }
        }
    }
}

/// Where an ingress is in leaving its queue group.
enum Leaving {
    /// Limit sent; leave outright if nothing arrives by then.
    Lingering(tokio::time::Instant),
    /// Unsubscribed; reading what is buffered.
    Left,
}

async fn accept(
    rt: &ServiceRuntime,
    endpoint: usize,
    mut msg: async_nats::Message,
    queue: &async_channel::Sender<Job>,
    default_timeout: Duration,
) {
    let received = Instant::now();
    let Some(reply_to) = msg.reply.clone() else {
        tracing::debug!(subject = %msg.subject, "message without reply subject ignored");
        return;
    };
    let stats = &rt.stats[endpoint];
    if !expected_reply(&reply_to) {
        tracing::warn!(subject = %msg.subject, reply = %crate::reply::header_safe(&reply_to), "request with an unexpected reply subject refused");
        let refused =
            ServiceError::bad_request(chorus_nats::errors::common::UNEXPECTED_REPLY_SUBJECT, "replies go to an inbox");
        stats.record(received.elapsed(), Some(&refused));
        return;
    }
    let ctx = RequestCtx::from_message(&mut msg, default_timeout);
    if ctx.expired() {
        let reply = reply::Reply { nats: &rt.nats, to: reply_to, encoding: ctx.encoding, stats, received };
        reply.send(Err(ServiceError::deadline_exceeded()), None).await;
        return;
    }
    let encoding = ctx.encoding;
    let job = Job { in_flight: rt.accept(), endpoint, reply: reply_to, body: msg.payload, ctx, received };
    let refused = match queue.try_send(job) {
        Ok(()) => return,
        Err(TrySendError::Full(job)) => (
            job,
            ServiceError::unavailable(
                chorus_nats::errors::common::OVERLOADED,
                "the service is at capacity; retry shortly",
            ),
        ),
        Err(TrySendError::Closed(job)) => (
            job,
            ServiceError::unavailable(chorus_nats::errors::common::DRAINING, "the instance is shutting down; retry"),
        ),
    };
    let reply = reply::Reply { nats: &rt.nats, to: refused.0.reply, encoding, stats, received };
    reply.send(Err(refused.1), None).await;
}

#[cfg(test)]
mod tests {
    use super::expected_reply;

    #[test]
    fn only_inboxes_and_import_replies_are_answered() {
        for ok in ["_INBOX.abc.1", "_R_.HD1QCB.cRq9eG", "_CHORUS_SVC_INBOX.x.2"] {
            assert!(expected_reply(ok), "{ok}");
        }
        let subject = chorus_nats::subjects::catalog::track_get().subject();
        for bad in [
            "$JS.API.STREAM.DELETE.KV_chorus_auth",
            "$KV.chorus_auth_trust.disabled.x",
            "_INBOX",
            "_R_",
            &subject,
            "_INBOXX.a",
        ] {
            assert!(!expected_reply(bad), "{bad}");
        }
    }
}
