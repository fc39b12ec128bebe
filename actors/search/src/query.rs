//! From what a listener typed to a tantivy query.
//!
//! Every word must match (in any of title, album, artist), in the best of
//! these ways, each a score bucket that outranks the next whatever the
//! BM25 part says:
//!
//! | way | bucket |
//! |---|---|
//! | the word exactly | [`EXACT`] |
//! | a prefix (the last word, unless a space follows it) | [`PREFIX`] |
//! | one typo | [`TYPO_1`] |
//! | two typos | [`TYPO_2`] |
//!
//! Within a bucket, a query that is exactly the title (or an artist's name)
//! comes first ([`WHOLE_TITLE`]), then BM25 with field weights (title 1.0,
//! album 0.5, artist 0.3) orders the hits. Typos, like Meilisearch's: one in words of 5 or
//! more characters, two in words of 9 or more, counting the longer of the
//! typed word and the indexed one (`hart` finds `heart`: a letter left out
//! of a 5-letter word is one typo). Two letters swapped are one typo
//! (Damerau), and in words of 3 and 4 letters too (`teh`, `pnuk`) when the
//! index does not have the word as typed. Any other typo in such a word
//! counts only when another word of the query is in the index as typed
//! (`jon coltrane`; `rosr` alone never finds `rose`), and in a bucket of its
//! own below two typos ([`TYPO_SHORT`]); so does a short word the index has
//! but the query meant another of its length (`bon dylan`, `king of blue`).
//!
//! Connectors (`and`, `&`, `+`, `n`, `'n'`) need not match beside other
//! words, and match each other: `tom petty & the heartbreakers` finds `Tom
//! Petty and the Heartbreakers`, `salt and pepa` finds `Salt-N-Pepa`. A
//! word of symbols only (`!!!`) is looked for as typed; beside other words
//! it need not match either.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::OnceLock;

use chorus_nats::messages::search::{SearchFilters, SearchKind};
use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use crate::entry::kind_name;
use crate::floor::FloorQuery;
use crate::normalize::{fold, is_connector, is_symbols, query_terms};
use crate::schema::{Fields, MAX_PREFIX_CHARS};

/// Score floor of a word matched exactly.
pub(crate) const EXACT: f32 = 1000.0;
/// Score floor of a word matched as a prefix.
pub(crate) const PREFIX: f32 = 600.0;
/// Score floor of a word matched with one typo.
pub(crate) const TYPO_1: f32 = 300.0;
/// Score floor of a word matched with two typos.
pub(crate) const TYPO_2: f32 = 200.0;
/// Score floor of a short word (3 or 4 letters) matched with a typo that is
/// not a swap, which only counts beside a word matched as typed.
pub(crate) const TYPO_SHORT: f32 = 100.0;
/// The typo count a short word's typo is kept under (see [`TYPO_SHORT`]).
pub(crate) const SHORT: u8 = 3;
/// Words this long or shorter take a swap as one typo, and another typo
/// only beside a word matched as typed.
const SHORT_WORD: std::ops::RangeInclusive<usize> = 3..=4;
/// What a connector may be in the index (`&` and `+` are not indexed).
const CONNECTORS: [&str; 2] = ["and", "n"];
/// Added when the query is exactly the title: above any BM25 difference
/// (under 50 a word), below any bucket step (100 or more).
pub(crate) const WHOLE_TITLE: f32 = 90.0;
/// How much a typo match's BM25 part counts against an exact one's.
const TYPO_WEIGHT: f32 = 0.5;
/// Words of a query that count; the rest are ignored (a pasted paragraph is not a search).
pub(crate) const MAX_WORDS: usize = 10;
/// Indexed words one typed word may stand for, closest first.
const MAX_EXPANSIONS: usize = 40;
/// Longest word typos are looked for in: longer ones are pasted, not typed,
/// and their automata cost milliseconds to build.
const MAX_TYPO_CHARS: usize = 24;

/// Typos allowed in a word of `chars` characters.
fn typo_budget(chars: usize) -> u8 {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// The automaton distance that finds every candidate a typed word of
/// `chars` characters may have (candidates can be longer than it).
fn search_distance(chars: usize) -> u8 {
    (1..=2).rev().find(|&d| typo_budget(chars + d as usize) >= d).unwrap_or(0)
}

fn automaton(distance: u8) -> &'static LevenshteinAutomatonBuilder {
    // Building a builder is the expensive part (milliseconds at distance 2): once each.
    static ONE: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    static TWO: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    match distance {
        1 => ONE.get_or_init(|| LevenshteinAutomatonBuilder::new(1, true)),
        _ => TWO.get_or_init(|| LevenshteinAutomatonBuilder::new(2, true)),
    }
}

