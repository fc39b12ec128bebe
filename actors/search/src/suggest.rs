//! `catalog.suggest`: what the search box offers to complete to.

use std::collections::HashSet;

use chorus_host::Fail;
use chorus_nats::messages::search::{SearchFilters, SearchKind, Suggest, SuggestReply, Suggestion};
use tantivy::collector::TopDocs;

use crate::index::SearchIndex;
use crate::lists::Lists;
use crate::normalize::fold;
use crate::query::restricted;
use crate::search::{check_length, entry_at, limit, Prepared};

/// Completions when the request does not say.
pub const DEFAULT_SUGGESTIONS: u32 = 8;
/// Most completions.
pub const MAX_SUGGESTIONS: u32 = 20;

impl SearchIndex {
    /// Answer a suggest request; what `catalog.suggest` does, callable in process.
    pub fn suggest(&self, req: &Suggest) -> Result<SuggestReply, Fail> {
        check_length(&req.q)?;
        let limit = limit(req.limit, DEFAULT_SUGGESTIONS, MAX_SUGGESTIONS)?;
        let Some(Prepared { searcher, text, marker, .. }) = self.prepare(&req.q, false) else {
            return Ok(SuggestReply::default());
        };
        let mut seen = HashSet::new();
        let mut suggestions = Vec::new();
        // Names before titles: an artist is what most searches are after.
        let kinds = [SearchKind::Artists, SearchKind::Albums, SearchKind::Tracks];
        let query = restricted(text, &kinds, &SearchFilters::default(), &self.fields);
        // Extra candidates: some match on another field than the one offered, or repeat a title.
        let lists = Lists::new(TopDocs::with_limit(limit * 3), &kinds, false);
        let mut found = self.collect(&searcher, &query, &lists).map_err(|e| Fail::Crash(e.into()))?;
        for kind in kinds {
            for (_, at) in found.take(kind) {
                if suggestions.len() >= limit {
                    return Ok(SuggestReply { suggestions });
                }
                let entry = entry_at(&searcher, self, at)?;
                // Offer only texts that themselves match what was typed.
                let Some(highlight) = marker.mark(&entry.title) else { continue };
                if seen.insert(fold(&entry.title)) {
                    suggestions.push(Suggestion { text: entry.title, kind, id: entry.id, highlight });
                }
            }
        }
        Ok(SuggestReply { suggestions })
    }
}
