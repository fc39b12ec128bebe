//! Facet counts (genre, decade) over every matching track, from fast fields.

use std::collections::HashMap;

use chorus_nats::messages::search::{FacetCount, Facets};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Counts genres and decades of the documents it sees.
pub(crate) struct FacetCollector;

/// Counts in one segment: genres by the segment's term ordinal.
pub(crate) struct SegmentFacets {
    genres: Option<StrColumn>,
    years: Option<Column<i64>>,
    genre_counts: Vec<u64>,
    decade_counts: HashMap<i64, u64>,
}

/// Counts by value, merged across segments.
#[derive(Default)]
pub(crate) struct Counts {
    genre: HashMap<String, u64>,
    decade: HashMap<i64, u64>,
}

impl Collector for FacetCollector {
    type Fruit = Counts;
    type Child = SegmentFacets;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentFacets> {
        let fast = segment.fast_fields();
        let genres = fast.str("genre_label")?;
        let years = fast.column_opt::<i64>("year")?;
        let genre_counts = vec![0; genres.as_ref().map_or(0, |g| g.num_terms())];
        Ok(SegmentFacets { genres, years, genre_counts, decade_counts: HashMap::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut all = Counts::default();
        for f in fruits {
            for (g, n) in f.genre {
                *all.genre.entry(g).or_default() += n;
            }
            for (d, n) in f.decade {
                *all.decade.entry(d).or_default() += n;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(genres) = &self.genres {
            for ord in genres.term_ords(doc) {
                if let Some(n) = self.genre_counts.get_mut(ord as usize) {
                    *n += 1;
                }
            }
        }
        if let Some(year) = self.years.as_ref().and_then(|y| y.first(doc)) {
            *self.decade_counts.entry(year.div_euclid(10) * 10).or_default() += 1;
        }
    }

    fn harvest(self) -> Counts {
        let mut genre = HashMap::new();
        if let Some(genres) = &self.genres {
            let mut name = String::new();
            for (ord, n) in self.genre_counts.iter().enumerate().filter(|(_, n)| **n > 0) {
                if genres.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                    genre.insert(name.clone(), *n);
                }
            }
        }
        Counts { genre, decade: self.decade_counts }
    }
}

impl Counts {
    /// Genres most first (then by name), decades oldest first.
    pub(crate) fn facets(self) -> Facets {
        let mut genre: Vec<FacetCount> =
            self.genre.into_iter().map(|(value, count)| FacetCount { value, count }).collect();
        genre.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        let mut decades: Vec<(i64, u64)> = self.decade.into_iter().collect();
        decades.sort_unstable();
        let decade = decades.into_iter().map(|(d, count)| FacetCount { value: format!("{d}s"), count }).collect();
        Facets { genre, decade }
    }
}
