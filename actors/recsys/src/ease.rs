//! EASE (Steck 2019, "Embarrassingly Shallow Autoencoders"): the item-item
//! weights that best rebuild each user's row from their other items, in
//! closed form, then cut to each item's top-k for serving.

use crate::dense::Dense;
use crate::interactions::Interactions;
use crate::neighbours::{Neighbours, Pruned};
use crate::parallel;
use crate::top_k::top_k_by_magnitude;

/// Default ceiling on played items: the Gram matrix is dense `n × n` `f64`
/// and its inverse costs `n³/2` multiply-adds, so 20,000 items is already
/// several gigabytes and a long wait; past it, use kNN, RP3beta or ALS.
pub const DEFAULT_MAX_ITEMS: usize = 20_000;

/// EASE was asked to train on more items than its limit allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("EASE needs a dense {items}×{items} matrix; it is refused above {limit} played items")]
pub struct EaseTooLarge {
    /// Items with at least one play (the dense matrix's side).
    pub items: usize,
    /// The configured limit.
    pub limit: usize,
}

/// `B = I − P·diag(1/diag(P))` with `P = (XᵀX + λI)⁻¹`, diagonal zeroed;
/// each item (row, the source) keeps its `k` weights largest in magnitude:
/// EASE's negative weights push down what a play argues against, and
/// dropping them measured clearly worse.
///
/// Only items with plays enter the matrix (an unplayed item's row and
/// column are zero anyway), so the limit is on what is actually played.
pub(crate) fn train(data: &Interactions, lambda: f32, k: usize, max_items: usize) -> anyhow::Result<Neighbours> {
    let played: Vec<u32> = (0..data.n_items()).filter(|&i| data.item_listeners(i) > 0).collect();
    if played.len() > max_items {
        return Err(EaseTooLarge { items: played.len(), limit: max_items }.into());
    }
    let mut dense_of = vec![u32::MAX; data.n_items() as usize];
    for (d, &i) in played.iter().enumerate() {
        dense_of[i as usize] = d as u32;
    }
    let n = played.len();
    let mut gram = Dense::zeros(n);
    for u in 0..data.n_users() {
        let (items, weights) = data.user_items(u);
        for (&a, &x_a) in items.iter().zip(weights) {
            let da = dense_of[a as usize] as usize;
            for (&b, &x_b) in items.iter().zip(weights) {
                gram.add(da, dense_of[b as usize] as usize, f64::from(x_a) * f64::from(x_b));
            }
        }
    }
    for d in 0..n {
        gram.add(d, d, f64::from(lambda));
    }
    let p = gram.cholesky().map_err(|e| anyhow::anyhow!("EASE Gram matrix: {e}"))?.inverse();
    let rows: Vec<Vec<(u32, f32)>> = parallel::map_rows(
        n,
        || (),
        |a, _| {
            let row = p.row(a);
            let candidates = (0..n)
                .filter(|&b| b != a)
                .map(|b| (played[b], (-row[b] / p.get(b, b)) as f32))
                .filter(|&(_, w)| w != 0.0)
                .collect();
            top_k_by_magnitude(candidates, k)
        },
    );
    let mut lists = vec![Vec::new(); data.n_items() as usize];
    for (d, row) in rows.into_iter().enumerate() {
        lists[played[d] as usize] = row;
    }
    Ok(Neighbours::from_lists(lists, Pruned::BySource))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interactions::Event;

    fn data(n_items: u32) -> Interactions {
        let events = (0..n_items).flat_map(|i| {
            [Event { user: 0, item: i, weight: 1.0, at: 0 }, Event { user: i % 3 + 1, item: i, weight: 1.0, at: 0 }]
        });
        Interactions::new(4, n_items, events).unwrap()
    }

    #[test]
    fn refuses_past_its_limit() {
        let err = train(&data(30), 10.0, 5, 29).unwrap_err();
        assert_eq!(err.downcast_ref::<EaseTooLarge>(), Some(&EaseTooLarge { items: 30, limit: 29 }));
        assert!(train(&data(30), 10.0, 5, 30).is_ok());
    }

    #[test]
    fn items_played_by_the_same_users_reconstruct_each_other() {
        // Items 0 and 3 share user 1 (besides user 0, who plays everything).
        let n = train(&data(6), 1.0, 3, 100).unwrap();
        assert_eq!(n.similar(0, 1)[0].0, 3);
    }
}
