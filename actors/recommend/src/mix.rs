//! `user.mix`: a personal mix from the listener's history as it is now
//! (their latest plays count before the next training), without what they
//! played in the last days unless asked, at most two tracks of one artist
//! in the first ten, each with its reason; popular and per-genre picks for
//! a listener without history, and to fill.

use rustc_hash::FxHashSet as HashSet;

use chorus_host::{paging::PageSize, Fail, RequestCtx};
use chorus_nats::messages::recommend::{Mix, MixRequest};
use chorus_nats::{errors, ServiceError};

use crate::scoring::{close_to, cold, pick, spread, Reason};
use crate::state::Recommend;

const DAY_MS: u64 = 24 * 3600 * 1000;
/// Candidates past the `n` asked for: the artist cap moves at most ten
/// picks down from the first ten, and these take their places.
const SPREAD_ROOM: usize = 10;

pub(crate) fn mix(r: &Recommend, ctx: &RequestCtx, req: MixRequest) -> Result<Mix, Fail> {
    let user = ctx.caller()?.sub;
    let n = PageSize { default: 30, max: 100 }.of(req.limit)?;
    let days = req.recent_days.unwrap_or(3);
    if !(1..=30).contains(&days) {
        return Err(ServiceError::bad_request(errors::common::INVALID_REQUEST, "recent_days is 1 to 30").into());
    }
    let now = chorus_nats::clock::now_ms();
    let history = r.listening.history(user, now, r.config.half_life_days);
    let recent: HashSet<_> = if req.include_recent {
        HashSet::default()
    } else {
        r.listening.played_since(user, now.saturating_sub(u64::from(days) * DAY_MS))
    };
    let disliked = r.listening.disliked(user);
    // A track skipped in the last week is left out too.
    let skipped = r.listening.skipped_since(user, now.saturating_sub(7 * DAY_MS));
    let allowed = |t| !recent.contains(&t) && !disliked.contains(&t) && !skipped.contains(&t);
    let keep = |t| allowed(t) && r.playable(t);
    let weights: Vec<_> = history.iter().map(|h| (h.track, h.weight)).collect();
    let by_track: rustc_hash::FxHashMap<_, _> = history.iter().map(|h| (h.track, *h)).collect();
    let mut picks: Vec<_> = close_to(r, &weights, n + SPREAD_ROOM, &|_, t| allowed(t))
        .into_iter()
        .map(|c| {
            let reason = match c.because.and_then(|b| by_track.get(&b)) {
                Some(h) if h.track == c.track => Reason::Seed("One you played before".into()),
                Some(h) => Reason::Heard(*h),
                None => Reason::Popular,
            };
            pick(r, c.track, c.score, reason)
        })
        .collect();
    let cold_start = history.is_empty();
    if picks.len() < n + SPREAD_ROOM {
        let have: HashSet<_> = picks.iter().map(|p| p.track_id).collect();
        picks.extend(cold(r, n + SPREAD_ROOM - picks.len(), &|t| keep(t) && !have.contains(&t)));
    }
    let mut tracks = spread(r, picks, 10, 2);
    tracks.truncate(n);
    Ok(Mix { tracks, model: r.served.version(), cold_start })
}
