//! The BERT normalizer (Hugging Face `normalizers.BertNormalizer`).

use super::NormalizedString;
use crate::utils::chars::{self, CHINESE, DROPPED, MARK_NONSPACING, WHITESPACE};
use serde::{Deserialize, Serialize};

/// BERT's text cleanup, mirroring Hugging Face `BertNormalizer`: removes control characters
/// and maps whitespace to `' '` (`clean_text`), puts spaces around CJK ideographs
/// (`handle_chinese_chars`), removes accents (`strip_accents`; `None` follows `lowercase`)
/// and lowercases (`lowercase`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BertNormalizer {
    /// Remove control characters and turn every whitespace into a plain space.
    pub clean_text: bool,
    /// Surround CJK ideographs with spaces so each becomes its own word.
    pub handle_chinese_chars: bool,
    /// Decompose (NFD) and drop non-spacing marks; `None` means "same as `lowercase`".
    pub strip_accents: Option<bool>,
    /// Lowercase every character.
    pub lowercase: bool,
}

impl Default for BertNormalizer {
    fn default() -> Self {
        BertNormalizer {
            clean_text: true,
            handle_chinese_chars: true,
            strip_accents: None,
            lowercase: true,
        }
    }
}

/// What happens to an ASCII byte: `0xFF` = dropped, otherwise the replacement byte.
fn ascii_table(clean: bool, lower: bool) -> [u8; 128] {
    let mut t = [0u8; 128];
    for (b, slot) in t.iter_mut().enumerate() {
        let c = b as u8 as char;
        *slot = if clean && chars::is(c, DROPPED) {
            0xFF
        } else if clean && chars::is(c, WHITESPACE) {
            b' '
        } else if lower {
            (b as u8).to_ascii_lowercase()
        } else {
            b as u8
        };
    }
    t
}

impl BertNormalizer {
    /// Applies the normalization in place.
    pub fn normalize(&self, n: &mut NormalizedString) {
        let strip = self.strip_accents.unwrap_or(self.lowercase);
        let clean = self.clean_text;
        let lower = self.lowercase;
        let chinese = self.handle_chinese_chars;
        let table = ascii_table(clean, lower);
        let emit = |c: char, out: &mut String| {
            if lower {
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
        };
        n.map_ascii_or_chars(
            |b| {
                let r = table[b as usize];
                (r != 0xFF).then_some(r)
            },
            |c, out| {
                let f = chars::flags(c);
                if clean && f & DROPPED != 0 {
                    return;
                }
                let c = if clean && f & WHITESPACE != 0 { ' ' } else { c };
                let cjk = chinese && f & CHINESE != 0;
                if cjk {
                    out.push(' ');
                }
                if strip {
                    unicode_normalization::char::decompose_canonical(c, |d| {
                        if !chars::is(d, MARK_NONSPACING) {
                            emit(d, out);
                        }
                    });
                } else {
                    emit(c, out);
                }
                if cjk {
                    out.push(' ');
                }
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_matches_bert_uncased() {
        // Python: BertNormalizer().normalize_str("Héllo\tWORLD\x00中!") == "hello world 中 !"
        let mut n = NormalizedString::new("Héllo\tWORLD\u{0}中!", 0);
        BertNormalizer::default().normalize(&mut n);
        assert_eq!(n.get(), "hello world 中 !");
        // 'e' (from 'é') points at the two bytes of 'é'.
        assert_eq!(n.original_range(1, 2), (1, 3));
    }

    #[test]
    fn cased_keeps_accents() {
        let norm = BertNormalizer {
            lowercase: false,
            ..BertNormalizer::default()
        };
        let mut n = NormalizedString::new("Héllo", 0);
        norm.normalize(&mut n);
        assert_eq!(n.get(), "Héllo");
    }
}
