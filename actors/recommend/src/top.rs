//! `artist.top`: an artist's most played tracks, by every listener (what
//! an artist page shows as "Popular", and Subsonic's `getTopSongs`). Only
//! tracks that may be played; the never-played ones follow, newest first.

use chorus_host::{paging::PageSize, Fail, RequestCtx};
use chorus_nats::errors::recommend as codes;
use chorus_nats::messages::recommend::{ArtistTop, TopTrack, TopTracks};
use chorus_nats::ServiceError;

use crate::catalog::Of;
use crate::state::Recommend;

pub(crate) fn artist_top(r: &Recommend, ctx: &RequestCtx, req: ArtistTop) -> Result<TopTracks, Fail> {
    ctx.caller()?;
    let n = PageSize { default: 10, max: 50 }.of(req.limit)?;
    if !r.catalog.has_artist(req.artist_id) {
        return Err(ServiceError::not_found(codes::ARTIST_NOT_FOUND, format!("no artist {}", req.artist_id)).into());
    }
    // Newest first from the catalog; a stable sort keeps that order among equal counts.
    let mut tracks: Vec<TopTrack> = r
        .catalog
        .tracks_of(Of::Artist(req.artist_id))
        .into_iter()
        .map(|track_id| TopTrack { track_id, plays: r.listening.plays_of(track_id) })
        .collect();
    tracks.sort_by_key(|t| std::cmp::Reverse(t.plays));
    tracks.truncate(n);
    Ok(TopTracks { tracks })
}
