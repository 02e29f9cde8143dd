//! [`NormalizedString`]: a transformed text that remembers where each byte came from.

/// A normalized text plus, for every byte of it, the byte range of the original text it
/// came from (Hugging Face tokenizers' `NormalizedString`).
///
/// Offsets are byte offsets into the original text. Every transformation here is
/// *character-local*: each output character inherits the range of the input character that
/// produced it, which is what Hugging Face does for the BERT, lowercase, accent-stripping,
/// byte-level and metaspace transforms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NormalizedString {
    normalized: String,
    align: Vec<(u32, u32)>,
    /// Where this string starts in the original text (`base` of [`NormalizedString::new`]):
    /// Hugging Face's offset 0 of the piece, which a character inserted before everything
    /// else maps to.
    origin: u32,
}

impl NormalizedString {
    /// The identity normalization of `text`, whose original offsets start at `base`.
    ///
    /// `text.len() + base` must fit in `u32` (the tokenizer checks this before calling).
    pub fn new(text: &str, base: usize) -> Self {
        let base = base as u32;
        let align: Vec<(u32, u32)> = if text.is_ascii() {
            (0..text.len() as u32)
                .map(|i| (base + i, base + i + 1))
                .collect()
        } else {
            let mut align = Vec::with_capacity(text.len());
            for (i, c) in text.char_indices() {
                let s = base + i as u32;
                let e = s + c.len_utf8() as u32;
                align.extend(std::iter::repeat_n((s, e), c.len_utf8()));
            }
            align
        };
        NormalizedString {
            normalized: text.to_owned(),
            align,
            origin: base,
        }
    }

    /// Rebuilds the text byte by byte: ASCII bytes go through `ascii` (a replacement byte, or
    /// `None` to drop it) and keep their range; each other character goes through `other`
    /// like [`NormalizedString::map_chars`]. A fast path for ASCII-heavy text.
    pub fn map_ascii_or_chars<A, F>(&mut self, ascii: A, mut other: F)
    where
        A: Fn(u8) -> Option<u8>,
        F: FnMut(char, &mut String),
    {
        let src = self.normalized.as_bytes();
        let mut out: Vec<u8> = Vec::with_capacity(src.len() + src.len() / 8);
        let mut align = Vec::with_capacity(out.capacity());
        let mut buf = String::new();
        let mut i = 0;
        while i < src.len() {
            let b = src[i];
            if b < 0x80 {
                if let Some(r) = ascii(b) {
                    out.push(r);
                    align.push(self.align[i]);
                }
                i += 1;
                continue;
            }
            let c = self.normalized[i..].chars().next().unwrap_or('\u{fffd}');
            let a = self.align[i];
            buf.clear();
            other(c, &mut buf);
            out.extend_from_slice(buf.as_bytes());
            align.resize(out.len(), a);
            i += c.len_utf8();
        }
        // Only whole characters were copied, so the bytes are valid UTF-8.
        self.normalized = String::from_utf8(out).unwrap_or_default();
        self.align = align;
    }

    /// The normalized text.
    pub fn get(&self) -> &str {
        &self.normalized
    }

    /// Length of the normalized text in bytes.
    pub fn len(&self) -> usize {
        self.normalized.len()
    }

    /// Whether the normalized text is empty.
    pub fn is_empty(&self) -> bool {
        self.normalized.is_empty()
    }

    /// For each normalized byte, the original byte range it came from.
    pub fn alignments(&self) -> &[(u32, u32)] {
        &self.align
    }

