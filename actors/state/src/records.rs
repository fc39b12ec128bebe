//! A service's records in its JetStream KV bucket (`chorus_<service>`).
//!
//! Values are MessagePack. Every write returns its revision (the bucket
//! stream's sequence), which the caller waits for in its view and hands to the
//! client for read-your-writes.

use std::future::Future;

use anyhow::Context as _;
use async_nats::jetstream::{self, kv};
use async_nats::HeaderMap;
use chorus_host::leaderless::{reached_no_stream, Leaderless};
use chorus_nats::{Encoding, ServiceError};
use serde::{de::DeserializeOwned, Serialize};

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// `create` of a key that exists.
    #[error("already exists")]
    Exists,
    /// The key changed since the revision the write expected.
    #[error("changed since it was read")]
    Conflict,
    /// The caller's rule refused the change.
    #[error(transparent)]
    Refused(ServiceError),
    /// JetStream failed.
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// See the module docs.
#[derive(Clone)]
pub struct Records {
    js: jetstream::Context,
    kv: kv::Store,
    bucket: String,
    /// Reads go to the bucket stream's leader (see [`Records::reading_from_leader`]).
    leader_reads: bool,
}

impl Records {
    /// Open `bucket`, creating it with `replicas` on first use.
    pub async fn open(js: &jetstream::Context, bucket: &str, replicas: usize) -> anyhow::Result<Self> {
        Self::open_expiring(js, bucket, replicas, None).await
    }

    /// Open `bucket`, creating it on first use with entries that expire
    /// `max_age` after their last write (counters, sessions), or never.
    pub async fn open_expiring(
        js: &jetstream::Context,
        bucket: &str,
        replicas: usize,
        max_age: Option<std::time::Duration>,
    ) -> anyhow::Result<Self> {
        let config = kv::Config {
            bucket: bucket.into(),
            history: 1,
            num_replicas: replicas.max(1),
            max_age: max_age.unwrap_or_default(),
            ..Default::default()
        };
        let kv = chorus_host::leaderless::open_kv(js, config).await?;
        Ok(Self { js: js.clone(), kv, bucket: bucket.into(), leader_reads: false })
    }

    /// The bucket, for watching.
    pub fn store(&self) -> &kv::Store {
        &self.kv
    }

    /// Every [`Records::get`] asks the bucket stream's leader, which has every
    /// acknowledged write. A KV get is otherwise a direct get, which any
    /// replica may answer, one that has not applied the newest writes among
    /// them: where a read decides without a conditional write after it (a
    /// login right after its registration, a refresh token's family), it must
    /// not be stale. In the fault suite a login read "no such user" from a
    /// replica while the leader was frozen. Slower in a cluster (the leader's
    /// JetStream API, not any replica); the same on one server.
    pub fn reading_from_leader(mut self) -> Self {
        self.leader_reads = true;
        self
    }

    /// The value at `key` and its revision.
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> anyhow::Result<Option<(T, u64)>> {
        if self.leader_reads {
            return self.get_from_leader(key).await;
        }
        let entry = self.kv.entry(key).await.with_context(|| format!("reading {key}"))?;
        match entry {
            Some(e) if e.operation == kv::Operation::Put => Ok(Some((decode(&e.value)?, e.revision))),
            _ => Ok(None),
        }
    }

    async fn get_from_leader<T: DeserializeOwned>(&self, key: &str) -> anyhow::Result<Option<(T, u64)>> {
        use async_nats::jetstream::stream::LastRawMessageErrorKind;
        let subject = format!("{}{key}", self.kv.prefix);
        match self.kv.stream.get_last_raw_message_by_subject(&subject).await {
            // A delete or purge marker carries `KV-Operation` (or, made by
            // the server, `Nats-Marker-Reason`); a put neither.
            Ok(m) if m.headers.get("KV-Operation").is_some() || m.headers.get("Nats-Marker-Reason").is_some() => {
                Ok(None)
            }
            Ok(m) => Ok(Some((decode(&m.payload)?, m.sequence))),
            Err(e) if e.kind() == LastRawMessageErrorKind::NoMessageFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {key}")),
        }
    }

    /// Write `value` at `key` whatever it held (last write wins). Returns the revision.
    pub async fn put<T: Serialize>(&self, key: &str, value: &T) -> anyhow::Result<u64> {
        let value = encode(value)?;
        chorus_host::leaderless::put(&self.kv, key, value).await.with_context(|| format!("writing {key}"))
    }

    /// Write `value` at `key` only if the key holds nothing.
    pub async fn create<T: Serialize>(&self, key: &str, value: &T) -> Result<u64, WriteError> {
        let value = encode(value)?;
        let mut tries = Leaderless::new();
        loop {
            match self.kv.create(key, value.clone()).await {
                Ok(rev) => return Ok(rev),
                Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => return Err(WriteError::Exists),
                Err(e) if tries.again(reached_no_stream(&e)).await => continue,
                Err(e) => return Err(WriteError::Failed(anyhow::Error::new(e).context(format!("creating {key}")))),
            }
        }
    }

    /// Write `value` at `key` only if its revision is still `revision`.
    pub async fn update<T: Serialize>(&self, key: &str, value: &T, revision: u64) -> Result<u64, WriteError> {
        let value = encode(value)?;
        let mut tries = Leaderless::new();
        loop {
            match self.kv.update(key, value.clone(), revision).await {
                Ok(rev) => return Ok(rev),
                Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => return Err(WriteError::Conflict),
                Err(e) if tries.again(reached_no_stream(&e)).await => continue,
                Err(e) => return Err(WriteError::Failed(anyhow::Error::new(e).context(format!("updating {key}")))),
            }
        }
    }

