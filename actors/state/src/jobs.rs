//! Job consumption: a durable pull consumer shared by every instance of a
//! service, so each job goes to one instance.
//!
//! A job is acknowledged only after its handler succeeds. A handler that
//! fails gets it again after a delay; an instance that dies mid-job leaves it
//! unacknowledged, and after `ack_wait` another instance gets it. So a job is
//! never lost, and may be *delivered* twice only across a crash: handlers make
//! their effect once-only by keying it on [`Job::id`] (a KV `create`, a
//! `Nats-Msg-Id`).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, consumer, message::AckKind, stream};
use futures::future::BoxFuture;
use futures::StreamExt;
use ractor::{Actor, ActorProcessingErr, ActorRef};

/// One job as its handler sees it.
pub struct Job {
    /// Stable across redeliveries: the stream sequence.
    pub id: u64,
    /// How many times it has been delivered (1 the first time).
    pub delivered: i64,
    /// The subject it was published on.
    pub subject: String,
    /// Its body.
    pub payload: bytes::Bytes,
}

/// What a job handler does; `Err` means "try again later".
pub type JobHandler = Arc<dyn Fn(Job) -> BoxFuture<'static, anyhow::Result<()>> + Send + Sync>;

/// Where jobs come from and how they are retried.
#[derive(Clone)]
pub struct JobQueue {
    /// The stream (`chorus_<service>_jobs`), created if missing.
    pub stream: String,
    /// Its subjects.
    pub subjects: Vec<String>,
    /// The durable consumer all instances share.
    pub durable: String,
    /// How long a job may be held without an ack before redelivery.
    pub ack_wait: Duration,
    /// Delay before a failed job is offered again.
    pub retry_delay: Duration,
    /// JetStream replicas.
    pub replicas: usize,
    /// `WorkQueue` for a service's own jobs (a job is gone once done);
    /// `Limits` for a stream several services each follow with a durable
    /// consumer of their own (each handles every message once).
    pub retention: stream::RetentionPolicy,
    /// Jobs held unacknowledged at once across all instances: 1 for a job
    /// only one instance may run at a time (training); 0 for the server's default.
    pub max_ack_pending: i64,
}

impl JobQueue {
    /// Create the stream and the shared consumer if they do not exist. Both
    /// are idempotent (the same name and settings find what is there), so a
    /// try that timed out is tried again for a while: on a new cluster the
    /// stream's and the consumer's groups elect their leaders first, and with
    /// nodes starting together JetStream took longer than a request's
    /// timeout (seen in CI: a node stopped on "creating consumer … timed out").
    pub async fn ensure(&self, js: &jetstream::Context) -> anyhow::Result<consumer::Consumer<consumer::pull::Config>> {
        const BUDGET: Duration = Duration::from_secs(60);
        let started = std::time::Instant::now();
        loop {
            match self.ensure_once(js).await {
                Err(e) if started.elapsed() < BUDGET => {
                    tracing::warn!(error = %format!("{e:#}"), "setting up the job queue; trying again");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                done => return done,
            }
        }
    }

    async fn ensure_once(&self, js: &jetstream::Context) -> anyhow::Result<consumer::Consumer<consumer::pull::Config>> {
        let stream = js
            .get_or_create_stream(stream::Config {
                name: self.stream.clone(),
                subjects: self.subjects.clone(),
                retention: self.retention,
                num_replicas: self.replicas.max(1),
                ..Default::default()
            })
            .await
            .with_context(|| format!("creating stream {}", self.stream))?;
        stream
            .get_or_create_consumer(
                &self.durable,
                consumer::pull::Config {
                    durable_name: Some(self.durable.clone()),
                    ack_policy: consumer::AckPolicy::Explicit,
                    ack_wait: self.ack_wait,
                    max_ack_pending: self.max_ack_pending,
                    ..Default::default()
                },
            )
            .await
            .with_context(|| format!("creating consumer {}", self.durable))
    }
}

struct JobConsumer;

struct Next;

struct JobState {
    messages: consumer::pull::Stream,
    handler: JobHandler,
    retry_delay: Duration,
    ack_wait: Duration,
}

impl Actor for JobConsumer {
    type Msg = Next;
    type State = JobState;
    type Arguments = (jetstream::Context, JobQueue, JobHandler);

    async fn pre_start(
        &self,
        myself: ActorRef<Next>,
        (js, queue, handler): Self::Arguments,
    ) -> Result<JobState, ActorProcessingErr> {
        let consumer = queue.ensure(&js).await?;
        let messages = consumer.messages().await?;
        myself.cast(Next)?;
        Ok(JobState { messages, handler, retry_delay: queue.retry_delay, ack_wait: queue.ack_wait })
    }

    async fn handle(&self, myself: ActorRef<Next>, _: Next, state: &mut JobState) -> Result<(), ActorProcessingErr> {
        let msg = state.messages.next().await.context("the job stream ended")??;
        let info = msg.info().map_err(|e| anyhow::anyhow!("job metadata: {e}"))?;
        let job = Job {
            id: info.stream_sequence,
            delivered: info.delivered,
            subject: msg.subject.to_string(),
            payload: msg.payload.clone(),
        };
        let id = job.id;
        // A long job tells the server it is alive, so it is redelivered
        // only once its instance is gone (no ack for `ack_wait`).
        let running = (state.handler)(job);
        tokio::pin!(running);
        let mut alive = tokio::time::interval(state.ack_wait / 2);
        alive.tick().await;
        let outcome = loop {
            tokio::select! {
                outcome = &mut running => break outcome,
                _ = alive.tick() => {
                    if let Err(e) = msg.ack_with(AckKind::Progress).await {
                        tracing::warn!(job = id, error = %e, "telling the server a job is still running");
                    }
                }
            }
        };
        match outcome {
            // Double ack: the server confirms, so a success is not redelivered.
            Ok(()) => msg.double_ack().await.map_err(|e| anyhow::anyhow!("acknowledging job {id}: {e}"))?,
            Err(e) => {
                tracing::warn!(job = id, error = %e, "job failed; retrying later");
                msg.ack_with(AckKind::Nak(Some(state.retry_delay)))
                    .await
                    .map_err(|e| anyhow::anyhow!("nak job {id}: {e}"))?;
            }
        }
        myself.cast(Next)?;
        Ok(())
    }
}

/// The supervised consumer of `queue`, one per instance.
pub fn job_child(name: &str, js: jetstream::Context, queue: JobQueue, handler: JobHandler) -> chorus_host::ChildSpec {
    chorus_host::ChildSpec::actor(format!("{name}-jobs"), true, move || {
        (JobConsumer, (js.clone(), queue.clone(), handler.clone()))
    })
}
