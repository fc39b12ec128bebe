//! Account closures as the services carry them out: auth announces a
//! closure on the stream `chorus_account_closures` (the contract is
//! `chorus_nats::records::accounts`); each service that keeps a listener's
//! data erases it from a durable consumer of its own, shared by its
//! instances, so one instance erases each closure, and a closure announced
//! while the service was down is erased when it starts.
//!
//! An erasure is acknowledged only once it succeeded; one that fails is
//! tried again, so erasers must be idempotent (a second run finds nothing
//! left and succeeds).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, message::PublishMessage, stream};
use chorus_nats::records::accounts::{closure_subject, Closure, CLOSURES};
use chorus_nats::Encoding;
use futures::future::BoxFuture;

use crate::jobs::{job_child, JobHandler, JobQueue};

/// What a service does with a closed account.
pub type Eraser = Arc<dyn Fn(Closure) -> BoxFuture<'static, anyhow::Result<()>> + Send + Sync>;

/// The closures stream, created if missing (limits retention: every service
/// reads every closure with its own consumer; nothing but ids and times is
/// kept). A second announce of one account within the duplicate window is
/// dropped (its id is the message id).
pub async fn open(js: &jetstream::Context, replicas: usize) -> anyhow::Result<stream::Stream> {
    js.get_or_create_stream(config(replicas)).await.context("opening the account closures stream")
}

fn config(replicas: usize) -> stream::Config {
    stream::Config {
        name: CLOSURES.into(),
        subjects: vec![format!("{CLOSURES}.*")],
        retention: stream::RetentionPolicy::Limits,
        num_replicas: replicas.max(1),
        // Only what `JobQueue::ensure` sets too: whichever creates the stream
        // first, auth or an eraser, creates the same one.
        ..Default::default()
    }
}

/// Announce `closure`; returns its stream sequence once stored.
pub async fn announce(js: &jetstream::Context, closure: Closure) -> anyhow::Result<u64> {
    let payload = Encoding::MsgPack.encode(&closure).context("encoding a closure")?;
    let publish = PublishMessage::build().payload(payload).message_id(closure.user.to_string());
    // Led: a closure is announced once, even while the stream elects a leader.
    let ack = crate::publish_led(js, closure_subject(closure.user), publish).await.context("announcing a closure")?;
    Ok(ack.sequence)
}

/// The supervised consumer through which `service` erases closed accounts.
pub fn eraser_child(service: &str, js: jetstream::Context, replicas: usize, erase: Eraser) -> chorus_host::ChildSpec {
    let queue = JobQueue {
        stream: CLOSURES.into(),
        subjects: config(replicas).subjects,
        durable: format!("{service}-erase"),
        ack_wait: Duration::from_secs(60),
        retry_delay: Duration::from_secs(2),
        replicas,
        retention: stream::RetentionPolicy::Limits,
        max_ack_pending: 0,
    };
    let handler: JobHandler = Arc::new(move |job| {
        let erase = erase.clone();
        Box::pin(async move {
            let closure: Closure = match Encoding::MsgPack.decode(&job.payload) {
                Ok(c) => c,
                Err(e) => {
                    // Not a closure: retrying cannot help.
                    tracing::error!(job = job.id, error = %e, "undecodable closure skipped");
                    return Ok(());
                }
            };
            erase(closure).await.with_context(|| format!("erasing account {}", closure.user))?;
            tracing::info!(user = %closure.user, "closed account erased");
            Ok(())
        })
    });
    job_child(&format!("{service}-erase"), js, queue, handler)
}
