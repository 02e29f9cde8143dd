//! Byte-level pre-tokenization (GPT-2): the GPT-2 split pattern and the byte ↔ char map.

use super::PreTokenizedString;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// GPT-2's byte → printable char map (`bytes_to_unicode`): printable Latin-1 bytes map to
/// themselves, the other 68 bytes to U+0100 onwards (so `' '` is `'Ġ'`).
pub fn bytes_to_chars() -> &'static [char; 256] {
    static MAP: OnceLock<[char; 256]> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = ['\0'; 256];
        let mut n = 0u32;
        for b in 0..=255u8 {
            let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
            map[b as usize] = if printable {
                b as char
            } else {
                let c = char::from_u32(256 + n).unwrap_or('\0');
                n += 1;
                c
            };
        }
        map
    })
}

/// The inverse of [`bytes_to_chars`], for chars below U+0144; `None` elsewhere.
pub fn char_to_byte(c: char) -> Option<u8> {
    static INV: OnceLock<[i16; 0x144]> = OnceLock::new();
    let inv = INV.get_or_init(|| {
        let mut inv = [-1i16; 0x144];
        for (b, &c) in bytes_to_chars().iter().enumerate() {
            inv[c as usize] = b as i16;
        }
        inv
    });
    inv.get(c as usize).and_then(|&b| u8::try_from(b).ok())
}

const LETTER: u8 = 1;
const NUMBER: u8 = 2;
const SPACE: u8 = 4;

fn class(c: char) -> u8 {
    static TABLE: OnceLock<Box<[u8; 0x10000]>> = OnceLock::new();
    fn slow(c: char) -> u8 {
        use unicode_categories::UnicodeCategories;
        let mut f = 0;
        if c.is_letter() {
            f |= LETTER;
        }
        if c.is_number() {
            f |= NUMBER;
        }
        if c.is_whitespace() {
            f |= SPACE;
        }
        f
    }
    let cp = c as u32;
    if cp < 0x10000 {
        let t = TABLE.get_or_init(|| {
            let mut t = Box::new([0u8; 0x10000]);
            for (i, slot) in t.iter_mut().enumerate() {
                if let Some(c) = char::from_u32(i as u32) {
                    *slot = slow(c);
                }
            }
            t
        });
        t[cp as usize]
    } else {
        slow(c)
    }
}

/// Byte length of the GPT-2 pattern match starting at the beginning of `s`:
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
fn gpt2_match(s: &str) -> usize {
    let b = s.as_bytes();
    if b[0] == b'\'' {
        for c in ["s", "t", "re", "ve", "m", "ll", "d"] {
            if s[1..].starts_with(c) {
                return 1 + c.len();
            }
        }
    }
    let mut chars = s.char_indices();
    let (_, first) = chars.next().unwrap_or((0, ' '));
    let (start, lead) = if first == ' ' {
        match chars.next() {
            Some((i, c)) => (i, c),
            None => (1, ' '),
        }
    } else {
        (0, first)
    };
    let run = |from: usize, pred: &dyn Fn(u8) -> bool| -> usize {
        s[from..]
            .char_indices()
            .find(|&(_, c)| !pred(class(c)))
            .map_or(s.len(), |(i, _)| from + i)
    };
    if start < s.len() || first != ' ' {
        let k = class(lead);
        if k & LETTER != 0 {
            return run(start, &|f| f & LETTER != 0);
        }
        if k & NUMBER != 0 {
            return run(start, &|f| f & NUMBER != 0);
        }
        if k & (LETTER | NUMBER | SPACE) == 0 {
            return run(start, &|f| f & (LETTER | NUMBER | SPACE) == 0);
        }
    }
    // A whitespace run: keep its last character for the next word unless the run ends the text.
    let end = run(0, &|f| f & SPACE != 0);
    if end == s.len() {
        return end;
    }
    let last = s[..end].chars().next_back().map_or(1, char::len_utf8);
    if end - last > 0 { end - last } else { end }
}

/// Splits `text` with the GPT-2 pattern, pushing absolute ranges (offset by `base`).
pub fn gpt2_split(text: &str, base: usize, out: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    while i < text.len() {
        let n = gpt2_match(&text[i..]);
        out.push((base + i, base + i + n));
        i += n;
    }
}

/// Byte-level pre-tokenizer (Hugging Face `pre_tokenizers.ByteLevel`): optional leading space,
/// GPT-2 split, then every byte shown as a printable char. The same settings serve the
/// ByteLevel decoder and post-processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByteLevel {
    /// Add a space in front of the text if it has none, so the first word is treated like
    /// the others.
    #[serde(default = "yes")]
    pub add_prefix_space: bool,
    /// (Post-processor) move offsets past the leading/trailing spaces of tokens.
    #[serde(default = "yes")]
    pub trim_offsets: bool,
    /// Split with the GPT-2 pattern (otherwise only map bytes).
    #[serde(default = "yes")]
    pub use_regex: bool,
}

fn yes() -> bool {
    true
}

impl Default for ByteLevel {
    fn default() -> Self {
        ByteLevel {
            add_prefix_space: true,
            trim_offsets: true,
            use_regex: true,
        }
    }
}

impl ByteLevel {
    /// Splits and maps every non-added split of `pts` in place.
    pub fn pre_tokenize(&self, pts: &mut PreTokenizedString) {
        let map = bytes_to_chars();
        let prefix = self.add_prefix_space;
        if prefix {
            // Add the space (sharing the first character's offsets) before splitting.
            pts.map_chars(|_, first, c, out| {
                if first && c != ' ' {
                    out.push(' ');
                }
                out.push(c);
            });
        }
        if self.use_regex {
            pts.split(gpt2_split);
        }
        let mut buf = [0u8; 4];
        pts.map_chars(|_, _, c, out| {
            for &b in c.encode_utf8(&mut buf).as_bytes() {
                out.push(map[b as usize]);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalizers::NormalizedString;

    fn split(s: &str) -> Vec<&str> {
        let mut out = Vec::new();
        gpt2_split(s, 0, &mut out);
        out.into_iter().map(|(a, b)| &s[a..b]).collect()
    }

    #[test]
    fn gpt2_pattern() {
        assert_eq!(split("Hello world"), ["Hello", " world"]);
        assert_eq!(
            split("I'm  2024 !!ok\n\n x "),
            ["I", "'m", " ", " 2024", " !!", "ok", "\n\n", " x", " "]
        );
        assert_eq!(split(" 's x'y"), [" '", "s", " x", "'", "y"]);
        assert_eq!(split("a\tb"), ["a", "\t", "b"]);
        assert_eq!(split("   "), ["   "]);
        assert_eq!(split("é中文 ½"), ["é中文", " ½"]);
    }

    #[test]
    fn byte_map_is_gpt2s() {
        let m = bytes_to_chars();
        assert_eq!(m[b' ' as usize], 'Ġ');
        assert_eq!(m[b'\n' as usize], 'Ċ');
        assert_eq!(m[b'a' as usize], 'a');
        for b in 0..=255u8 {
            assert_eq!(char_to_byte(m[b as usize]), Some(b));
        }
        let mut pts = PreTokenizedString::new(NormalizedString::new("Hi é", 0));
        ByteLevel::default().pre_tokenize(&mut pts);
        let got: Vec<(&str, (usize, usize))> = pts.get_splits();
        assert_eq!(got, [("ĠHi", (0, 2)), ("ĠÃ©", (2, 5))]);
    }
}
