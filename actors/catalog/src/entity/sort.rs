//! Sort names, and the keys lists sort by.
//!
//! A sort name is what a library files an entity under, in the MusicBrainz
//! (and Subsonic `sortName`) style: a leading article moves to the end
//! ("The Beatles" → "Beatles, The"). The key the view orders by is the sort
//! name folded: lower case, no diacritics, apostrophes and periods dropped,
//! other punctuation a space ("Ágætis byrjun" → "agaetis byrjun",
//! "...And Justice for All" → "and justice for all"), so lists read the way
//! people look things up and not in code-point order.

use chorus_nats::fold::fold_char;

/// Leading articles moved to the end: the English ones, and the Spanish and
/// French ones that no English title starts with as a word.
const ARTICLES: &[&str] = &["the", "a", "an", "el", "la", "las", "los", "le", "les"];

/// The sort name of `name`: its leading article, if any, moved to the end.
pub(crate) fn sort_name(name: &str) -> String {
    let name = name.trim();
    if let Some((first, rest)) = name.split_once(char::is_whitespace) {
        let rest = rest.trim_start();
        if !rest.is_empty() && ARTICLES.iter().any(|a| first.eq_ignore_ascii_case(a)) {
            return format!("{rest}, {first}");
        }
    }
    name.to_string()
}

/// The key a list orders `sort_name` by (see the module docs).
pub(crate) fn key(sort_name: &str) -> String {
    let mut folded = String::with_capacity(sort_name.len());
    for c in sort_name.chars() {
        match c {
            // Inside a word they join it ("Don't", "R.E.M."); elsewhere they are noise.
            '\'' | '’' | 'ʼ' | '.' => {}
            c => fold_char(c, &mut folded),
        }
    }
    let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        // All punctuation ("!!!"): still a key of its own, ahead of the letters.
        let mut all = String::new();
        sort_name.trim().chars().for_each(|c| fold_char(c, &mut all));
        return all;
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_articles_move_to_the_end() {
        assert_eq!(sort_name("The Beatles"), "Beatles, The");
        assert_eq!(sort_name(" the  beatles "), "beatles, the");
        assert_eq!(sort_name("A Tribe Called Quest"), "Tribe Called Quest, A");
        assert_eq!(sort_name("Los Lobos"), "Lobos, Los");
        for kept in ["The", "Theatre of Tragedy", "A-ha", "Abbey Road", "Sigur Rós", "The-Dream"] {
            assert_eq!(sort_name(kept), kept);
        }
    }

    #[test]
    fn keys_fold_case_diacritics_and_punctuation() {
        assert_eq!(key("Ágætis byrjun"), "agaetis byrjun");
        assert_eq!(key("Beatles, The"), "beatles the");
        assert_eq!(key("MOTÖRHEAD"), "motorhead");
        assert_eq!(key("...And Justice for All"), "and justice for all");
        assert_eq!(key("R.E.M."), "rem");
        assert_eq!(key("Don’t Stop"), "dont stop");
        assert_eq!(key("AC/DC"), "ac dc");
        assert_eq!(key("Søren Straße"), "soren strasse");
        assert_eq!(key("!!!"), "!!!");
        assert_eq!(key("Сплин"), "сплин");
    }

    #[test]
    fn keys_order_the_way_a_library_files() {
        let mut names = ["Zen Arcade", "Ágætis byrjun", "Abbey Road", "The Beatles", "Bad", "Czars"];
        names.sort_by_key(|n| key(&sort_name(n)));
        assert_eq!(names, ["Abbey Road", "Ágætis byrjun", "Bad", "The Beatles", "Czars", "Zen Arcade"]);
    }
}
