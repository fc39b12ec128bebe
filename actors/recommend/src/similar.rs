//! `track.similar` and `artist.similar`. From the model when it knows the
//! track (listeners who play one play the other); otherwise, and to fill,
//! from the catalog: the same album, the same artist, the same genre — so a
//! track nobody played yet still has neighbours.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use chorus_host::{paging::PageSize, Fail, RequestCtx};
use chorus_nats::errors::recommend as codes;
use chorus_nats::messages::recommend::{ArtistSimilar, SimilarArtist, SimilarArtists, SimilarTracks, TrackSimilar};
use chorus_nats::ServiceError;
use uuid::Uuid;

use crate::catalog::Of;
use crate::scoring::{pick, similar_to, Reason};
use crate::state::Recommend;

pub(crate) fn tracks(r: &Recommend, ctx: &RequestCtx, req: TrackSimilar) -> Result<SimilarTracks, Fail> {
    let user = ctx.caller()?.sub;
    let n = PageSize { default: 20, max: 100 }.of(req.limit)?;
    let Some(seed) = r.catalog.track(req.track_id) else {
        return Err(ServiceError::not_found(codes::TRACK_NOT_FOUND, format!("no track {}", req.track_id)).into());
    };
    let disliked = r.listening.disliked(user);
    let keep = |t: Uuid| t != req.track_id && r.playable(t) && !disliked.contains(&t);
    let mut picks: Vec<_> = similar_to(r, req.track_id, n, &keep)
        .into_iter()
        .map(|(t, s)| pick(r, t, s, Reason::ListenersOfTrack(req.track_id)))
        .collect();
    let mut have: HashSet<Uuid> = picks.iter().map(|p| p.track_id).collect();
    // The catalog's neighbours: album, artists, genres.
    let mut fill = |of: Of<'_>, text: String, picks: &mut Vec<_>| {
        for t in r.catalog.tracks_of(of) {
            if picks.len() >= n {
                return;
            }
            if keep(t) && have.insert(t) {
                let score = 0.5 / (1.0 + picks.len() as f32);
                picks.push(pick(r, t, score, Reason::Seed(text.clone())));
            }
        }
    };
    if let Some(album) = seed.album {
        fill(Of::Album(album), "From the same album".into(), &mut picks);
    }
    for a in &seed.artists {
        let name = r.catalog.artist_name(*a).unwrap_or_default();
        fill(Of::Artist(*a), format!("More by {name}"), &mut picks);
    }
    for g in &seed.genres {
        fill(Of::Genre(g), format!("More {}", r.catalog.genre_name(g)), &mut picks);
    }
    picks.truncate(n);
    Ok(SimilarTracks { tracks: picks })
}

/// Artists whose tracks the artist's listeners play (summed over the
/// artist's most played tracks), then artists sharing their genres.
pub(crate) fn artists(r: &Recommend, ctx: &RequestCtx, req: ArtistSimilar) -> Result<SimilarArtists, Fail> {
    ctx.caller()?;
    let n = PageSize { default: 10, max: 50 }.of(req.limit)?;
    if !r.catalog.has_artist(req.artist_id) {
        return Err(ServiceError::not_found(codes::ARTIST_NOT_FOUND, format!("no artist {}", req.artist_id)).into());
    }
    let mut own = r.catalog.tracks_of(Of::Artist(req.artist_id));
    own.sort_by_key(|t| std::cmp::Reverse(r.listening.plays_of(*t)));
    own.truncate(20);
    let mut scores: HashMap<Uuid, f32> = HashMap::default();
    for t in &own {
        for (other, s) in similar_to(r, *t, 50, &|_| true) {
            let Some(info) = r.catalog.track(other) else { continue };
            for a in info.artists.iter().filter(|a| **a != req.artist_id) {
                *scores.entry(*a).or_default() += s;
            }
        }
    }
    let mut ranked: Vec<(Uuid, f32)> = scores.into_iter().collect();
    ranked.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(n);
    if ranked.len() < n {
        // Artists of the same genres, by how many of their tracks share them.
        let genres: HashSet<String> = own.iter().filter_map(|t| r.catalog.track(*t)).flat_map(|t| t.genres).collect();
        let mut shared: HashMap<Uuid, usize> = HashMap::default();
        for g in &genres {
            for t in r.catalog.tracks_of(Of::Genre(g)) {
                for a in r.catalog.track(t).map(|t| t.artists).unwrap_or_default() {
                    if a != req.artist_id {
                        *shared.entry(a).or_default() += 1;
                    }
                }
            }
        }
        let have: HashSet<Uuid> = ranked.iter().map(|(a, _)| *a).collect();
        let mut more: Vec<(Uuid, usize)> = shared.into_iter().filter(|(a, _)| !have.contains(a)).collect();
        more.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let floor = ranked.last().map_or(1.0, |(_, s)| *s);
        for (i, (a, _)) in more.into_iter().take(n - ranked.len()).enumerate() {
            ranked.push((a, floor * 0.5 / (1.0 + i as f32)));
        }
    }
    Ok(SimilarArtists {
        artists: ranked.into_iter().map(|(artist_id, score)| SimilarArtist { artist_id, score }).collect(),
    })
}
