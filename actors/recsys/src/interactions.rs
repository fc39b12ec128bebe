//! The play matrix every algorithm trains on, validated once at the edge.

use crate::csr::Csr;

/// One listening signal: `user` played (or liked, saved…) `item` at `at`.
///
/// Ids are dense (`0..n_users`, `0..n_items`), assigned by the caller, so the
/// library can index arrays by them instead of hashing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    /// Dense user id.
    pub user: u32,
    /// Dense item id.
    pub item: u32,
    /// How much this event says about taste; duplicates of a pair add up.
    pub weight: f32,
    /// When it happened, in any unit that increases with time.
    pub at: u64,
}

/// Why a batch of events could not become [`Interactions`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InteractionsError {
    /// An event names a user at or past `n_users`.
    #[error("user {user} is outside 0..{n_users}")]
    UserOutOfRange {
        /// The offending id.
        user: u32,
        /// The declared user count.
        n_users: u32,
    },
    /// An event names an item at or past `n_items`.
    #[error("item {item} is outside 0..{n_items}")]
    ItemOutOfRange {
        /// The offending id.
        item: u32,
        /// The declared item count.
        n_items: u32,
    },
    /// A weight is negative, zero, infinite or NaN.
    #[error("event ({user}, {item}) has weight {weight}; weights must be finite and positive")]
    BadWeight {
        /// The event's user.
        user: u32,
        /// The event's item.
        item: u32,
        /// The rejected weight.
        weight: f32,
    },
}

/// User × item weights, kept both by user and by item.
///
/// Duplicate `(user, item)` events are merged (weights add, the latest time
/// wins). A user's items are ordered by their last time, oldest first, ties
/// by item id, so the tail of a row is the user's recent taste.
#[derive(Debug, Clone)]
pub struct Interactions {
    n_users: u32,
    n_items: u32,
    by_user: Csr,
    last_at: Vec<u64>,
    by_item: Csr,
}

impl Interactions {
    /// Builds the matrix from events, refusing ids out of range and bad weights.
    pub fn new(n_users: u32, n_items: u32, events: impl IntoIterator<Item = Event>) -> Result<Self, InteractionsError> {
        let mut events: Vec<Event> = events.into_iter().collect();
        for e in &events {
            if e.user >= n_users {
                return Err(InteractionsError::UserOutOfRange { user: e.user, n_users });
            }
            if e.item >= n_items {
                return Err(InteractionsError::ItemOutOfRange { item: e.item, n_items });
            }
            if !(e.weight.is_finite() && e.weight > 0.0) {
                return Err(InteractionsError::BadWeight { user: e.user, item: e.item, weight: e.weight });
            }
        }
        events.sort_unstable_by_key(|e| (e.user, e.item));
        let mut merged: Vec<Event> = Vec::with_capacity(events.len());
        for e in events {
            match merged.last_mut() {
                Some(last) if last.user == e.user && last.item == e.item => {
                    last.weight += e.weight;
                    last.at = last.at.max(e.at);
                }
                _ => merged.push(e),
            }
        }
        // Group by user (already), then order each user's row by recency.
        merged.sort_unstable_by_key(|e| (e.user, e.at, e.item));
        let last_at = merged.iter().map(|e| e.at).collect();
        let by_user = Csr::from_sorted(n_users as usize, merged.iter().map(|e| (e.user, e.item, e.weight)));
        let by_item = by_user.transpose(n_items as usize);
        Ok(Self { n_users, n_items, by_user, last_at, by_item })
    }

    /// Number of users (rows), including users without events.
    pub fn n_users(&self) -> u32 {
        self.n_users
    }

    /// Number of items (columns), including items without events.
    pub fn n_items(&self) -> u32 {
        self.n_items
    }

    /// Number of distinct `(user, item)` pairs.
    pub fn nnz(&self) -> usize {
        self.by_user.nnz()
    }

    /// The user's items and merged weights, oldest last-play first.
    pub fn user_items(&self, user: u32) -> (&[u32], &[f32]) {
        self.by_user.row(user as usize)
    }

    /// The last time of each of the user's items, parallel to [`Self::user_items`].
    pub fn user_times(&self, user: u32) -> &[u64] {
        &self.last_at[self.by_user.range(user as usize)]
    }

    /// The item's users (ascending) and merged weights.
    pub fn item_users(&self, item: u32) -> (&[u32], &[f32]) {
        self.by_item.row(item as usize)
    }

    /// Number of distinct users who played the item.
    pub fn item_listeners(&self, item: u32) -> usize {
        self.by_item.range(item as usize).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(user: u32, item: u32, weight: f32, at: u64) -> Event {
        Event { user, item, weight, at }
    }

    #[test]
    fn duplicates_add_and_rows_are_ordered_by_last_time_then_item() {
        let m =
            Interactions::new(2, 4, [ev(0, 3, 1.0, 10), ev(0, 1, 1.0, 5), ev(0, 3, 2.0, 1), ev(0, 2, 1.0, 5)]).unwrap();
        assert_eq!(m.user_items(0), (&[1u32, 2, 3][..], &[1.0f32, 1.0, 3.0][..]));
        assert_eq!(m.user_times(0), &[5, 5, 10]);
        assert_eq!(m.user_items(1).0.len(), 0);
        assert_eq!(m.item_users(3), (&[0u32][..], &[3.0f32][..]));
        assert_eq!(m.nnz(), 3);
    }

    #[test]
    fn out_of_range_ids_and_bad_weights_are_refused() {
        assert!(matches!(Interactions::new(1, 1, [ev(1, 0, 1.0, 0)]), Err(InteractionsError::UserOutOfRange { .. })));
        assert!(matches!(Interactions::new(1, 1, [ev(0, 1, 1.0, 0)]), Err(InteractionsError::ItemOutOfRange { .. })));
        assert!(matches!(Interactions::new(1, 1, [ev(0, 0, f32::NAN, 0)]), Err(InteractionsError::BadWeight { .. })));
        assert!(matches!(Interactions::new(1, 1, [ev(0, 0, 0.0, 0)]), Err(InteractionsError::BadWeight { .. })));
    }
}
