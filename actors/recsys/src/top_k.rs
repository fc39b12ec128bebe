//! Choosing the best few of many scored items, in one reproducible order.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// A candidate in a ranking: higher `score` wins, then higher `tie`
/// (popularity, so equal scores fall back to what most people play), then
/// the lower item id, so every ranking is a total order and runs repeat.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ranked {
    pub(crate) score: f32,
    pub(crate) tie: f32,
    pub(crate) item: u32,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score.total_cmp(&other.score).then(self.tie.total_cmp(&other.tie)).then(other.item.cmp(&self.item))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

/// The best `k` candidates seen so far; the worst of them is on top, so a
/// candidate that cannot enter is rejected in one comparison.
pub(crate) struct TopK {
    k: usize,
    heap: BinaryHeap<Reverse<Ranked>>,
}

impl TopK {
    pub(crate) fn new(k: usize) -> Self {
        Self { k, heap: BinaryHeap::with_capacity(k + 1) }
    }

    /// Whether `candidate` would enter; lets callers skip costly checks for the rest.
    pub(crate) fn accepts(&self, candidate: &Ranked) -> bool {
        self.k > 0 && (self.heap.len() < self.k || self.heap.peek().is_some_and(|worst| *candidate > worst.0))
    }

    /// Whether a candidate scoring `score` could enter, whatever its tie:
    /// lets callers skip even looking up the tie for the rest.
    pub(crate) fn may_accept(&self, score: f32) -> bool {
        self.k > 0 && (self.heap.len() < self.k || self.heap.peek().is_some_and(|worst| score >= worst.0.score))
    }

    pub(crate) fn push(&mut self, candidate: Ranked) {
        if self.accepts(&candidate) {
            self.heap.push(Reverse(candidate));
            if self.heap.len() > self.k {
                self.heap.pop();
            }
        }
    }

    /// The kept candidates, best first.
    pub(crate) fn into_sorted(self) -> Vec<Ranked> {
        let mut out: Vec<Ranked> = self.heap.into_iter().map(|r| r.0).collect();
        out.sort_unstable_by(|a, b| b.cmp(a));
        out
    }
}

/// Higher score first, then lower id.
pub(crate) fn by_score(a: &(u32, f32), b: &(u32, f32)) -> Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

/// One entry per item, its scores summed, sorted by item.
pub(crate) fn sum_repeats(mut entries: Vec<(u32, f32)>) -> Vec<(u32, f32)> {
    entries.sort_unstable_by_key(|e| e.0);
    entries.dedup_by(|later, first| {
        let same = later.0 == first.0;
        if same {
            first.1 += later.1;
        }
        same
    });
    entries
}

/// The `k` best `(item, score)` pairs, best first; selection before sorting
/// because neighbour rows often have thousands of candidates and keep 100.
pub(crate) fn top_k(mut candidates: Vec<(u32, f32)>, k: usize) -> Vec<(u32, f32)> {
    if k == 0 {
        return Vec::new();
    }
    if candidates.len() > k {
        candidates.select_nth_unstable_by(k - 1, by_score);
        candidates.truncate(k);
        // Kept rows live as long as the model; give back the candidates' room.
        candidates.shrink_to_fit();
    }
    candidates.sort_unstable_by(by_score);
    candidates
}

/// The `k` pairs largest in magnitude, best (highest) score first.
pub(crate) fn top_k_by_magnitude(mut candidates: Vec<(u32, f32)>, k: usize) -> Vec<(u32, f32)> {
    if k == 0 {
        return Vec::new();
    }
    if candidates.len() > k {
        let by_magnitude = |a: &(u32, f32), b: &(u32, f32)| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0));
        candidates.select_nth_unstable_by(k - 1, by_magnitude);
        candidates.truncate(k);
        candidates.shrink_to_fit();
    }
    candidates.sort_unstable_by(by_score);
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_orders_by_score_then_id() {
        let got = top_k(vec![(5, 1.0), (2, 3.0), (9, 3.0), (1, 0.5)], 3);
        assert_eq!(got, vec![(2, 3.0), (9, 3.0), (5, 1.0)]);
    }

    #[test]
    fn magnitude_keeps_strong_negatives() {
        let got = top_k_by_magnitude(vec![(0, 0.1), (1, -2.0), (2, 1.0), (3, 0.05)], 2);
        assert_eq!(got, vec![(2, 1.0), (1, -2.0)]);
    }

    #[test]
    fn heap_keeps_the_best_and_breaks_ties_by_popularity_then_id() {
        let mut best = TopK::new(2);
        for (item, score, tie) in [(0, 1.0, 0.0), (1, 2.0, 0.0), (2, 1.0, 5.0), (3, 1.0, 5.0)] {
            best.push(Ranked { score, tie, item });
        }
        let items: Vec<u32> = best.into_sorted().iter().map(|r| r.item).collect();
        assert_eq!(items, vec![1, 2]);
    }
}
