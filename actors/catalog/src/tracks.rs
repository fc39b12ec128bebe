//! `track.get` and `track.list`.

use std::sync::Arc;

use chorus_host::{typed, EndpointDef, Fail};
use chorus_nats::messages::catalog::{Track, TrackGet, TrackList, TrackPage};
use chorus_nats::subjects::catalog;
use chorus_nats::ServiceError;
use uuid::Uuid;

use crate::view::CatalogView;

/// Page size when the request names none.
const DEFAULT_LIMIT: u32 = 50;
/// Largest page.
const MAX_LIMIT: u32 = 500;

pub(crate) fn endpoints(view: Arc<CatalogView>) -> Vec<EndpointDef> {
    let get_view = view.clone();
    vec![
        EndpointDef {
            endpoint: catalog::track_get(),
            handler: typed(move |_ctx, req: TrackGet| {
                let view = get_view.clone();
                async move { get(&view, req) }
            }),
        },
        EndpointDef {
            endpoint: catalog::track_list(),
            handler: typed(move |_ctx, req: TrackList| {
                let view = view.clone();
                async move { list(&view, req).await }
            }),
        },
    ]
}

fn get(view: &CatalogView, req: TrackGet) -> Result<Track, Fail> {
    match view.track(req.id) {
        Some(t) => Ok(Track::clone(&t)),
        None => Err(ServiceError::not_found("track_not_found", format!("no track {}", req.id)).into()),
    }
}

async fn list(view: &CatalogView, req: TrackList) -> Result<TrackPage, Fail> {
    let limit = req.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ServiceError::bad_request("invalid_limit", format!("limit must be 1 to {MAX_LIMIT}")).into());
    }
    let after = match req.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => Some(
            Uuid::parse_str(c).map_err(|_| ServiceError::bad_request("invalid_cursor", "cursor is not one this service issued"))?,
        ),
    };
    let ids = view.track_ids_after(after, limit).await?;
    // A track deleted between the query and the lookup is simply skipped.
    let tracks: Vec<Track> = ids.iter().filter_map(|id| view.track(*id)).map(|t| Track::clone(&t)).collect();
    let next = (ids.len() == limit as usize).then(|| ids.last().map(Uuid::to_string)).flatten();
    Ok(TrackPage { tracks, next })
}
