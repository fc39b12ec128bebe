//! Favorites and ratings: one record per user, changed with re-read-and-retry.
//! The caps (`max_favorites`, `max_ratings`) are checked inside that
//! read-modify-write, so they hold exactly, across instances too: a write
//! counted against a stale record fails its revision and is counted again.
//! Lists are read in pages.

use std::collections::btree_map::{BTreeMap, Entry};
use std::ops::Bound;

use chorus_host::RequestCtx;
use chorus_nats::clock::now_ms;
use chorus_nats::messages::catalog::{AlbumGet, ArtistGet};
use chorus_nats::messages::profile::{
    FavoriteKind, FavoriteList, FavoriteSet, Favorites, Rating, RatingList, RatingSet, Ratings, Starred,
};
use chorus_nats::messages::Empty;
use chorus_nats::{errors, subjects::catalog, ClientError, ServiceError};
use uuid::Uuid;

use crate::catalog_check;
use crate::records::{library_key, Library};
use crate::state::{failed, Profile};
use crate::Fail;
use chorus_host::paging::{self, PageSize};

const ATTEMPTS: usize = 5;
/// A starred entry is ~70 bytes in JSON, a rating ~60: 500 are ~35 KB.
const FAVORITE_PAGE: PageSize = PageSize { default: 100, max: 500 };
const RATING_PAGE: PageSize = PageSize { default: 100, max: 500 };
/// The order `favorite.list` walks the kinds in.
const KINDS: [FavoriteKind; 3] = [FavoriteKind::Track, FavoriteKind::Album, FavoriteKind::Artist];

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
    found.map_err(|e| e.into_service_error(errors::profile::CATALOG_UNAVAILABLE).into())
}

/// Change `user`'s library with `f`, at the revision read; the reply carries the write's sequence.
async fn change(
    p: &Profile,
    ctx: &RequestCtx,
    user: Uuid,
    f: impl Fn(&mut Library) -> Result<(), ServiceError> + Clone,
) -> Result<(), Fail> {
    let written = p
        .records
        .modify::<Library, _, _>(&library_key(user), ATTEMPTS, |lib| {
            let f = f.clone();
            async move {
                let mut lib = lib.unwrap_or_default();
                f(&mut lib)?;
                Ok(Some(lib))
            }
        })
        .await
        .map_err(failed)?;
    if let Some((_, seq)) = written {
        ctx.wrote(seq);
    }
    Ok(())
}

fn starred_of(lib: &Library, kind: FavoriteKind) -> &BTreeMap<Uuid, u64> {
    match kind {
        FavoriteKind::Track => &lib.tracks,
        FavoriteKind::Album => &lib.albums,
        FavoriteKind::Artist => &lib.artists,
    }
}

pub(crate) async fn set_favorite(p: &Profile, ctx: &RequestCtx, req: FavoriteSet) -> Result<Empty, Fail> {
    let user = p.writer(ctx)?;
    if req.starred {
        exists(p, ctx, req.kind, req.id).await?;
    }
    let now = now_ms();
    let max = p.config.max_favorites;
    change(p, ctx, user, move |lib| {
        let total = lib.tracks.len() + lib.albums.len() + lib.artists.len();
        let map = match req.kind {
            FavoriteKind::Track => &mut lib.tracks,
            FavoriteKind::Album => &mut lib.albums,
            FavoriteKind::Artist => &mut lib.artists,
        };
        if !req.starred {
            map.remove(&req.id);
            return Ok(());
        }
        match map.entry(req.id) {
            // Starring again keeps the first time: re-starring does not reorder.
            Entry::Occupied(_) => Ok(()),
            Entry::Vacant(_) if total >= max => Err(ServiceError::conflict(
                errors::profile::FAVORITE_LIMIT,
                format!(
                    "you have starred {max} tracks, albums and artists, the most one listener may; unstar some first"
                ),
            )),
            Entry::Vacant(slot) => {
                slot.insert(now);
                Ok(())
            }
        }
    })
    .await?;
    Ok(Empty {})
}

/// Where a favorites page ends: the last entry's kind, time and id.
fn favorite_cursor(kind: FavoriteKind, e: &Starred) -> String {
    format!("{}.{}.{}", kind_name(kind), e.starred_at, e.id)
}

fn parse_favorite_cursor(c: &str) -> Option<(FavoriteKind, u64, Uuid)> {
    let mut parts = c.splitn(3, '.');
    let name = parts.next()?;
    let kind = KINDS.into_iter().find(|k| kind_name(*k) == name)?;
    Some((kind, parts.next()?.parse().ok()?, Uuid::parse_str(parts.next()?).ok()?))
}

fn kind_name(kind: FavoriteKind) -> &'static str {
    match kind {
        FavoriteKind::Track => "track",
        FavoriteKind::Album => "album",
        FavoriteKind::Artist => "artist",
    }
}

