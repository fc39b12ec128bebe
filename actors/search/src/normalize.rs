//! Folding text into the words the index holds and queries look for.
//!
//! Both sides go through [`words`], so what a listener types and what a
//! title says meet in the same form: lower case, no diacritics (`Motörhead`
//! → `motorhead`), the letters that do not decompose spelled the way people
//! type them without the key (`ø` → `o`, `æ` → `ae`, `ß` → `ss`, `ł` → `l`),
//! and punctuation inside a word both joined and split (`R.E.M.` → `rem`
//! plus `r`, `e`, `m`; `AC/DC` → `acdc` plus `ac`, `dc`).

/// Longest word kept, in characters; longer runs are cut (nobody types them).
pub(crate) const MAX_WORD_CHARS: usize = 40;

/// A folded word and the byte range of the original text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    /// Folded text.
    pub(crate) text: String,
    /// Start in the original text (bytes).
    pub(crate) from: usize,
    /// End in the original text (bytes).
    pub(crate) to: usize,
    /// Whether this is the joined form of a punctuated chunk (`rem` of `R.E.M.`).
    pub(crate) joined: bool,
}

pub(crate) use chorus_nats::fold::{fold, fold_char};

/// The words of `text`, in order; a punctuated chunk gives its joined form
/// first, then its parts.
pub(crate) fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut folded = String::new();
    // The current chunk (between white space): its runs of letters and digits.
    let mut runs: Vec<Word> = Vec::new();
    let mut run: Option<Word> = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            close_run(&mut run, &mut runs);
            close_chunk(&mut runs, &mut out);
            continue;
        }
        folded.clear();
        fold_char(c, &mut folded);
        if !folded.is_empty() && folded.chars().all(char::is_alphanumeric) {
            let w = run.get_or_insert_with(|| Word { text: String::new(), from: i, to: i, joined: false });
            if w.text.chars().count() < MAX_WORD_CHARS {
                w.text.push_str(&folded);
            }
            w.to = i + c.len_utf8();
        } else {
            close_run(&mut run, &mut runs);
        }
    }
    close_run(&mut run, &mut runs);
    close_chunk(&mut runs, &mut out);
    out
}

fn close_run(run: &mut Option<Word>, runs: &mut Vec<Word>) {
    if let Some(w) = run.take() {
        runs.push(w);
    }
}

fn close_chunk(runs: &mut Vec<Word>, out: &mut Vec<Word>) {
    if runs.len() > 1 {
        let text: String = runs.iter().flat_map(|w| w.text.chars()).take(MAX_WORD_CHARS).collect();
        let (from, to) = (runs[0].from, runs[runs.len() - 1].to);
        out.push(Word { text, from, to, joined: true });
    }
    out.append(runs);
}

/// The terms of a query: one per chunk, punctuation joined (`r.e.m.` → `rem`,
/// `ac/dc` → `acdc`), so a query chunk matches the joined form in the index.
pub(crate) fn query_terms(q: &str) -> Vec<String> {
    let all = words(q);
    let mut terms = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let w = &all[i];
        terms.push(w.text.clone());
        // A joined word is followed by its parts: skip them.
        i += 1;
        if w.joined {
            while i < all.len() && all[i].from < w.to && !all[i].joined {
                i += 1;
            }
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        words(s).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn folds_case_and_diacritics() {
        assert_eq!(texts("Motörhead"), ["motorhead"]);
        assert_eq!(texts("Sigur Rós"), ["sigur", "ros"]);
        assert_eq!(texts("Søren Łukasz Straße Kærsten Þórunn"), ["soren", "lukasz", "strasse", "kaersten", "thorunn"]);
        assert_eq!(texts("BEYONCÉ"), ["beyonce"]);
    }

    #[test]
    fn punctuation_is_joined_and_split() {
        assert_eq!(texts("R.E.M."), ["rem", "r", "e", "m"]);
        assert_eq!(texts("AC/DC"), ["acdc", "ac", "dc"]);
        assert_eq!(texts("Guns N' Roses"), ["guns", "n", "roses"]);
        assert_eq!(texts("P!nk"), ["pnk", "p", "nk"]);
        assert_eq!(texts("Earth, Wind & Fire"), ["earth", "wind", "fire"]);
        assert_eq!(texts("!!!"), Vec::<String>::new());
    }

    #[test]
    fn offsets_point_into_the_original() {
        let s = "Mötley Crüe";
        let w = words(s);
        assert_eq!(&s[w[0].from..w[0].to], "Mötley");
        assert_eq!(&s[w[1].from..w[1].to], "Crüe");
        let r = words("R.E.M.");
        assert_eq!(&"R.E.M."[r[0].from..r[0].to], "R.E.M");
    }

    #[test]
    fn query_terms_join_chunks() {
        assert_eq!(query_terms("r.e.m."), ["rem"]);
        assert_eq!(query_terms("ac dc"), ["ac", "dc"]);
        assert_eq!(query_terms("AC/DC back"), ["acdc", "back"]);
        assert_eq!(query_terms("  ?! "), Vec::<String>::new());
    }
}
