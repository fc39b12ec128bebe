//! The temporal hold-out: each user's latest plays are what a model must
//! predict from their earlier ones.

use crate::dataset::{Dataset, Play};

/// Share of each evaluated user's plays held out.
pub const HOLD_OUT: f64 = 0.2;

/// Users with fewer plays train only and are not evaluated.
pub const MIN_PLAYS: usize = 5;

/// Train plays for everyone, held-out items for evaluated users.
#[derive(Debug, Clone)]
pub struct Split {
    /// Every user's plays before their hold-out.
    pub train: Dataset,
    /// `(user, distinct held-out items)`, users ascending.
    pub test: Vec<(u32, Vec<u32>)>,
}

/// Holds out the latest `ceil(fraction × plays)` plays (by time, ties by
/// item id) of every user with at least `min_plays`.
/// The count is `ceil(fraction × n)` in `f64`, the same expression as the
/// Python anchor's, so the two agree on every size.
pub fn temporal_split(data: &Dataset, fraction: f64, min_plays: usize) -> Split {
    let mut train = Vec::with_capacity(data.n_users() as usize);
    let mut test = Vec::new();
    for user in 0..data.n_users() {
        let plays = data.user(user);
        if plays.len() >= min_plays {
            let held = (fraction * plays.len() as f64).ceil() as usize;
            let (kept, tail) = plays.split_at(plays.len() - held);
            let mut items: Vec<u32> = tail.iter().map(|p: &Play| p.item).collect();
            items.sort_unstable();
            items.dedup();
            train.push(kept.to_vec());
            test.push((user, items));
        } else {
            train.push(plays.to_vec());
        }
    }
    Split { train: Dataset::new(data.n_items(), train), test }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plays(pairs: &[(u32, u64)]) -> Vec<Play> {
        pairs.iter().map(|&(item, at)| Play { item, at }).collect()
    }

    #[test]
    fn latest_fifth_is_held_out_with_ties_by_item_id() {
        // User 0: 5 plays, the last two tie at t=9, so item 4 (the larger id) is the latest.
        // User 1: 11 plays, ceil(2.2) = 3 held out. User 2: 4 plays, train only.
        let u0 = plays(&[(0, 1), (1, 2), (2, 3), (4, 9), (3, 9)]);
        let u1: Vec<Play> = (0..11).map(|t| Play { item: t as u32, at: t }).collect();
        let u2 = plays(&[(0, 1), (1, 2), (2, 3), (3, 4)]);
        let split = temporal_split(&Dataset::new(15, vec![u0, u1, u2]), HOLD_OUT, MIN_PLAYS);
        assert_eq!(split.test, vec![(0, vec![4]), (1, vec![8, 9, 10])]);
        assert_eq!(split.train.user(0).iter().map(|p| p.item).collect::<Vec<_>>(), vec![0, 1, 2, 3]);
        assert_eq!(split.train.user(1).len(), 8);
        assert_eq!(split.train.user(2).len(), 4);
    }
}
