//! `album.get` (with its tracks) and `album.list` (browse lists).

use chorus_host::Fail;
use chorus_nats::errors::catalog as codes;
use chorus_nats::messages::catalog::{AlbumDetail, AlbumList, AlbumOrder, AlbumPage};
use chorus_nats::ServiceError;
use serde_json::json;
use uuid::Uuid;

use crate::paging;
use crate::projection::Catalog;
use chorus_nats::messages::catalog::year_range;

pub(crate) async fn get(c: &Catalog, id: Uuid) -> Result<AlbumDetail, Fail> {
    let album = c.memory().album(&id);
    let album = album.ok_or_else(|| ServiceError::not_found(codes::ALBUM_NOT_FOUND, format!("no album {id}")))?;
    let tracks = c.memory().tracks_of_album(&id);
    Ok(AlbumDetail { album, tracks })
}

pub(crate) async fn list(c: &Catalog, req: AlbumList) -> Result<AlbumPage, Fail> {
    let limit = paging::limit(req.limit)?;
    let offset = paging::offset(req.offset)?;
    let (filter, order) = match req.order {
        AlbumOrder::Newest => ("true", "added_at DESC, key"),
        AlbumOrder::AlphabeticalByName => ("true", "sort, key"),
        AlbumOrder::AlphabeticalByArtist => ("true", "artist_sort, sort, key"),
        AlbumOrder::Random => ("true", "rand()"),
        AlbumOrder::ByGenre => {
            if req.genre.as_deref().is_none_or(|g| g.trim().is_empty()) {
                return Err(ServiceError::bad_request(codes::MISSING_GENRE, "by_genre needs a genre").into());
            }
            ("$genre IN genres", "sort, key")
        }
        AlbumOrder::ByYear => {
            let (Some(from), Some(to)) = (req.year_from, req.year_to) else {
                return Err(
                    ServiceError::bad_request(codes::MISSING_YEARS, "by_year needs year_from and year_to").into()
                );
            };
            // The range is the same either way (as in track.list and search);
            // the order of the bounds is the order of the list (Subsonic's byYear).
            if from <= to {
                ("year >= $low AND year <= $high", "year, sort, key")
            } else {
                ("year >= $low AND year <= $high", "year DESC, sort, key")
            }
        }
    };
    // The years count only for by_year, the genre only for by_genre: other types ignore them.
    let (low, high) = match year_range(req.year_from, req.year_to) {
        (Some(low), Some(high)) => (low, high),
        _ => (0, 0),
    };
    let sql = format!("SELECT VALUE key FROM album WHERE {filter} ORDER BY {order} LIMIT $limit START $offset");
    let vars = json!({
        "limit": limit,
        "offset": offset,
        "genre": req.genre.map(|g| g.trim().to_lowercase()),
        "low": low,
        "high": high,
    });
    let keys: Vec<String> = c.view.query(&sql, vars).await?;
    let albums = c.memory().albums_of(&keys);
    Ok(AlbumPage { albums })
}
