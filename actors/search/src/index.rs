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
use tantivy::collector::Collector;
use tantivy::index::{IndexSettings, SegmentId, SegmentMeta};
use tantivy::query::{EnableScoring, Query};
use tantivy::store::Compressor;
use tantivy::{Executor, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, Term};
use uuid::Uuid;

use crate::config::IndexSpec;
use crate::entry::Entry;
use crate::schema::{self, Fields};

/// Bumped when analysis or documents change in a way the schema does not
/// show: an index written by another format is rebuilt, not resumed.
const FORMAT: u32 = 1;

/// Documents a segment holds at least before a caught-up index is kept in
/// more than one: below it a query costs well under a millisecond in one
/// segment, and every segment more is one more term dictionary to expand
/// the query's typos in.
const SPLIT_DOCS: u64 = 250_000;

/// How many segments a caught-up index of `docs` documents is merged into:
/// one a query thread, each of at least [`SPLIT_DOCS`], at least one.
fn segments_for(docs: u64, threads: usize) -> usize {
    (docs / SPLIT_DOCS).clamp(1, threads.max(1) as u64) as usize
}

/// `segments` grouped into `bins` merges of about as many documents each
/// (the largest first, each to the lightest bin): merging each group
/// leaves `bins` segments (fewer when there are fewer segments).
fn balanced(mut segments: Vec<SegmentMeta>, bins: usize) -> Vec<Vec<SegmentId>> {
    segments.sort_by_key(|s| std::cmp::Reverse(s.num_docs()));
    let mut groups: Vec<(u64, Vec<SegmentId>)> = vec![(0, Vec::new()); bins.max(1)];
    for segment in segments {
        let lightest = groups.iter_mut().min_by_key(|(docs, _)| *docs).expect("at least one bin");
        lightest.0 += u64::from(segment.num_docs());
        lightest.1.push(segment.id());
    }
    groups.into_iter().map(|(_, ids)| ids).filter(|ids| !ids.is_empty()).collect()
}

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
    /// Runs a query's segments side by side (one thread each) once a large
    /// index is kept in several; `None`: one thread, the caller's.
    pool: Option<Executor>,
    threads: usize,
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
            pool: None,
            threads: 1,
        })
    }

    /// Let one query use up to `threads` threads: a caught-up index of
    /// more than [`SPLIT_DOCS`] documents a thread is then kept in that many
    /// segments, searched side by side. It lowers a large query's latency
    /// (the answer is the same: scores use the whole index's statistics);
    /// it does not raise throughput, which the request workers already
    /// spread over the cores.
    pub fn set_query_threads(&mut self, threads: usize) -> anyhow::Result<()> {
        self.threads = threads.max(1);
        self.pool = if self.threads > 1 {
            Some(Executor::multi_thread(self.threads, "search-query-").context("starting the query threads")?)
        } else {
            None
        };
        Ok(())
    }

    /// Run `collector` over `query`, a segment a thread when there are several.
    pub(crate) fn collect<C: Collector>(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        collector: &C,
    ) -> tantivy::Result<C::Fruit> {
        match &self.pool {
            Some(pool) if searcher.segment_readers().len() > 1 => {
                let scoring = if collector.requires_scoring() {
                    EnableScoring::enabled_from_searcher(searcher)
                } else {
                    EnableScoring::disabled_from_searcher(searcher)
                };
                searcher.search_with_executor(query, collector, pool, scoring)
            }
            _ => searcher.search(query, collector),
        }
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
    /// merge the segments first (after catching up: fewer segments, fewer
    /// term dictionaries to expand typos in), into one, or into one a query
    /// thread for a large index (see [`Self::set_query_threads`]).
    /// `revision` is the catalog revision the index now covers.
    pub(crate) async fn publish(&self, compact: bool, revision: u64) -> anyhow::Result<()> {
        let (writer, reader, threads) = (self.writer.clone(), self.reader.clone(), self.threads);
        let payload = serde_json::to_string(&Commit { format: FORMAT, revision })?;
        // Commits and merges block on disk and on the indexing thread.
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut writer = writer.lock().unwrap_or_else(|p| p.into_inner());
            let mut commit = writer.prepare_commit().context("preparing an index commit")?;
            commit.set_payload(&payload);
            commit.commit().context("committing the index")?;
            if compact {
                let segments = reader.searcher().index().searchable_segment_metas()?;
                let docs = segments.iter().map(|s| u64::from(s.num_docs())).sum();
                for ids in balanced(segments, segments_for(docs, threads)) {
                    if ids.len() > 1 {
                        writer.merge(&ids).wait().context("merging the index")?;
                    }
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

    /// Segments searchable now.
    pub fn segments(&self) -> usize {
        self.searcher().segment_readers().len()
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

#[cfg(test)]
mod split_tests {
    use chorus_nats::messages::search::{SearchKind, SearchQuery};
    use tantivy::index::SegmentId;

    use super::*;

    #[test]
    fn a_large_index_is_kept_in_a_segment_a_thread() {
        assert_eq!(segments_for(10_000, 2), 1);
        assert_eq!(segments_for(499_999, 2), 1);
        assert_eq!(segments_for(1_000_000, 2), 2);
        assert_eq!(segments_for(1_000_000, 8), 4);
        assert_eq!(segments_for(1_000_000, 0), 1);
        let index = Index::create_in_ram(schema::schema().0);
        let metas: Vec<SegmentMeta> =
            [90, 10, 40, 30, 30].iter().map(|d| index.new_segment_meta(SegmentId::generate_random(), *d)).collect();
        let docs = |ids: &[SegmentId]| -> u32 {
            ids.iter().map(|id| metas.iter().find(|m| m.id() == *id).unwrap().num_docs()).sum()
        };
        let groups = balanced(metas.clone(), 2);
        assert_eq!(groups.iter().map(|g| docs(g)).collect::<Vec<_>>(), vec![100, 100]);
        assert_eq!(groups.iter().map(Vec::len).sum::<usize>(), 5);
        assert_eq!(balanced(metas[..1].to_vec(), 2).len(), 1, "one segment stays one");
    }

    #[tokio::test]
    async fn segments_searched_side_by_side_answer_as_one_thread_does() {
        let entry = |i: usize| Entry {
            id: uuid::Uuid::new_v4(),
            kind: [SearchKind::Tracks, SearchKind::Albums, SearchKind::Artists][i % 3],
            title: format!("Blue {} train {i}", ["moment", "note", "world"][(i / 3) % 3]),
            album: Some("Blue Train".into()),
            artist: Some("John Coltrane".into()),
            year: Some(1950 + (i % 20) as i32),
            genres: vec![["Jazz", "Bop"][i % 2].into()],
            artist_ids: Vec::new(),
        };
        let mut split = SearchIndex::open(&IndexSpec::Memory, 16, 0).unwrap();
        for round in 0..3u64 {
            for i in 0..40 {
                split.put(&entry(round as usize * 40 + i)).unwrap();
            }
            // Small indexes are compacted into one segment: not compacting keeps three.
            split.publish(false, round + 1).await.unwrap();
        }
        assert_eq!(split.searcher().segment_readers().len(), 3);
        let queries = ["blue", "train note", "coltrane wrld", "blu"];
        let answers = |index: &SearchIndex| -> Vec<_> {
            queries
                .iter()
                .map(|q| index.search(&SearchQuery { q: q.to_string(), limit: Some(7), ..Default::default() }).unwrap())
                .collect()
        };
        split.set_query_threads(1).unwrap();
        let one = answers(&split);
        split.set_query_threads(2).unwrap();
        assert!(split.pool.is_some());
        let side_by_side = answers(&split);
        for (q, (a, b)) in queries.iter().zip(side_by_side.iter().zip(&one)) {
            assert!(!a.tracks.is_empty() && !a.facets.genre.is_empty(), "{q:?} finds tracks");
            // Same hits in the same order, same scores, facets and cursor (ties broken alike).
            assert_eq!(a, b, "{q:?}");
        }
        // Compacted, a small index is one segment whatever the threads.
        split.publish(true, 4).await.unwrap();
        assert_eq!(split.searcher().segment_readers().len(), 1);
    }
}
