//! Python's `re` character classes `\w` and `\s` for `str` patterns.
//!
//! scikit-learn tokenizes with Python regular expressions, whose Unicode
//! `\w` is `str.isalnum() or "_"` and whose `\s` is `str.isspace()`. Rust's
//! `char::is_alphanumeric` and `char::is_whitespace` use different Unicode
//! properties (they count combining marks as alphabetic, miss `No` numbers
//! such as `²`, and treat U+001C..U+001F as non-space), so the exact sets
//! are generated from CPython by `gen_tables.py` into `tables.rs`.

mod tables;

use tables::{SPACE_RANGES, WORD_RANGES};

/// Binary search in a flattened list of sorted inclusive ranges.
fn in_ranges(ranges: &[u32], cp: u32) -> bool {
    // Number of range bounds <= cp; odd means cp lies inside a range.
    // Even: cp is past an end bound, inside only when it equals that bound.
    let n = ranges.partition_point(|&bound| bound <= cp);
    n % 2 == 1 || (n > 0 && ranges[n - 1] == cp)
}

/// Python's `\w` for one character: letters, numbers (any numeric type) and `_`.
#[inline]
pub fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    in_ranges(&WORD_RANGES, c as u32)
}

/// Python's `\s` and `str.isspace()` for one character.
#[inline]
pub fn is_space(c: char) -> bool {
    if c.is_ascii() {
        return matches!(c, '\t'..='\r' | '\x1c'..=' ');
    }
    in_ranges(&SPACE_RANGES, c as u32)
}

/// A `regex`-crate character class (`[...]`, or `[^...]` when `negate`)
/// listing the code points of `ranges`.
fn regex_class(ranges: &[u32], negate: bool) -> String {
    let mut out = String::from(if negate { "[^" } else { "[" });
    for pair in ranges.chunks_exact(2) {
        out.push_str(&format!("\\x{{{:X}}}-\\x{{{:X}}}", pair[0], pair[1]));
    }
    out.push(']');
    out
}

/// Rewrites the `\w`, `\W`, `\s` and `\S` escapes of a Python pattern into
/// explicit `regex`-crate classes with Python's code points, so a custom
/// `token_pattern` classifies characters as Python's `re` does (`\b` keeps
/// the `regex` crate's Unicode word definition). Works inside brackets too,
/// because the `regex` crate accepts nested classes.
pub fn python_classes(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('w') => out.push_str(&regex_class(&WORD_RANGES, false)),
            Some('W') => out.push_str(&regex_class(&WORD_RANGES, true)),
            Some('s') => out.push_str(&regex_class(&SPACE_RANGES, false)),
            Some('S') => out.push_str(&regex_class(&SPACE_RANGES, true)),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_classes() {
        assert!(is_word('a') && is_word('Z') && is_word('0') && is_word('_'));
        assert!(!is_word('-') && !is_word(' ') && !is_word('\''));
        for c in ['\t', '\n', '\x0b', '\x0c', '\r', '\x1c', '\x1f', ' '] {
            assert!(is_space(c), "{c:?}");
        }
        assert!(!is_space('a') && !is_space('\x08'));
    }

    #[test]
    fn unicode_classes_follow_python() {
        // str.isalnum(): letters and numbers of every numeric type.
        for c in ['é', 'ß', 'Ω', '²', '½', 'Ⅻ', '中', '٣'] {
            assert!(is_word(c), "{c:?}");
        }
        // Combining marks are not alphanumeric in Python (they are in Rust).
        for c in ['\u{301}', '\u{93e}', '‿', '…', '\u{a0}'] {
            assert!(!is_word(c), "{c:?}");
        }
        for c in ['\u{85}', '\u{a0}', '\u{2003}', '\u{3000}', '\u{2029}'] {
            assert!(is_space(c), "{c:?}");
        }
        assert!(!is_space('\u{200b}'));
    }

    #[test]
    fn python_classes_rewrites_only_class_escapes() {
        assert_eq!(python_classes(r"a\\s\.\d"), r"a\\s\.\d");
        let rewritten = python_classes(r"[\s']+");
        assert!(rewritten.starts_with(r"[[\x{9}-\x{D}\x{1C}-\x{20}"));
        assert!(rewritten.ends_with(r"\x{3000}-\x{3000}]']+"));
    }

    #[test]
    fn range_ends_are_inclusive() {
        let r = [10, 20, 30, 30];
        let hits: Vec<u32> = (0..40).filter(|&c| in_ranges(&r, c)).collect();
        let expected: Vec<u32> = (10..=20).chain([30]).collect();
        assert_eq!(hits, expected);
    }
}
