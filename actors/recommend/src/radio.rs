//! Radio: an endless station from a seed. Each batch is what the model
//! finds close to the seed and to what the radio gave and the listener
//! kept, away from what they skipped (a skipped track weighs against its
//! neighbours, and an artist skipped twice is left out), never a track the
//! radio gave before. `adventurousness` moves the radio from the seed (0:
//! close, the best-ranked picks) to far from it (1: what the radio became
//! weighs more than the seed, and picks are drawn from a wider window).
//! The seed's own artists, albums and genres fill in, so a track nobody
//! played yet is reached, and popular picks fill the rest. A radio is a
//! record of `chorus_recommend_radio`, so any instance continues it; it
//! lives 24 h after its last batch.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use chorus_host::{paging::PageSize, Fail, RequestCtx};
use chorus_nats::errors::recommend as codes;
use chorus_nats::messages::profile::PlaylistGet;
use chorus_nats::messages::recommend::{Pick, RadioNext, RadioSeed, RadioStart, RadioTracks};
use chorus_nats::ServiceError;
use chorus_state::WriteError;
use uuid::Uuid;

use crate::catalog::Of;
use crate::radios::{key, Radio};
use crate::scoring::{close_to_unexplained, cold, explain, pick, spread, Reason};
use crate::state::Recommend;

/// Tracks a radio remembers having given (its record stays well under the max payload).
const MAX_GIVEN: usize = 10_000;
/// Skips one `radio.next` may report.
const MAX_SKIPS: usize = 50;
/// Re-reads of a radio changed meanwhile (two batches asked at once).
const ATTEMPTS: usize = 5;

pub(crate) async fn start(r: &Recommend, ctx: &RequestCtx, req: RadioStart) -> Result<RadioTracks, Fail> {
    let user = ctx.caller()?.sub;
    let n = PageSize { default: 10, max: 50 }.of(req.limit)?;
    let adventurousness = req.adventurousness.unwrap_or(0.3);
    if !(0.0..=1.0).contains(&adventurousness) {
        return Err(ServiceError::bad_request(codes::INVALID_ADVENTUROUSNESS, "adventurousness is 0 to 1").into());
    }
    let seed_tracks = seed_tracks(r, ctx, user, &req.seed).await?;
    let id = Uuid::now_v7();
    let mut radio = Radio {
        user,
        seed: req.seed,
        seed_tracks,
        adventurousness,
        given: Vec::new(),
        skipped: Vec::new(),
        batches: 0,
    };
    let tracks = batch(r, id, &mut radio, n);
    let revision = r.radios.create(&key(id), &radio).await.map_err(|e| anyhow::anyhow!("keeping a radio: {e}"))?;
    r.radio_book.note(id, radio, revision);
    Ok(RadioTracks { radio_id: id, tracks })
}

pub(crate) async fn next(r: &Recommend, ctx: &RequestCtx, req: RadioNext) -> Result<RadioTracks, Fail> {
    let user = ctx.caller()?.sub;
    let n = PageSize { default: 10, max: 50 }.of(req.limit)?;
    if req.skipped.len() > MAX_SKIPS {
        return Err(ServiceError::bad_request(codes::TOO_MANY_SKIPS, "at most 50 skips at once").into());
    }
    for attempt in 0..ATTEMPTS {
        // As this instance knows it first; the bucket after a write it refused.
        let known = if attempt == 0 { r.radio_book.get(req.radio_id) } else { None };
        let found = match known {
            Some(k) => Some(k),
            None => r.radios.get::<Radio>(&key(req.radio_id)).await?,
        };
        let Some((mut radio, revision)) = found else {
            return Err(ServiceError::not_found(
                codes::RADIO_NOT_FOUND,
                "no such radio (radios end 24 h after their last batch)",
            )
            .into());
        };
        if radio.user != user {
            return Err(ServiceError::forbidden(codes::NOT_YOUR_RADIO, "that radio is another listener's").into());
        }
        let given: HashSet<Uuid> = radio.given.iter().copied().collect();
        for s in &req.skipped {
            if given.contains(s) && !radio.skipped.contains(s) {
                radio.skipped.push(*s);
            }
        }
        let tracks = batch(r, req.radio_id, &mut radio, n);
        match r.radios.update(&key(req.radio_id), &radio, revision).await {
            Ok(revision) => {
                r.radio_book.note(req.radio_id, radio, revision);
                return Ok(RadioTracks { radio_id: req.radio_id, tracks });
            }
            Err(WriteError::Conflict | WriteError::Exists) => continue,
            Err(e) => return Err(anyhow::anyhow!("keeping a radio: {e}").into()),
        }
    }
    Err(ServiceError::conflict(codes::CONFLICT, "this radio was asked for two batches at once; retry").into())
}

