//! Favorites and ratings: one record per user, changed with re-read-and-retry.

use chorus_host::RequestCtx;
use chorus_nats::headers::now_ms;
use chorus_nats::messages::catalog::{AlbumGet, ArtistGet};
use chorus_nats::messages::profile::{FavoriteKind, FavoriteSet, Favorites, Rating, RatingSet, Ratings, Starred};
use chorus_nats::messages::Empty;
use chorus_nats::{subjects::catalog, ClientError, ServiceError};
use uuid::Uuid;

use crate::catalog_check;
use crate::records::{library_key, Library};
use crate::state::{failed, Profile};
use crate::Fail;

const ATTEMPTS: usize = 5;

/// 404 unless the catalog has the `kind` with `id`.
async fn exists(p: &Profile, ctx: &RequestCtx, kind: FavoriteKind, id: Uuid) -> Result<(), Fail> {
    let client = p.as_caller(ctx);
    let found: Result<(), ClientError> = match kind {
        FavoriteKind::Track => return catalog_check::require(&client, &[id]).await.map(|_| ()),
        FavoriteKind::Album => {
            client.request::<_, serde::de::IgnoredAny>(catalog::album_get(), &AlbumGet { id }).await.map(|_| ())
        }
        FavoriteKind::Artist => {
            client.request::<_, serde::de::IgnoredAny>(catalog::artist_get(), &ArtistGet { id }).await.map(|_| ())
        }
    };
    found.map_err(|e| e.into_service_error("catalog_unavailable").into())
}

async fn change(p: &Profile, user: Uuid, f: impl Fn(&mut Library) + Clone) -> Result<(), Fail> {
    p.records
        .modify::<Library, _, _>(&library_key(user), ATTEMPTS, |lib| {
            let f = f.clone();
            async move {
                let mut lib = lib.unwrap_or_default();
                f(&mut lib);
                Ok(Some(lib))
            }
        })
        .await
        .map_err(failed)?;
    Ok(())
}

pub(crate) async fn set_favorite(p: &Profile, ctx: &RequestCtx, req: FavoriteSet) -> Result<Empty, Fail> {
    let user = ctx.caller()?.sub;
    if req.starred {
        exists(p, ctx, req.kind, req.id).await?;
    }
    let now = now_ms();
    change(p, user, move |lib| {
        let map = match req.kind {
            FavoriteKind::Track => &mut lib.tracks,
            FavoriteKind::Album => &mut lib.albums,
            FavoriteKind::Artist => &mut lib.artists,
        };
        if req.starred {
            map.entry(req.id).or_insert(now);
        } else {
            map.remove(&req.id);
        }
    })
    .await?;
    Ok(Empty {})
}

pub(crate) async fn favorites(p: &Profile, ctx: &RequestCtx) -> Result<Favorites, Fail> {
    let lib = load(p, ctx.caller()?.sub).await?;
    let newest = |m: &std::collections::BTreeMap<Uuid, u64>| {
        let mut v: Vec<Starred> = m.iter().map(|(id, at)| Starred { id: *id, starred_at: *at }).collect();
        v.sort_by(|a, b| b.starred_at.cmp(&a.starred_at).then(a.id.cmp(&b.id)));
        v
    };
    Ok(Favorites { tracks: newest(&lib.tracks), albums: newest(&lib.albums), artists: newest(&lib.artists) })
}

pub(crate) async fn set_rating(p: &Profile, ctx: &RequestCtx, req: RatingSet) -> Result<Empty, Fail> {
    let user = ctx.caller()?.sub;
    if req.rating > 5 {
        return Err(ServiceError::bad_request("invalid_rating", "a rating is 1 to 5, or 0 to clear it").into());
    }
    if req.rating > 0 {
        catalog_check::require(&p.as_caller(ctx), &[req.track_id]).await?;
    }
    change(p, user, move |lib| {
        if req.rating == 0 {
            lib.ratings.remove(&req.track_id);
        } else {
            lib.ratings.insert(req.track_id, req.rating);
        }
    })
    .await?;
    Ok(Empty {})
}

pub(crate) async fn ratings(p: &Profile, ctx: &RequestCtx) -> Result<Ratings, Fail> {
    let lib = load(p, ctx.caller()?.sub).await?;
    Ok(Ratings { ratings: lib.ratings.into_iter().map(|(track_id, rating)| Rating { track_id, rating }).collect() })
}

async fn load(p: &Profile, user: Uuid) -> Result<Library, Fail> {
    Ok(p.records.get::<Library>(&library_key(user)).await?.map(|(l, _)| l).unwrap_or_default())
}
