//! The index owner: one tantivy index, its writer, and the reader queries use.
//!
//! Writes land in the writer's buffer; they become searchable when
//! [`SearchIndex::publish`] commits and reloads the reader. While catching up
//! the projection publishes once at the end; once live it publishes after
//! every batch, so a catalog change is searchable as soon as it is applied.

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
}

impl SearchIndex {
    /// A new, empty index in memory or in a directory (emptied first).
    pub fn open(spec: &IndexSpec, writer_memory_mb: usize) -> anyhow::Result<Self> {
        let (schema, fields) = schema::schema();
        // Hits are read from the doc store for every reply: uncompressed
        // blocks cost memory, not a decompression per hit.
        let settings = IndexSettings { docstore_compression: Compressor::None, ..Default::default() };
        let builder = Index::builder().schema(schema).settings(settings);
        let index = match spec {
            IndexSpec::Memory => builder.create_in_ram()?,
            IndexSpec::Dir(dir) => {
                empty(dir)?;
                builder.create_in_dir(dir)?
            }
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
        })
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
    pub(crate) fn remove(&self, id: Uuid) {
        self.writer().delete_term(Term::from_field_text(self.fields.id, &id.to_string()));
    }

    /// Commit what was written and let new queries see it; with `compact`,
    /// merge every segment into one first (after catching up: fewer
    /// segments, fewer term dictionaries to expand typos in).
    pub(crate) async fn publish(&self, compact: bool) -> anyhow::Result<()> {
        let (writer, reader) = (self.writer.clone(), self.reader.clone());
        // Commits and merges block on disk and on the indexing thread.
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut writer = writer.lock().unwrap_or_else(|p| p.into_inner());
            writer.commit().context("committing the index")?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_index_directory_is_emptied() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir.path().join("notes.txt");
        std::fs::write(&mine, "keep me").unwrap();
        assert!(SearchIndex::open(&IndexSpec::Dir(dir.path().into()), 16).is_err());
        assert!(mine.exists());

        let index_dir = dir.path().join("index");
        drop(SearchIndex::open(&IndexSpec::Dir(index_dir.clone()), 16).unwrap());
        // A second start empties its own index and builds afresh.
        let again = SearchIndex::open(&IndexSpec::Dir(index_dir), 16).unwrap();
        assert_eq!(again.documents(), 0);
    }
}
