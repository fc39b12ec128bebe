//! The serving form of every item-to-item model: each item's top-k
//! neighbours, sparse, so scoring a user is a walk over their history's lists.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::parallel;
use crate::top_k::top_k;

/// Which side of the item × item weights was cut to `k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Pruned {
    /// `lists[h]` are the `k` items a play of `h` says most about.
    BySource,
    /// `lists[j]` are the `k` items whose plays say most about `j`: every
    /// candidate is judged on the same number of pieces of evidence, which
    /// keeps popular items from collecting many weak votes.
    ByTarget,
}

/// For each item, `k` weighted related items, strongest first.
///
/// A weight `w(h → j)` is "how much a play of `h` says about `j`", so a
/// user's score for `j` is the sum over their history `h` of
/// `weight(h) × w(h → j)`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Neighbours {
    lists: Vec<Vec<(u32, f32)>>,
    pruned: Pruned,
    /// For [`Pruned::ByTarget`], the lists turned around (source → targets)
    /// so scoring walks the history; rebuilt rather than stored.
    #[serde(skip)]
    by_source: OnceLock<Vec<Vec<(u32, f32)>>>,
}

/// One row of an item × item product being accumulated: a dense array plus
/// the columns touched, so clearing it costs what was touched, not `n_items`.
pub(crate) struct RowAccumulator {
    values: Vec<f32>,
    touched: Vec<u32>,
}

impl RowAccumulator {
    pub(crate) fn new(n_items: usize) -> Self {
        Self { values: vec![0.0; n_items], touched: Vec::new() }
    }

    pub(crate) fn add(&mut self, column: u32, value: f32) {
        let slot = &mut self.values[column as usize];
        if *slot == 0.0 {
            self.touched.push(column);
        }
        *slot += value;
    }

    /// Empties the row, mapping each touched `(column, sum)` through `finish`
    /// (which drops an entry by returning `None`).
    pub(crate) fn drain(&mut self, mut finish: impl FnMut(u32, f32) -> Option<f32>) -> Vec<(u32, f32)> {
        let mut out = Vec::with_capacity(self.touched.len());
        for &column in &self.touched {
            let sum = std::mem::take(&mut self.values[column as usize]);
            // A sum that cancelled to zero may be listed twice; zero says nothing anyway.
            if sum != 0.0 {
                if let Some(value) = finish(column, sum) {
                    out.push((column, value));
                }
            }
        }
        self.touched.clear();
        out
    }
}

/// An item the history reaches, with its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Reached {
    pub(crate) item: u32,
    pub(crate) score: f32,
}

/// Entries of each history item's list loaded ahead of the walk (512 bytes).
const LIST_HEAD: usize = 64;

/// What a walk of a history's lists accumulates into: one `f32` an item,
/// kept between requests (one per thread) because a catalogue-sized array
/// a request costs more than the walk.
///
/// The walk is tens of thousands of updates at random items, so its time is
/// cache misses: the sums are four bytes an item (400 KB at 100,000 items,
/// which a core's cache holds beside its other work, where twelve with the
/// reasons kept alongside did not, with one such array per worker), and a
/// step has no branch that depends on the data (whether the item was
/// reached before), since each wrong guess threw away the loads in flight.
/// Reasons are found afterwards, for the picks only
/// ([`Neighbours::explain_all`]).
struct Sums {
    sums: Vec<f32>,
    /// One bit an item: reached in this walk.
    seen: Vec<u64>,
    /// The items reached, in `touched[..reached]`; as long as `sums`, so a
    /// step writes its item unconditionally and only counts it when new.
    touched: Vec<u32>,
    reached: usize,
}

impl Sums {
    fn new(n_items: usize) -> Self {
        // One slot more than items: once every item is reached, the
        // unconditional write of `add` lands in it instead of past the end.
        Self {
            sums: vec![0.0; n_items],
            seen: vec![0; n_items.div_ceil(64)],
            touched: vec![0; n_items + 1],
            reached: 0,
        }
    }

    fn add(&mut self, item: u32, value: f32) {
        let (word, bit) = (&mut self.seen[item as usize / 64], 1u64 << (item % 64));
        let fresh = *word & bit == 0;
        *word |= bit;
        self.sums[item as usize] += value;
        // Each item is counted once, so `reached` stays at most `touched.len() - 1`.
        self.touched[self.reached] = item;
        self.reached += usize::from(fresh);
    }

    fn drain(&mut self) -> Vec<Reached> {
        let mut out = Vec::with_capacity(self.reached);
        for &item in &self.touched[..self.reached] {
            let score = std::mem::take(&mut self.sums[item as usize]);
            self.seen[item as usize / 64] = 0;
            // A sum that cancelled to zero says nothing.
            if score != 0.0 {
                out.push(Reached { item, score });
            }
        }
        self.reached = 0;
        out
    }
}

