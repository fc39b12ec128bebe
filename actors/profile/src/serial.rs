//! One capped create at a time per listener in this instance: a cap counted
//! from the view is then exact within the instance (each create waits until
//! the view shows it before the next one counts). Across instances, counts
//! are taken from a view caught up with every acknowledged write
//! (`Profile::catch_up_playlists`), so only a create counted at the same
//! moment on another instance goes unseen: a cap can be passed by at most
//! the number of other instances, never without bound.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedMutexGuard;
use uuid::Uuid;

/// Entries kept before the forgotten ones are swept.
const SWEEP_AT: usize = 1_024;

/// See the module docs.
#[derive(Default)]
pub(crate) struct PerUser {
    locks: Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<()>>>>,
}

/// Held while one listener's create runs; the lock is let go (and forgotten
/// when nobody else waits on it) on drop.
pub(crate) struct Turn<'a> {
    owner: &'a PerUser,
    user: Uuid,
    lock: Arc<tokio::sync::Mutex<()>>,
    guard: Option<OwnedMutexGuard<()>>,
}

impl PerUser {
    /// Wait for `user`'s turn.
    pub(crate) async fn turn(&self, user: Uuid) -> Turn<'_> {
        let lock = {
            let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
            if locks.len() >= SWEEP_AT {
                // Entries only the map holds are left by turns cancelled while
                // waiting (a deadline): what stays is what is in flight.
                locks.retain(|_, l| Arc::strong_count(l) > 1);
            }
            locks.entry(user).or_default().clone()
        };
        let mut turn = Turn { owner: self, user, lock, guard: None };
        turn.guard = Some(turn.lock.clone().lock_owned().await);
        turn
    }

    #[cfg(test)]
    fn kept(&self) -> usize {
        self.locks.lock().unwrap().len()
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.guard.take();
        let mut locks = self.owner.locks.lock().unwrap_or_else(|p| p.into_inner());
        // Clones are made only under this lock: the map's and ours are the
        // last two exactly when nobody else holds or waits for the turn.
        if Arc::strong_count(&self.lock) == 2 {
            locks.remove(&self.user);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn one_at_a_time_per_user_and_forgotten_after() {
        let per_user = Arc::new(PerUser::default());
        let inside = Arc::new(AtomicUsize::new(0));
        let ann = Uuid::now_v7();
        let runs: Vec<_> = (0..8)
            .map(|_| {
                let (per_user, inside) = (per_user.clone(), inside.clone());
                tokio::spawn(async move {
                    let _turn = per_user.turn(ann).await;
                    assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two turns at once");
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for r in runs {
            r.await.unwrap();
        }
        assert_eq!(per_user.kept(), 0);
    }
}