    /// Remove `key` and every revision it had, leaving a purge marker (the
    /// key's name and nothing else) so that views following the bucket see
    /// it go. Returns the marker's revision. For a closed account's data.
    pub async fn purge(&self, key: &str) -> anyhow::Result<u64> {
        // Published by hand, like `delete`, for the marker's sequence.
        let mut h = HeaderMap::new();
        h.insert("KV-Operation", "PURGE");
        h.insert("Nats-Rollup", "sub");
        let subject = format!("$KV.{}.{key}", self.bucket);
        let ack = self.js.publish_with_headers(subject, h, bytes::Bytes::new()).await.context("purging")?.await;
        Ok(ack.with_context(|| format!("purging {key}"))?.sequence)
    }

    /// Remove `key` without a trace, not even a marker: for a key whose name
    /// is itself personal (a username). Views following the bucket do not
    /// see it go, so only for keys no view follows.
    pub async fn erase(&self, key: &str) -> anyhow::Result<()> {
        self.erase_matching(key).await
    }

    /// [`erase`](Self::erase) every key under `prefix` (`<prefix>.…`).
    pub async fn erase_under(&self, prefix: &str) -> anyhow::Result<()> {
        self.erase_matching(&format!("{prefix}.>")).await
    }

    async fn erase_matching(&self, keys: &str) -> anyhow::Result<()> {
        let stream = self.js.get_stream(format!("KV_{}", self.bucket)).await.context("the bucket's stream")?;
        stream
            .purge()
            .filter(format!("$KV.{}.{keys}", self.bucket))
            .await
            .with_context(|| format!("erasing {keys}"))?;
        Ok(())
    }

    /// Delete `key` only if its revision is still `revision`. Returns the delete's revision.
    pub async fn delete(&self, key: &str, revision: u64) -> Result<u64, WriteError> {
        // Published by hand (the KV API's delete does not return the sequence).
        let mut h = HeaderMap::new();
        h.insert("KV-Operation", "DEL");
        h.insert(async_nats::header::NATS_EXPECTED_LAST_SUBJECT_SEQUENCE, revision.to_string().as_str());
        let subject = format!("$KV.{}.{key}", self.bucket);
        let ack = self.js.publish_with_headers(subject, h, bytes::Bytes::new()).await.context("deleting")?.await;
        match ack {
            Ok(ack) => Ok(ack.sequence),
            Err(e) if e.kind() == jetstream::context::PublishErrorKind::WrongLastSequence => Err(WriteError::Conflict),
            Err(e) => Err(WriteError::Failed(anyhow::Error::new(e).context(format!("deleting {key}")))),
        }
    }

    /// Read `key`, let `change` decide the new value (`None` deletes), and write
    /// it at the revision read. On a conflict, read again and retry, up to
    /// `attempts` times; then [`WriteError::Conflict`]. Returns the new value
    /// and the write's revision, or `None` when there was nothing to do.
    pub async fn modify<T, F, Fut>(
        &self,
        key: &str,
        attempts: usize,
        mut change: F,
    ) -> Result<Option<(Option<T>, u64)>, WriteError>
    where
        T: Serialize + DeserializeOwned,
        F: FnMut(Option<T>) -> Fut,
        Fut: Future<Output = Result<Option<T>, ServiceError>>,
    {
        for _ in 0..attempts.max(1) {
            let current = self.get::<T>(key).await?;
            let revision = current.as_ref().map(|(_, r)| *r);
            let next = change(current.map(|(v, _)| v)).await.map_err(WriteError::Refused)?;
            let written = match (next.as_ref(), revision) {
                (Some(v), None) => self.create(key, v).await,
                (Some(v), Some(r)) => self.update(key, v, r).await,
                (None, Some(r)) => self.delete(key, r).await,
                (None, None) => return Ok(None),
            };
            match written {
                Ok(rev) => return Ok(Some((next, rev))),
                Err(WriteError::Conflict | WriteError::Exists) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(WriteError::Conflict)
    }
}

/// Publish `message` to a stream and wait for its ack, trying again (for up
/// to 10 s) while no stream answers: the stream has no leader at the moment
/// (see [`Leaderless`]). Give the message a `Nats-Msg-Id` where a write must
/// happen once.
pub async fn publish_led(
    js: &jetstream::Context,
    subject: String,
    message: jetstream::message::PublishMessage,
) -> Result<jetstream::publish::PublishAck, jetstream::context::PublishError> {
    let mut tries = Leaderless::new();
    loop {
        let acked = match js.send_publish(subject.clone(), message.clone()).await {
            Ok(ack) => ack.await,
            Err(e) => Err(e),
        };
        match acked {
            Err(e) if tries.again(reached_no_stream(&e)).await => continue,
            done => return done,
        }
    }
}

fn encode<T: Serialize>(value: &T) -> anyhow::Result<bytes::Bytes> {
    Encoding::MsgPack.encode(value).context("encoding a record")
}

/// Decode a stored record.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> anyhow::Result<T> {
    Encoding::MsgPack.decode(bytes).context("decoding a record")
}