/// A DFA walking tantivy's term dictionary.
struct Walk<'a>(&'a DFA);

impl tantivy_fst::Automaton for Walk<'_> {
    type State = u32;
    fn start(&self) -> u32 {
        self.0.initial_state()
    }
    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }
    fn can_match(&self, state: &u32) -> bool {
        *state != levenshtein_automata::SINK_STATE
    }
    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

/// One typed word and what it may match.
#[derive(Debug, Clone)]
pub(crate) struct Word {
    /// Folded.
    pub(crate) text: String,
    /// Whether it also matches as a prefix.
    pub(crate) prefix: bool,
    /// Whether a hit may lack it (a connector or symbols beside other words).
    pub(crate) optional: bool,
    /// Indexed words within its typo budget, by text field index: (field, word, typos).
    pub(crate) typos: Vec<(usize, String, u8)>,
}

/// A parsed query, its typos expanded against one searcher.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) words: Vec<Word>,
    /// Whether a second try with real-word typos could find more.
    pub(crate) retry: bool,
}

impl Plan {
    /// The plan for `q`, or none when it has no words. With `real_words`, a
    /// short word the index has may also stand for another of its length
    /// beside a word matched as typed (`bon dylan`): too broad (and slow) for
    /// every query, it is the second try of one that found nothing.
    pub(crate) fn new(q: &str, searcher: &Searcher, fields: &Fields, real_words: bool) -> Option<Plan> {
        let mut terms = query_terms(q);
        terms.truncate(MAX_WORDS);
        let typing = !q.ends_with(char::is_whitespace);
        let last = terms.len().checked_sub(1)?;
        let named: Vec<bool> = terms.iter().map(|t| !is_connector(t) && !is_symbols(t)).collect();
        let any_named = named.contains(&true);
        let as_typed: Vec<bool> =
            terms.iter().zip(&named).map(|(t, named)| *named && in_index(t, searcher, fields)).collect();
        let words = terms
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let pinned = as_typed.iter().enumerate().any(|(j, typed)| *typed && j != i);
                let typos = if named[i] {
                    let short = Short { misspelt: !as_typed[i], pinned, real_words };
                    expand(text, short, searcher, fields)
                } else {
                    Vec::new()
                };
                Word { prefix: typing && i == last, optional: !named[i] && any_named, typos, text: text.clone() }
            })
            .collect();
        let retry = !real_words
            && (0..terms.len()).any(|i| {
                as_typed[i]
                    && SHORT_WORD.contains(&terms[i].chars().count())
                    && as_typed.iter().filter(|t| **t).count() > 1
            });
        Some(Plan { words, retry })
    }

    /// The query as one term of the whole-title field (see `normalize::whole`).
    fn whole(&self) -> String {
        let kept: Vec<&str> = self.words.iter().filter(|w| !is_connector(&w.text)).map(|w| w.text.as_str()).collect();
        let named: Vec<&str> = kept.iter().copied().filter(|t| !is_symbols(t)).collect();
        if named.is_empty() {
            kept.join(" ")
        } else {
            named.join(" ")
        }
    }

    /// The text part of the query: every word must match.
    pub(crate) fn query(&self, fields: &Fields) -> Box<dyn Query> {
        let texts = fields.texts();
        let mut all: Vec<(Occur, Box<dyn Query>)> = self
            .words
            .iter()
            .map(|w| {
                let spellings: Vec<&str> =
                    if is_connector(&w.text) { CONNECTORS.to_vec() } else { vec![w.text.as_str()] };
                let exact = spellings.iter().flat_map(|s| texts.iter().map(move |t| (t.words, *s, t.weight)));
                let mut ways = vec![bucket(any_field(exact), EXACT)];
                if w.prefix {
                    let p: String = w.text.chars().take(MAX_PREFIX_CHARS).collect();
                    ways.push(bucket(any_field(texts.iter().map(|t| (t.prefixes, p.as_str(), t.weight))), PREFIX));
                }
                for (typos, floor) in [(1, TYPO_1), (2, TYPO_2), (SHORT, TYPO_SHORT)] {
                    let found: Vec<_> = w
                        .typos
                        .iter()
                        .filter(|(_, _, d)| *d == typos)
                        .map(|(f, s, _)| (texts[*f].words, s.as_str(), texts[*f].weight * TYPO_WEIGHT))
                        .collect();
                    if !found.is_empty() {
                        ways.push(bucket(any_field(found.into_iter()), floor));
                    }
                }
                let way: Box<dyn Query> = Box::new(DisjunctionMaxQuery::new(ways));
                (if w.optional { Occur::Should } else { Occur::Must }, way)
            })
            .collect();
        let exactly = term(fields.title_whole, &self.whole());
        all.push((Occur::Should, Box::new(ConstScoreQuery::new(exactly, WHOLE_TITLE)) as Box<dyn Query>));
        Box::new(BooleanQuery::new(all))
    }
}

