//! Read-your-writes with one sequence per service, though profile keeps two
//! records: the bucket `chorus_profile` and the stream `chorus_plays`, each
//! numbering its own writes. A client holds one number for profile, the
//! highest it has seen, so every reply's `Chorus-Seq` is a bucket sequence.
//! A play is appended to the stream, then noted in the bucket (`plays.<user>`
//! → its stream sequence), and its reply carries the note's sequence.
//!
//! An instance has applied bucket sequence N once its bucket projection has
//! applied N and its history has every play noted up to N. Each note names
//! a play already in the stream, so the history gets there.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use chorus_host::SeqGate;
use chorus_state::{Change, Projection, View};
use futures::future::BoxFuture;

use crate::owned::Owned;
use crate::records::{PlayNote, PLAYS_PREFIX};

/// The bucket's projection: the playlists by owner, and the latest play the
/// notes name.
pub(crate) struct Bucket {
    owned: Arc<Owned>,
    /// The highest stream sequence a play note applied so far names.
    noted: AtomicU64,
}

impl Bucket {
    pub(crate) fn new(owned: Arc<Owned>) -> Self {
        Self { owned, noted: AtomicU64::new(0) }
    }

    fn noted(&self) -> u64 {
        self.noted.load(Ordering::SeqCst)
    }

    /// At start, after the history caught up with the stream: a note past
    /// the history's end names a play the stream no longer has (it was
    /// deleted and made again), which no instance would ever reach.
    pub(crate) fn forget_plays_after(&self, history_end: u64) {
        self.noted.fetch_min(history_end, Ordering::SeqCst);
    }
}

impl Projection for Bucket {
    fn apply<'a>(&'a self, view: &'a View, changes: Vec<Change>, revision: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        // Before the view says it has `revision`: whoever reads that from the
        // view then finds every note up to it counted.
        for change in changes.iter().filter(|c| c.key.starts_with(PLAYS_PREFIX)) {
            if let Some(note) = change.decode::<PlayNote>() {
                self.noted.fetch_max(note.seq, Ordering::SeqCst);
            }
        }
        self.owned.apply(view, changes, revision)
    }

    fn restore<'a>(&'a self, view: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        self.owned.restore(view)
    }
}

/// The gate for `Chorus-Min-Seq`, in the bucket's sequence.
pub(crate) struct Position {
    pub(crate) bucket: Arc<Bucket>,
    pub(crate) bucket_view: Arc<View>,
    pub(crate) history_view: Arc<View>,
}

impl SeqGate for Position {
    fn applied(&self) -> u64 {
        // The bucket's position first: the notes read after it count every
        // one up to it (and maybe more, which only asks more of the history).
        let at = self.bucket_view.applied();
        if self.history_view.applied() >= self.bucket.noted() {
            at
        } else {
            // The history is behind a note: no position is sure; let the wait decide.
            0
        }
    }

    fn wait_for(&self, seq: u64, until: Instant) -> BoxFuture<'_, bool> {
        Box::pin(async move {
            self.bucket_view.wait_for(seq, until).await && self.history_view.wait_for(self.bucket.noted(), until).await
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chorus_nats::Encoding;

    use super::*;

    fn note(seq: u64, revision: u64) -> Change {
        let value = Encoding::MsgPack.encode(&PlayNote { seq }).unwrap();
        Change { key: format!("{PLAYS_PREFIX}{}", uuid::Uuid::now_v7()), value: Some(value), revision }
    }

    async fn gate() -> Position {
        Position {
            bucket: Arc::new(Bucket::new(Arc::default())),
            bucket_view: Arc::new(View::revision_only()),
            history_view: Arc::new(View::revision_only()),
        }
    }

    async fn apply(g: &Position, changes: Vec<Change>, revision: u64) {
        g.bucket.apply(&g.bucket_view, changes, revision).await.unwrap();
        g.bucket_view.mark_applied(revision);
    }

    #[tokio::test]
    async fn a_bucket_sequence_is_applied_once_the_plays_it_notes_are() {
        let g = gate().await;
        let soon = || Instant::now() + Duration::from_millis(50);
        // A playlist write: nothing noted, the bucket alone decides.
        apply(&g, vec![Change { key: "playlist.x".into(), value: None, revision: 4 }], 4).await;
        assert_eq!(g.applied(), 4);
        assert!(g.wait_for(4, soon()).await);
        // A play at stream sequence 7, noted at bucket sequence 5: not there
        // until the history has it, though the bucket has.
        apply(&g, vec![note(7, 5)], 5).await;
        assert_eq!(g.applied(), 0);
        assert!(!g.wait_for(5, soon()).await);
        let waiting = g.wait_for(5, Instant::now() + Duration::from_secs(2));
        let history = g.history_view.clone();
        let (arrived, _) = tokio::join!(waiting, async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            history.mark_applied(7);
        });
        assert!(arrived);
        assert_eq!(g.applied(), 5);
        // Notes in any order: the highest counts.
        apply(&g, vec![note(9, 6), note(8, 7)], 7).await;
        assert!(!g.wait_for(7, soon()).await);
        g.history_view.mark_applied(9);
        assert_eq!(g.applied(), 7);
        // A sequence past the bucket's is not applied, whatever the history has.
        assert!(!g.wait_for(8, soon()).await);
    }

    #[tokio::test]
    async fn a_note_past_the_history_at_start_is_forgotten() {
        let g = gate().await;
        apply(&g, vec![note(50, 3)], 3).await;
        // The stream was made again and holds 10 plays.
        g.history_view.mark_applied(10);
        g.bucket.forget_plays_after(g.history_view.applied());
        assert_eq!(g.applied(), 3);
    }
}
