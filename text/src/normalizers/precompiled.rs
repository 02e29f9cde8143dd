//! The Precompiled normalizer: SentencePiece's compiled normalization rules
//! (Hugging Face `normalizers.Precompiled`, the `spm_precompiled` crate).

use super::NormalizedString;
use crate::error::{Result, TextError};
use crate::utils::base64;
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

const FIELD: &str = "normalizer.precompiled_charsmap";

/// SentencePiece's `precompiled_charsmap` applied as Hugging Face applies it.
///
/// The charsmap (base64 in `tokenizer.json`) is a little-endian `u32` byte length of a
/// Darts double-array trie, that many bytes of `u32` trie units, then a blob of
/// NUL-terminated UTF-8 replacement strings that the trie's leaves point into.
///
/// Normalizing walks the text by extended grapheme cluster: a cluster shorter than 6 bytes
/// whose bytes start with a key of the trie is replaced whole by that key's replacement (the
/// *shortest* matching key, as Hugging Face takes `common_prefix_search(..)[0]`); otherwise
/// each character is looked up alone. Offsets follow Hugging Face's
/// `NormalizedString::transform` ([`NormalizedString::transform`]).
///
/// The trie is checked when the charsmap is loaded: every unit a lookup can reach lies inside
/// it and every leaf points to the start of a character of the blob, so normalization never
/// reads out of bounds (where Hugging Face would panic on such a file, Kiln refuses to load
/// it, naming `precompiled_charsmap`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PrecompiledJson", into = "PrecompiledJson")]
pub struct Precompiled {
    charsmap: Vec<u8>,
    trie: Vec<u32>,
    normalized: String,
    /// Bit `c` is set when the ASCII character `c` alone has a replacement.
    ascii_mapped: u128,
}

#[derive(Serialize, Deserialize)]
struct PrecompiledJson {
    precompiled_charsmap: String,
}

impl TryFrom<PrecompiledJson> for Precompiled {
    type Error = TextError;
    fn try_from(j: PrecompiledJson) -> Result<Self> {
        let bytes =
            base64::decode(&j.precompiled_charsmap).map_err(|m| TextError::config(FIELD, m))?;
        Precompiled::from_charsmap(bytes)
    }
}

impl From<Precompiled> for PrecompiledJson {
    fn from(p: Precompiled) -> Self {
        PrecompiledJson {
            precompiled_charsmap: base64::encode(&p.charsmap),
        }
    }
}

#[inline]
fn has_leaf(u: u32) -> bool {
    (u >> 8) & 1 == 1
}

#[inline]
fn value(u: u32) -> u32 {
    u & ((1 << 31) - 1)
}

#[inline]
fn label(u: u32) -> u32 {
    u & ((1 << 31) | 0xff)
}

#[inline]
fn offset(u: u32) -> usize {
    ((u >> 10) << ((u & (1 << 9)) >> 6)) as usize
}

impl Precompiled {
    /// Parses and checks the raw (already base64-decoded) charsmap; every problem is a
    /// [`TextError::Config`] naming `normalizer.precompiled_charsmap`.
    pub fn from_charsmap(charsmap: Vec<u8>) -> Result<Self> {
        let bad = |m: String| TextError::config(FIELD, m);
        let Some(head) = charsmap.get(..4) else {
            return Err(bad(format!(
                "{} bytes is too short for the trie size header",
                charsmap.len()
            )));
        };
        let trie_bytes = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let units = trie_bytes / 4;
        let body = &charsmap[4..];
        if units.saturating_mul(4) > body.len() {
            return Err(bad(format!(
                "the header says the trie has {trie_bytes} bytes but only {} follow",
                body.len()
            )));
        }
        if units == 0 {
            return Err(bad("the trie is empty".into()));
        }
        let trie: Vec<u32> = body[..units * 4]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let normalized = String::from_utf8(body[units * 4..].to_vec()).map_err(|e| {
            bad(format!(
                "the replacement strings are not UTF-8 (bad byte at {})",
                e.utf8_error().valid_up_to()
            ))
        })?;
        check_trie(&trie, &normalized).map_err(bad)?;
        let mut precompiled = Precompiled {
            charsmap,
            trie,
            normalized,
            ascii_mapped: 0,
        };
        precompiled.ascii_mapped = (0u8..128)
            .filter(|&c| precompiled.transform(&char::from(c).to_string()).is_some())
            .fold(0, |bits, c| bits | (1u128 << c));
        Ok(precompiled)
    }

    /// The raw charsmap bytes (what `tokenizer.json` holds in base64).
    pub fn charsmap(&self) -> &[u8] {
        &self.charsmap
    }

