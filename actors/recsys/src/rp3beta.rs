//! RP3beta (Paudel et al. 2017, as tuned by Dacrema et al. 2019): a
//! three-step random walk item → user → item, with popular destinations
//! discounted so the walk does not always end on the charts.

use crate::interactions::Interactions;
use crate::neighbours::{Neighbours, Pruned};

/// `W(i, j) = Σ_u P(i→u)^α · P(u→j)^α / pop(j)^β`, each item keeping its top `k`.
///
/// `P(i→u)` and `P(u→j)` are the weights normalised over the item's and the
/// user's row; `α` below one flattens them, `β` is the popularity discount
/// (`pop` counts distinct listeners).
pub(crate) fn train(data: &Interactions, alpha: f32, beta: f32, k: usize) -> Neighbours {
    // P(u→j)^α for every play, computed once rather than once per walk through it.
    let user_steps: Vec<Vec<f32>> = (0..data.n_users())
        .map(|u| {
            let weights = data.user_items(u).1;
            let degree: f32 = weights.iter().sum();
            weights.iter().map(|x| (x / degree).powf(alpha)).collect()
        })
        .collect();
    let discount: Vec<f32> = (0..data.n_items())
        .map(|j| {
            let pop = data.item_listeners(j) as f32;
            if pop > 0.0 {
                pop.powf(-beta)
            } else {
                0.0
            }
        })
        .collect();
    // P(i→u)^α likewise, parallel to each item's users.
    let item_steps: Vec<Vec<f32>> = (0..data.n_items())
        .map(|i| {
            let weights = data.item_users(i).1;
            let degree: f32 = weights.iter().sum();
            weights.iter().map(|x| (x / degree).powf(alpha)).collect()
        })
        .collect();
    // Pruned by source, as Dacrema et al. do: each item keeps the `k`
    // destinations its walks reach most (measured better here than by target).
    Neighbours::build(data.n_items() as usize, k, Pruned::BySource, |i, acc| {
        let users = data.item_users(i).0;
        for (&u, &to_user) in users.iter().zip(&item_steps[i as usize]) {
            for (&j, &step) in data.user_items(u).0.iter().zip(&user_steps[u as usize]) {
                acc.add(j, to_user * step);
            }
        }
        acc.drain(|j, walk| (j != i).then(|| walk * discount[j as usize]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interactions::Event;

    #[test]
    fn walk_probabilities_match_a_hand_computed_case() {
        // User 0: items 0, 1. User 1: items 0, 2.
        let pairs = [(0, 0), (0, 1), (1, 0), (1, 2)];
        let events = pairs.map(|(user, item)| Event { user, item, weight: 1.0, at: 0 });
        let data = Interactions::new(2, 3, events).unwrap();
        // From item 1: to user 0 (p = 1), then to 0 or 1 (p = 1/2 each);
        // item 0 has two listeners, so β = 1 halves it.
        let n = train(&data, 1.0, 1.0, 10);
        let s = n.similar(1, 5);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].0, 0);
        assert!((s[0].1 - 0.25).abs() < 1e-6);
    }
}
