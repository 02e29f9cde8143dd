//! Unicode normalization forms NFD, NFKD, NFC, NFKC with offset tracking.

use super::NormalizedString;
use serde::{Deserialize, Serialize};
use unicode_normalization::char::{
    canonical_combining_class, compose, decompose_canonical, decompose_compatible,
};

/// Canonical decomposition (Hugging Face `normalizers.NFD`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nfd;
/// Compatibility decomposition (Hugging Face `normalizers.NFKD`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nfkd;
/// Canonical decomposition then composition (Hugging Face `normalizers.NFC`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nfc;
/// Compatibility decomposition then canonical composition (Hugging Face `normalizers.NFKC`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nfkc;

/// Decomposes every character and puts combining marks in canonical order. Each output
/// character carries Hugging Face's change code (`unicode-normalization-alignments`): 0 for
/// the first character of a decomposition, 1 (inserted) for the others; reordering moves the
/// codes with their characters.
fn decompose(n: &NormalizedString, compat: bool) -> Vec<(char, isize)> {
    let text = n.get();
    let mut out: Vec<(char, isize)> = Vec::with_capacity(text.len());
    for c in text.chars() {
        let mut first = true;
        let mut push = |d: char| {
            let ccc = canonical_combining_class(d);
            let mut at = out.len();
            if ccc != 0 {
                // Canonical ordering: a stable insertion sort by combining class.
                while at > 0 {
                    let prev = canonical_combining_class(out[at - 1].0);
                    if prev == 0 || prev <= ccc {
                        break;
                    }
                    at -= 1;
                }
            }
            out.insert(at, (d, if first { 0 } else { 1 }));
            first = false;
        };
        if compat {
            decompose_compatible(c, &mut push);
        } else {
            decompose_canonical(c, &mut push);
        }
    }
    out
}

/// Canonical composition of a decomposed sequence: a composed character takes the sum of
/// its parts' change codes minus one per absorbed character, so that Hugging Face's
/// positional `transform` consumes (and drops) the original characters it replaced.
fn compose_all(chars: Vec<(char, isize)>) -> Vec<(char, isize)> {
    let mut out: Vec<(char, isize)> = Vec::with_capacity(chars.len());
    let mut starter: Option<usize> = None;
    let mut last_ccc: Option<u8> = None;
    for (c, change) in chars {
        let ccc = canonical_combining_class(c);
        if let Some(si) = starter {
            let blocked = match last_ccc {
                None => false,
                Some(l) => l == 0 || l >= ccc,
            };
            if !blocked && let Some(k) = compose(out[si].0, c) {
                out[si].0 = k;
                out[si].1 += change - 1;
                continue;
            }
        }
        if ccc == 0 {
            starter = Some(out.len());
            last_ccc = None;
        } else {
            last_ccc = Some(ccc);
        }
        out.push((c, change));
    }
    out
}

fn rebuild(n: &mut NormalizedString, chars: Vec<(char, isize)>) {
    n.transform(&chars);
}

fn fast_path(n: &NormalizedString) -> bool {
    n.get().is_ascii()
}

impl Nfd {
    /// Applies the normalization in place.
    pub fn normalize(&self, n: &mut NormalizedString) {
        if !fast_path(n) {
            let d = decompose(n, false);
            rebuild(n, d);
        }
    }
}

impl Nfkd {
    /// Applies the normalization in place.
    pub fn normalize(&self, n: &mut NormalizedString) {
        if !fast_path(n) {
            let d = decompose(n, true);
            rebuild(n, d);
        }
    }
}

impl Nfc {
    /// Applies the normalization in place.
    pub fn normalize(&self, n: &mut NormalizedString) {
        if !fast_path(n) {
            let d = compose_all(decompose(n, false));
            rebuild(n, d);
        }
    }
}

impl Nfkc {
    /// Applies the normalization in place.
    pub fn normalize(&self, n: &mut NormalizedString) {
        if !fast_path(n) {
            let d = compose_all(decompose(n, true));
            rebuild(n, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn forms_match_unicode_normalization() {
        for s in [
            "é",
            "e\u{301}",
            "ﬁ Å ｶ",
            "a\u{301}\u{316}",
            "한국어",
            "\u{1100}\u{1161}\u{11a8}",
        ] {
            let run = |f: &dyn Fn(&mut NormalizedString)| {
                let mut n = NormalizedString::new(s, 0);
                f(&mut n);
                n.get().to_owned()
            };
            assert_eq!(run(&|n| Nfd.normalize(n)), s.nfd().collect::<String>());
            assert_eq!(run(&|n| Nfkd.normalize(n)), s.nfkd().collect::<String>());
            assert_eq!(run(&|n| Nfc.normalize(n)), s.nfc().collect::<String>());
            assert_eq!(run(&|n| Nfkc.normalize(n)), s.nfkc().collect::<String>());
        }
    }

    #[test]
    fn composed_char_keeps_starter_range() {
        let mut n = NormalizedString::new("xe\u{301}", 0);
        Nfc.normalize(&mut n);
        assert_eq!(n.get(), "xé");
        assert_eq!(n.original_range(1, 3), (1, 2));
    }
}
