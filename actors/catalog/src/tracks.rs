//! `track.get`, `track.batch`, `track.list`.

use std::sync::Arc;

use chorus_host::{typed, EndpointDef, Fail};
use chorus_nats::messages::catalog::{Track, TrackBatch, TrackBatchReply, TrackGet, TrackList, TrackPage};
use chorus_nats::subjects::catalog;
use chorus_nats::ServiceError;
use serde_json::json;
use uuid::Uuid;

use crate::paging;
use crate::projection::Catalog;

pub(crate) fn endpoints(c: &Arc<Catalog>) -> Vec<EndpointDef> {
    let (c1, c2, c3) = (c.clone(), c.clone(), c.clone());
    vec![
        EndpointDef {
            endpoint: catalog::track_get(),
            handler: typed(move |_, req: TrackGet| {
                let c = c1.clone();
                async move { get(&c, req.id) }
            }),
        },
        EndpointDef {
            endpoint: catalog::track_batch(),
            handler: typed(move |_, req: TrackBatch| {
                let c = c2.clone();
                async move { batch(&c, req) }
            }),
        },
        EndpointDef {
            endpoint: catalog::track_list(),
            handler: typed(move |_, req: TrackList| {
                let c = c3.clone();
                async move { list(&c, req).await }
            }),
        },
    ]
}

fn get(c: &Catalog, id: Uuid) -> Result<Arc<Track>, Fail> {
    match c.memory().tracks.get(&id) {
        Some(t) => Ok(t.clone()),
        None => Err(ServiceError::not_found("track_not_found", format!("no track {id}")).into()),
    }
}

fn batch(c: &Catalog, req: TrackBatch) -> Result<TrackBatchReply, Fail> {
    if req.ids.len() > paging::MAX_LIMIT as usize {
        return Err(ServiceError::bad_request("too_many_ids", format!("at most {} ids", paging::MAX_LIMIT)).into());
    }
    let memory = c.memory();
    let (mut tracks, mut missing) = (Vec::new(), Vec::new());
    for id in req.ids {
        match memory.tracks.get(&id) {
            Some(t) => tracks.push(Track::clone(t)),
            None => missing.push(id),
        }
    }
    Ok(TrackBatchReply { tracks, missing })
}

async fn list(c: &Catalog, req: TrackList) -> Result<TrackPage, Fail> {
    let limit = paging::limit(req.limit)?;
    let after = match req.cursor.as_deref() {
        None | Some("") => String::new(),
        Some(cursor) => Uuid::parse_str(cursor)
            .map_err(|_| ServiceError::bad_request("invalid_cursor", "cursor is not one this service issued"))?
            .to_string(),
    };
    // Fixed fragments only; every value is a parameter.
    let mut filter = String::from("key > $after");
    if req.artist.is_some() {
        filter.push_str(" AND $artist IN artists");
    }
    if req.album.is_some() {
        filter.push_str(" AND album = $album");
    }
    if req.genre.is_some() {
        filter.push_str(" AND $genre IN genres");
    }
    if req.year_from.is_some() {
        filter.push_str(" AND year >= $year_from");
    }
    if req.year_to.is_some() {
        filter.push_str(" AND year <= $year_to");
    }
    let sql = format!("SELECT VALUE key FROM track WHERE {filter} ORDER BY key LIMIT $limit");
    let vars = json!({
        "after": after,
        "limit": limit,
        "artist": req.artist.map(|a| a.to_string()),
        "album": req.album.map(|a| a.to_string()),
        "genre": req.genre.map(|g| g.trim().to_lowercase()),
        "year_from": req.year_from,
        "year_to": req.year_to,
    });
    let keys: Vec<String> = c.view.query(&sql, vars).await?;
    // A track deleted between the query and the lookup is simply skipped.
    let tracks = c.memory().tracks_of(&keys);
    let next = (keys.len() == limit as usize).then(|| keys.last().cloned()).flatten();
    Ok(TrackPage { tracks, next })
}
