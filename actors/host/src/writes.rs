//! What one request wrote: a sequence in its own service's record, and
//! sequences in other services it wrote to on the caller's behalf. The reply
//! carries them (`Chorus-Seq`, `Chorus-Seq-Of-<service>`) so the caller can
//! ask any instance for at least that much (read-your-writes).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// A worker's collector, reused from job to job.
#[derive(Debug, Default)]
pub(crate) struct Writes {
    own: AtomicU64,
    others: Mutex<Vec<(&'static str, u64)>>,
}

impl Writes {
    /// Forget the last job's writes.
    pub(crate) fn reset(&self) {
        self.own.store(0, Ordering::Release);
        self.others.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    pub(crate) fn own(&self, seq: u64) {
        self.own.fetch_max(seq, Ordering::AcqRel);
    }

    pub(crate) fn other(&self, service: &'static str, seq: u64) {
        if seq == 0 {
            return;
        }
        let mut others = self.others.lock().unwrap_or_else(|p| p.into_inner());
        match others.iter_mut().find(|(s, _)| *s == service) {
            Some((_, at)) => *at = (*at).max(seq),
            None => others.push((service, seq)),
        }
    }

    /// This service's sequence, if the request wrote.
    pub(crate) fn own_seq(&self) -> Option<u64> {
        Some(self.own.load(Ordering::Acquire)).filter(|s| *s > 0)
    }

    /// Other services' sequences written on the caller's behalf.
    pub(crate) fn others(&self) -> Vec<(&'static str, u64)> {
        self.others.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}
