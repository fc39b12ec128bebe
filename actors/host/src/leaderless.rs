//! Writes to a JetStream stream that has no leader for a moment.
//!
//! Used by the state kit's records and the host's own trust bucket.

use anyhow::Context as _;
use async_nats::jetstream::{self, kv};

/// A bounded retry of writes that reached no stream. In a cluster a bucket's
/// stream has no leader for a moment after its leader's server dies (and a
/// new R3 stream before its first election): JetStream then does not answer
/// the publish at all (no responders, which async-nats reports as
/// `StreamNotFound`). Nothing was written, so trying again is safe, where a
/// timed-out write is not (it may have been stored).
pub struct Leaderless {
    started: std::time::Instant,
}

impl Leaderless {
    /// How long a write waits for a leader: an election took more than 6 s
    /// here once in about five kills (nats-server's raft waits 4 to 9 s for
    /// a leader that went silent); a handler's default timeout is 10 s.
    pub const BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

    /// A budget starting now.
    pub fn new() -> Self {
        Self { started: std::time::Instant::now() }
    }

    /// Whether a write that `reached_no_stream` may be tried again (after a
    /// pause): while the budget lasts.
    pub async fn again(&mut self, reached_no_stream: bool) -> bool {
        if !reached_no_stream || self.started.elapsed() >= Self::BUDGET {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        true
    }
}

/// Whether `e`, or an error under it, is a publish that no stream answered.
pub fn reached_no_stream(e: &(dyn std::error::Error + 'static)) -> bool {
    use async_nats::jetstream::context::{PublishError, PublishErrorKind};
    let mut next = Some(e);
    while let Some(err) = next {
        if err.downcast_ref::<PublishError>().is_some_and(|p| p.kind() == PublishErrorKind::StreamNotFound) {
            return true;
        }
        // kv::Store::create reads the entry after a failed write; that read
        // reports the same condition in its own words, with no source: the
        // publish's "no stream found", or the message get's "503 no
        // responders" (seen when two nodes started together on a new cluster).
        let text = err.to_string();
        if text == PublishErrorKind::StreamNotFound.to_string() || text.ends_with("503 no responders") {
            return true;
        }
        next = err.source();
    }
    false
}

impl Default for Leaderless {
    fn default() -> Self {
        Self::new()
    }
}

/// `kv.put(key, value)`, tried again while the bucket's stream has no leader
/// (a put is last-write-wins, so trying again is safe). Returns the revision.
pub async fn put(store: &kv::Store, key: &str, value: bytes::Bytes) -> Result<u64, kv::PutError> {
    let mut tries = Leaderless::new();
    loop {
        match store.put(key, value.clone()).await {
            Err(e) if tries.again(reached_no_stream(&e)).await => continue,
            done => return done,
        }
    }
}

/// The KV bucket `config` names, created when missing. Nodes starting
/// together on a new cluster race to create it, and a new cluster answers
/// JetStream only once it has a meta leader: a failure is tried again, both
/// steps, for the same budget as a leaderless write.
pub async fn open_kv(js: &jetstream::Context, config: kv::Config) -> anyhow::Result<kv::Store> {
    let started = std::time::Instant::now();
    loop {
        if let Ok(kv) = js.get_key_value(&config.bucket).await {
            return Ok(kv);
        }
        match js.create_key_value(config.clone()).await {
            Ok(kv) => return Ok(kv),
            Err(e) if started.elapsed() < Leaderless::BUDGET => {
                tracing::debug!(bucket = %config.bucket, error = %e, "creating a bucket; trying again");
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            Err(e) => return Err(e).with_context(|| format!("creating KV bucket {}", config.bucket)),
        }
    }
}
