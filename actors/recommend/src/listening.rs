//! Who listened to what, in memory: each listener's latest plays (from the
//! stream `chorus_plays`), their stars and ratings (profile's
//! `library.<user>`), the tracks they skipped (a playback session that ended
//! short of a play: stream's `ended.<id>` markers), and what everyone played
//! lately. A listener's history
//! at request time comes from here, so a play counts before the next
//! training. Closed accounts (the closures stream) are forgotten.

use std::collections::{BTreeMap, VecDeque};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::{Arc, RwLock};

use chorus_nats::messages::profile::Play;
use chorus_nats::records::accounts::Closure;
use chorus_nats::records::profile::Library;
use chorus_nats::records::stream::{Skip, ENDED_PREFIX};
use chorus_state::{Change, Projection, View};
use futures::future::BoxFuture;
use uuid::Uuid;

const DAY_MS: u64 = 24 * 3600 * 1000;
/// "Lately", for popularity.
const POPULAR_DAYS: u64 = 7;

#[derive(Default)]
struct Listener {
    /// Oldest first, at most `keep`.
    plays: VecDeque<(Uuid, u64)>,
    /// Oldest first, at most [`SKIPS_KEPT`].
    skips: VecDeque<(Uuid, u64)>,
    library: Library,
}

/// Skips kept per listener.
const SKIPS_KEPT: usize = 200;
/// A skip weighs this much against a play.
const SKIP_WEIGHT: f32 = 0.5;

#[derive(Default)]
struct Everyone {
    /// day → track → plays that day.
    days: BTreeMap<u64, HashMap<Uuid, u32>>,
    recent: HashMap<Uuid, u32>,
    all_time: HashMap<Uuid, u64>,
}

/// Why a track is in a listener's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Taste {
    Played,
    Liked,
    /// Skipped more than played: it weighs against its neighbours.
    Skipped,
}

/// One entry of a listener's history as the model reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Heard {
    pub(crate) track: Uuid,
    pub(crate) weight: f32,
    pub(crate) taste: Taste,
    /// The latest play (ms), 0 for a star only.
    pub(crate) last_played: u64,
}

/// See the module docs.
pub(crate) struct Listening {
    users: RwLock<HashMap<Uuid, Listener>>,
    everyone: RwLock<Everyone>,
    closed: RwLock<HashSet<Uuid>>,
    keep: usize,
}

impl Listening {
    pub(crate) fn new(keep: usize) -> Self {
        Self { users: RwLock::default(), everyone: RwLock::default(), closed: RwLock::default(), keep: keep.max(1) }
    }

    /// `user`'s history: each track once, its plays faded by age (half of
    /// the weight every `half_life_days`), stars and good ratings added;
    /// a track rated 1 or 2 is left out. Strongest first.
    pub(crate) fn history(&self, user: Uuid, now: u64, half_life_days: f64) -> Vec<Heard> {
        let users = self.users.read().unwrap_or_else(|p| p.into_inner());
        let Some(l) = users.get(&user) else { return Vec::new() };
        let half_life = (half_life_days.max(0.01) * DAY_MS as f64) as f32;
        let mut heard: HashMap<Uuid, Heard> = HashMap::default();
        for (track, at) in &l.plays {
            let age = now.saturating_sub(*at) as f32;
            let w = 0.5f32.powf(age / half_life);
            let e = heard.entry(*track).or_insert(Heard {
                track: *track,
                weight: 0.0,
                taste: Taste::Played,
                last_played: 0,
            });
            e.weight += w;
            e.last_played = e.last_played.max(*at);
        }
        for (track, at) in &l.skips {
            let age = now.saturating_sub(*at) as f32;
            let e = heard.entry(*track).or_insert(Heard {
                track: *track,
                weight: 0.0,
                taste: Taste::Skipped,
                last_played: 0,
            });
            e.weight -= SKIP_WEIGHT * 0.5f32.powf(age / half_life);
        }
        for track in l.library.tracks.keys() {
            let e = heard.entry(*track).or_insert(Heard {
                track: *track,
                weight: 0.0,
                taste: Taste::Liked,
                last_played: 0,
            });
            e.weight += 1.0;
            e.taste = Taste::Liked;
        }
        for (track, rating) in &l.library.ratings {
            match rating {
                4 | 5 => {
                    let e = heard.entry(*track).or_insert(Heard {
                        track: *track,
                        weight: 0.0,
                        taste: Taste::Liked,
                        last_played: 0,
                    });
                    e.weight += f32::from(*rating - 3) * 0.5;
                    e.taste = Taste::Liked;
                }
                1 | 2 => {
                    heard.remove(track);
                }
                _ => {}
            }
        }
        let mut v: Vec<Heard> = heard
            .into_values()
            .map(|h| if h.weight < 0.0 { Heard { taste: Taste::Skipped, ..h } } else { h })
            .filter(|h| h.weight != 0.0)
            .collect();
        v.sort_unstable_by(|a, b| b.weight.total_cmp(&a.weight).then(a.track.cmp(&b.track)));
        v
    }

