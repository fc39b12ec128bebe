//! Playlists: create, read, list, update (at a revision), delete. Only the
//! owner changes a playlist; a public one may be read by anyone signed in.
//! A listener owns at most `max_playlists`, each of at most
//! `max_playlist_tracks`; lists and a playlist's tracks are read in pages.

use std::collections::HashSet;

use chorus_host::RequestCtx;
use chorus_nats::clock::now_ms;
use chorus_nats::messages::profile::{
    Playlist, PlaylistCreate, PlaylistGet, PlaylistList, PlaylistOp, PlaylistPage, PlaylistRef, PlaylistUpdate,
    PlaylistView,
};
use chorus_nats::messages::Empty;
use chorus_nats::{errors, ServiceError};
use uuid::Uuid;

use crate::catalog_check;
use crate::edits;
use crate::records::playlist_key;
use crate::state::{failed, Profile};
use crate::Fail;
use chorus_host::paging::{self, PageSize};

/// `playlist.list`: a summary is at most ~13.5 KB in JSON (a 2,000-character
/// description of escapes), so 50 of them fit the max payload.
const LIST_PAGE: PageSize = PageSize { default: 50, max: 50 };
/// `playlist.get`: every id of the playlist (≤ 390 KB in JSON at 10,000) plus
/// up to 200 tracks in full.
const TRACK_PAGE: PageSize = PageSize { default: 100, max: 200 };

fn not_found(id: Uuid) -> ServiceError {
    ServiceError::not_found(errors::profile::PLAYLIST_NOT_FOUND, format!("no playlist {id}"))
}

fn check_name(name: &str) -> Result<String, ServiceError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ServiceError::bad_request(errors::profile::INVALID_NAME, "a playlist name is 1 to 200 characters"));
    }
    Ok(name.to_string())
}

fn check_description(d: &str) -> Result<String, ServiceError> {
    if d.chars().count() > 2000 {
        return Err(ServiceError::bad_request(
            errors::profile::INVALID_DESCRIPTION,
            "a description is at most 2,000 characters",
        ));
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
        return Err(ServiceError::forbidden(errors::profile::NOT_OWNER, "only its owner may change a playlist").into());
    }
    Ok((pl, rev))
}

pub(crate) async fn create(p: &Profile, ctx: &RequestCtx, req: PlaylistCreate) -> Result<Playlist, Fail> {
    let caller = p.writer(ctx)?;
    let name = check_name(&req.name)?;
    let description = check_description(&req.description)?;
    let cfg = &p.config;
    let tracks =
        edits::apply(Vec::new(), &[PlaylistOp::Add { tracks: req.tracks, at: None }], 1, cfg.max_playlist_tracks)?;
    catalog_check::require(&p.as_caller(ctx), &tracks).await?;
    // Counted in the caller's turn, from a view that has every write
    // acknowledged so far, and shown in it before their next create counts:
    // only creates counted at the same time on other instances go unseen.
    let _turn = p.creating.turn(caller).await;
    p.catch_up_playlists().await?;
    if p.owned.count(caller) >= cfg.max_playlists {
        return Err(ServiceError::conflict(
            errors::profile::PLAYLIST_LIMIT,
            format!("you have {} playlists, the most one listener may keep; delete one first", cfg.max_playlists),
        )
        .into());
    }
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
    ctx.wrote(pl.revision);
    p.show_playlist_write(pl.revision).await;
    Ok(pl)
}

pub(crate) async fn get(p: &Profile, ctx: &RequestCtx, req: PlaylistGet) -> Result<PlaylistView, Fail> {
    let limit = TRACK_PAGE.of(req.limit)?;
    let from = paging::cursor(req.cursor.as_deref(), |c| c.parse::<usize>().ok())?.unwrap_or(0);
    let (playlist, rev) = visible(p, ctx.caller()?.sub, req.id).await?;
    if req.revision.is_some_and(|r| r != rev) {
        return Err(failed(chorus_state::WriteError::Conflict));
    }
    if from > playlist.tracks.len() {
        return Err(paging::invalid_cursor().into());
    }
    let until = (from + limit).min(playlist.tracks.len());
    // Tracks the catalog deleted are hidden, not errors: the playlist keeps their ids.
    let (tracks, hidden) = catalog_check::lookup(&p.as_caller(ctx), &playlist.tracks[from..until]).await?;
    let next = (until < playlist.tracks.len()).then(|| until.to_string());
    Ok(PlaylistView { playlist, tracks, hidden, next })
}

pub(crate) fn list(p: &Profile, ctx: &RequestCtx, req: PlaylistList) -> Result<PlaylistPage, Fail> {
    let limit = LIST_PAGE.of(req.limit)?;
    let before = paging::cursor(req.cursor.as_deref(), |c| Uuid::parse_str(c).ok())?;
    let (playlists, more) = p.owned.page(ctx.caller()?.sub, before, limit);
    let next = more.then(|| playlists.last().map(|l| l.id.to_string())).flatten();
    Ok(PlaylistPage { playlists, next })
}

