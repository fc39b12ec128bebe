//! `artist.get` (with albums), `artist.list`, `genre.list`.

use std::sync::Arc;

use chorus_host::{typed, EndpointDef, Fail};
use chorus_nats::errors::catalog as codes;
use chorus_nats::messages::catalog::{Artist, ArtistDetail, ArtistGet, ArtistList, ArtistPage, Empty, GenreList};
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
            endpoint: catalog::artist_get(),
            handler: typed(move |_, req: ArtistGet| {
                let c = c1.clone();
                async move { get(&c, req.id).await }
            }),
        },
        EndpointDef {
            endpoint: catalog::artist_list(),
            handler: typed(move |_, req: ArtistList| {
                let c = c2.clone();
                async move { list(&c, req).await }
            }),
        },
        EndpointDef {
            endpoint: catalog::genre_list(),
            handler: typed(move |_, _: Empty| {
                let c = c3.clone();
                async move { Ok::<_, Fail>(GenreList { genres: c.memory().genres() }) }
            }),
        },
    ]
}

async fn get(c: &Catalog, id: Uuid) -> Result<ArtistDetail, Fail> {
    let artist = c.memory().artists.get(&id).map(|a| Artist::clone(a));
    let artist = artist.ok_or_else(|| ServiceError::not_found(codes::ARTIST_NOT_FOUND, format!("no artist {id}")))?;
    let keys: Vec<String> = c
        .view
        .query(
            "SELECT VALUE key FROM album WHERE artist = $artist ORDER BY year DESC, sort",
            json!({"artist": id.to_string()}),
        )
        .await?;
    let albums = c.memory().albums_of(&keys);
    Ok(ArtistDetail { artist, albums })
}

async fn list(c: &Catalog, req: ArtistList) -> Result<ArtistPage, Fail> {
    let limit = paging::limit(req.limit)?;
    let offset = paging::offset(req.offset)?;
    let keys: Vec<String> = c
        .view
        .query(
            "SELECT VALUE key FROM artist ORDER BY sort, key LIMIT $limit START $offset",
            json!({"limit": limit, "offset": offset}),
        )
        .await?;
    let artists = c.memory().artists_of(&keys);
    Ok(ArtistPage { artists })
}
