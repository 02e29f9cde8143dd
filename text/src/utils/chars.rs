//! Character classes used by the BERT normalizer and pre-tokenizers, with a lookup table for
//! the Basic Multilingual Plane so the hot loops do one load per character.
//!
//! The classes use the `unicode_categories` tables, the same ones Hugging Face tokenizers uses,
//! so "control", "punctuation" and "non-spacing mark" agree with it character for character.

use std::sync::OnceLock;
use unicode_categories::UnicodeCategories;

/// BERT whitespace: `\t`, `\n`, `\r` or Unicode White_Space.
pub const WHITESPACE: u8 = 1;
/// Removed by BERT's `clean_text`: NUL, U+FFFD and control/format/unassigned/private-use
/// characters other than `\t`, `\n`, `\r`.
pub const DROPPED: u8 = 2;
/// BERT punctuation: ASCII punctuation or a Unicode P* category.
pub const PUNCT: u8 = 4;
/// A CJK ideograph that `handle_chinese_chars` surrounds with spaces.
pub const CHINESE: u8 = 8;
/// A non-spacing mark (Mn), removed by `strip_accents`.
pub const MARK_NONSPACING: u8 = 16;
/// `char::is_whitespace` (used by the pre-tokenizers).
pub const STD_WHITESPACE: u8 = 32;

fn classify(c: char) -> u8 {
    let mut f = 0;
    if matches!(c, '\t' | '\n' | '\r') || c.is_whitespace() {
        f |= WHITESPACE;
    }
    if c.is_whitespace() {
        f |= STD_WHITESPACE;
    }
    let control = !matches!(c, '\t' | '\n' | '\r') && c.is_other();
    if c == '\0' || c == '\u{fffd}' || control {
        f |= DROPPED;
    }
    if c.is_ascii_punctuation() || c.is_punctuation() {
        f |= PUNCT;
    }
    if is_chinese_char(c) {
        f |= CHINESE;
    }
    if c.is_mark_nonspacing() {
        f |= MARK_NONSPACING;
    }
    f
}

fn is_chinese_char(c: char) -> bool {
    matches!(
        c as u32,
        0x4E00..=0x9FFF
            | 0x3400..=0x4DBF
            | 0x20000..=0x2A6DF
            | 0x2A700..=0x2B73F
            | 0x2B740..=0x2B81F
            | 0x2B920..=0x2CEAF
            | 0xF900..=0xFAFF
            | 0x2F800..=0x2FA1F
    )
}

fn bmp_table() -> &'static [u8; 0x10000] {
    static TABLE: OnceLock<Box<[u8; 0x10000]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Box::new([0u8; 0x10000]);
        for (cp, slot) in t.iter_mut().enumerate() {
            if let Some(c) = char::from_u32(cp as u32) {
                *slot = classify(c);
            }
        }
        t
    })
}

/// The class bits (the constants of this module) of `c`.
#[inline]
pub fn flags(c: char) -> u8 {
    let cp = c as u32;
    if cp < 0x10000 {
        bmp_table()[cp as usize]
    } else {
        classify(c)
    }
}

/// Whether `c` has any of the class bits in `mask`.
#[inline]
pub fn is(c: char, mask: u8) -> bool {
    flags(c) & mask != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_match_bert_definitions() {
        assert!(is('\t', WHITESPACE) && !is('\t', DROPPED));
        assert!(is('\u{0b}', DROPPED));
        assert!(is('\u{200b}', DROPPED), "zero width space is Cf");
        assert!(is('\u{fffd}', DROPPED) && is('\0', DROPPED));
        assert!(is('$', PUNCT) && is('¿', PUNCT) && !is('a', PUNCT));
        assert!(is('中', CHINESE) && is('\u{2B920}', CHINESE) && !is('\u{2B820}', CHINESE));
        assert!(is('\u{0301}', MARK_NONSPACING) && !is('e', MARK_NONSPACING));
        assert!(is('\u{3000}', STD_WHITESPACE) && !is('x', STD_WHITESPACE));
    }
}