    /// Tracks `user` played since `since` (ms).
    pub(crate) fn played_since(&self, user: Uuid, since: u64) -> HashSet<Uuid> {
        let users = self.users.read().unwrap_or_else(|p| p.into_inner());
        users
            .get(&user)
            .map(|l| l.plays.iter().filter(|(_, at)| *at >= since).map(|(t, _)| *t).collect())
            .unwrap_or_default()
    }

    /// Tracks `user` skipped since `since` (ms).
    pub(crate) fn skipped_since(&self, user: Uuid, since: u64) -> HashSet<Uuid> {
        let users = self.users.read().unwrap_or_else(|p| p.into_inner());
        users
            .get(&user)
            .map(|l| l.skips.iter().filter(|(_, at)| *at >= since).map(|(t, _)| *t).collect())
            .unwrap_or_default()
    }

    /// `user`'s rated-down tracks (1 or 2): never recommended to them.
    pub(crate) fn disliked(&self, user: Uuid) -> HashSet<Uuid> {
        let users = self.users.read().unwrap_or_else(|p| p.into_inner());
        users
            .get(&user)
            .map(|l| l.library.ratings.iter().filter(|(_, r)| **r <= 2).map(|(t, _)| *t).collect())
            .unwrap_or_default()
    }

    /// The most played tracks of the last days (of all time when nobody
    /// played lately), with their plays, most first.
    pub(crate) fn popular(&self, n: usize, keep: impl Fn(Uuid) -> bool) -> Vec<(Uuid, u64)> {
        let e = self.everyone.read().unwrap_or_else(|p| p.into_inner());
        let mut v: Vec<(Uuid, u64)> = if e.recent.is_empty() {
            e.all_time.iter().map(|(t, n)| (*t, *n)).collect()
        } else {
            e.recent.iter().map(|(t, n)| (*t, u64::from(*n))).collect()
        };
        v.retain(|(t, _)| keep(*t));
        v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }

    /// Plays of `track`, all time.
    pub(crate) fn plays_of(&self, track: Uuid) -> u64 {
        self.everyone.read().unwrap_or_else(|p| p.into_inner()).all_time.get(&track).copied().unwrap_or(0)
    }

    /// Every listener's starred and well-rated tracks, `(listener, track, when)`, for training.
    pub(crate) fn liked(&self) -> Vec<(Uuid, Uuid, u64)> {
        let users = self.users.read().unwrap_or_else(|p| p.into_inner());
        let mut v = Vec::new();
        for (user, l) in users.iter() {
            v.extend(l.library.tracks.iter().map(|(t, at)| (*user, *t, *at)));
            v.extend(
                l.library
                    .ratings
                    .iter()
                    .filter(|(t, r)| **r >= 4 && !l.library.tracks.contains_key(t))
                    .map(|(t, _)| (*user, *t, 0)),
            );
        }
        v
    }