/// The tracks a seed stands for (404 for one that is not there).
async fn seed_tracks(r: &Recommend, ctx: &RequestCtx, user: Uuid, seed: &RadioSeed) -> Result<Vec<Uuid>, Fail> {
    let most_played = |mut v: Vec<Uuid>, n: usize| {
        v.sort_by_key(|t| std::cmp::Reverse(r.listening.plays_of(*t)));
        v.truncate(n);
        v
    };
    let missing = |code: &'static str, what: String| -> Fail { ServiceError::not_found(code, what).into() };
    Ok(match seed {
        RadioSeed::Track { id } => {
            r.catalog.track(*id).ok_or_else(|| missing(codes::TRACK_NOT_FOUND, format!("no track {id}")))?;
            vec![*id]
        }
        RadioSeed::Artist { id } => {
            if !r.catalog.has_artist(*id) {
                return Err(missing(codes::ARTIST_NOT_FOUND, format!("no artist {id}")));
            }
            most_played(r.catalog.tracks_of(Of::Artist(*id)), 20)
        }
        RadioSeed::Album { id } => {
            let tracks = r.catalog.tracks_of(Of::Album(*id));
            if tracks.is_empty() {
                return Err(missing(codes::ALBUM_NOT_FOUND, format!("no album {id}")));
            }
            tracks
        }
        RadioSeed::Genre { name } => {
            let genre =
                r.catalog.genre(name).ok_or_else(|| missing(codes::GENRE_NOT_FOUND, format!("no genre {name}")))?;
            most_played(r.catalog.tracks_of(Of::Genre(&genre.to_lowercase())), 30)
        }
        RadioSeed::Playlist { id } => {
            let asked = PlaylistGet { id: *id, revision: None, cursor: None, limit: Some(1) };
            match r.as_caller(ctx).call(&asked).await {
                Ok(view) => view.playlist.tracks.into_iter().take(100).collect(),
                Err(e) if e.code() == Some(chorus_nats::errors::profile::PLAYLIST_NOT_FOUND) => {
                    return Err(missing(codes::PLAYLIST_NOT_FOUND, format!("no playlist {id}")));
                }
                Err(e) => {
                    let code = chorus_nats::errors::stream::PROFILE_UNAVAILABLE;
                    return Err(ServiceError::unavailable(code, format!("reading the playlist: {e}")).into());
                }
            }
        }
        RadioSeed::Library => {
            let now = chorus_nats::clock::now_ms();
            r.listening.history(user, now, r.config.half_life_days).into_iter().take(50).map(|h| h.track).collect()
        }
    })
}

/// The next `n` tracks of `radio`, noted in it as given.
fn batch(r: &Recommend, id: Uuid, radio: &mut Radio, n: usize) -> Vec<Pick> {
    let a = radio.adventurousness;
    let out: HashSet<Uuid> = radio.given.iter().chain(&radio.skipped).copied().collect();
    let disliked = r.listening.disliked(radio.user);
    let mut skipped_artists: HashMap<Uuid, usize> = HashMap::default();
    for artist in r.catalog.first_artists(&radio.skipped).into_iter().flatten() {
        *skipped_artists.entry(artist).or_default() += 1;
    }
    let artist_ok = |artist: Option<Uuid>| artist.is_none_or(|a| skipped_artists.get(&a).copied().unwrap_or(0) < 2);
    // What needs no catalog first: a track given before is the usual reason to leave one out.
    let allowed = |t: Uuid| !out.contains(&t) && !disliked.contains(&t);
    let keep =
        |t: Uuid| allowed(t) && r.playable(t) && (skipped_artists.is_empty() || artist_ok(r.catalog.first_artist(t)));
    // What the radio steers by: the seed, what it gave and was kept (more, the more adventurous), skips against.
    let skipped: HashSet<Uuid> = radio.skipped.iter().copied().collect();
    let mut steer: Vec<(Uuid, f32)> = radio.seed_tracks.iter().map(|t| (*t, 1.0 - 0.6 * a)).collect();
    let kept = radio.given.iter().rev().filter(|t| !skipped.contains(t)).take(20);
    steer.extend(kept.enumerate().map(|(i, t)| (*t, (0.1 + 0.9 * a) * 0.9f32.powi(i as i32))));
    steer.extend(radio.skipped.iter().rev().take(50).map(|t| (*t, -1.0)));
    let window = n * (2 + (8.0 * a).round() as usize);
    // Reasons are written for the chosen candidates only (a few of up to 2 × window).
    let ranked: Vec<Candidate> = close_to_unexplained(r, &steer, window, &|catalog, t| {
        allowed(t) && (skipped_artists.is_empty() || artist_ok(catalog.first_artist(t)))
    })
    .into_iter()
    .map(|c| Candidate { track: c.track, score: c.score, why: Why::Model })
    .collect();
    // The seed's own albums and artists, one in four places (all the rest
    // when the model has too few): tracks nobody played yet are reached too.
    let mut have: HashSet<Uuid> = ranked.iter().map(|c| c.track).collect();
    let floor = ranked.last().map_or(1.0, |c| c.score);
    let mut own = Vec::new();
    let groups = structure(r, &radio.seed_tracks);
    for (k, (of, _)) in groups.iter().enumerate() {
        for t in r.catalog.tracks_of(*of) {
            if own.len() >= window {
                break;
            }
            if keep(t) && have.insert(t) {
                let score = floor * 0.5 / (1.0 + own.len() as f32);
                own.push(Candidate { track: t, score, why: Why::Group(k) });
            }
        }
    }
    let mut ranked = interleave(ranked, own, 4);
    if ranked.len() < n {
        let filled = cold(r, n - ranked.len(), &|t| keep(t) && !have.contains(&t));
        ranked.extend(filled.into_iter().map(|p| Candidate {
            track: p.track_id,
            score: p.score,
            why: Why::Written(p),
        }));
    }
    let chosen = choose(ranked, n, a, seed_of(id, radio.batches));
    let from_model: Vec<Uuid> = chosen.iter().filter(|c| matches!(c.why, Why::Model)).map(|c| c.track).collect();
    let mut because = explain(r, &steer, &from_model).into_iter();
    let seed_title = radio.seed_tracks.first().and_then(|t| r.catalog.title(*t));
    let picks = chosen
        .into_iter()
        .map(|c| match c.why {
            Why::Model => {
                let reason = match because.next().flatten() {
                    Some(b) => Reason::ListenersOfTrack(b),
                    None => Reason::Seed(format!("Like {}", seed_title.as_deref().unwrap_or("your seed"))),
                };
                pick(r, c.track, c.score, reason)
            }
            Why::Group(k) => pick(r, c.track, c.score, Reason::Seed(groups[k].1.clone())),
            Why::Written(p) => p,
        })
        .collect();
    let chosen = spread(r, picks, n, 2);
    radio.batches += 1;
    radio.given.extend(chosen.iter().map(|p| p.track_id));
    if radio.given.len() > MAX_GIVEN {
        let extra = radio.given.len() - MAX_GIVEN;
        radio.given.drain(..extra);
    }
    chosen
}

