//! What most people play: the fallback for new listeners and for filling a
//! ranking when a personal model has too few candidates.

use serde::{Deserialize, Serialize};

use crate::interactions::Interactions;

/// Items by number of distinct listeners.
///
/// Counting listeners rather than summing weights keeps one obsessive
/// listener from making a track "popular".
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Popularity {
    listeners: Vec<f32>,
    /// Item ids, most listeners first, ties by lower id.
    order: Vec<u32>,
}

impl Popularity {
    pub(crate) fn train(data: &Interactions) -> Self {
        let listeners: Vec<f32> = (0..data.n_items()).map(|i| data.item_listeners(i) as f32).collect();
        let mut order: Vec<u32> = (0..data.n_items()).collect();
        order.sort_by(|&a, &b| listeners[b as usize].total_cmp(&listeners[a as usize]).then(a.cmp(&b)));
        Self { listeners, order }
    }

    /// Distinct listeners per item, indexed by item.
    pub(crate) fn listeners(&self) -> &[f32] {
        &self.listeners
    }

    /// Every item, most popular first.
    pub(crate) fn order(&self) -> &[u32] {
        &self.order
    }
}