    /// Listeners known.
    pub(crate) fn listeners(&self) -> usize {
        self.users.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    fn played(&self, play: Play) {
        if self.closed.read().unwrap_or_else(|p| p.into_inner()).contains(&play.user) {
            return;
        }
        let (track, at) = (play.record.track_id, play.record.started_at);
        {
            let mut users = self.users.write().unwrap_or_else(|p| p.into_inner());
            let l = users.entry(play.user).or_default();
            l.plays.push_back((track, at));
            while l.plays.len() > self.keep {
                l.plays.pop_front();
            }
        }
        let mut e = self.everyone.write().unwrap_or_else(|p| p.into_inner());
        *e.all_time.entry(track).or_default() += 1;
        let today = chorus_nats::clock::now_ms() / DAY_MS;
        let day = at / DAY_MS;
        if day + POPULAR_DAYS > today && day <= today + 1 {
            *e.days.entry(day).or_default().entry(track).or_default() += 1;
            *e.recent.entry(track).or_default() += 1;
        }
        // Days that left the window take their plays with them.
        while let Some((&oldest, _)) = e.days.first_key_value() {
            if oldest + POPULAR_DAYS > today {
                break;
            }
            let (_, counts) = e.days.pop_first().unwrap_or_default();
            for (t, n) in counts {
                if let Some(c) = e.recent.get_mut(&t) {
                    *c = c.saturating_sub(n);
                    if *c == 0 {
                        e.recent.remove(&t);
                    }
                }
            }
        }
    }

    fn skipped(&self, skip: Skip) {
        if self.closed.read().unwrap_or_else(|p| p.into_inner()).contains(&skip.user) {
            return;
        }
        let mut users = self.users.write().unwrap_or_else(|p| p.into_inner());
        let l = users.entry(skip.user).or_default();
        l.skips.push_back((skip.track_id, skip.at));
        while l.skips.len() > SKIPS_KEPT {
            l.skips.pop_front();
        }
    }

    fn forget(&self, user: Uuid) {
        self.closed.write().unwrap_or_else(|p| p.into_inner()).insert(user);
        self.users.write().unwrap_or_else(|p| p.into_inner()).remove(&user);
    }
}

/// The plays stream, into [`Listening`].
pub(crate) struct Plays(pub(crate) Arc<Listening>);
/// Profile's bucket (`library.<user>`), into [`Listening`].
pub(crate) struct Libraries(pub(crate) Arc<Listening>);
/// Stream's session markers (`ended.<id>`: a skip), into [`Listening`].
pub(crate) struct Skips(pub(crate) Arc<Listening>);
/// The closures stream, into [`Listening`].
pub(crate) struct Closures(pub(crate) Arc<Listening>);

impl Projection for Plays {
    fn apply<'a>(&'a self, _: &'a View, changes: Vec<Change>, _: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            for play in changes.iter().filter_map(Change::decode::<Play>) {
                self.0.played(play);
            }
            Ok(())
        })
    }

    fn restore<'a>(&'a self, _: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

impl Projection for Libraries {
    fn apply<'a>(&'a self, _: &'a View, changes: Vec<Change>, _: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            for change in changes {
                let Some(user) = change.key.strip_prefix("library.").and_then(|u| Uuid::parse_str(u).ok()) else {
                    continue;
                };
                if self.0.closed.read().unwrap_or_else(|p| p.into_inner()).contains(&user) {
                    continue;
                }
                let library = change.decode::<Library>().unwrap_or_default();
                self.0.users.write().unwrap_or_else(|p| p.into_inner()).entry(user).or_default().library = library;
            }
            Ok(())
        })
    }

    fn restore<'a>(&'a self, _: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

impl Projection for Skips {
    fn apply<'a>(&'a self, _: &'a View, changes: Vec<Change>, _: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            for change in changes.iter().filter(|c| c.key.starts_with(ENDED_PREFIX)) {
                if let Some(skip) = change.decode::<Skip>() {
                    self.0.skipped(skip);
                }
            }
            Ok(())
        })
    }

    fn restore<'a>(&'a self, _: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

impl Projection for Closures {
    fn apply<'a>(&'a self, _: &'a View, changes: Vec<Change>, _: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            for closure in changes.iter().filter_map(Change::decode::<Closure>) {
                self.0.forget(closure.user);
            }
            Ok(())
        })
    }

    fn restore<'a>(&'a self, _: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}
