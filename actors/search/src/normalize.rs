//! Folding text into the words the index holds and queries look for.
//!
//! Both sides go through [`words`], so what a listener types and what a
//! title says meet in the same form: lower case, no diacritics (`Motörhead`
//! → `motorhead`), the letters that do not decompose spelled the way people
//! type them without the key (`ø` → `o`, `æ` → `ae`, `ß` → `ss`, `ł` → `l`),
//! and punctuation inside a word both joined and split (`R.E.M.` → `rem`
//! plus `r`, `e`, `m`; `AC/DC` → `acdc` plus `ac`, `dc`).
//!
//! Names play with symbols, and people type them as letters or leave them
//! out, so a title also gives:
//! - **letters written with symbols** read as the letters (`Ke$ha` →
//!   `kesha`, `P!nk` → `pink`, `St@tic` → `static`): a `$`, `!`, `@` or `€`
//!   followed by a letter stands for `s`, `i`, `a`, `e` (a trailing one, as
//!   in `Wham!`, is punctuation);
//! - **a name made only of symbols** as a word of those symbols (`!!!`,
//!   `+++`), so typing it finds it. A lone `&` or `+` is a connector, not a
//!   name (see [`is_connector`]).

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
/// first (and its form with letters written as symbols read as letters),
/// then its parts.
pub(crate) fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    for (from, chunk) in chunks(text) {
        chunk_words(chunk, from, &mut out);
    }
    drop_separators(&mut out, |w| &w.text);
    out
}

/// Beside words with letters or digits, separators are not words (a title
/// of separators only, `//`, is a name).
fn drop_separators<T>(words: &mut Vec<T>, text: impl Fn(&T) -> &str) {
    if words.iter().any(|w| !is_symbols(text(w))) {
        words.retain(|w| !is_separator(text(w)));
    }
}

/// The runs of `text` between white space, with their byte offsets.
fn chunks(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(char::is_whitespace)
        .filter(|c| !c.is_empty())
        .map(move |c| (c.as_ptr() as usize - text.as_ptr() as usize, c))
}

/// What a symbol followed by a letter stands for (`Ke$ha`, `P!nk`, `St@tic`).
fn letter_of_symbol(c: char) -> Option<char> {
    match c {
        '$' => Some('s'),
        '!' => Some('i'),
        '@' => Some('a'),
        '€' => Some('e'),
        _ => None,
    }
}

/// The words of one chunk (no white space in it), at `offset` in the text.
fn chunk_words(chunk: &str, offset: usize, out: &mut Vec<Word>) {
    let mut folded = String::new();
    let mut runs: Vec<Word> = Vec::new();
    let mut run: Option<Word> = None;
    // The chunk with letters written as symbols read as letters, when it has any.
    let mut lettered = String::new();
    let mut substituted = false;
    // Where the current segment's runs start: a hyphen or a slash ends a
    // segment, a dot or an apostrophe does not (`Run-D.M.C.` → `run`, `dmc`).
    let mut segment_start = 0;
    let mut segments: Vec<Word> = Vec::new();
    let mut chars = chunk.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let at = offset + i;
        folded.clear();
        fold_char(c, &mut folded);
        if !folded.is_empty() && folded.chars().all(char::is_alphanumeric) {
            let w = run.get_or_insert_with(|| Word { text: String::new(), from: at, to: at, joined: false });
            if w.text.chars().count() < MAX_WORD_CHARS {
                w.text.push_str(&folded);
            }
            w.to = at + c.len_utf8();
            lettered.push_str(&folded);
            continue;
        }
        if let Some(run) = run.take() {
            runs.push(run);
        }
        if !matches!(c, '.' | '\'' | '’') {
            segments.extend(joined_segment(&runs[segment_start..]));
            segment_start = runs.len();
        }
        let before_a_letter = chars.peek().is_some_and(|(_, next)| next.is_alphabetic());
        if let Some(letter) = letter_of_symbol(c).filter(|_| before_a_letter) {
            lettered.push(letter);
            substituted = true;
        }
    }
    if let Some(run) = run.take() {
        runs.push(run);
    }
    if segment_start > 0 {
        segments.extend(joined_segment(&runs[segment_start..]));
    }
    if runs.is_empty() {
        if !is_connector(chunk) {
            let text: String = chunk.chars().take(MAX_WORD_CHARS).collect();
            out.push(Word { text, from: offset, to: offset + chunk.len(), joined: false });
        }
        return;
    }
    let (from, to) = (runs[0].from, runs[runs.len() - 1].to);
    let joined: String = runs.iter().flat_map(|w| w.text.chars()).take(MAX_WORD_CHARS).collect();
    if runs.len() > 1 {
        out.push(Word { text: joined.clone(), from, to, joined: true });
    }
    if substituted {
        let text: String = lettered.chars().take(MAX_WORD_CHARS).collect();
        if text != joined {
            out.push(Word { text, from, to, joined: true });
        }
    }
    out.append(&mut segments);
    out.append(&mut runs);
}

/// The joined form of a segment of several runs (`D.M.C.` of `Run-D.M.C.`).
fn joined_segment(runs: &[Word]) -> Option<Word> {
    let (first, last) = (runs.first()?, runs.last()?);
    (runs.len() > 1).then(|| Word {
        text: runs.iter().flat_map(|w| w.text.chars()).take(MAX_WORD_CHARS).collect(),
        from: first.from,
        to: last.to,
        joined: true,
    })
}

