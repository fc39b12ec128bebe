//! Playlists: create, read, list, update (at a revision), delete. Only the
//! owner changes a playlist; a public one may be read by anyone signed in.

use chorus_host::RequestCtx;
use chorus_nats::headers::now_ms;
use chorus_nats::messages::profile::{
    Playlist, PlaylistCreate, PlaylistList, PlaylistOp, PlaylistRef, PlaylistUpdate, PlaylistView,
};
use chorus_nats::messages::Empty;
use chorus_nats::ServiceError;
use uuid::Uuid;

use crate::catalog_check;
use crate::edits;
use crate::records::playlist_key;
use crate::state::{failed, Profile};
use crate::Fail;

fn not_found(id: Uuid) -> ServiceError {
    ServiceError::not_found("playlist_not_found", format!("no playlist {id}"))
}

fn check_name(name: &str) -> Result<String, ServiceError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ServiceError::bad_request("invalid_name", "a playlist name is 1 to 200 characters"));
    }
    Ok(name.to_string())
}

fn check_description(d: &str) -> Result<String, ServiceError> {
    if d.chars().count() > 2000 {
        return Err(ServiceError::bad_request("invalid_description", "a description is at most 2,000 characters"));
    }
    Ok(d.to_string())
}

/// The playlist `id` and its revision, if the caller may see it: its owner, or anyone when public.
async fn visible(p: &Profile, caller: Uuid, id: Uuid) -> Result<(Playlist, u64), Fail> {
    match p.records.get::<Playlist>(&playlist_key(id)).await? {
        Some((pl, rev)) if pl.owner == caller || pl.public => Ok((Playlist { revision: rev, ..pl }, rev)),
        // Someone else's private playlist does not exist as far as the caller can tell.
        _ => Err(not_found(id).into()),
    }
}

/// The playlist `id`, if the caller owns it (403 for someone else's public one).
async fn owned(p: &Profile, caller: Uuid, id: Uuid) -> Result<(Playlist, u64), Fail> {
    let (pl, rev) = visible(p, caller, id).await?;
    if pl.owner != caller {
        return Err(ServiceError::forbidden("not_owner", "only its owner may change a playlist").into());
    }
    Ok((pl, rev))
}

pub(crate) async fn create(p: &Profile, ctx: &RequestCtx, req: PlaylistCreate) -> Result<Playlist, Fail> {
    let caller = ctx.caller()?.sub;
    let name = check_name(&req.name)?;
    let description = check_description(&req.description)?;
    let tracks = edits::apply(Vec::new(), &[PlaylistOp::Add { tracks: req.tracks, at: None }])?;
    catalog_check::require(&p.as_caller(ctx), &tracks).await?;
    let now = now_ms();
    let mut pl = Playlist {
        id: Uuid::now_v7(),
        owner: caller,
        name,
        description,
        public: req.public,
        tracks,
        created_at: now,
        updated_at: now,
        revision: 0,
    };
    pl.revision = p.records.create(&playlist_key(pl.id), &pl).await.map_err(failed)?;
    p.show_playlist_write(pl.revision).await;
    Ok(pl)
}

pub(crate) async fn get(p: &Profile, ctx: &RequestCtx, req: PlaylistRef) -> Result<PlaylistView, Fail> {
    let (playlist, _) = visible(p, ctx.caller()?.sub, req.id).await?;
    // Tracks the catalog deleted are hidden, not errors: the playlist keeps their ids.
    let (tracks, hidden) = catalog_check::lookup(&p.as_caller(ctx), &playlist.tracks).await?;
    Ok(PlaylistView { playlist, tracks, hidden })
}

pub(crate) fn list(p: &Profile, ctx: &RequestCtx) -> Result<PlaylistList, Fail> {
    Ok(PlaylistList { playlists: p.owned.of(ctx.caller()?.sub) })
}

pub(crate) async fn update(p: &Profile, ctx: &RequestCtx, req: PlaylistUpdate) -> Result<Playlist, Fail> {
    let caller = ctx.caller()?.sub;
    let (mut pl, rev) = owned(p, caller, req.id).await?;
    if rev != req.revision {
        return Err(failed(chorus_state::WriteError::Conflict));
    }
    if let Some(name) = &req.name {
        pl.name = check_name(name)?;
    }
    if let Some(d) = &req.description {
        pl.description = check_description(d)?;
    }
    if let Some(public) = req.public {
        pl.public = public;
    }
    let added: Vec<Uuid> = req
        .ops
        .iter()
        .flat_map(|op| match op {
            PlaylistOp::Add { tracks, .. } => tracks.clone(),
            _ => Vec::new(),
        })
        .collect();
    pl.tracks = edits::apply(pl.tracks, &req.ops)?;
    catalog_check::require(&p.as_caller(ctx), &added).await?;
    pl.updated_at = now_ms();
    // At the revision the client read: a concurrent edit from another device is a 409, never lost.
    pl.revision = p.records.update(&playlist_key(pl.id), &pl, rev).await.map_err(failed)?;
    p.show_playlist_write(pl.revision).await;
    Ok(pl)
}

pub(crate) async fn delete(p: &Profile, ctx: &RequestCtx, req: PlaylistRef) -> Result<Empty, Fail> {
    let (_, rev) = owned(p, ctx.caller()?.sub, req.id).await?;
    if req.revision.is_some_and(|r| r != rev) {
        return Err(failed(chorus_state::WriteError::Conflict));
    }
    let seq = p.records.delete(&playlist_key(req.id), rev).await.map_err(failed)?;
    p.show_playlist_write(seq).await;
    Ok(Empty {})
}
