//! A trained recommender: train it from interactions, ask it for a user's
//! picks, an item's look-alikes, or the charts.

use serde::{Deserialize, Serialize};

use crate::algorithm::Algorithm;
use crate::als::{self, AlsSettings};
use crate::interactions::Interactions;
use crate::popularity::Popularity;
use crate::scorer::Scorer;
use crate::top_k::{Ranked, TopK};
use crate::{ease, knn, rp3beta};

/// One recommended item.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    /// The item.
    pub item: u32,
    /// The model's score (only comparable within one answer).
    pub score: f32,
    /// The history item that contributed most, for "because you played …".
    pub because: Option<u32>,
}

/// Candidates a blend scores in full, per pick asked for and history item
/// (which are never offered), and at least: see [`Scorer::sparse`] for
/// what 16 costs and keeps.
const SHORTLIST_PER_PICK: usize = 16;
const SHORTLIST_MIN: usize = 256;

/// A trained model in its serving form.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    pub(crate) algorithm: Algorithm,
    pub(crate) popularity: Popularity,
    pub(crate) scorer: Scorer,
}

impl Model {
    /// Trains `algorithm` on `data`.
    ///
    /// Fails on invalid settings and when EASE is asked for more items than
    /// its limit ([`crate::EaseTooLarge`], reachable with `downcast_ref`).
    pub fn train(data: &Interactions, algorithm: &Algorithm) -> anyhow::Result<Model> {
        algorithm.validate()?;
        let model = Model {
            algorithm: algorithm.clone(),
            popularity: Popularity::train(data),
            scorer: scorer(data, algorithm)?,
        };
        model.scorer.warm();
        Ok(model)
    }

    /// `weight·a + (1 − weight)·b` from two models trained on the same
    /// data, without training again (what [`Algorithm::Blend`] trains).
    pub fn blend(a: Model, b: Model, weight: f32) -> anyhow::Result<Model> {
        anyhow::ensure!(a.n_items() == b.n_items(), "blended models know {} and {} items", a.n_items(), b.n_items());
        let algorithm = Algorithm::Blend { a: Box::new(a.algorithm), b: Box::new(b.algorithm), weight };
        algorithm.validate()?;
        let scorer = Scorer::Blend { a: Box::new(a.scorer), b: Box::new(b.scorer), weight };
        Ok(Model { algorithm, popularity: a.popularity, scorer })
    }

    /// The settings this model was trained with.
    pub fn algorithm(&self) -> &Algorithm {
        &self.algorithm
    }

    /// Number of items the model knows (ids `0..n_items`).
    pub fn n_items(&self) -> u32 {
        self.popularity.listeners().len() as u32
    }

    /// The best `n` items for a listener with this weighted `history`.
    ///
    /// A positive weight draws picks towards what goes with the item; a
    /// negative one (a skip, a thumbs-down) steers away from it. History
    /// items are never recommended; `exclude` removes more (blocked artists,
    /// tracks already queued). Entries the model does not know, or whose
    /// weight is zero or not finite, only exclude. Items the model cannot
    /// tell apart are ordered by popularity, so short histories still get a
    /// full answer.
    pub fn recommend(&self, history: &[(u32, f32)], n: usize, exclude: &dyn Fn(u32) -> bool) -> Vec<Scored> {
        let mut picks = self.rank(history, n, exclude);
        let items: Vec<u32> = picks.iter().map(|p| p.item).collect();
        for (pick, because) in picks.iter_mut().zip(self.explain(history, &items)) {
            pick.because = because;
        }
        picks
    }

    /// [`recommend`](Self::recommend) without the reasons (`because` none):
    /// for a caller that keeps some of the picks and asks
    /// [`explain`](Self::explain) for those only.
    pub fn rank(&self, history: &[(u32, f32)], n: usize, exclude: &dyn Fn(u32) -> bool) -> Vec<Scored> {
        let n_items = self.n_items();
        let mut known: Vec<u32> = history.iter().map(|&(i, _)| i).filter(|&i| i < n_items).collect();
        known.sort_unstable();
        let weighted = self.weighted(history);
        if weighted.is_empty() {
            return self.popular(n, &|i| known.binary_search(&i).is_ok() || exclude(i));
        }
        let listeners = self.popularity.listeners();
        // Enough items the history reaches with a positive score: rank only those.
        let shortlist = (SHORTLIST_PER_PICK * (n + known.len())).max(SHORTLIST_MIN);
        if let Some(reached) = self.scorer.sparse(&weighted, n_items as usize, shortlist) {
            if reached.iter().filter(|e| e.score > 0.0).count() >= n + known.len() {
                let mut best = TopK::new(n);
                for r in &reached {
                    // Most of the shortlist is below the n kept: rejected before the
                    // history is searched or the popularity looked up (a cache miss each).
                    if !best.may_accept(r.score) || known.binary_search(&r.item).is_ok() {
                        continue;
                    }
                    let candidate = Ranked { score: r.score, tie: listeners[r.item as usize], item: r.item };
                    if best.accepts(&candidate) && !exclude(r.item) {
                        best.push(candidate);
                    }
                }
                return unexplained(best);
            }
        }
        let mut scores = self.scorer.score(&weighted, &self.popularity);
        for &i in &known {
            scores[i as usize] = f32::NEG_INFINITY;
        }
        let mut best = TopK::new(n);
        for (item, &score) in scores.iter().enumerate() {
            if score == f32::NEG_INFINITY {
                continue;
            }
            let candidate = Ranked { score, tie: listeners[item], item: item as u32 };
            // The caller's filter runs only for items that would enter the top n.
            if best.accepts(&candidate) && !exclude(item as u32) {
                best.push(candidate);
            }
        }
        unexplained(best)
    }

