//! `chorus seed`: fill the catalog record with a synthetic catalog.

use anyhow::Context as _;
use chorus_catalog::{records, synthetic};
use futures::stream::{self, StreamExt, TryStreamExt};

/// Write `n` synthetic tracks from `seed` into the catalog bucket. Tracks that
/// already exist are left as they are, so a re-run creates no duplicates.
/// Returns how many were new.
pub async fn run(nats: async_nats::Client, n: usize, seed: u64, replicas: usize) -> anyhow::Result<usize> {
    let js = async_nats::jetstream::new(nats);
    let kv = records::open(&js, replicas).await?;
    let tracks = synthetic::tracks(n, seed);
    let created: Vec<bool> = stream::iter(tracks)
        .map(|track| {
            let kv = kv.clone();
            async move {
                let value = records::encode_track(&track)?;
                match kv.create(records::track_key(track.id), value).await {
                    Ok(_) => Ok(true),
                    Err(e) if e.kind() == async_nats::jetstream::kv::CreateErrorKind::AlreadyExists => Ok(false),
                    Err(e) => Err(anyhow::Error::new(e).context("writing a track")),
                }
            }
        })
        .buffer_unordered(64)
        .try_collect()
        .await
        .context("seeding the catalog")?;
    Ok(created.into_iter().filter(|c| *c).count())
}
