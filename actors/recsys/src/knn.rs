//! Item-item cosine similarity with shrinkage: items are alike when the same
//! people play them.

use crate::interactions::Interactions;
use crate::neighbours::{Neighbours, Pruned};

/// `sim(i, j) = Σ_u x_ui·x_uj / (‖x_i‖·‖x_j‖ + shrink)`, each item keeping its top `k`.
///
/// The shrink term pulls down similarities resting on few common listeners,
/// which plain cosine rates as highly as well-supported ones.
pub(crate) fn train(data: &Interactions, k: usize, shrink: f32) -> Neighbours {
    let norms: Vec<f32> =
        (0..data.n_items()).map(|i| data.item_users(i).1.iter().map(|x| x * x).sum::<f32>().sqrt()).collect();
    // Pruned by target, the classic item-based rule: a candidate is scored
    // from its own `k` most similar items (measured better here than the
    // `k` most similar of each history item).
    Neighbours::build(data.n_items() as usize, k, Pruned::ByTarget, |i, acc| {
        let (users, weights) = data.item_users(i);
        for (&u, &x_ui) in users.iter().zip(weights) {
            let (items, x_u) = data.user_items(u);
            for (&j, &x_uj) in items.iter().zip(x_u) {
                acc.add(j, x_ui * x_uj);
            }
        }
        let norm_i = norms[i as usize];
        acc.drain(|j, dot| (j != i).then(|| dot / (norm_i * norms[j as usize] + shrink)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interactions::Event;

    #[test]
    fn cosine_matches_a_hand_computed_case() {
        // Users 0 and 1 play items 0 and 1; user 2 plays items 1 and 2.
        let pairs = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 1), (2, 2)];
        let events = pairs.map(|(user, item)| Event { user, item, weight: 1.0, at: 0 });
        let data = Interactions::new(3, 3, events).unwrap();
        let n = train(&data, 10, 0.0);
        // cos(0, 1) = 2 / (√2·√3); cos(1, 2) = 1 / (√3·1); 0 and 2 share nobody.
        let s01 = n.similar(0, 5);
        assert_eq!(s01.len(), 1);
        assert!((s01[0].1 - 2.0 / (2f32.sqrt() * 3f32.sqrt())).abs() < 1e-6);
        let s1 = n.similar(1, 5);
        assert_eq!(s1.iter().map(|e| e.0).collect::<Vec<_>>(), vec![0, 2]);
        assert!((s1[1].1 - 1.0 / 3f32.sqrt()).abs() < 1e-6);
    }
}
