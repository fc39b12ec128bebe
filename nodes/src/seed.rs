//! `chorus seed`: fill the catalog record with a synthetic catalog.

use anyhow::Context as _;
use chorus_catalog::records::Kind;
use chorus_catalog::synthetic;
use chorus_state::{Records, WriteError};
use futures::stream::{self, StreamExt, TryStreamExt};
use serde::Serialize;

/// Write a synthetic catalog of `n` tracks from `seed`: artists, then albums,
/// then tracks. Records that exist are left as they are, so a re-run creates
/// no duplicates. Returns how many tracks were new.
pub async fn run(nats: async_nats::Client, n: usize, seed: u64, replicas: usize) -> anyhow::Result<usize> {
    let js = async_nats::jetstream::new(nats);
    let records = chorus_catalog::open_records(&js, replicas).await?;
    let catalog = synthetic::generate(n, seed);
    create_all(&records, Kind::Artist, catalog.artists.iter().map(|a| (a.id, a))).await?;
    create_all(&records, Kind::Album, catalog.albums.iter().map(|a| (a.id, a))).await?;
    create_all(&records, Kind::Track, catalog.tracks.iter().map(|t| (t.id, t))).await
}

/// Create `items` of `kind`, 64 at a time; existing records are left as
/// they are. Returns how many were new.
pub async fn create_all<'a, T: Serialize + Sync + 'a>(
    records: &Records,
    kind: Kind,
    items: impl Iterator<Item = (uuid::Uuid, &'a T)>,
) -> anyhow::Result<usize> {
    let created: Vec<bool> = stream::iter(items)
        .map(|(id, item)| async move {
            match records.create(&kind.key(id), item).await {
                Ok(_) => Ok(true),
                Err(WriteError::Exists) => Ok(false),
                Err(e) => Err(anyhow::Error::new(e).context(format!("writing {}", kind.name()))),
            }
        })
        .buffer_unordered(64)
        .try_collect()
        .await
        .context("seeding the catalog")?;
    Ok(created.into_iter().filter(|c| *c).count())
}