pub(crate) async fn update(p: &Profile, ctx: &RequestCtx, req: PlaylistUpdate) -> Result<Playlist, Fail> {
    let caller = p.writer(ctx)?;
    let cfg = &p.config;
    // Before any read: too many ops are refused unlooked at.
    edits::check_op_count(&req.ops, cfg.max_playlist_ops)?;
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
    let added: HashSet<Uuid> = req
        .ops
        .iter()
        .flat_map(|op| match op {
            PlaylistOp::Add { tracks, .. } => tracks.as_slice(),
            _ => &[],
        })
        .copied()
        .collect();
    pl.tracks = edits::apply(pl.tracks, &req.ops, cfg.max_playlist_ops, cfg.max_playlist_tracks)?;
    // Only what was added and stays must be in the catalog: at most the cap, however many ops.
    let kept: Vec<Uuid> = pl.tracks.iter().copied().filter(|id| added.contains(id)).collect();
    catalog_check::require(&p.as_caller(ctx), &kept).await?;
    pl.updated_at = now_ms();
    // At the revision the client read: a concurrent edit from another device is a 409, never lost.
    pl.revision = p.records.update(&playlist_key(pl.id), &pl, rev).await.map_err(failed)?;
    ctx.wrote(pl.revision);
    p.show_playlist_write(pl.revision).await;
    Ok(pl)
}

pub(crate) async fn delete(p: &Profile, ctx: &RequestCtx, req: PlaylistRef) -> Result<Empty, Fail> {
    let (_, rev) = owned(p, p.writer(ctx)?, req.id).await?;
    if req.revision.is_some_and(|r| r != rev) {
        return Err(failed(chorus_state::WriteError::Conflict));
    }
    let seq = p.records.delete(&playlist_key(req.id), rev).await.map_err(failed)?;
    ctx.wrote(seq);
    p.show_playlist_write(seq).await;
    Ok(Empty {})
}

#[cfg(test)]
mod tests {
    use chorus_nats::messages::catalog::{AlbumRef, ArtistCredit, Track};
    use chorus_nats::Encoding;

    use super::*;

    /// A track with long names everywhere (the catalog's own sizes are smaller).
    fn wordy_track() -> Track {
        let credit = |n: &str| ArtistCredit { id: Uuid::now_v7(), name: n.repeat(40) };
        Track {
            id: Uuid::now_v7(),
            title: "t".repeat(120),
            sort_title: "t".repeat(120),
            artists: vec![credit("a"), credit("b"), credit("c")],
            album_artist: Some(credit("a")),
            album: Some(AlbumRef { id: Uuid::now_v7(), title: "l".repeat(120) }),
            track_number: Some(12),
            disc_number: Some(2),
            year: Some(2024),
            genres: vec!["Alternative Rock".into(), "Shoegaze".into(), "Dream Pop".into()],
            duration_ms: 245_000,
            codec: "opus".into(),
            bitrate_kbps: 160,
            file_size: 12_345_678,
            cover_art: Some(format!("art/{}.jpg", "c".repeat(64))),
            audio_object: Some(format!("audio/{}.opus", "o".repeat(64))),
            mbid: Some(Uuid::now_v7()),
            added_at: 1_700_000_000_000,
            revision: 123_456,
        }
    }

    #[test]
    fn a_full_page_of_a_full_playlist_fits_the_max_payload() {
        let cfg = crate::ProfileConfig::default();
        let now = 1_700_000_000_000;
        let playlist = Playlist {
            id: Uuid::now_v7(),
            owner: Uuid::now_v7(),
            name: "n".repeat(200),
            description: "d".repeat(2000),
            public: true,
            tracks: (0..cfg.max_playlist_tracks).map(|_| Uuid::now_v7()).collect(),
            created_at: now,
            updated_at: now,
            revision: 1,
        };
        let tracks = (0..TRACK_PAGE.max).map(|_| wordy_track()).collect();
        let view = PlaylistView { playlist, tracks, hidden: 0, next: Some("200".into()) };
        for encoding in [Encoding::Json, Encoding::MsgPack] {
            let bytes = encoding.encode(&view).unwrap().len();
            assert!(bytes < 1024 * 1024, "{encoding:?}: {bytes} bytes");
        }
    }

    #[test]
    fn a_full_page_of_playlists_fits_the_max_payload() {
        let summary = chorus_nats::messages::profile::PlaylistSummary {
            id: Uuid::now_v7(),
            owner: Uuid::now_v7(),
            // Control characters are escaped six bytes each in JSON: the worst case.
            name: "\u{1}".repeat(200),
            description: "\u{1}".repeat(2000),
            public: true,
            track_count: 10_000,
            created_at: u64::MAX,
            updated_at: u64::MAX,
            revision: u64::MAX,
        };
        let list =
            PlaylistPage { playlists: vec![summary; LIST_PAGE.max as usize], next: Some(Uuid::nil().to_string()) };
        for encoding in [Encoding::Json, Encoding::MsgPack] {
            let bytes = encoding.encode(&list).unwrap().len();
            assert!(bytes < 1024 * 1024, "{encoding:?}: {bytes} bytes");
        }
    }
}