pub(crate) async fn favorites(p: &Profile, ctx: &RequestCtx, req: FavoriteList) -> Result<Favorites, Fail> {
    let limit = FAVORITE_PAGE.of(req.limit)?;
    let after = paging::cursor(req.cursor.as_deref(), parse_favorite_cursor)?;
    if let (Some(only), Some((kind, ..))) = (req.kind, after) {
        if only != kind {
            return Err(paging::invalid_cursor().into());
        }
    }
    let lib = load(p, ctx.caller()?.sub).await?;
    let mut page = Favorites::default();
    let mut taken: Vec<(FavoriteKind, Starred)> = Vec::with_capacity(limit + 1);
    // Kinds in order, each newest first (ties by id): a cursor is a place in
    // that order. A star made while paging lands at the head of its kind, so
    // a walk never lists an entry twice nor misses one there when it began.
    let start = after.map_or(0, |(kind, ..)| KINDS.iter().position(|k| *k == kind).unwrap_or(0));
    for kind in KINDS.into_iter().skip(start).filter(|k| req.kind.is_none_or(|only| only == *k)) {
        let mut v: Vec<Starred> =
            starred_of(&lib, kind).iter().map(|(id, at)| Starred { id: *id, starred_at: *at }).collect();
        v.sort_by(|a, b| b.starred_at.cmp(&a.starred_at).then(a.id.cmp(&b.id)));
        let from = match after {
            Some((k, at, id)) if k == kind => {
                v.partition_point(|e| e.starred_at > at || (e.starred_at == at && e.id <= id))
            }
            _ => 0,
        };
        taken.extend(v.into_iter().skip(from).take(limit + 1 - taken.len()).map(|e| (kind, e)));
        if taken.len() > limit {
            break;
        }
    }
    let more = taken.len() > limit;
    taken.truncate(limit);
    page.next = more.then(|| taken.last().map(|(k, e)| favorite_cursor(*k, e))).flatten();
    for (kind, e) in taken {
        match kind {
            FavoriteKind::Track => page.tracks.push(e),
            FavoriteKind::Album => page.albums.push(e),
            FavoriteKind::Artist => page.artists.push(e),
        }
    }
    Ok(page)
}

pub(crate) async fn set_rating(p: &Profile, ctx: &RequestCtx, req: RatingSet) -> Result<Empty, Fail> {
    let user = p.writer(ctx)?;
    if req.rating > 5 {
        return Err(
            ServiceError::bad_request(errors::profile::INVALID_RATING, "a rating is 1 to 5, or 0 to clear it").into()
        );
    }
    if req.rating > 0 {
        catalog_check::require(&p.as_caller(ctx), &[req.track_id]).await?;
    }
    let max = p.config.max_ratings;
    change(p, ctx, user, move |lib| {
        if req.rating == 0 {
            lib.ratings.remove(&req.track_id);
        } else if lib.ratings.contains_key(&req.track_id) || lib.ratings.len() < max {
            lib.ratings.insert(req.track_id, req.rating);
        } else {
            return Err(ServiceError::conflict(
                errors::profile::RATING_LIMIT,
                format!("you have rated {max} tracks, the most one listener may; clear some first"),
            ));
        }
        Ok(())
    })
    .await?;
    Ok(Empty {})
}

pub(crate) async fn ratings(p: &Profile, ctx: &RequestCtx, req: RatingList) -> Result<Ratings, Fail> {
    let limit = RATING_PAGE.of(req.limit)?;
    let after = paging::cursor(req.cursor.as_deref(), |c| Uuid::parse_str(c).ok())?;
    let lib = load(p, ctx.caller()?.sub).await?;
    let from = after.map_or(Bound::Unbounded, Bound::Excluded);
    let mut ratings: Vec<Rating> = lib
        .ratings
        .range((from, Bound::Unbounded))
        .take(limit + 1)
        .map(|(track_id, rating)| Rating { track_id: *track_id, rating: *rating })
        .collect();
    let more = ratings.len() > limit;
    ratings.truncate(limit);
    let next = more.then(|| ratings.last().map(|r| r.track_id.to_string())).flatten();
    Ok(Ratings { ratings, next })
}

async fn load(p: &Profile, user: Uuid) -> Result<Library, Fail> {
    Ok(p.records.get::<Library>(&library_key(user)).await?.map(|(l, _)| l).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn favorite_cursors_round_trip() {
        let e = Starred { id: Uuid::now_v7(), starred_at: 1_700_000_000_123 };
        for kind in KINDS {
            assert_eq!(parse_favorite_cursor(&favorite_cursor(kind, &e)), Some((kind, e.starred_at, e.id)));
        }
        for bad in ["", "track", "song.1.x", "track.x.00000000-0000-0000-0000-000000000000", "album.1.nope"] {
            assert_eq!(parse_favorite_cursor(bad), None, "{bad}");
        }
    }
}
