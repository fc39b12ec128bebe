//! Every list a search asks for from one run of its query: each hit goes to
//! its kind's page (and a track to the facet counts).
//!
//! A query run once a list scored every matching document once a list: the
//! text query leads the intersection with the kind (it matches fewer
//! documents than a kind has), and no top-k pruning applies to our nested
//! queries, so a search box's three lists were three full runs.

use chorus_nats::messages::search::SearchKind;
use tantivy::collector::{Collector, SegmentCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, TantivyError};

use crate::entry::kind_name;
use crate::facets::{Counts, FacetCollector, SegmentFacets};

/// Every kind a search lists, in the order its lists are kept and shown.
pub(crate) const KINDS: [SearchKind; 3] = [SearchKind::Tracks, SearchKind::Albums, SearchKind::Artists];

/// A page of each list asked for, and the tracks' facets when asked.
pub(crate) struct Lists {
    /// Page size and start, the same for every list.
    pub(crate) top: TopDocs,
    /// Which of [`KINDS`] are asked for.
    pub(crate) asked: [bool; 3],
    /// Whether to count the tracks' facets.
    pub(crate) facets: bool,
}

impl Lists {
    /// `top` for each of `kinds`, facets with tracks when `facets`.
    pub(crate) fn new(top: TopDocs, kinds: &[SearchKind], facets: bool) -> Self {
        let asked = KINDS.map(|k| kinds.contains(&k));
        Self { top, asked, facets: facets && asked[0] }
    }
}

/// What [`Lists`] found.
pub(crate) struct Found {
    pages: [Vec<(Score, DocAddress)>; 3],
    facets: Option<Counts>,
}

impl Found {
    /// The page of `kind`'s list (empty when it was not asked for).
    pub(crate) fn take(&mut self, kind: SearchKind) -> Vec<(Score, DocAddress)> {
        let at = KINDS.iter().position(|k| *k == kind).unwrap_or(0);
        std::mem::take(&mut self.pages[at])
    }

    /// The tracks' facet counts, when asked for.
    pub(crate) fn facets(&mut self) -> Option<Counts> {
        self.facets.take()
    }
}

/// [`Lists`] in one segment.
pub(crate) struct SegmentLists {
    kind: StrColumn,
    /// The segment's term ordinal of `kind` → the list (a place in [`KINDS`]) it is asked for in.
    list_of: Vec<Option<usize>>,
    pages: [<TopDocs as Collector>::Child; 3],
    facets: Option<SegmentFacets>,
}

impl Collector for Lists {
    type Fruit = Found;
    type Child = SegmentLists;

    fn for_segment(&self, ord: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentLists> {
        let kind = segment
            .fast_fields()
            .str("kind")?
            .ok_or_else(|| TantivyError::SchemaError("the kind field is not a fast field".into()))?;
        let mut name = String::new();
        let mut list_of = Vec::with_capacity(kind.num_terms());
        for term in 0..kind.num_terms() as u64 {
            name.clear();
            let known = kind.ord_to_str(term, &mut name)?;
            list_of.push(KINDS.iter().position(|k| known && kind_name(*k) == name).filter(|&at| self.asked[at]));
        }
        let page = || self.top.for_segment(ord, segment);
        let pages = [page()?, page()?, page()?];
        let facets = if self.facets { Some(FacetCollector.for_segment(ord, segment)?) } else { None };
        Ok(SegmentLists { kind, list_of, pages, facets })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Found>) -> tantivy::Result<Found> {
        let mut pages: [Vec<Vec<(Score, DocAddress)>>; 3] = Default::default();
        let mut facets = Vec::new();
        for found in fruits {
            for (all, page) in pages.iter_mut().zip(found.pages) {
                all.push(page);
            }
            facets.extend(found.facets);
        }
        let [tracks, albums, artists] = pages.map(|p| self.top.merge_fruits(p));
        let facets = if self.facets { Some(FacetCollector.merge_fruits(facets)?) } else { None };
        Ok(Found { pages: [tracks?, albums?, artists?], facets })
    }
}

impl SegmentCollector for SegmentLists {
    type Fruit = Found;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(ord) = self.kind.term_ords(doc).next() else { return };
        let Some(&Some(at)) = self.list_of.get(ord as usize) else { return };
        self.pages[at].collect(doc, score);
        if at == 0 {
            if let Some(f) = &mut self.facets {
                f.collect(doc, score);
            }
        }
    }

    fn harvest(self) -> Found {
        Found { pages: self.pages.map(SegmentCollector::harvest), facets: self.facets.map(SegmentCollector::harvest) }
    }
}

#[cfg(test)]
mod tests {
    use chorus_nats::messages::search::SearchFilters;
    use uuid::Uuid;

    use super::*;
    use crate::config::IndexSpec;
    use crate::entry::Entry;
    use crate::index::SearchIndex;
    use crate::query::{restricted, Plan};

    fn entry(kind: SearchKind, title: &str, genre: &str) -> Entry {
        Entry {
            id: Uuid::new_v4(),
            kind,
            title: title.into(),
            album: Some("Blue Train".into()),
            artist: Some("John Coltrane".into()),
            year: Some(1957),
            genres: vec![genre.into()],
            artist_ids: Vec::new(),
        }
    }

    #[tokio::test]
    async fn one_pass_finds_what_a_run_a_list_found() {
        let index = SearchIndex::open(&IndexSpec::Memory, 16, 0).unwrap();
        // Two commits, two segments: every list's page is merged across them.
        for (round, genre) in [(0, "Jazz"), (1, "Bop")] {
            for i in 0..30 {
                let kind = KINDS[(i + round) % 3];
                index
                    .put(&entry(kind, &format!("Blue {} train {i}", ["moment", "note", "world"][(i / 3) % 3]), genre))
                    .unwrap();
            }
            index.publish(false, round as u64 + 1).await.unwrap();
        }
        let searcher = index.searcher();
        let genre = SearchFilters { genre: Some("jazz".into()), ..Default::default() };
        for (q, filters) in
            [("blue", SearchFilters::default()), ("train note", SearchFilters::default()), ("blu", genre)]
        {
            let plan = Plan::new(q, &searcher, &index.fields, false).unwrap();
            for kinds in [&KINDS[..], &[SearchKind::Albums, SearchKind::Tracks], &[SearchKind::Artists]] {
                let top = || TopDocs::with_limit(7).and_offset(2);
                let query = restricted(plan.query(&index.fields), kinds, &filters, &index.fields);
                let mut found = searcher.search(&query, &Lists::new(top(), kinds, true)).unwrap();
                for kind in KINDS {
                    let alone = restricted(plan.query(&index.fields), &[kind], &filters, &index.fields);
                    let expected =
                        if kinds.contains(&kind) { searcher.search(&alone, &top()).unwrap() } else { Vec::new() };
                    assert_eq!(found.take(kind), expected, "{q:?}, {kind:?} of {kinds:?}");
                    if kind == SearchKind::Tracks && kinds.contains(&kind) {
                        let counts = searcher.search(&alone, &FacetCollector).unwrap().facets();
                        assert!(!counts.genre.is_empty(), "{q:?}: the facets count something");
                        assert_eq!(found.facets().expect("facets with tracks").facets(), counts);
                    }
                }
                assert!(found.facets().is_none());
            }
        }
    }
}
