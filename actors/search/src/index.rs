//! The index owner: one tantivy index, its writer, and the reader queries use.
//!
//! Writes land in the writer's buffer; they become searchable when
//! [`SearchIndex::publish`] commits and reloads the reader. While catching up
//! the projection publishes once at the end; once live it publishes after
//! every batch, so a catalog change is searchable as soon as it is applied.
//!
//! Every commit records the catalog revision it covers (tantivy's commit
//! payload). An on-disk index reopened by a compatible build resumes from that
//! revision instead of being rebuilt; anything else starts empty.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Context as _;
use tantivy::index::IndexSettings;
use tantivy::store::Compressor;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, Term};
use uuid::Uuid;

use crate::config::IndexSpec;
use crate::entry::Entry;
use crate::schema::{self, Fields};

/// Bumped when analysis or documents change in a way the schema does not
/// show: an index written by another format is rebuilt, not resumed.
const FORMAT: u32 = 1;

/// What a commit records about itself.
#[derive(serde::Serialize, serde::Deserialize)]
struct Commit {
    format: u32,
    revision: u64,
}

/// Make `dir` an empty directory. Only an index's own directory (or an
/// empty one) is emptied: a mistyped path must not delete someone's files.
fn empty(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?.peekable();
        if entries.peek().is_some() {
            anyhow::ensure!(
                dir.join("meta.json").exists(),
                "{} is not empty and holds no index: refusing to empty it",
                dir.display()
            );
            std::fs::remove_dir_all(dir).with_context(|| format!("emptying {}", dir.display()))?;
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// See the module docs.
pub struct SearchIndex {
    pub(crate) fields: Fields,
    writer: Arc<Mutex<IndexWriter>>,
    reader: IndexReader,
    live: AtomicBool,
    on_disk: bool,
    resumed: u64,
}

impl SearchIndex {
    /// An index in memory, or in a directory: resumed when it holds an index
    /// of this format and schema whose last commit covers at most
    /// `catalog_last` (the catalog's newest revision; more means the catalog
    /// was recreated), emptied and built afresh otherwise.
    pub fn open(spec: &IndexSpec, writer_memory_mb: usize, catalog_last: u64) -> anyhow::Result<Self> {
        let (schema, fields) = schema::schema();
        // Hits are read from the doc store for every reply: uncompressed
        // blocks cost memory, not a decompression per hit.
        let settings = IndexSettings { docstore_compression: Compressor::None, ..Default::default() };
        let builder = Index::builder().schema(schema.clone()).settings(settings);
        let (index, resumed) = match spec {
            IndexSpec::Memory => (builder.create_in_ram()?, 0),
            IndexSpec::Dir(dir) => match resumable(dir, &schema, catalog_last) {
                Some((index, revision)) => (index, revision),
                None => {
                    empty(dir)?;
                    (builder.create_in_dir(dir)?, 0)
                }
            },
        };
        schema::register(&index);
        // One indexing thread: the node shares its cores with the requests.
        let memory = writer_memory_mb.max(16) * 1024 * 1024;
        let writer = index.writer_with_num_threads(1, memory).context("opening the index writer")?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self {
            fields,
            writer: Arc::new(Mutex::new(writer)),
            reader,
            live: AtomicBool::new(false),
            on_disk: matches!(spec, IndexSpec::Dir(_)),
            resumed,
        })
    }

    /// The catalog revision an on-disk index was resumed at (0: built afresh).
    pub fn resumed_at(&self) -> u64 {
        self.resumed
    }

    /// `memory` or `disk`, for the instance's metadata.
    pub fn kind(&self) -> &'static str {
        if self.on_disk {
            "disk"
        } else {
            "memory"
        }
    }

    fn writer(&self) -> MutexGuard<'_, IndexWriter> {
        // A panic while holding the lock left at worst an uncommitted
        // buffer, which the next commit writes: keep going.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Add or replace an entry (not searchable until [`Self::publish`]).
    pub(crate) fn put(&self, entry: &Entry) -> anyhow::Result<()> {
        let doc = entry.document(&self.fields)?;
        let writer = self.writer();
        writer.delete_term(Term::from_field_text(self.fields.id, &entry.id.to_string()));
        writer.add_document(doc)?;
        Ok(())
    }

    /// Remove an entry (not searchable until [`Self::publish`]).
    #[cfg_attr(not(feature = "service"), allow(dead_code))]
    pub(crate) fn remove(&self, id: Uuid) {
        self.writer().delete_term(Term::from_field_text(self.fields.id, &id.to_string()));
    }

    /// Commit what was written and let new queries see it; with `compact`,
    /// merge every segment into one first (after catching up: fewer
    /// segments, fewer term dictionaries to expand typos in).
    /// `revision` is the catalog revision the index now covers.
    pub(crate) async fn publish(&self, compact: bool, revision: u64) -> anyhow::Result<()> {
        let (writer, reader) = (self.writer.clone(), self.reader.clone());
        let payload = serde_json::to_string(&Commit { format: FORMAT, revision })?;
        // Commits and merges block on disk and on the indexing thread.
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut writer = writer.lock().unwrap_or_else(|p| p.into_inner());
            let mut commit = writer.prepare_commit().context("preparing an index commit")?;
            commit.set_payload(&payload);
            commit.commit().context("committing the index")?;
            if compact {
                let ids = reader.searcher().index().searchable_segment_ids()?;
                if ids.len() > 1 {
                    writer.merge(&ids).wait().context("merging the index")?;
                }
            }
            reader.reload().context("reloading the index reader")?;
            Ok(())
        })
        .await
        .context("index commit task")?
    }

    /// From now on every applied batch is published at once.
    pub(crate) fn go_live(&self) {
        self.live.store(true, Ordering::Release);
    }

    /// Whether batches are published as they come.
    #[cfg_attr(not(feature = "service"), allow(dead_code))]
    pub(crate) fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    /// A consistent view for one query (cheap: shares the segments).
    pub(crate) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Documents searchable now: tracks, albums and artists.
    pub fn documents(&self) -> u64 {
        self.searcher().num_docs()
    }
}

