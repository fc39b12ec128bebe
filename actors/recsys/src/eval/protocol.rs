//! Scoring one trained model on one split: the history a user shows the
//! model is their train plays, weighted by a recency decay.

use crate::dataset::Dataset;
use crate::eval::metrics::{Metrics, MetricsSum, K};
use crate::model::Model;
use crate::parallel;
use crate::recency::Recency;

/// Recommends top-K for every held-out user from their `train` plays and
/// measures the result; train items are excluded by the model itself.
///
/// For [`Recency::Time`], "now" is the user's last train play: using the
/// first held-out time would leak the hold-out.
pub fn evaluate(model: &Model, train: &Dataset, test: &[(u32, Vec<u32>)], recency: Recency) -> Metrics {
    evaluate_with(model, test, |user| {
        let plays = train.user(user);
        let times: Vec<u64> = plays.iter().map(|p| p.at).collect();
        let now = times.last().copied().unwrap_or(0);
        plays.iter().zip(recency.weights(&times, now)).map(|(p, w)| (p.item, w)).collect()
    })
}

/// Like [`evaluate`], with each user's weighted history from `history`.
pub(crate) fn evaluate_with(
    model: &Model,
    test: &[(u32, Vec<u32>)],
    history: impl Fn(u32) -> Vec<(u32, f32)> + Sync,
) -> Metrics {
    let rankings: Vec<Vec<u32>> = parallel::map_rows(
        test.len(),
        || (),
        |row, _| model.recommend(&history(test[row].0), K, &|_| false).into_iter().map(|s| s.item).collect(),
    );
    let mut sum = MetricsSum::new(model.n_items());
    for (ranking, (_, held_out)) in rankings.iter().zip(test) {
        sum.add(ranking, held_out);
    }
    sum.finish()
}
