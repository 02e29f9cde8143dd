//! [`PreTokenizedString`]: the normalized text cut into words ("splits").

use crate::normalizers::NormalizedString;
use serde::{Deserialize, Serialize};

/// One piece of a [`PreTokenizedString`]: a byte range of its normalized text, and the id of
/// the added token it is, if the added vocabulary already matched it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// Start byte in the normalized text.
    pub start: usize,
    /// End byte (exclusive) in the normalized text.
    pub end: usize,
    /// `Some(id)` for an added/special token found before pre-tokenization; such splits are
    /// left alone by pre-tokenizers and the model.
    pub added: Option<u32>,
}

/// What happens to the delimiter when splitting (Hugging Face `SplitDelimiterBehavior`).
/// On `"the-final--countdown"` split at `'-'`:
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SplitDelimiterBehavior {
    /// `["the", "final", "countdown"]`.
    Removed,
    /// `["the", "-", "final", "-", "-", "countdown"]`.
    Isolated,
    /// `["the-", "final-", "-", "countdown"]`.
    MergedWithPrevious,
    /// `["the", "-final", "-", "-countdown"]`.
    MergedWithNext,
    /// `["the", "-", "final", "--", "countdown"]`.
    Contiguous,
}

/// Cuts `0..len` at `matches` (sorted, non-overlapping, non-empty byte ranges) following
/// `behavior`, pushing the kept non-empty pieces (offset by `base`) to `out`.
pub fn split_at_matches(
    len: usize,
    matches: &[(usize, usize)],
    behavior: SplitDelimiterBehavior,
    base: usize,
    out: &mut Vec<(usize, usize)>,
) {
    use SplitDelimiterBehavior::*;
    // The covering list of (start, end, is_match).
    let mut cover = Vec::with_capacity(matches.len() * 2 + 1);
    let mut pos = 0;
    for &(s, e) in matches {
        if pos < s {
            cover.push((pos, s, false));
        }
        cover.push((s, e, true));
        pos = e;
    }
    if pos < len {
        cover.push((pos, len, false));
    }
    let mut pieces: Vec<(usize, usize)> = Vec::with_capacity(cover.len());
    match behavior {
        Removed => pieces.extend(cover.iter().filter(|c| !c.2).map(|c| (c.0, c.1))),
        Isolated => pieces.extend(cover.iter().map(|c| (c.0, c.1))),
        Contiguous => {
            let mut prev: Option<bool> = None;
            for &(s, e, m) in &cover {
                match pieces.last_mut() {
                    Some(last) if prev == Some(m) => last.1 = e,
                    _ => pieces.push((s, e)),
                }
                prev = Some(m);
            }
        }
        MergedWithPrevious => {
            let mut prev_match = false;
            for &(s, e, m) in &cover {
                match pieces.last_mut() {
                    Some(last) if m && !prev_match => last.1 = e,
                    _ => pieces.push((s, e)),
                }
                prev_match = m;
            }
        }
        MergedWithNext => {
            let mut prev_match = false;
            for &(s, e, m) in cover.iter().rev() {
                match pieces.last_mut() {
                    Some(last) if m && !prev_match => last.0 = s,
                    _ => pieces.push((s, e)),
                }
                prev_match = m;
            }
            pieces.reverse();
        }
    }
    out.extend(
        pieces
            .into_iter()
            .filter(|p| p.0 < p.1)
            .map(|(s, e)| (s + base, e + base)),
    );
}

/// The normalized text and its splits (Hugging Face `PreTokenizedString`).
#[derive(Debug, Clone, Default)]
pub struct PreTokenizedString {
    /// The normalized text the splits point into.
    pub normalized: NormalizedString,
    /// The splits, in text order.
    pub splits: Vec<Split>,
}

impl PreTokenizedString {
    /// One split covering all of `normalized` (none if it is empty).
    pub fn new(normalized: NormalizedString) -> Self {
        let splits = if normalized.is_empty() {
            Vec::new()
        } else {
            vec![Split {
                start: 0,
                end: normalized.len(),
                added: None,
            }]
        };
        PreTokenizedString { normalized, splits }
    }

    /// Refines every non-added split: `f(text, base, out)` pushes absolute byte ranges
    /// (within `base..base + text.len()`) of the sub-splits of `text`, which starts at `base`.
    pub fn split<F: FnMut(&str, usize, &mut Vec<(usize, usize)>)>(&mut self, mut f: F) {
        let text = self.normalized.get();
        let mut out = Vec::with_capacity(self.splits.len() * 2);
        let mut ranges = Vec::new();
        for sp in &self.splits {
            if sp.added.is_some() {
                out.push(*sp);
                continue;
            }
            ranges.clear();
            f(&text[sp.start..sp.end], sp.start, &mut ranges);
            out.extend(ranges.iter().filter(|r| r.0 < r.1).map(|&(s, e)| Split {
                start: s,
                end: e,
                added: None,
            }));
        }
        self.splits = out;
    }

    /// Rewrites the characters of every non-added split: `f(split_start_original, is_first_char,
    /// c, out)` appends the replacement of `c`, which inherits `c`'s offsets. Text between
    /// splits is dropped (nothing points into it).
    pub fn map_chars<F: FnMut(usize, bool, char, &mut String)>(&mut self, mut f: F) {
        let text = self.normalized.get();
        let align = self.normalized.alignments();
        let mut s = String::with_capacity(text.len() + text.len() / 4);
        let mut al = Vec::with_capacity(s.capacity());
        let mut splits = Vec::with_capacity(self.splits.len());
        for sp in &self.splits {
            let start = s.len();
            if sp.added.is_some() {
                s.push_str(&text[sp.start..sp.end]);
                al.extend_from_slice(&align[sp.start..sp.end]);
            } else {
                let orig_start = align[sp.start].0 as usize;
                for (i, c) in text[sp.start..sp.end].char_indices() {
                    let a = align[sp.start + i];
                    f(orig_start, i == 0, c, &mut s);
                    al.resize(s.len(), a);
                }
            }
            if s.len() > start {
                splits.push(Split {
                    start,
                    end: s.len(),
                    added: sp.added,
                });
            }
        }
        self.normalized = NormalizedString::from_parts(s, al);
        self.splits = splits;
    }

    /// The splits as `(text, original byte offsets)`, like Hugging Face's
    /// `pre_tokenize_str` output.
    pub fn get_splits(&self) -> Vec<(&str, (usize, usize))> {
        let text = self.normalized.get();
        self.splits
            .iter()
            .map(|sp| {
                (
                    &text[sp.start..sp.end],
                    self.normalized.original_range(sp.start, sp.end),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(b: SplitDelimiterBehavior) -> Vec<&'static str> {
        let s = "the-final--countdown";
        let matches: Vec<(usize, usize)> = s.match_indices('-').map(|(i, _)| (i, i + 1)).collect();
        let mut out = Vec::new();
        split_at_matches(s.len(), &matches, b, 0, &mut out);
        out.into_iter().map(|(a, z)| &s[a..z]).collect()
    }

    #[test]
    fn behaviors_match_hf_docs() {
        use SplitDelimiterBehavior::*;
        assert_eq!(run(Removed), ["the", "final", "countdown"]);
        assert_eq!(run(Isolated), ["the", "-", "final", "-", "-", "countdown"]);
        assert_eq!(
            run(MergedWithPrevious),
            ["the-", "final-", "-", "countdown"]
        );
        assert_eq!(run(MergedWithNext), ["the", "-final", "-", "-countdown"]);
        assert_eq!(run(Contiguous), ["the", "-", "final", "--", "countdown"]);
    }
}
