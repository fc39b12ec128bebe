//! Candidates, their reasons, and the rules every list follows: what the
//! model finds close to a history, popular and per-genre picks when it
//! finds nothing (a new listener, a track nobody played yet), and the cap
//! on one artist near the top.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use chorus_nats::messages::recommend::{Pick, ReasonKind};
use uuid::Uuid;

use crate::catalog::{Lookup, Of};
use crate::listening::{Heard, Taste};
use crate::state::Recommend;

/// A candidate from the model: the track, its score, the history track that counts most.
pub(crate) struct Close {
    pub(crate) track: Uuid,
    pub(crate) score: f32,
    pub(crate) because: Option<Uuid>,
}

/// Playable tracks the model finds close to `history` (track, weight; a
/// negative weight steers away), best first, only those `keep` allows;
/// `keep` is given the catalog, read once for the whole ranking, and must
/// ask it, not `r.catalog`, what it needs (see [`Lookup`]).
pub(crate) fn close_to(
    r: &Recommend,
    history: &[(Uuid, f32)],
    n: usize,
    keep: &dyn Fn(&Lookup<'_>, Uuid) -> bool,
) -> Vec<Close> {
    closest(r, history, n, keep, true)
}

/// [`close_to`] without the reasons (`because` none), for a caller that
/// keeps a few of the candidates: [`explain`] finds theirs.
pub(crate) fn close_to_unexplained(
    r: &Recommend,
    history: &[(Uuid, f32)],
    n: usize,
    keep: &dyn Fn(&Lookup<'_>, Uuid) -> bool,
) -> Vec<Close> {
    closest(r, history, n, keep, false)
}

fn closest(
    r: &Recommend,
    history: &[(Uuid, f32)],
    n: usize,
    keep: &dyn Fn(&Lookup<'_>, Uuid) -> bool,
    explained: bool,
) -> Vec<Close> {
    let Some(m) = r.served.get() else { return Vec::new() };
    let known = m.items_of(history);
    if !known.iter().any(|(_, w)| *w > 0.0) {
        return Vec::new();
    }
    let picks = {
        let catalog = r.catalog.lookup();
        let exclude = |i: u32| !(keep(&catalog, m.track(i)) && m.playable(i, &catalog));
        if explained {
            m.model.recommend(&known, n, &exclude)
        } else {
            m.model.rank(&known, n, &exclude)
        }
    };
    picks
        .into_iter()
        .map(|s| Close { track: m.track(s.item), score: s.score, because: s.because.map(|b| m.track(b)) })
        .collect()
}

/// For each of `tracks`, the `history` track that counts most towards it,
/// as the model serving now finds it.
pub(crate) fn explain(r: &Recommend, history: &[(Uuid, f32)], tracks: &[Uuid]) -> Vec<Option<Uuid>> {
    let Some(m) = r.served.get() else { return vec![None; tracks.len()] };
    let known = m.items_of(history);
    // A track the model does not know (a model swapped in meanwhile) gets no reason.
    let items: Vec<Option<u32>> = tracks.iter().map(|t| m.item(*t)).collect();
    let asked: Vec<u32> = items.iter().flatten().copied().collect();
    let mut because = m.model.explain(&known, &asked).into_iter();
    items.iter().map(|i| i.and_then(|_| because.next().flatten()).map(|b| m.track(b))).collect()
}

/// Tracks the model finds close to one track.
pub(crate) fn similar_to(r: &Recommend, track: Uuid, n: usize, keep: &dyn Fn(Uuid) -> bool) -> Vec<(Uuid, f32)> {
    let Some(m) = r.served.get() else { return Vec::new() };
    let Some(item) = m.item(track) else { return Vec::new() };
    // Asked for more than needed: some are filtered out below.
    m.model
        .similar(item, n * 2 + 10)
        .into_iter()
        .map(|(i, s)| (m.track(i), s))
        .filter(|(t, _)| *t != track && keep(*t))
        .take(n)
        .collect()
}

/// A pick with its reason written out.
pub(crate) fn pick(r: &Recommend, track: Uuid, score: f32, reason: Reason) -> Pick {
    let title = |t: Uuid| r.catalog.title(t).unwrap_or_else(|| "a track".into());
    let (kind, text, because_track, because_artist, genre) = match reason {
        Reason::Heard(h) if h.taste == Taste::Liked => {
            (ReasonKind::Liked, format!("Because you liked {}", title(h.track)), Some(h.track), None, None)
        }
        Reason::Heard(h) => {
            (ReasonKind::Played, format!("Because you played {}", title(h.track)), Some(h.track), None, None)
        }
        Reason::ListenersOfTrack(t) => {
            (ReasonKind::ListenersOf, format!("Listeners of {} play it too", title(t)), Some(t), None, None)
        }
        Reason::Popular => (ReasonKind::Popular, "Popular on Chorus lately".to_string(), None, None, None),
        Reason::Genre(g) => {
            let name = r.catalog.genre_name(&g);
            (ReasonKind::Genre, format!("Popular in {name}"), None, None, Some(name))
        }
        Reason::Seed(text) => (ReasonKind::Seed, text, None, None, None),
        Reason::New => (ReasonKind::New, "New on Chorus".to_string(), None, None, None),
    };
    Pick { track_id: track, score, reason: kind, reason_text: text, because_track, because_artist, genre }
}

/// Why a track is picked (written out by [`pick`]).
pub(crate) enum Reason {
    /// Close to something in the listener's history.
    Heard(Heard),
    /// Listeners of that track play it.
    ListenersOfTrack(Uuid),
    Popular,
    /// Lower-case genre.
    Genre(String),
    /// From a radio's seed, with the text to show.
    Seed(String),
    /// New in the catalog.
    New,
}

/// Popular tracks and the top of each genre, taken in turn, then the
/// newest: for a listener with no history, and to fill a list the model
/// could not.
pub(crate) fn cold(r: &Recommend, n: usize, keep: &dyn Fn(Uuid) -> bool) -> Vec<Pick> {
    let ok = |t: Uuid| r.playable(t) && keep(t);
    let popular = r.listening.popular(n, ok);
    let mut by_genre: Vec<(String, std::vec::IntoIter<Uuid>)> = r
        .catalog
        .genres()
        .into_iter()
        .take(12)
        .map(|(g, _)| {
            let mut tracks = r.catalog.tracks_of(Of::Genre(&g));
            tracks.retain(|t| ok(*t));
            // Most played first; never played ones by novelty (the catalog's order).
            tracks.sort_by_key(|t| std::cmp::Reverse(r.listening.plays_of(*t)));
            tracks.truncate(n);
            (g, tracks.into_iter())
        })
        .collect();
    let mut seen = HashSet::default();
    let mut out = Vec::new();
    let mut popular = popular.into_iter();
    let score = |k: usize| 1.0 / (1.0 + k as f32);
    while out.len() < n {
        let before = out.len();
        if let Some((t, _)) = popular.next() {
            if seen.insert(t) {
                out.push(pick(r, t, score(out.len()), Reason::Popular));
            }
        }
        for (g, tracks) in &mut by_genre {
            if out.len() >= n {
                break;
            }
            if let Some(t) = tracks.find(|t| !seen.contains(t)) {
                seen.insert(t);
                out.push(pick(r, t, score(out.len()), Reason::Genre(g.clone())));
            }
        }
        if out.len() == before {
            break;
        }
    }
    // A catalog nobody played and without genres: its newest tracks.
    if out.len() < n {
        for t in r.catalog.newest(n * 2) {
            if out.len() >= n {
                break;
            }
            if ok(t) && seen.insert(t) {
                out.push(pick(r, t, score(out.len()), Reason::New));
            }
        }
    }
    out
}

/// At most `per_artist` tracks of one artist among the first `first`:
/// the others move down, in their order.
pub(crate) fn spread(r: &Recommend, picks: Vec<Pick>, first: usize, per_artist: usize) -> Vec<Pick> {
    let ids: Vec<Uuid> = picks.iter().map(|p| p.track_id).collect();
    let artists = r.catalog.first_artists(&ids);
    let (mut head, mut later) = (Vec::new(), Vec::new());
    let mut count: HashMap<Uuid, usize> = HashMap::default();
    for (p, artist) in picks.into_iter().zip(artists) {
        let over = artist.is_some_and(|a| {
            let c = count.entry(a).or_default();
            *c += 1;
            *c > per_artist
        });
        if head.len() < first && !over {
            head.push(p);
        } else {
            later.push(p);
        }
    }
    head.extend(later);
    head
}
