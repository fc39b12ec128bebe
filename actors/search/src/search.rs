//! `catalog.query`: validate, plan, run the query once for every list, show the hits.

use chorus_host::Fail;
use chorus_nats::errors::search as codes;
use chorus_nats::messages::search::{Hit, SearchKind, SearchQuery, SearchReply};
use chorus_nats::{ServiceError, Status};
use tantivy::collector::TopDocs;
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{DocAddress, Searcher, TantivyDocument};

use crate::entry::Entry;
use crate::highlight::Marker;
use crate::index::SearchIndex;
use crate::lists::{Lists, KINDS};
use crate::query::{restricted, Plan};

/// Longest query accepted, in bytes (a search box, not a document): 413 `query_too_long` past it.
pub const MAX_QUERY_BYTES: usize = 1024;
/// Hits per list when the request does not say.
pub const DEFAULT_LIMIT: u32 = 20;
/// Most hits per list.
pub const MAX_LIMIT: u32 = 100;
/// Deepest page start: nobody reads past it, and deep pages cost a top-k that large.
pub const MAX_OFFSET: usize = 1000;

/// Refuse a query that is too long to be typed.
pub(crate) fn check_length(q: &str) -> Result<(), Fail> {
    if q.len() > MAX_QUERY_BYTES {
        return Err(Fail::Reply(ServiceError::new(
            Status::TooLarge,
            codes::QUERY_TOO_LONG,
            format!("a query has at most {MAX_QUERY_BYTES} bytes"),
        )));
    }
    Ok(())
}

/// The page size asked for, `default` when absent; 400 `invalid_limit` outside 1 to `max`.
pub(crate) fn limit(asked: Option<u32>, default: u32, max: u32) -> Result<usize, Fail> {
    Ok(chorus_host::paging::PageSize { default, max }.of(asked)?)
}

fn offset(cursor: Option<&str>) -> Result<usize, Fail> {
    let parse = |c: &str| c.parse::<usize>().ok().filter(|o| *o <= MAX_OFFSET);
    Ok(chorus_host::paging::cursor(cursor, parse)?.unwrap_or(0))
}

/// Read a hit back from the doc store and mark what matched.
pub(crate) fn entry_at(searcher: &Searcher, index: &SearchIndex, at: DocAddress) -> Result<Entry, Fail> {
    let doc: TantivyDocument = searcher.doc(at).map_err(|e| Fail::Crash(e.into()))?;
    let bytes = doc.get_first(index.fields.stored).and_then(|v| v.as_bytes()).unwrap_or_default();
    rmp_serde::from_slice(bytes).map_err(|e| Fail::Crash(anyhow::anyhow!("stored hit: {e}")))
}

fn hit(entry: Entry, score: f32, marker: &Marker) -> Hit {
    let mut highlight = std::collections::BTreeMap::new();
    for (name, text) in
        [("title", Some(&entry.title)), ("album", entry.album.as_ref()), ("artist", entry.artist.as_ref())]
    {
        if let Some(marked) = text.and_then(|t| marker.mark(t)) {
            highlight.insert(name.to_string(), marked);
        }
    }
    Hit { highlight, ..entry.hit(score) }
}

/// A query ready to run: one searcher, the text part, what to highlight.
pub(crate) struct Prepared {
    pub(crate) searcher: Searcher,
    pub(crate) text: Box<dyn Query>,
    pub(crate) marker: Marker,
    /// Whether a second try with real-word typos could find more (`Plan::retry`).
    pub(crate) retry: bool,
}

impl SearchIndex {
    /// Plan `q` against the index as it is now; none when `q` has no words.
    /// With `real_words`, short words the index has may stand for others
    /// (the second try, see `Plan::new`).
    pub(crate) fn prepare(&self, q: &str, real_words: bool) -> Option<Prepared> {
        let searcher = self.searcher();
        let plan = Plan::new(q, &searcher, &self.fields, real_words)?;
        Some(Prepared { text: plan.query(&self.fields), marker: Marker::new(&plan), retry: plan.retry, searcher })
    }

    /// Answer a query; what `catalog.query` does, callable in process. A
    /// query that finds nothing, with a short word the index has beside
    /// another word it has, is tried again taking that word for a typo of
    /// another of its length (`bon dylan`): that broadening costs only the
    /// queries that need it.
    pub fn search(&self, req: &SearchQuery) -> Result<SearchReply, Fail> {
        check_length(&req.q)?;
        let limit = limit(req.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
        let offset = offset(req.cursor.as_deref())?;
        let Some(first) = self.prepare(&req.q, false) else {
            return Ok(SearchReply::default());
        };
        let reply = self.run(&first, req, limit, offset)?;
        let empty = |r: &SearchReply| r.tracks.is_empty() && r.albums.is_empty() && r.artists.is_empty();
        // A later page of a query that found something is past its end, not a miss.
        if first.retry && empty(&reply) && (offset == 0 || empty(&self.run(&first, req, 1, 0)?)) {
            if let Some(second) = self.prepare(&req.q, true) {
                return self.run(&second, req, limit, offset);
            }
        }
        Ok(reply)
    }

    /// Run a prepared query: one page of each list asked for, and the facets.
    fn run(&self, prepared: &Prepared, req: &SearchQuery, limit: usize, offset: usize) -> Result<SearchReply, Fail> {
        let Prepared { searcher, text, marker, .. } = prepared;
        let mut reply = SearchReply::default();
        let mut more = false;
        let kinds = req.kinds.as_deref().unwrap_or(&KINDS);
        let query = restricted(text.box_clone(), kinds, &req.filters, &self.fields);
        // One more than asked: whether a next page exists.
        let top = TopDocs::with_limit(limit + 1).and_offset(offset);
        let mut found = self.collect(searcher, &query, &Lists::new(top, kinds, true)).map_err(crash)?;
        if let Some(counts) = found.facets() {
            reply.facets = counts.facets();
        }
        for kind in KINDS.into_iter().filter(|k| kinds.contains(k)) {
            let docs = found.take(kind);
            more |= docs.len() > limit;
            let hits = docs
                .into_iter()
                .take(limit)
                .map(|(score, at)| Ok(hit(entry_at(searcher, self, at)?, score, marker)))
                .collect::<Result<Vec<_>, Fail>>()?;
            match kind {
                SearchKind::Tracks => reply.tracks = hits,
                SearchKind::Albums => reply.albums = hits,
                SearchKind::Artists => reply.artists = hits,
            }
        }
        reply.next_cursor = (more && offset + limit <= MAX_OFFSET).then(|| (offset + limit).to_string());
        Ok(reply)
    }
}

fn crash(e: tantivy::TantivyError) -> Fail {
    Fail::Crash(anyhow::Error::new(e).context("running a query"))
}