    /// The replacement of the shortest key of the trie that starts `chunk`, if any
    /// (`spm_precompiled::Precompiled::transform`).
    pub fn transform(&self, chunk: &str) -> Option<&str> {
        let t = &self.trie;
        let mut pos = offset(*t.first()?);
        for &c in chunk.as_bytes() {
            if c == 0 {
                break;
            }
            pos ^= c as usize;
            let u = *t.get(pos)?;
            if label(u) != u32::from(c) {
                return None;
            }
            pos ^= offset(u);
            if has_leaf(u) {
                return self.replacement(value(*t.get(pos)?) as usize);
            }
        }
        None
    }

    fn replacement(&self, start: usize) -> Option<&str> {
        let rest = self.normalized.get(start..)?;
        Some(rest.split('\0').next().unwrap_or(rest))
    }

    /// Applies the normalization in place.
    pub fn normalize(&self, n: &mut NormalizedString) {
        let text = n.get();
        let bytes = text.as_bytes();
        let mut dest: Vec<(char, isize)> = Vec::with_capacity(n.len());
        let mut modified = false;
        let mut i = 0;
        while i < bytes.len() {
            // Most text is ASCII: a lone ASCII character is its own cluster, looked up
            // without segmenting.
            if is_lone_ascii(bytes, i) {
                let c = bytes[i];
                let part = &text[i..=i];
                let mapped = (self.ascii_mapped >> c) & 1 == 1;
                match mapped.then(|| self.transform(part)).flatten() {
                    Some(norm) => {
                        modified = true;
                        push_replacement(&mut dest, part, norm);
                    }
                    None => dest.push((char::from(c), 0)),
                }
                i += 1;
                continue;
            }
            let end = (i + 1..bytes.len())
                .find(|&j| is_lone_ascii(bytes, j))
                .unwrap_or(bytes.len());
            modified |= self.normalize_clusters(&text[i..end], &mut dest);
            i = end;
        }
        if modified {
            n.transform(&dest);
        }
    }

    /// Appends the normalized characters of `text`, cluster by cluster, to `dest`; whether
    /// any was replaced.
    fn normalize_clusters(&self, text: &str, dest: &mut Vec<(char, isize)>) -> bool {
        let mut modified = false;
        for g in text.graphemes(true) {
            if g.len() < 6
                && let Some(norm) = self.transform(g)
            {
                modified = true;
                push_replacement(dest, g, norm);
                continue;
            }
            for (i, c) in g.char_indices() {
                let part = &g[i..i + c.len_utf8()];
                match self.transform(part) {
                    Some(norm) => {
                        modified = true;
                        push_replacement(dest, part, norm);
                    }
                    None => dest.push((c, 0)),
                }
            }
        }
        modified
    }
}

/// Whether byte `i` of `bytes` is an ASCII character that forms an extended grapheme cluster
/// alone: its neighbours are ASCII too (no combining mark or prepend character can join it)
/// and neither pair is `\r\n` (the one ASCII pair that is a single cluster). The slices
/// between such bytes start and end on cluster boundaries, so segmenting them alone gives
/// the clusters of the whole text.
fn is_lone_ascii(bytes: &[u8], i: usize) -> bool {
    let c = bytes[i];
    c < 0x80
        && (i == 0 || (bytes[i - 1] < 0x80 && !(bytes[i - 1] == b'\r' && c == b'\n')))
        && bytes
            .get(i + 1)
            .is_none_or(|&next| next < 0x80 && !(c == b'\r' && next == b'\n'))
}

fn push_replacement(dest: &mut Vec<(char, isize)>, old: &str, new: &str) {
    let old_count = old.chars().count() as isize;
    let new_count = new.chars().count() as isize;
    let diff = new_count - old_count;
    dest.extend(new.chars().map(|c| (c, 0)));
    if diff > 0 {
        for e in dest.iter_mut().rev().take(diff as usize) {
            e.1 = 1;
        }
    } else if diff < 0
        && let Some(e) = dest.last_mut()
    {
        e.1 += diff;
    }
}

