//! Marking what matched in a hit's original text (`<em>Mot</em>örhead`).

use std::collections::HashSet;

use crate::normalize::{fold_char, words};
use crate::query::Plan;

/// The folded words a plan matches, to find again in original texts.
pub(crate) struct Marker {
    whole: HashSet<String>,
    prefix: Option<String>,
}

impl Marker {
    /// What `plan` matches: its words, their typo candidates, the prefix.
    pub(crate) fn new(plan: &Plan) -> Self {
        let mut whole = HashSet::new();
        let mut prefix = None;
        for w in &plan.words {
            whole.insert(w.text.clone());
            whole.extend(w.typos.iter().map(|(_, s, _)| s.clone()));
            if w.prefix {
                prefix = Some(w.text.clone());
            }
        }
        Self { whole, prefix }
    }

    /// `text`, HTML-escaped, with matches in `<em>`; none when nothing matched.
    pub(crate) fn mark(&self, text: &str) -> Option<String> {
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for w in words(text) {
            if self.whole.contains(&w.text) {
                spans.push((w.from, w.to));
            } else if let Some(p) = self.prefix.as_deref().filter(|p| w.text.starts_with(*p)) {
                spans.push((w.from, prefix_end(text, w.from, w.to, p.len())));
            }
        }
        if spans.is_empty() {
            return None;
        }
        spans.sort_unstable();
        let mut out = String::with_capacity(text.len() + 16 * spans.len());
        let mut at = 0;
        for (from, to) in spans {
            if to <= at {
                continue;
            }
            let from = from.max(at);
            escape(&text[at..from], &mut out);
            out.push_str("<em>");
            escape(&text[from..to], &mut out);
            out.push_str("</em>");
            at = to;
        }
        escape(&text[at..], &mut out);
        Some(out)
    }
}

/// Where in the original `text[from..to]` the first `folded_len` folded bytes end.
fn prefix_end(text: &str, from: usize, to: usize, folded_len: usize) -> usize {
    let mut folded = 0;
    let mut buf = String::new();
    for (i, c) in text[from..to].char_indices() {
        if folded >= folded_len {
            return from + i;
        }
        buf.clear();
        fold_char(c, &mut buf);
        if buf.chars().all(char::is_alphanumeric) {
            folded += buf.len();
        }
    }
    to
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Word;

    fn marker(words: &[(&str, bool)]) -> Marker {
        let plan = Plan {
            words: words
                .iter()
                .map(|(t, p)| Word { text: t.to_string(), prefix: *p, optional: false, typos: Vec::new() })
                .collect(),
            retry: false,
        };
        Marker::new(&plan)
    }

    #[test]
    fn marks_prefixes_in_the_original_spelling() {
        assert_eq!(marker(&[("mot", true)]).mark("Motörhead").as_deref(), Some("<em>Mot</em>örhead"));
        assert_eq!(marker(&[("motorh", true)]).mark("Motörhead").as_deref(), Some("<em>Motörh</em>ead"));
        assert_eq!(
            marker(&[("sigur", false), ("r", true)]).mark("Sigur Rós").as_deref(),
            Some("<em>Sigur</em> <em>R</em>ós")
        );
    }

    #[test]
    fn marks_joined_words_and_escapes() {
        assert_eq!(marker(&[("rem", false)]).mark("R.E.M.").as_deref(), Some("<em>R.E.M</em>."));
        assert_eq!(
            marker(&[("fire", false)]).mark("Earth, Wind & Fire").as_deref(),
            Some("Earth, Wind &amp; <em>Fire</em>")
        );
        assert_eq!(marker(&[("zzz", false)]).mark("Nothing"), None);
    }
}