/// Whether `word` is in the index as it is, in any text field.
fn in_index(word: &str, searcher: &Searcher, fields: &Fields) -> bool {
    searcher.segment_readers().iter().any(|segment| {
        fields.texts().iter().any(|field| {
            segment
                .inverted_index(field.words)
                .is_ok_and(|inverted| inverted.terms().get(word.as_bytes()).is_ok_and(|info| info.is_some()))
        })
    })
}

/// Whether `b` is `a` with two neighbouring letters swapped.
fn is_swap(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len() != b.len() {
        return false;
    }
    let differ: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    matches!(differ[..], [i, j] if j == i + 1 && a[i] == b[j] && a[j] == b[i])
}

/// What a short word (3 or 4 letters) may be beyond its typo budget.
#[derive(Debug, Clone, Copy)]
struct Short {
    /// It is not in the index as typed: only then is it taken for a typo
    /// (`teh`, `ela`; never `the`, `ella`).
    misspelt: bool,
    /// Another word of the query is in the index as typed.
    pinned: bool,
    /// A word the index has may stand for another of its length (the second
    /// try of a query that found nothing: see [`Plan::new`]).
    real_words: bool,
}

/// The typo count `candidate` is kept under for the typed `word`, if any:
/// within the budget of the longer; for a misspelt short word, a swap, and
/// another typo when the query is pinned by a word matched as typed.
fn typos_of(word: &str, chars: usize, candidate: &str, distance: u8, short: Short) -> Option<u8> {
    let longer = chars.max(candidate.chars().count());
    let short_word = SHORT_WORD.contains(&chars);
    if distance == 0 {
        None
    } else if distance <= typo_budget(longer) {
        Some(distance)
    } else if distance != 1 || !short_word {
        None
    } else if short.misspelt && is_swap(word, candidate) {
        Some(1)
    } else if short.misspelt && SHORT_WORD.contains(&longer) && short.pinned {
        Some(SHORT)
    } else if short.real_words && short.pinned && chars == longer && candidate.chars().count() == chars {
        // A real word typed for another (`bon dylan`, `king of blue`): one
        // letter changed or two swapped, beside a word matched as typed.
        Some(SHORT)
    } else {
        None
    }
}

/// Indexed words (in any text field) `word` may stand for, closest first.
fn expand(word: &str, short: Short, searcher: &Searcher, fields: &Fields) -> Vec<(usize, String, u8)> {
    let chars = word.chars().count();
    let short_word = SHORT_WORD.contains(&chars) && (short.misspelt || (short.real_words && short.pinned));
    let distance = search_distance(chars).max(u8::from(short_word));
    if distance == 0 || chars > MAX_TYPO_CHARS {
        return Vec::new();
    }
    let dfa = automaton(distance).build_dfa(word);
    let mut found: BTreeMap<(usize, String), u8> = BTreeMap::new();
    for segment in searcher.segment_readers() {
        for (i, field) in fields.texts().iter().enumerate() {
            let Ok(inverted) = segment.inverted_index(field.words) else { continue };
            let Ok(mut stream) = inverted.terms().search(Walk(&dfa)).into_stream() else { continue };
            while stream.advance() {
                let Distance::Exact(d) = dfa.eval(stream.key()) else { continue };
                let Ok(candidate) = std::str::from_utf8(stream.key()) else { continue };
                if let Some(typos) = typos_of(word, chars, candidate, d, short) {
                    found.insert((i, candidate.to_string()), typos);
                }
            }
        }
    }
    let mut typos: Vec<_> = found.into_iter().map(|((f, s), d)| (f, s, d)).collect();
    typos.sort_by_key(|(f, _, d)| (*d, *f));
    typos.truncate(MAX_EXPANSIONS);
    typos
}

