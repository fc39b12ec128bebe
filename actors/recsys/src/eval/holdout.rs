//! The offline protocol on live events, for a trainer to report how the
//! model it is about to publish does on each listener's newest discoveries.

use std::collections::BTreeMap;

use crate::algorithm::Algorithm;
use crate::dataset::{Dataset, Play};
use crate::eval::protocol::evaluate_with;
use crate::eval::split::{temporal_split, HOLD_OUT, MIN_PLAYS};
use crate::interactions::{Event, Interactions};
use crate::model::Model;
use crate::recency::Recency;

/// Trains `algorithm` without each listener's newest discoveries and
/// measures how well it finds them.
///
/// Recommendations never repeat a listener's history, so what can be
/// predicted is a track's *first* play: each listener's distinct tracks are
/// ordered by first play and, for listeners with at least 5, the newest
/// 20% are held out (all their events leave training). Histories keep the
/// events' weights, decayed by [`Recency::default`].
///
/// Keys: `precision@10`, `recall@10`, `ndcg@10`, `hit_rate@10`,
/// `coverage@10` and `users` (listeners evaluated; 0 when none qualify).
pub fn holdout_metrics(
    n_users: u32,
    n_items: u32,
    events: &[Event],
    algorithm: &Algorithm,
) -> anyhow::Result<BTreeMap<String, f64>> {
    // Validates ids and weights before anything else reads them.
    Interactions::new(n_users, n_items, events.iter().copied())?;
    let mut first: Vec<(u32, u32, u64)> = events.iter().map(|e| (e.user, e.item, e.at)).collect();
    first.sort_unstable();
    first.dedup_by_key(|f| (f.0, f.1));
    let mut discoveries = vec![Vec::new(); n_users as usize];
    for &(user, item, at) in &first {
        discoveries[user as usize].push(Play { item, at });
    }
    let split = temporal_split(&Dataset::new(n_items, discoveries), HOLD_OUT, MIN_PLAYS);

    let mut held: Vec<(u32, u32)> =
        split.test.iter().flat_map(|(user, items)| items.iter().map(move |&i| (*user, i))).collect();
    held.sort_unstable();
    let kept = events.iter().copied().filter(|e| held.binary_search(&(e.user, e.item)).is_err());
    let train = Interactions::new(n_users, n_items, kept)?;
    let model = Model::train(&train, algorithm)?;

    let recency = Recency::default();
    let m = evaluate_with(&model, &split.test, |user| {
        let (items, weights) = train.user_items(user);
        let times = train.user_times(user);
        let decay = recency.weights(times, times.last().copied().unwrap_or(0));
        items.iter().zip(weights).zip(decay).map(|((&i, &w), d)| (i, w * d)).collect()
    });
    Ok([
        ("precision@10", m.precision),
        ("recall@10", m.recall),
        ("ndcg@10", m.ndcg),
        ("hit_rate@10", m.hit_rate),
        ("coverage@10", m.coverage),
        ("users", m.users as f64),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::World;

    #[test]
    fn a_personal_model_beats_the_charts_on_newest_discoveries() {
        let world = World::generate(600, 200, 20_000, 4, 3);
        let (users, items) = (world.listeners(), world.tracks());
        let rp3 = Algorithm::Rp3Beta { alpha: 0.6, beta: 0.4, k: 50 };
        let personal = holdout_metrics(users, items, world.events(), &rp3).unwrap();
        let charts = holdout_metrics(users, items, world.events(), &Algorithm::Popularity).unwrap();
        assert_eq!(personal["users"], f64::from(users));
        assert!(personal["ndcg@10"] > 1.5 * charts["ndcg@10"], "{personal:?} vs {charts:?}");
    }

    #[test]
    fn too_few_plays_evaluate_nobody() {
        let events = [Event { user: 0, item: 1, weight: 1.0, at: 0 }];
        let m = holdout_metrics(1, 2, &events, &Algorithm::Popularity).unwrap();
        assert_eq!(m["users"], 0.0);
    }
}
