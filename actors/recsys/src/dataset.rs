//! Plays per user in time order: the shape offline evaluation splits and
//! the synthetic world and MovieLens loader produce.

use crate::interactions::{Event, Interactions, InteractionsError};

/// One play of an item at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Play {
    /// Dense item id.
    pub item: u32,
    /// When, in any increasing unit.
    pub at: u64,
}

/// Every user's plays, each user's ordered by time then item id.
#[derive(Debug, Clone)]
pub struct Dataset {
    n_items: u32,
    users: Vec<Vec<Play>>,
}

impl Dataset {
    /// Orders each user's plays by `(at, item)`; the order the split relies on.
    pub fn new(n_items: u32, mut users: Vec<Vec<Play>>) -> Self {
        for plays in &mut users {
            plays.sort_by_key(|p| (p.at, p.item));
        }
        Self { n_items, users }
    }

    /// Number of users, including users without plays.
    pub fn n_users(&self) -> u32 {
        self.users.len() as u32
    }

    /// Number of items.
    pub fn n_items(&self) -> u32 {
        self.n_items
    }

    /// The user's plays, oldest first.
    pub fn user(&self, user: u32) -> &[Play] {
        &self.users[user as usize]
    }

    /// Total plays.
    pub fn plays(&self) -> usize {
        self.users.iter().map(Vec::len).sum()
    }

    /// Every play as an event of weight 1.
    pub fn events(&self) -> impl Iterator<Item = Event> + '_ {
        self.users.iter().enumerate().flat_map(|(user, plays)| {
            plays.iter().map(move |p| Event { user: user as u32, item: p.item, weight: 1.0, at: p.at })
        })
    }

    /// The play matrix, one unit of weight per play.
    pub fn interactions(&self) -> Result<Interactions, InteractionsError> {
        Interactions::new(self.n_users(), self.n_items, self.events())
    }
}
