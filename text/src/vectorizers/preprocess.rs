//! Document preprocessing: scikit-learn's `lowercase` and `strip_accents`,
//! and the whitespace handling of the character analyzers.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;

use super::config::StripAccents;
use super::pyunicode::is_space;

/// Python's `str.lower()`; borrows when nothing changes.
pub fn lowercase(doc: &str) -> Cow<'_, str> {
    if doc.is_ascii() {
        if doc.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(doc.to_ascii_lowercase())
        } else {
            Cow::Borrowed(doc)
        }
    } else {
        // Full Unicode mapping with the final-sigma rule, as CPython's str.lower.
        Cow::Owned(doc.to_lowercase())
    }
}

/// scikit-learn's `strip_accents_unicode`: NFKD, then drop every character
/// with a non-zero canonical combining class. ASCII text is returned as is.
pub fn strip_accents_unicode(doc: &str) -> Cow<'_, str> {
    if doc.is_ascii() {
        return Cow::Borrowed(doc);
    }
    Cow::Owned(
        doc.nfkd()
            .filter(|&c| canonical_combining_class(c) == 0)
            .collect(),
    )
}

/// scikit-learn's `strip_accents_ascii`: NFKD, then drop every non-ASCII character.
pub fn strip_accents_ascii(doc: &str) -> Cow<'_, str> {
    if doc.is_ascii() {
        return Cow::Borrowed(doc);
    }
    Cow::Owned(doc.nfkd().filter(char::is_ascii).collect())
}

/// scikit-learn's default preprocessor: `lower()` first, then accent stripping.
pub fn preprocess(doc: &str, lowercase_first: bool, strip: StripAccents) -> Cow<'_, str> {
    let lowered = if lowercase_first {
        lowercase(doc)
    } else {
        Cow::Borrowed(doc)
    };
    let stripped = match strip {
        StripAccents::None => return lowered,
        StripAccents::Ascii => strip_accents_ascii(&lowered),
        StripAccents::Unicode => strip_accents_unicode(&lowered),
    };
    match stripped {
        Cow::Borrowed(_) => lowered,
        Cow::Owned(s) => Cow::Owned(s),
    }
}

/// `re.sub(r"\s\s+", " ", doc)`: each run of two or more Python whitespace
/// characters becomes one space; a lone whitespace character is kept as is.
pub fn collapse_whitespace_runs(doc: &str, out: &mut String) {
    out.clear();
    out.reserve(doc.len());
    let mut chars = doc.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !is_space(c) {
            out.push(c);
            continue;
        }
        let mut end = i + c.len_utf8();
        let mut run = 1;
        while let Some(&(j, d)) = chars.peek() {
            if !is_space(d) {
                break;
            }
            end = j + d.len_utf8();
            run += 1;
            chars.next();
        }
        if run >= 2 {
            out.push(' ');
        } else {
            out.push_str(&doc[i..end]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_and_accents() {
        assert!(matches!(lowercase("abc"), Cow::Borrowed(_)));
        assert_eq!(lowercase("ÀB Σ ΟΔΟΣ"), "àb σ οδος");
        assert_eq!(strip_accents_unicode("naïve café ﬁ"), "naive cafe fi");
        assert_eq!(strip_accents_ascii("naïve café ß"), "naive cafe ");
        assert_eq!(preprocess("Ça VA", true, StripAccents::Unicode), "ca va");
        assert_eq!(preprocess("Ça VA", false, StripAccents::None), "Ça VA");
    }

    #[test]
    fn whitespace_runs() {
        let mut out = String::new();
        collapse_whitespace_runs("a\tb  c \n\u{a0}d\n", &mut out);
        assert_eq!(out, "a\tb c d\n");
    }
}
