//! `track.get`, `track.batch`, `track.list`.

use chorus_host::{EncodedPage, Fail, Packed};
use chorus_nats::errors::catalog as codes;
use chorus_nats::messages::catalog::{Track, TrackBatch, TrackBatchReply, TrackList, TrackPage};
use chorus_nats::ServiceError;
use uuid::Uuid;

use crate::paging;
use crate::projection::Catalog;

pub(crate) fn get(c: &Catalog, id: Uuid) -> Result<Packed<Track>, Fail> {
    match c.memory().tracks.get(&id) {
        Some(t) => Ok(t.clone()),
        None => Err(ServiceError::not_found(codes::TRACK_NOT_FOUND, format!("no track {id}")).into()),
    }
}

pub(crate) fn batch(c: &Catalog, req: TrackBatch) -> Result<TrackBatchReply, Fail> {
    if req.ids.len() > paging::MAX_LIMIT as usize {
        return Err(ServiceError::bad_request(codes::TOO_MANY_IDS, format!("at most {} ids", paging::MAX_LIMIT)).into());
    }
    let memory = c.memory();
    let (mut tracks, mut missing) = (Vec::new(), Vec::new());
    for id in req.ids {
        match memory.tracks.get(&id).map(Packed::decode) {
            Some(Ok(t)) => tracks.push(t),
            Some(Err(e)) => return Err(anyhow::anyhow!("decoding a kept track: {e}").into()),
            None => missing.push(id),
        }
    }
    Ok(TrackBatchReply { tracks, missing })
}

/// A [`TrackPage`], the tracks spliced in as kept.
pub(crate) async fn list(c: &Catalog, req: TrackList) -> Result<EncodedPage<TrackPage>, Fail> {
    let limit = paging::limit(req.limit)?;
    let after = chorus_host::paging::cursor(req.cursor.as_deref(), |c| Uuid::parse_str(c).ok())?;
    let genre = req.genre.as_deref().map(|g| g.trim().to_lowercase());
    let (low, high) = chorus_nats::messages::catalog::year_range(req.year_from, req.year_to);
    let filtered = req.artist.is_some() || req.album.is_some() || genre.is_some() || low.is_some() || high.is_some();
    let keep = |t: &Track| {
        req.artist.is_none_or(|a| t.artists.iter().any(|x| x.id == a))
            && req.album.is_none_or(|a| t.album.as_ref().is_some_and(|x| x.id == a))
            && genre.as_deref().is_none_or(|g| t.genres.iter().any(|x| x.trim().to_lowercase() == g))
            && low.is_none_or(|y| t.year.is_some_and(|ty| ty >= y))
            && high.is_none_or(|y| t.year.is_some_and(|ty| ty <= y))
    };
    let page = c.memory().tracks_after(after, limit as usize, filtered.then_some(keep));
    let next = (page.len() == limit as usize).then(|| page.last().map(|(id, _)| id.to_string())).flatten();
    Ok(EncodedPage::new(page.into_iter().map(|(_, t)| t).collect(), next))
}