impl Neighbours {
    /// Computes every item's candidate row with `row` (on all cores, one
    /// accumulator per thread) and keeps its top `k`.
    pub(crate) fn build<F>(n_items: usize, k: usize, pruned: Pruned, row: F) -> Self
    where
        F: Fn(u32, &mut RowAccumulator) -> Vec<(u32, f32)> + Sync,
    {
        let lists =
            parallel::map_rows(n_items, || RowAccumulator::new(n_items), |item, acc| top_k(row(item as u32, acc), k));
        Self::from_lists(lists, pruned)
    }

    /// Wraps lists already cut to size and ordered strongest first.
    pub(crate) fn from_lists(lists: Vec<Vec<(u32, f32)>>, pruned: Pruned) -> Self {
        Self { lists, pruned, by_source: OnceLock::new() }
    }

    /// Builds what scoring needs now rather than on the first request.
    pub(crate) fn warm(&self) {
        self.by_source();
    }

    /// Source → `(target, weight)` lists, whichever side was pruned.
    fn by_source(&self) -> &[Vec<(u32, f32)>] {
        match self.pruned {
            Pruned::BySource => &self.lists,
            Pruned::ByTarget => self.by_source.get_or_init(|| {
                let mut out = vec![Vec::new(); self.lists.len()];
                for (target, sources) in self.lists.iter().enumerate() {
                    for &(source, w) in sources {
                        out[source as usize].push((target as u32, w));
                    }
                }
                out
            }),
        }
    }

    /// Dense scores for every item from a validated history.
    pub(crate) fn score(&self, history: &[(u32, f32)], n_items: usize) -> Vec<f32> {
        let lists = self.by_source();
        let mut scores = vec![0.0f32; n_items];
        for &(h, w) in history {
            for &(j, s) in &lists[h as usize] {
                scores[j as usize] += w * s;
            }
        }
        scores
    }

