//! A query whose score is another's plus a floor: the ranking buckets of
//! [`crate::query`] (exact over prefix over typos) without running the
//! inner query twice, as a constant-score copy beside it would.

use std::fmt;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// `query`'s score plus `floor` wherever it matches.
pub(crate) struct FloorQuery {
    query: Box<dyn Query>,
    floor: Score,
}

impl FloorQuery {
    pub(crate) fn new(query: Box<dyn Query>, floor: Score) -> Self {
        Self { query, floor }
    }
}

impl Clone for FloorQuery {
    fn clone(&self) -> Self {
        Self { query: self.query.box_clone(), floor: self.floor }
    }
}

impl fmt::Debug for FloorQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Floor(query={:?}, floor={})", self.query, self.floor)
    }
}

impl Query for FloorQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weight = self.query.weight(enable_scoring)?;
        Ok(Box::new(FloorWeight { weight, floor: self.floor }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor)
    }
}

struct FloorWeight {
    weight: Box<dyn Weight>,
    floor: Score,
}

impl Weight for FloorWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let inner = self.weight.scorer(reader, boost)?;
        Ok(Box::new(FloorScorer { inner, floor: self.floor * boost }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = self.weight.explain(reader, doc)?;
        let mut explanation = Explanation::new_with_string(format!("{} + ...", self.floor), inner.value() + self.floor);
        explanation.add_detail(inner);
        Ok(explanation)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.weight.count(reader)
    }
}

struct FloorScorer {
    inner: Box<dyn Scorer>,
    floor: Score,
}

impl DocSet for FloorScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target)
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Scorer for FloorScorer {
    fn score(&mut self) -> Score {
        self.inner.score() + self.floor
    }
}
