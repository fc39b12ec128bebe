//! An on-disk view's memory in one file, so that a restarted instance
//! restores memory from it (one read, a decode) rather than from every row
//! of the view. Written once the view has been still for a moment,
//! atomically (a file beside it renamed over the last one); taken only when
//! it is at the revision the view has applied, else memory is restored from
//! the view's rows as before.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chorus_nats::messages::catalog::{Album, Artist};
use ractor::{Actor, ActorProcessingErr, ActorRef};
use serde::{Deserialize, Serialize};

use crate::projection::Catalog;

/// How often the writer looks; memory must have stayed at one revision that long.
const EVERY: Duration = Duration::from_secs(2);

/// Memory at one revision: each track as kept (MessagePack), albums, artists.
#[derive(Serialize, Deserialize)]
pub(crate) struct Snapshot {
    pub(crate) revision: u64,
    pub(crate) tracks: Vec<Bytes>,
    pub(crate) albums: Vec<Arc<Album>>,
    pub(crate) artists: Vec<Arc<Artist>>,
}

/// Where the snapshot of the view in `view_dir` is kept.
pub(crate) fn path_for(view_dir: &Path) -> PathBuf {
    let mut path = view_dir.as_os_str().to_owned();
    path.push(".memory");
    path.into()
}

/// The snapshot at `path`; none when there is none or it does not decode.
pub(crate) fn read(path: &Path) -> Option<Snapshot> {
    let bytes = std::fs::read(path).ok()?;
    match rmp_serde::from_slice(&bytes) {
        Ok(snapshot) => Some(snapshot),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "a memory snapshot that does not decode: restoring from the view");
            None
        }
    }
}

fn write(path: &Path, snapshot: &Snapshot) -> anyhow::Result<()> {
    let bytes = rmp_serde::to_vec_named(snapshot)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// The supervised writer of one instance's snapshot.
pub(crate) struct Writer;

/// Look now.
pub(crate) struct Look;

/// What the writer knows.
pub(crate) struct Seen {
    catalog: Arc<Catalog>,
    path: PathBuf,
    /// The revision memory was at when last looked at.
    last: u64,
    /// The revision of the snapshot on disk.
    written: u64,
}

impl Writer {
    /// The writer's arguments.
    pub(crate) fn args(catalog: Arc<Catalog>, path: PathBuf) -> Seen {
        Seen { catalog, path, last: 0, written: 0 }
    }
}

impl Actor for Writer {
    type Msg = Look;
    type State = Seen;
    type Arguments = Seen;

    async fn pre_start(&self, myself: ActorRef<Look>, seen: Seen) -> Result<Seen, ActorProcessingErr> {
        myself.send_after(EVERY, || Look);
        Ok(seen)
    }

    async fn handle(&self, myself: ActorRef<Look>, _: Look, seen: &mut Seen) -> Result<(), ActorProcessingErr> {
        let now = seen.catalog.memory().revision;
        if now == seen.last && now != seen.written && now > 0 {
            let snapshot = seen.catalog.memory().snapshot();
            let path = seen.path.clone();
            let took = std::time::Instant::now();
            match tokio::task::spawn_blocking(move || write(&path, &snapshot).map(|()| snapshot.revision)).await? {
                Ok(revision) => {
                    tracing::debug!(revision, took = ?took.elapsed(), "memory snapshot written");
                    seen.written = revision;
                }
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "writing the memory snapshot"),
            }
        }
        seen.last = now;
        myself.send_after(EVERY, || Look);
        Ok(())
    }
}