    /// The scores of the items the history reaches, and only those (no
    /// walk over the whole catalogue), in no particular order.
    pub(crate) fn score_sparse(&self, history: &[(u32, f32)], n_items: usize) -> Vec<Reached> {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Option<Sums>> = const { std::cell::RefCell::new(None) };
        }
        let lists = self.by_source();
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let acc = match scratch.as_mut() {
                Some(acc) if acc.sums.len() == n_items => acc,
                _ => scratch.insert(Sums::new(n_items)),
            };
            // The head of every list loaded before the walk: a list is read in
            // order, which the hardware streams once started, but each of a
            // hundred lists starts with misses of its own; loaded here, side
            // by side, they overlap instead of one after another.
            let heads = history
                .iter()
                .fold(0u32, |t, &(h, _)| lists[h as usize].iter().take(LIST_HEAD).step_by(8).fold(t, |t, e| t ^ e.0));
            std::hint::black_box(heads);
            for &(h, w) in history {
                for &(j, s) in &lists[h as usize] {
                    acc.add(j, w * s);
                }
            }
            acc.drain()
        })
    }

    /// The liked (positive) history item that added most to `item`'s
    /// score, with what it added; `history` is sorted by item (as the model
    /// merges it). A disliked item is never the reason for a pick.
    pub(crate) fn explain(&self, history: &[(u32, f32)], item: u32) -> Option<(u32, f32)> {
        let contributions: Box<dyn Iterator<Item = (u32, f32)>> = match self.pruned {
            Pruned::ByTarget => Box::new(self.lists[item as usize].iter().filter_map(|&(h, s)| {
                let at = history.binary_search_by_key(&h, |e| e.0).ok()?;
                let w = history[at].1;
                (w > 0.0).then_some((h, w * s))
            })),
            Pruned::BySource => Box::new(history.iter().filter(|e| e.1 > 0.0).filter_map(|&(h, w)| {
                let &(_, s) = self.lists[h as usize].iter().find(|(j, _)| *j == item)?;
                Some((h, w * s))
            })),
        };
        contributions.filter(|&(_, c)| c > 0.0).fold(None, |best: Option<(u32, f32)>, (h, c)| match best {
            Some((_, b)) if b >= c => best,
            _ => Some((h, c)),
        })
    }

    /// [`explain`](Self::explain) for each of `items` (as many as a page of
    /// picks). Source-pruned lists are walked once for them all, instead of
    /// searching every history item's list for every pick; a list entry is
    /// told from a pick by one bit of a filter that stays in the nearest
    /// cache, and only the few that pass it are looked up.
    pub(crate) fn explain_all(&self, history: &[(u32, f32)], items: &[u32]) -> Vec<Option<u32>> {
        if self.pruned == Pruned::ByTarget {
            return items.iter().map(|&j| self.explain(history, j).map(|(h, _)| h)).collect();
        }
        const FILTER_BITS: usize = 4096;
        let mut filter = [0u64; FILTER_BITS / 64];
        let mut wanted: Vec<(u32, usize)> = items.iter().enumerate().map(|(k, &j)| (j, k)).collect();
        wanted.sort_unstable();
        for &(j, _) in &wanted {
            let bit = j as usize % FILTER_BITS;
            filter[bit / 64] |= 1 << (bit % 64);
        }
        // The strongest liked history items first, so a weaker one's list
        // stops where nothing left in it could beat any pick's reason so far.
        // Its place in the history settles equal contributions: the first wins, as in `explain`.
        let mut liked: Vec<(usize, u32, f32)> =
            history.iter().enumerate().filter(|e| e.1 .1 > 0.0).map(|(at, &(h, w))| (at, h, w)).collect();
        liked.sort_unstable_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        // Per pick: (contribution, place in the history, history item).
        let mut best: Vec<Option<(f32, usize, u32)>> = vec![None; items.len()];
        // Every pick has a reason at least this strong (0 while one has none).
        let mut floor = 0.0f32;
        for &(at, h, w) in &liked {
            let list = &self.lists[h as usize];
            // Strongest first and never negative (as RP3beta and kNN lists are): the rest only weaker.
            let falling = list.last().is_none_or(|e| e.1 >= 0.0);
            for &(j, s) in list {
                let c = w * s;
                if falling && c < floor {
                    break;
                }
                let bit = j as usize % FILTER_BITS;
                if filter[bit / 64] & (1 << (bit % 64)) == 0 {
                    continue;
                }
                // A page may name an item twice; each of its places gets the reason.
                let first = wanted.partition_point(|e| e.0 < j);
                for &(_, k) in wanted[first..].iter().take_while(|e| e.0 == j) {
                    if c > 0.0 && best[k].is_none_or(|(b, b_at, _)| c > b || (c == b && at < b_at)) {
                        best[k] = Some((c, at, h));
                    }
                }
            }
            floor = best.iter().map(|b| b.map_or(0.0, |b| b.0)).fold(f32::INFINITY, f32::min);
        }
        best.into_iter().map(|b| b.map(|(_, _, h)| h)).collect()
    }

    /// The item's strongest `n` related items.
    pub(crate) fn similar(&self, item: u32, n: usize) -> Vec<(u32, f32)> {
        self.lists[item as usize].iter().take(n).copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_sum_history_weights_times_neighbour_weights_and_explain_the_largest() {
        let by_source = vec![vec![(2, 0.5)], vec![(2, 0.2), (0, 1.0)], vec![]];
        // The same weights listed by target: 0 ← 1, 2 ← 0 and 1.
        let by_target = vec![vec![(1, 1.0)], vec![], vec![(0, 0.5), (1, 0.2)]];
        let history = [(0, 1.0), (1, 3.0)];
        for n in
            [Neighbours::from_lists(by_source, Pruned::BySource), Neighbours::from_lists(by_target, Pruned::ByTarget)]
        {
            let scores = n.score(&history, 3);
            assert!((scores[2] - (0.5 + 0.6)).abs() < 1e-6);
            assert_eq!(scores[0], 3.0);
            assert_eq!(n.explain(&history, 2).map(|(h, _)| h), Some(1));
            assert_eq!(n.explain(&history, 1), None);
        }
    }

    #[test]
    fn a_walk_that_reaches_every_item_twice_scores_each_once() {
        // Both history items reach all three items: the walk keeps adding after the last new one.
        let lists = vec![vec![(0, 1.0), (1, 0.5), (2, 0.25)], vec![(0, 1.0), (1, 0.5), (2, 0.25)], vec![]];
        let n = Neighbours::from_lists(lists, Pruned::BySource);
        for _ in 0..2 {
            let mut reached = n.score_sparse(&[(0, 1.0), (1, 2.0)], 3);
            reached.sort_by_key(|r| r.item);
            assert_eq!(reached.iter().map(|r| (r.item, r.score)).collect::<Vec<_>>(), [(0, 3.0), (1, 1.5), (2, 0.75)]);
        }
    }

    #[test]
    fn accumulator_clears_what_it_touched() {
        let mut acc = RowAccumulator::new(4);
        acc.add(3, 1.0);
        acc.add(1, 2.0);
        acc.add(3, 1.5);
        let mut row = acc.drain(|_, v| Some(v));
        row.sort_by_key(|e| e.0);
        assert_eq!(row, vec![(1, 2.0), (3, 2.5)]);
        assert!(acc.drain(|_, v| Some(v)).is_empty());
    }
}
