//! `artist.get` (with albums), `artist.list`, `genre.list`.

use chorus_host::Fail;
use chorus_nats::errors::catalog as codes;
use chorus_nats::messages::catalog::{Artist, ArtistDetail, ArtistList, ArtistPage, Genres};
use chorus_nats::ServiceError;
use serde_json::json;
use uuid::Uuid;

use crate::paging;
use crate::projection::Catalog;

pub(crate) async fn get(c: &Catalog, id: Uuid) -> Result<ArtistDetail, Fail> {
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

pub(crate) async fn list(c: &Catalog, req: ArtistList) -> Result<ArtistPage, Fail> {
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

pub(crate) fn genres(c: &Catalog) -> Genres {
    Genres { genres: c.memory().genres() }
}
