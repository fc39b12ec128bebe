//! A closed account's profile: erased by one instance (the service's
//! closures consumer, see `chorus_state::closures`), and forgotten by every
//! instance's listening history (each follows the closures stream).
//!
//! Erased: the listener's playlists (public ones too), favorites, ratings,
//! queue and the note of their last play, each purged from the bucket with
//! every revision it had; and their plays, purged from the plays stream.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chorus_nats::records::accounts::Closure;
use chorus_state::{Change, Projection, View};
use futures::future::BoxFuture;
use uuid::Uuid;

use crate::history::History;
use crate::records::{library_key, play_subject, playlist_key, plays_key, queue_key};
use crate::state::Profile;

/// How long the eraser waits for this instance's playlist index to have
/// every playlist written so far (so it misses none).
const CATCH_UP: Duration = Duration::from_secs(10);

/// Erase `closure`'s account; a second run finds nothing left.
pub(crate) async fn erase(p: &Profile, closure: Closure) -> anyhow::Result<()> {
    let user = closure.user;
    let (last, _) = p.owned_source.state().await?;
    if !p.owned_view.wait_for(last, Instant::now() + CATCH_UP).await {
        anyhow::bail!("the playlist index is behind the bucket");
    }
    let playlists = p.owned.ids(user);
    for id in &playlists {
        p.records.purge(&playlist_key(*id)).await?;
    }
    for key in [library_key(user), queue_key(user), plays_key(user)] {
        p.records.purge(&key).await?;
    }
    p.plays.purge().filter(play_subject(user)).await.map_err(|e| anyhow::anyhow!("purging plays: {e}"))?;
    tracing::info!(user = %user, playlists = playlists.len(), "profile of a closed account erased");
    Ok(())
}

/// The closed accounts this instance knows of: their plays are dropped from
/// its history, and no new play of theirs is recorded.
pub(crate) struct Closed {
    users: RwLock<HashSet<Uuid>>,
    history: Arc<History>,
}

impl Closed {
    pub(crate) fn new(history: Arc<History>) -> Self {
        Self { users: RwLock::default(), history }
    }

    /// Whether `user`'s account is closed.
    pub(crate) fn contains(&self, user: Uuid) -> bool {
        self.users.read().unwrap_or_else(|p| p.into_inner()).contains(&user)
    }
}

impl Projection for Closed {
    fn apply<'a>(&'a self, _: &'a View, changes: Vec<Change>, _: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            for closure in changes.iter().filter_map(Change::decode::<Closure>) {
                self.users.write().unwrap_or_else(|p| p.into_inner()).insert(closure.user);
                self.history.forget(closure.user);
            }
            Ok(())
        })
    }

    fn restore<'a>(&'a self, _: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}