    /// The original byte range covered by the normalized byte range `start..end`.
    ///
    /// An empty range maps to the empty original range at its position.
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        if start < end && end <= self.align.len() {
            (self.align[start].0 as usize, self.align[end - 1].1 as usize)
        } else if start < self.align.len() {
            let p = self.align[start].0 as usize;
            (p, p)
        } else {
            let p = self.align.last().map_or(0, |a| a.1 as usize);
            (p, p)
        }
    }

    /// Replaces every character `c` by what `f(c, out)` appends to `out` (possibly nothing);
    /// the appended characters inherit `c`'s original range.
    pub fn map_chars<F: FnMut(char, &mut String)>(&mut self, mut f: F) {
        let mut out = String::with_capacity(self.normalized.len() + self.normalized.len() / 8);
        let mut align = Vec::with_capacity(out.capacity());
        for (i, c) in self.normalized.char_indices() {
            let a = self.align[i];
            f(c, &mut out);
            align.resize(out.len(), a);
        }
        self.normalized = out;
        self.align = align;
    }

    /// Keeps only the normalized bytes `start..end` (both on character boundaries).
    pub fn keep_range(&mut self, start: usize, end: usize) {
        self.normalized.truncate(end);
        self.normalized.drain(..start);
        self.align.truncate(end);
        self.align.drain(..start);
    }

    /// Replaces the normalized bytes `start..end` (character boundaries, non-empty) with
    /// `content`; the new characters take the range of the last replaced character, as
    /// Hugging Face's `NormalizedString::replace` does.
    pub fn replace_range(&mut self, start: usize, end: usize, content: &str) {
        let a = self.align[end - 1];
        self.normalized.replace_range(start..end, content);
        self.align
            .splice(start..end, std::iter::repeat_n(a, content.len()));
    }

    /// Inserts `prefix` before the first character, sharing that character's range
    /// (Hugging Face's `prepend`); does nothing on an empty string.
    pub fn prepend(&mut self, prefix: &str) {
        if let Some(&a) = self.align.first() {
            self.normalized.insert_str(0, prefix);
            self.align
                .splice(0..0, std::iter::repeat_n(a, prefix.len()));
        }
    }

    /// Appends `other` (already aligned to the same original text) at the end.
    pub fn append(&mut self, other: &NormalizedString) {
        self.normalized.push_str(&other.normalized);
        self.align.extend_from_slice(&other.align);
    }

    /// Builds a normalized string from parts whose alignments are already known.
    /// `align.len()` must equal `normalized.len()`.
    pub(crate) fn from_parts(normalized: String, align: Vec<(u32, u32)>) -> Self {
        debug_assert_eq!(normalized.len(), align.len());
        NormalizedString {
            normalized,
            align,
            origin: 0,
        }
    }

    /// Rewrites the whole text from `(char, change)` pairs exactly as Hugging Face's
    /// `NormalizedString::transform(dest, 0)` does: `change <= 0` replaces the next original
    /// character (and removes the `-change` characters after it), taking its range;
    /// `change > 0` inserts a character that takes the range of the byte before the current
    /// position (or the empty range at the start). Original characters left over at the end
    /// are dropped.
    pub fn transform(&mut self, dest: &[(char, isize)]) {
        let old = &self.normalized;
        let mut chars = old.chars();
        let mut offset = 0usize;
        let empty = (self.origin, self.origin);
        let end = self.align.last().map_or(empty, |a| (a.1, a.1));
        let mut out = String::with_capacity(old.len());
        let mut align = Vec::with_capacity(old.len());
        for &(c, change) in dest {
            let a = if change > 0 {
                match offset.checked_sub(1) {
                    Some(i) => self.align.get(i).copied().unwrap_or(end),
                    None => empty,
                }
            } else {
                self.align.get(offset).copied().unwrap_or(end)
            };
            if change <= 0 {
                offset += chars.next().map_or(0, char::len_utf8);
            }
            if change < 0 {
                for _ in 0..change.unsigned_abs() {
                    offset += chars.next().map_or(0, char::len_utf8);
                }
            }
            out.push(c);
            align.resize(out.len(), a);
        }
        self.normalized = out;
        self.align = align;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_chars_keeps_source_ranges() {
        let mut n = NormalizedString::new("Aé中", 0);
        n.map_chars(|c, out| {
            if c == '中' {
                out.push(' ');
                out.push(c);
                out.push(' ');
            } else if c == 'é' {
                out.push('e');
            } else {
                out.extend(c.to_lowercase());
            }
        });
        assert_eq!(n.get(), "ae 中 ");
        assert_eq!(n.original_range(1, 2), (1, 3));
        assert_eq!(n.original_range(3, 6), (3, 6));
        assert_eq!(n.original_range(0, 7), (0, 6));
    }

    #[test]
    fn replace_and_prepend_follow_hf_alignment() {
        let mut n = NormalizedString::new("ab  c", 10);
        n.replace_range(2, 4, "_");
        assert_eq!(n.get(), "ab_c");
        assert_eq!(n.original_range(2, 3), (13, 14));
        n.prepend("▁");
        assert_eq!(n.original_range(0, 3), (10, 11));
        n.keep_range(3, 5);
        assert_eq!(n.get(), "ab");
        assert_eq!(n.original_range(0, 2), (10, 12));
    }

    #[test]
    fn transform_follows_hf_changes() {
        // "aﬁx" with ﬁ → "fi" as Hugging Face's Precompiled writes it: both new characters
        // are insertions (change 1), so ﬁ is consumed by the next replacement.
        let mut n = NormalizedString::new("aﬁx", 5);
        n.transform(&[('a', 0), ('f', 1), ('i', 1), ('x', 0)]);
        assert_eq!(n.get(), "afix");
        let a: Vec<(u32, u32)> = n.alignments().to_vec();
        assert_eq!(a, [(5, 6), (5, 6), (5, 6), (6, 9)]);
        // An insertion before everything maps to the empty range at the origin; a negative
        // change removes the following characters.
        let mut n = NormalizedString::new("abc", 5);
        n.transform(&[('z', 1), ('q', -1), ('c', 0)]);
        assert_eq!(n.get(), "zqc");
        assert_eq!(n.alignments(), [(5, 5), (5, 6), (7, 8)]);
    }
}