/// The index in `dir` and the revision its last commit covers, when it can
/// be resumed (see [`SearchIndex::open`]); why not is logged.
fn resumable(dir: &Path, schema: &tantivy::schema::Schema, catalog_last: u64) -> Option<(Index, u64)> {
    if !dir.join("meta.json").exists() {
        return None;
    }
    let reason = match Index::open_in_dir(dir) {
        Err(e) => format!("unreadable: {e}"),
        Ok(index) => {
            let commit =
                index.load_metas().ok().and_then(|m| m.payload).and_then(|p| serde_json::from_str::<Commit>(&p).ok());
            let same_schema = serde_json::to_value(index.schema()).ok() == serde_json::to_value(schema).ok();
            match commit {
                None => "no commit record".to_string(),
                Some(c) if c.format != FORMAT || !same_schema => "written by another build".to_string(),
                Some(c) if c.revision > catalog_last => {
                    format!("covers revision {} but the catalog ends at {catalog_last}", c.revision)
                }
                Some(c) => {
                    tracing::info!(dir = %dir.display(), revision = c.revision, "resuming the on-disk search index");
                    return Some((index, c.revision));
                }
            }
        }
    };
    tracing::info!(dir = %dir.display(), %reason, "rebuilding the on-disk search index");
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_index_directory_is_emptied() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir.path().join("notes.txt");
        std::fs::write(&mine, "keep me").unwrap();
        assert!(SearchIndex::open(&IndexSpec::Dir(dir.path().into()), 16, 0).is_err());
        assert!(mine.exists());

        let index_dir = dir.path().join("index");
        drop(SearchIndex::open(&IndexSpec::Dir(index_dir.clone()), 16, 0).unwrap());
        // An index with no commit record is emptied and built afresh.
        let again = SearchIndex::open(&IndexSpec::Dir(index_dir), 16, 0).unwrap();
        assert_eq!((again.documents(), again.resumed_at()), (0, 0));
    }

    #[tokio::test]
    async fn an_index_resumes_at_its_commit_unless_the_catalog_is_behind_it() {
        let dir = tempfile::tempdir().unwrap();
        let spec = IndexSpec::Dir(dir.path().join("index"));
        let index = SearchIndex::open(&spec, 16, 0).unwrap();
        index.publish(false, 42).await.unwrap();
        drop(index);
        assert_eq!(SearchIndex::open(&spec, 16, 50).unwrap().resumed_at(), 42);
        // A catalog that ends before the index's revision was recreated.
        assert_eq!(SearchIndex::open(&spec, 16, 10).unwrap().resumed_at(), 0);
    }
}