    /// For each of `items`, the `history` item that counts most towards it
    /// (what [`recommend`](Self::recommend) gives as `because`).
    pub fn explain(&self, history: &[(u32, f32)], items: &[u32]) -> Vec<Option<u32>> {
        let weighted = self.weighted(history);
        if weighted.is_empty() {
            return vec![None; items.len()];
        }
        self.scorer.explain_all(&weighted, items)
    }

    /// The entries of `history` that weigh: known items, finite non-zero
    /// weights, one entry per item (see [`merge`]).
    fn weighted(&self, history: &[(u32, f32)]) -> Vec<(u32, f32)> {
        let n_items = self.n_items();
        merge(history.iter().copied().filter(|&(i, w)| i < n_items && w.is_finite() && w != 0.0))
    }

    /// The `n` items most like `item`, strongest first (empty for the
    /// popularity model and for unknown items).
    pub fn similar(&self, item: u32, n: usize) -> Vec<(u32, f32)> {
        if item >= self.n_items() {
            return Vec::new();
        }
        self.scorer.similar(item, n)
    }

    /// The `n` most-listened items not excluded; score is the listener count.
    pub fn popular(&self, n: usize, exclude: &dyn Fn(u32) -> bool) -> Vec<Scored> {
        let listeners = self.popularity.listeners();
        self.popularity
            .order()
            .iter()
            .filter(|&&i| !exclude(i))
            .take(n)
            .map(|&item| Scored { item, score: listeners[item as usize], because: None })
            .collect()
    }
}

/// The picks, best first, their reasons still to find.
fn unexplained(best: TopK) -> Vec<Scored> {
    best.into_sorted().iter().map(|r| Scored { item: r.item, score: r.score, because: None }).collect()
}

fn scorer(data: &Interactions, algorithm: &Algorithm) -> anyhow::Result<Scorer> {
    Ok(match *algorithm {
        Algorithm::Popularity => Scorer::Popularity,
        Algorithm::ItemKnn { k, shrink } => Scorer::Neighbours(knn::train(data, k, shrink)),
        Algorithm::Rp3Beta { alpha, beta, k } => Scorer::Neighbours(rp3beta::train(data, alpha, beta, k)),
        Algorithm::Ease { lambda, k, max_items } => Scorer::Neighbours(ease::train(data, lambda, k, max_items)?),
        Algorithm::Als { factors, reg, alpha, iterations } => {
            Scorer::Factors(als::train(data, AlsSettings { factors, reg, alpha, iterations }))
        }
        Algorithm::Blend { ref a, ref b, weight } => {
            Scorer::Blend { a: Box::new(scorer(data, a)?), b: Box::new(scorer(data, b)?), weight }
        }
    })
}

/// Sums the weights of repeated items, so every scorer sees one entry per
/// item, sorted by item; a like and a dislike that cancel say nothing.
fn merge(entries: impl Iterator<Item = (u32, f32)>) -> Vec<(u32, f32)> {
    let mut merged = crate::top_k::sum_repeats(entries.collect());
    merged.retain(|e| e.1 != 0.0);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interactions::Event;

    fn model() -> Model {
        // Users play pairs (0,1), (0,1), (1,2), (2,3): 1 goes with 0, 2 with 1 and 3.
        let pairs = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 1), (2, 2), (3, 2), (3, 3)];
        let events = pairs.map(|(user, item)| Event { user, item, weight: 1.0, at: 0 });
        let data = Interactions::new(4, 5, events).unwrap();
        Model::train(&data, &Algorithm::ItemKnn { k: 10, shrink: 0.0 }).unwrap()
    }

    #[test]
    fn models_can_be_shared_across_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Model>();
    }

    #[test]
    fn unknown_ids_and_bad_weights_only_exclude() {
        let model = model();
        let picks = model.recommend(&[(0, 1.0), (99, 1.0), (2, f32::NAN)], 3, &|_| false);
        let items: Vec<u32> = picks.iter().map(|s| s.item).collect();
        // 1 is 0's neighbour; 2 was in the history (with a bad weight), so it is not offered.
        assert_eq!(items[0], 1);
        assert_eq!(picks[0].because, Some(0));
        assert!(!items.contains(&0) && !items.contains(&2));
        assert_eq!(items.len(), 3, "the unplayed item 4 and item 3 fill the answer");
    }

    #[test]
    fn a_negative_weight_steers_away_from_the_items_neighbours() {
        let model = model();
        let order = |history: &[(u32, f32)]| -> Vec<u32> {
            model.recommend(history, 3, &|_| false).iter().map(|s| s.item).collect()
        };
        // Unreached items tie at zero and fall back to popularity: 2, 3, then 4.
        assert_eq!(order(&[(0, 1.0)]), vec![1, 2, 3]);
        // Disliking 2 (whose neighbours are 1 and 3) sinks 3 below the unknown 4.
        assert_eq!(order(&[(0, 1.0), (2, -1.0)]), vec![1, 4, 3]);
        assert_eq!(model.recommend(&[(0, 1.0), (2, -1.0)], 1, &|_| false)[0].because, Some(0));
    }

    #[test]
    fn repeated_history_items_count_once_with_their_weights_added() {
        let model = model();
        let once = model.recommend(&[(1, 2.0)], 2, &|_| false);
        let twice = model.recommend(&[(1, 1.0), (1, 1.0)], 2, &|_| false);
        assert_eq!(once, twice);
    }
}