/// Whether a word or a chunk joins two names rather than being one: `and`,
/// `&`, `+`, and `n` (`Guns N' Roses`, `Rock 'n' Roll`). A query need not
/// have it, and what it has matches any of them.
pub(crate) fn is_connector(text: &str) -> bool {
    matches!(text, "and" | "&" | "+" | "n" | "'n'" | "n'" | "'n")
}

/// Whether a chunk only separates parts of a title (`Song - 2010 Remaster`,
/// `A / B`): dashes, slashes, bars, colons, dots and the like are not a name.
fn is_separator(chunk: &str) -> bool {
    chunk
        .chars()
        .all(|c| matches!(c, '-' | '–' | '—' | '/' | '|' | ':' | '·' | '•' | '~' | '=' | '_' | ',' | ';' | '.'))
}

/// Whether a word is made of symbols only (`!!!`).
pub(crate) fn is_symbols(text: &str) -> bool {
    !text.chars().any(char::is_alphanumeric)
}

/// The terms of a query: one per chunk, punctuation joined (`r.e.m.` → `rem`,
/// `ac/dc` → `acdc`), so a query chunk matches the joined form in the index;
/// a chunk of symbols only is itself (`!!!`), and a lone `&` or `+` is `and`.
pub(crate) fn query_terms(q: &str) -> Vec<String> {
    let mut terms = Vec::new();
    for (from, chunk) in chunks(q) {
        if is_connector(chunk) && is_symbols(chunk) {
            terms.push("and".to_string());
            continue;
        }
        let mut words = Vec::new();
        chunk_words(chunk, from, &mut words);
        // A chunk's first word is its joined form when it has parts.
        if let Some(first) = words.into_iter().next() {
            terms.push(first.text);
        }
    }
    drop_separators(&mut terms, |t| t);
    terms
}

/// A text's terms as one string, connectors left out (`Simon & Garfunkel`,
/// `simon and garfunkel` → `simon garfunkel`), and symbols too unless the
/// text is only symbols: how a title and a query that says exactly that
/// title meet as one term.
pub(crate) fn whole(text: &str) -> String {
    let terms: Vec<String> = query_terms(text).into_iter().filter(|t| !is_connector(t)).collect();
    let named: Vec<&str> = terms.iter().filter(|t| !is_symbols(t)).map(String::as_str).collect();
    if named.is_empty() {
        terms.join(" ")
    } else {
        named.join(" ")
    }
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
        assert_eq!(texts("Run-D.M.C."), ["rundmc", "dmc", "run", "d", "m", "c"]);
        assert_eq!(texts("Jean-Luc's"), ["jeanlucs", "lucs", "jean", "luc", "s"]);
        assert_eq!(texts("Guns N' Roses"), ["guns", "n", "roses"]);
        assert_eq!(texts("P!nk"), ["pnk", "pink", "p", "nk"]);
        assert_eq!(texts("Earth, Wind & Fire"), ["earth", "wind", "fire"]);
        assert_eq!(texts("!!!"), ["!!!"]);
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
        assert_eq!(query_terms("  ?! "), ["?!"]);
        assert_eq!(query_terms("simon & garfunkel"), ["simon", "and", "garfunkel"]);
        assert_eq!(query_terms("ke$ha"), ["keha"]);
        assert_eq!(query_terms("$ign"), ["sign"]);
    }

    #[test]
    fn letters_written_with_symbols_are_read_as_letters() {
        assert_eq!(texts("Ke$ha"), ["keha", "kesha", "ke", "ha"]);
        assert_eq!(texts("St@tic"), ["sttic", "static", "st", "tic"]);
        assert_eq!(texts("Ty Dolla $ign"), ["ty", "dolla", "sign", "ign"]);
        // A trailing symbol is punctuation.
        assert_eq!(texts("Wham!"), ["wham"]);
        assert_eq!(texts("Panic! at the Disco"), ["panic", "at", "the", "disco"]);
    }

    #[test]
    fn names_of_symbols_are_words_and_connectors_are_not() {
        assert_eq!(texts("+++ !!!"), ["+++", "!!!"]);
        assert_eq!(texts("Florence + the Machine"), ["florence", "the", "machine"]);
        assert_eq!(texts("Hall & Oates"), ["hall", "oates"]);
        assert_eq!(texts("Radio Snow - 2010 Remaster"), ["radio", "snow", "2010", "remaster"]);
        assert_eq!(texts("? and the Mysterians"), ["?", "and", "the", "mysterians"]);
        assert_eq!(texts("//"), ["//"]);
        assert_eq!(query_terms("a / b"), ["a", "b"]);
        assert!(["and", "&", "+", "n", "'n'"].iter().all(|c| is_connector(c)));
        assert!(!is_connector("nn") && !is_connector("+++"));
    }

    #[test]
    fn whole_texts_leave_connectors_out() {
        assert_eq!(whole("Simon & Garfunkel"), "simon garfunkel");
        assert_eq!(whole("simon and garfunkel"), "simon garfunkel");
        assert_eq!(whole("Guns N' Roses"), whole("guns and roses"));
        assert_eq!(whole("!!!"), "!!!");
        assert_eq!(whole("!!! myth takes"), "myth takes");
    }
}
