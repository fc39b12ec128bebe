//! The `[search]` configuration section.

use std::path::PathBuf;
use std::str::FromStr;

use serde::Deserialize;

/// Where the index lives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum IndexSpec {
    /// In memory (the default): rebuilt from the catalog at every start.
    #[default]
    Memory,
    /// In a directory (memory-mapped), for catalogs larger than memory; it is
    /// emptied and rebuilt at start too, so it never disagrees with the catalog.
    Dir(PathBuf),
}

impl FromStr for IndexSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "" | "mem" | "memory" => Ok(IndexSpec::Memory),
            dir => Ok(IndexSpec::Dir(dir.strip_prefix("dir:").unwrap_or(dir).into())),
        }
    }
}

impl<'de> Deserialize<'de> for IndexSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// Search settings (`CHORUS_SEARCH__<KEY>`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SearchConfig {
    /// `memory`, or a directory for an on-disk index. When absent: in memory.
    pub index: Option<IndexSpec>,
    /// Memory the indexer may buffer before it writes a segment, in MB.
    pub writer_memory_mb: usize,
    /// Threads one query may use; a large index (over 250,000 documents a
    /// thread) is then kept in that many segments, searched side by side.
    /// 0: one a core, at most [`MAX_QUERY_THREADS`].
    pub query_threads: usize,
}

/// Most threads a query uses by default: past a few, the segments' merge of
/// hits and their typo expansion cost more than the split saves.
pub const MAX_QUERY_THREADS: usize = 4;

impl SearchConfig {
    /// Where this instance keeps its index: on disk only when configured (a
    /// node's `data_dir` does not imply it; an on-disk index resumes at start).
    pub fn index(&self) -> IndexSpec {
        self.index.clone().unwrap_or_default()
    }

    /// Threads a query may use: `query_threads`, or one a core (at most [`MAX_QUERY_THREADS`]) when 0.
    pub fn query_threads(&self) -> usize {
        match self.query_threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_QUERY_THREADS),
            n => n,
        }
    }
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self { index: None, writer_memory_mb: 64, query_threads: 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_index_specs() {
        assert_eq!("memory".parse::<IndexSpec>(), Ok(IndexSpec::Memory));
        assert_eq!("".parse::<IndexSpec>(), Ok(IndexSpec::Memory));
        assert_eq!("/var/search".parse::<IndexSpec>(), Ok(IndexSpec::Dir("/var/search".into())));
        assert_eq!("dir:/var/search".parse::<IndexSpec>(), Ok(IndexSpec::Dir("/var/search".into())));
        let config: SearchConfig = serde_json::from_value(serde_json::json!({"index": "mem"})).unwrap();
        assert_eq!((config.index(), config.writer_memory_mb), (IndexSpec::Memory, 64));
    }
}