/// A track a batch may give, its reason written once it is chosen.
struct Candidate {
    track: Uuid,
    score: f32,
    why: Why,
}

enum Why {
    /// Close to what the radio steers by.
    Model,
    /// From the seed's album or artist (an index of [`structure`]).
    Group(usize),
    /// A pick written already (popular and per-genre fill).
    Written(Pick),
}

/// `main` with one of `other` in every `every` places, then what is left of either.
fn interleave<T>(main: Vec<T>, other: Vec<T>, every: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(main.len() + other.len());
    let (mut main, mut other) = (main.into_iter(), other.into_iter());
    loop {
        let taken: Vec<T> = main.by_ref().take(every - 1).collect();
        let done = taken.is_empty();
        out.extend(taken);
        match other.next() {
            Some(p) => out.push(p),
            None if done => break,
            None => {}
        }
    }
    out
}

/// The seed tracks' albums and artists, with the reason each gives.
fn structure(r: &Recommend, seed: &[Uuid]) -> Vec<(Of<'static>, String)> {
    let mut out = Vec::new();
    let (mut albums, mut artists) = (HashSet::default(), HashSet::default());
    for info in seed.iter().take(10).filter_map(|t| r.catalog.track(*t)) {
        if let Some(album) = info.album.filter(|a| albums.insert(*a)) {
            out.push((Of::Album(album), "From the same album".to_string()));
        }
        for artist in info.artists.iter().filter(|a| artists.insert(**a)) {
            let name = r.catalog.artist_name(*artist).unwrap_or_default();
            out.push((Of::Artist(*artist), format!("More by {name}")));
        }
    }
    out
}

/// `n` of `ranked`: the first `n` when close (`a` = 0); drawn with a
/// weight falling with rank, the further the more adventurous.
fn choose(ranked: Vec<Candidate>, n: usize, a: f32, seed: u64) -> Vec<Candidate> {
    if a <= 0.0 || ranked.len() <= n {
        return ranked.into_iter().take(n).collect();
    }
    let spread = n as f32 * (0.3 + 3.0 * a);
    let mut pool: Vec<(f32, Candidate)> =
        ranked.into_iter().enumerate().map(|(k, p)| ((-(k as f32) / spread).exp(), p)).collect();
    let mut rng = seed | 1;
    let mut out = Vec::with_capacity(n);
    while out.len() < n && !pool.is_empty() {
        // xorshift64*
        rng ^= rng >> 12;
        rng ^= rng << 25;
        rng ^= rng >> 27;
        let u = (rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f32 / (1u64 << 53) as f32;
        let total: f32 = pool.iter().map(|(w, _)| w).sum();
        let mut at = u * total;
        let mut i = 0;
        while i + 1 < pool.len() && at >= pool[i].0 {
            at -= pool[i].0;
            i += 1;
        }
        out.push(pool.remove(i).1);
    }
    // Shown best first.
    out.sort_by(|x, y| y.score.total_cmp(&x.score));
    out
}

fn seed_of(id: Uuid, batch: u64) -> u64 {
    let (hi, lo) = id.as_u64_pair();
    hi ^ lo.rotate_left(17) ^ batch.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}
