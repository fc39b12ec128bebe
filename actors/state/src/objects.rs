//! Whole objects read from a JetStream object store with direct gets.
//!
//! `ObjectStore::get` creates a consumer per read, which lingers after it
//! (thousands of reads a second run into the server's consumer limit). An
//! object is its info plus chunk messages on `$O.<bucket>.C.<nuid>`; with
//! `allow_direct` (which object stores have) each chunk is one direct get,
//! answered by any replica, with no consumer at all.

use anyhow::Context as _;
use async_nats::jetstream::{self, object_store::ObjectStore, stream::Stream};
use bytes::{Bytes, BytesMut};

/// The object store `bucket`, created (with `description`, at `replicas`:
/// 1 in dev, 3 in a cluster) if it does not exist yet.
pub async fn ensure_store(
    js: &jetstream::Context,
    bucket: &str,
    description: &str,
    replicas: usize,
) -> anyhow::Result<ObjectStore> {
    if let Ok(store) = js.get_object_store(bucket).await {
        return Ok(store);
    }
    let config = async_nats::jetstream::object_store::Config {
        bucket: bucket.into(),
        description: Some(description.into()),
        num_replicas: replicas.max(1),
        ..Default::default()
    };
    js.create_object_store(config).await.with_context(|| format!("creating object store {bucket}"))
}

/// See the module docs.
#[derive(Clone)]
pub struct ObjectReader {
    bucket: String,
    store: ObjectStore,
    stream: Stream,
}

impl ObjectReader {
    /// A reader of the object store `bucket`, created (empty, at `replicas`) if it does not exist yet.
    pub async fn open(
        js: &jetstream::Context,
        bucket: &str,
        description: &str,
        replicas: usize,
    ) -> anyhow::Result<Self> {
        let store = ensure_store(js, bucket, description, replicas).await?;
        let stream =
            js.get_stream(format!("OBJ_{bucket}")).await.with_context(|| format!("opening the stream of {bucket}"))?;
        Ok(Self { bucket: bucket.to_string(), store, stream })
    }

    /// The store itself, for writing.
    pub fn store(&self) -> &ObjectStore {
        &self.store
    }

    /// The whole object `name`.
    pub async fn read(&self, name: &str) -> anyhow::Result<Bytes> {
        let info = self.store.info(name).await.with_context(|| format!("object {name}"))?;
        anyhow::ensure!(!info.deleted, "object {name} was deleted");
        let subject = format!("$O.{}.C.{}", self.bucket, info.nuid);
        let mut data = BytesMut::with_capacity(info.size);
        let mut next = None;
        for _ in 0..info.chunks {
            let msg = self
                .stream
                .direct_get_next_for_subject(subject.clone(), next)
                .await
                .with_context(|| format!("reading a chunk of {name}"))?;
            data.extend_from_slice(&msg.payload);
            next = Some(msg.sequence + 1);
        }
        anyhow::ensure!(data.len() == info.size, "object {name}: read {} of {} bytes", data.len(), info.size);
        Ok(data.freeze())
    }
}
