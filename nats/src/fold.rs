//! How Chorus folds text for comparison: lower case, diacritics removed,
//! letters that do not decompose spelled as typed on a keyboard without them.
//! The catalog's sort keys and the search index fold alike, so what sorts
//! together is found together (subjects.md, catalog: sort names).

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Letters NFKD leaves alone, as typed on a keyboard without them.
fn spelled(c: char) -> Option<&'static str> {
    Some(match c {
        'ø' => "o",
        'æ' => "ae",
        'ß' => "ss",
        'ł' => "l",
        'ı' => "i",
        'đ' | 'ð' => "d",
        'œ' => "oe",
        'þ' => "th",
        'ħ' => "h",
        'ŧ' => "t",
        'ŋ' => "n",
        _ => return None,
    })
}

/// Fold one character onto `out`: lower case, no diacritics.
pub fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for lower in c.to_lowercase() {
        match spelled(lower) {
            Some(s) => out.push_str(s),
            None => decompose_compatible(lower, |d| {
                if !is_combining_mark(d) {
                    // Compatibility forms may decompose to upper case (ℌ → H).
                    out.extend(d.to_lowercase());
                }
            }),
        }
    }
}

/// Fold a whole string, trimmed.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    s.trim().chars().for_each(|c| fold_char(c, &mut out));
    out
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn case_diacritics_and_undecomposed_letters_fold() {
        assert_eq!(fold(" Ágætis Byrjun "), "agaetis byrjun");
        assert_eq!(fold("MOTÖRHEAD"), "motorhead");
        assert_eq!(fold("Straße Łódź Øre"), "strasse lodz ore");
        assert_eq!(fold("ℌello"), "hello");
    }
}