/// Visits every unit a lookup can reach (each label byte 1..=255 from each reachable node)
/// and checks it lies inside the trie and that leaves point to character starts of the blob.
fn check_trie(t: &[u32], normalized: &str) -> std::result::Result<(), String> {
    let root = offset(t[0]);
    let mut seen = vec![false; t.len()];
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        for c in 1..=255usize {
            let pos = node ^ c;
            let Some(&u) = t.get(pos) else {
                continue;
            };
            if label(u) != c as u32 {
                continue;
            }
            let next = pos ^ offset(u);
            if has_leaf(u) {
                let Some(&leaf) = t.get(next) else {
                    return Err(format!("trie unit {pos} has a leaf outside the trie"));
                };
                let v = value(leaf) as usize;
                if !normalized.is_char_boundary(v) {
                    return Err(format!(
                        "trie leaf {next} points to byte {v} of the {}-byte replacement strings",
                        normalized.len()
                    ));
                }
            }
            if next < t.len() && !seen[next] {
                seen[next] = true;
                stack.push(next);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-built charsmap: "a" → "b", "ab" → "" (never used: "a" is shorter), "c" → "xyz".
    pub(crate) fn tiny_charsmap() -> Vec<u8> {
        // Root at 0 with offset 1: children at 1 ^ c. Each child's leaf sits at pos ^ offset.
        let mut t = vec![0u32; 256];
        let unit =
            |label: u32, offset: u32, leaf: bool| label | (u32::from(leaf) << 8) | (offset << 10);
        t[0] = unit(0, 1, false);
        // 'a' = 0x61 at 1 ^ 0x61 = 0x60, offset 0x80 → node 0xe0; its leaf value at 0xe0.
        t[0x60] = unit(0x61, 0x80, true);
        t[0xe0] = 1 << 31; // value 0 → "b"
        // 'b' under 'a': 0xe0 ^ 0x62 = 0x82, offset 0x04 → leaf at 0x86.
        t[0x82] = unit(0x62, 0x04, true);
        t[0x86] = (1 << 31) | 2; // value 2 → ""
        // 'c' = 0x63 at 1 ^ 0x63 = 0x62, offset 0x90 → leaf at 0xf2.
        t[0x62] = unit(0x63, 0x90, true);
        t[0xf2] = (1 << 31) | 3; // value 3 → "xyz"
        let mut out = ((t.len() * 4) as u32).to_le_bytes().to_vec();
        for u in t {
            out.extend_from_slice(&u.to_le_bytes());
        }
        out.extend_from_slice(b"b\0\0xyz\0");
        out
    }

    #[test]
    fn shortest_key_wins_and_offsets_follow_hf() {
        let p = Precompiled::from_charsmap(tiny_charsmap()).unwrap();
        assert_eq!(p.transform("a"), Some("b"));
        assert_eq!(p.transform("ab"), Some("b"));
        assert_eq!(p.transform("c"), Some("xyz"));
        assert_eq!(p.transform("d"), None);
        let mut n = NormalizedString::new("dcab", 0);
        p.normalize(&mut n);
        // "d" kept; "c" → "xyz": x replaces "c", y and z are insertions sharing its range.
        assert_eq!(n.get(), "dxyzbb");
        let a: Vec<(u32, u32)> = n.alignments().to_vec();
        assert_eq!(a, [(0, 1), (1, 2), (1, 2), (1, 2), (2, 3), (3, 4)]);
        let json = serde_json::to_string(&p).unwrap();
        let back: Precompiled = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn the_ascii_shortcut_gives_the_clusters_of_the_whole_text() {
        let p = Precompiled::from_charsmap(tiny_charsmap()).unwrap();
        // ASCII next to combining marks, a prepend character, ZWJ, CR LF, emoji, none at all.
        for text in [
            "dcab",
            "a\u{301}b c",
            "ca\u{308}\u{323}",
            "\u{600}1a",
            "xa\u{200d}\u{1f600}c",
            "a\r\nc\r",
            "\r\n",
            "\u{1f1eb}\u{1f1f7}ac",
            "",
            "abc",
        ] {
            let mut fast = NormalizedString::new(text, 0);
            p.normalize(&mut fast);
            let mut dest = Vec::new();
            let mut whole = NormalizedString::new(text, 0);
            if p.normalize_clusters(text, &mut dest) {
                whole.transform(&dest);
            }
            assert_eq!(fast.get(), whole.get(), "{text:?}");
            assert_eq!(fast.alignments(), whole.alignments(), "{text:?}");
        }
    }

    #[test]
    fn corrupt_charsmaps_are_errors_naming_the_field() {
        let good = tiny_charsmap();
        let mut bad_leaf = good.clone();
        // Point the "c" leaf into the middle of nowhere.
        bad_leaf[4 + 0xf2 * 4..4 + 0xf2 * 4 + 4]
            .copy_from_slice(&((1u32 << 31) | 999).to_le_bytes());
        let mut bad_utf8 = good.clone();
        *bad_utf8.last_mut().unwrap() = 0xff;
        let cases: Vec<Vec<u8>> = vec![
            vec![],
            vec![1, 0],
            vec![0, 0, 0, 0],
            vec![0xff, 0xff, 0, 0, 1, 2, 3, 4],
            bad_leaf,
            bad_utf8,
        ];
        for c in cases {
            let e = Precompiled::from_charsmap(c.clone())
                .unwrap_err()
                .to_string();
            assert!(e.contains(FIELD), "{c:?}: {e}");
        }
        let e = serde_json::from_str::<Precompiled>(r#"{"precompiled_charsmap":"@@@@"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains(FIELD), "{e}");
    }
}
