//! Asks the catalog about tracks: profile never trusts a track id it was sent.

use chorus_nats::messages::catalog::{Track, TrackBatch, TrackBatchReply};
use chorus_nats::{errors, subjects::catalog, ChorusClient, ClientError, ServiceError};
use uuid::Uuid;

/// The catalog's `track.batch` limit.
const BATCH: usize = 500;

/// The tracks the catalog has among `ids` (in order), and how many it has not.
pub(crate) async fn lookup(client: &ChorusClient, ids: &[Uuid]) -> Result<(Vec<Track>, usize), crate::Fail> {
    let mut found = Vec::with_capacity(ids.len());
    let mut missing = 0;
    for part in ids.chunks(BATCH) {
        let reply: TrackBatchReply =
            client.request(catalog::track_batch(), &TrackBatch { ids: part.to_vec() }).await.map_err(unavailable)?;
        missing += reply.missing.len();
        found.extend(reply.tracks);
    }
    Ok((found, missing))
}

/// 404 unless the catalog has every one of `ids` (asked about each once).
pub(crate) async fn require(client: &ChorusClient, ids: &[Uuid]) -> Result<Vec<Track>, crate::Fail> {
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    let ids: Vec<Uuid> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    let (tracks, missing) = lookup(client, &ids).await?;
    if missing > 0 {
        let known: std::collections::HashSet<Uuid> = tracks.iter().map(|t| t.id).collect();
        let unknown = ids.iter().find(|id| !known.contains(id)).copied().unwrap_or_default();
        return Err(ServiceError::not_found(
            errors::catalog::TRACK_NOT_FOUND,
            format!("the catalog has no track {unknown}"),
        )
        .into());
    }
    Ok(tracks)
}

fn unavailable(e: ClientError) -> crate::Fail {
    e.into_service_error(errors::profile::CATALOG_UNAVAILABLE).into()
}