/// Matches `text` in any of the given fields, BM25 weighted per field.
fn any_field<'a>(terms: impl Iterator<Item = (Field, &'a str, f32)>) -> Box<dyn Query> {
    let should = terms
        .map(|(field, text, weight)| {
            let q: Box<dyn Query> =
                Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs));
            (Occur::Should, Box::new(BoostQuery::new(q, weight)) as Box<dyn Query>)
        })
        .collect();
    Box::new(BooleanQuery::new(should))
}

/// `inner`'s score plus `floor` wherever it matches.
fn bucket(inner: Box<dyn Query>, floor: f32) -> Box<dyn Query> {
    Box::new(FloorQuery::new(inner, floor))
}

/// A condition that adds nothing to the score.
fn filter(q: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
}

/// `text` restricted to the filters, and to `kinds` unless they are all three.
pub(crate) fn restricted(
    text: Box<dyn Query>,
    kinds: &[SearchKind],
    filters: &SearchFilters,
    fields: &Fields,
) -> Box<dyn Query> {
    let mut all = vec![(Occur::Must, text)];
    if !crate::lists::KINDS.iter().all(|k| kinds.contains(k)) {
        let any = kinds.iter().map(|k| (Occur::Should, term(fields.kind, kind_name(*k)))).collect();
        all.push(filter(Box::new(BooleanQuery::new(any))));
    }
    if let Some(g) = &filters.genre {
        all.push(filter(term(fields.genre, &fold(g))));
    }
    if filters.year_from.is_some() || filters.year_to.is_some() {
        let bound = |y: Option<i32>| match y {
            Some(y) => Bound::Included(Term::from_field_i64(fields.year, i64::from(y))),
            None => Bound::Unbounded,
        };
        let (low, high) = chorus_nats::messages::catalog::year_range(filters.year_from, filters.year_to);
        let range = RangeQuery::new(bound(low), bound(high));
        all.push(filter(Box::new(range)));
    }
    if let Some(a) = filters.artist {
        all.push(filter(term(fields.artist_id, &a.to_string())));
    }
    Box::new(BooleanQuery::new(all))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typo_budgets_follow_the_longer_word() {
        assert_eq!((typo_budget(4), typo_budget(5), typo_budget(8), typo_budget(9)), (0, 1, 1, 2));
        // 3 letters never reach a 5-letter word with one typo; 4 do (`hart` → `heart`).
        assert_eq!(search_distance(3), 0);
        assert_eq!(search_distance(4), 1);
        assert_eq!(search_distance(6), 1);
        assert_eq!(search_distance(7), 2);
    }

    #[test]
    fn swaps_are_one_typo_even_in_short_words() {
        assert!(is_swap("pnuk", "punk") && is_swap("teh", "the") && !is_swap("punk", "punk"));
        assert!(!is_swap("abcd", "badc") && !is_swap("abc", "abcd"));
        let alone = Short { misspelt: true, pinned: false, real_words: false };
        assert_eq!(typos_of("pnuk", 4, "punk", 1, alone), Some(1));
        assert_eq!(typos_of("teh", 3, "the", 1, alone), Some(1));
        assert_eq!(typos_of("bjrok", 5, "bjork", 1, alone), Some(1));
        // A short word the index has as typed is another word's typo only
        // beside a word matched as typed, and only for one of its length.
        assert_eq!(typos_of("tale", 4, "tael", 1, Short { misspelt: false, pinned: false, real_words: true }), None);
        let second_try = Short { misspelt: false, pinned: true, real_words: true };
        assert_eq!(typos_of("bon", 3, "bob", 1, second_try), Some(SHORT));
        assert_eq!(typos_of("bon", 3, "bonn", 1, second_try), None);
        assert_eq!(typos_of("bon", 3, "bob", 1, Short { real_words: false, ..second_try }), None);
    }

    #[test]
    fn other_typos_in_short_words_need_a_word_matched_as_typed() {
        let (alone, pinned) = (
            Short { misspelt: true, pinned: false, real_words: false },
            Short { misspelt: true, pinned: true, real_words: false },
        );
        assert_eq!(typos_of("ela", 3, "ella", 1, alone), None);
        assert_eq!(typos_of("ela", 3, "ella", 1, pinned), Some(SHORT));
        assert_eq!(typos_of("rosr", 4, "rose", 1, alone), None);
        // Not past four letters on either side, and never two.
        assert_eq!(typos_of("elan", 4, "elane", 1, pinned), Some(1));
        assert_eq!(typos_of("ela", 3, "elsa", 1, pinned), Some(SHORT));
        assert_eq!(typos_of("abc", 3, "xbz", 2, pinned), None);
    }
}
