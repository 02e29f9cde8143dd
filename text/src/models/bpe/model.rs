//! The BPE model: apply learned merges to the characters of each word.

use crate::error::{Result, TextError};
use crate::models::{Piece, Vocab};
use rustc_hash::FxHashMap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Settings of a [`Bpe`] model; defaults equal Hugging Face's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BpeConfig {
    /// Probability of skipping each merge while encoding (BPE-dropout); `None` = off.
    pub dropout: Option<f32>,
    /// Seed of the dropout random stream (Kiln addition; Hugging Face draws from the OS).
    pub dropout_seed: u64,
    /// Token for characters missing from the vocabulary; `None` drops them silently.
    pub unk_token: Option<String>,
    /// Prefix of every non-initial symbol (e.g. `"##"`).
    pub continuing_subword_prefix: Option<String>,
    /// Suffix of the last symbol of a word (e.g. `"</w>"`).
    pub end_of_word_suffix: Option<String>,
    /// Merge consecutive unknown characters into one unknown token.
    pub fuse_unk: bool,
    /// Encode characters missing from the vocabulary as `<0xXX>` byte tokens.
    pub byte_fallback: bool,
    /// Emit a word that is itself in the vocabulary directly, without merging.
    pub ignore_merges: bool,
}

/// Byte-pair encoding (Hugging Face `models.BPE`): a word starts as its characters and the
/// merge with the lowest rank among adjacent pairs is applied until none applies.
#[derive(Debug)]
pub struct Bpe {
    vocab: Vocab,
    merges: Vec<(u32, u32)>,
    merge_map: FxHashMap<(u32, u32), (u32, u32)>,
    config: BpeConfig,
    unk_id: Option<u32>,
    calls: AtomicU64,
}

impl Clone for Bpe {
    fn clone(&self) -> Self {
        Bpe {
            vocab: self.vocab.clone(),
            merges: self.merges.clone(),
            merge_map: self.merge_map.clone(),
            config: self.config.clone(),
            unk_id: self.unk_id,
            calls: AtomicU64::new(self.calls.load(Ordering::Relaxed)),
        }
    }
}

impl PartialEq for Bpe {
    fn eq(&self, o: &Self) -> bool {
        self.vocab == o.vocab && self.merges == o.merges && self.config == o.config
    }
}

/// A splitmix64 step, the dropout random source.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Bpe {
    /// Builds the model from a vocabulary and merges given as token pairs in rank order.
    /// Every merge part and result must be in the vocabulary; errors name the merge (1-based).
    pub fn new(vocab: Vocab, merges: Vec<(String, String)>, config: BpeConfig) -> Result<Self> {
        let unk_id = match &config.unk_token {
            None => None,
            Some(u) => Some(vocab.id(u).ok_or_else(|| {
                TextError::config("model.unk_token", format!("{u:?} is not in the vocabulary"))
            })?),
        };
        if let Some(p) = config.dropout
            && !(0.0..=1.0).contains(&p)
        {
            return Err(TextError::config(
                "model.dropout",
                format!("{p} is not in [0, 1]"),
            ));
        }
        let prefix_len = config
            .continuing_subword_prefix
            .as_ref()
            .map_or(0, String::len);
        let mut ids = Vec::with_capacity(merges.len());
        let mut merge_map = FxHashMap::default();
        for (rank, (a, b)) in merges.iter().enumerate() {
            let missing = |t: &str| {
                TextError::config(
                    "model.merges",
                    format!(
                        "merge {} ({a:?}, {b:?}): {t:?} is not in the vocabulary",
                        rank + 1
                    ),
                )
            };
            let ia = vocab.id(a).ok_or_else(|| missing(a))?;
            let ib = vocab.id(b).ok_or_else(|| missing(b))?;
            let tail = b.get(prefix_len..).ok_or_else(|| missing(b))?;
            let merged = format!("{a}{tail}");
            let im = vocab.id(&merged).ok_or_else(|| missing(&merged))?;
            ids.push((ia, ib));
            merge_map.insert((ia, ib), (rank as u32, im));
        }
        Ok(Bpe {
            vocab,
            merges: ids,
            merge_map,
            config,
            unk_id,
            calls: AtomicU64::new(0),
        })
    }

    /// The vocabulary.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// The settings.
    pub fn config(&self) -> &BpeConfig {
        &self.config
    }

    /// The merges as token pairs, in rank order.
    pub fn merges(&self) -> Vec<(&str, &str)> {
        self.merges
            .iter()
            .map(|&(a, b)| {
                (
                    self.vocab.token(a).unwrap_or(""),
                    self.vocab.token(b).unwrap_or(""),
                )
            })
            .collect()
    }

    /// The initial symbols of `word`: `(id, byte length in the word)`.
    fn symbols(&self, word: &str, out: &mut Vec<(u32, usize)>) {
        let c = &self.config;
        let mut unk: Option<usize> = None;
        let mut buf = String::new();
        let mut it = word.char_indices().peekable();
        while let Some((i, ch)) = it.next() {
            let end = it.peek().map_or(word.len(), |&(j, _)| j);
            let piece = &word[i..end];
            let (first, last) = (i == 0, end == word.len());
            let decorated = (!first && c.continuing_subword_prefix.is_some())
                || (last && c.end_of_word_suffix.is_some());
            let s: &str = if decorated {
                buf.clear();
                if !first && let Some(p) = &c.continuing_subword_prefix {
                    buf.push_str(p);
                }
                buf.push(ch);
                if last && let Some(x) = &c.end_of_word_suffix {
                    buf.push_str(x);
                }
                &buf
            } else {
                piece
            };
            if let Some(id) = self.vocab.id(s) {
                if let (Some(n), Some(u)) = (unk.take(), self.unk_id) {
                    out.push((u, n));
                }
                out.push((id, piece.len()));
                continue;
            }
            if c.byte_fallback {
                let bytes: Option<Vec<u32>> = s
                    .bytes()
                    .map(|b| self.vocab.id(&format!("<0x{b:02X}>")))
                    .collect();
                if let Some(bytes) = bytes {
                    out.extend(bytes.into_iter().map(|id| (id, 1)));
                    continue;
                }
            }
            if let Some(u) = self.unk_id {
                unk = match unk {
                    Some(n) if c.fuse_unk => Some(n + piece.len()),
                    Some(n) => {
                        out.push((u, n));
                        Some(piece.len())
                    }
                    None => Some(piece.len()),
                };
            }
        }
        if let (Some(n), Some(u)) = (unk, self.unk_id) {
            out.push((u, n));
        }
    }

    /// Applies merges lowest rank first (leftmost on ties) with a heap over a linked list of
    /// symbols, so a word of n symbols costs O(n log n); with dropout each chosen merge is
    /// skipped with probability p and retried after the next merge (Hugging Face
    /// `Word::merge_all`).
    fn merge_all(
        &self,
        syms: Vec<(u32, usize)>,
        dropout: Option<f32>,
        mut rng: Option<&mut u64>,
    ) -> Vec<(u32, usize)> {
        const NONE: usize = usize::MAX;
        // (id, byte length, prev, next); length 0 marks a merged-away symbol.
        let mut s: Vec<(u32, usize, usize, usize)> = syms
            .iter()
            .enumerate()
            .map(|(i, &(id, len))| {
                (
                    id,
                    len,
                    i.wrapping_sub(1),
                    if i + 1 < syms.len() { i + 1 } else { NONE },
                )
            })
            .collect();
        let mut heap: BinaryHeap<Reverse<(u32, usize, u32)>> = BinaryHeap::new();
        for i in 0..s.len().saturating_sub(1) {
            if let Some(&(rank, new_id)) = self.merge_map.get(&(s[i].0, s[i + 1].0)) {
                heap.push(Reverse((rank, i, new_id)));
            }
        }
        let mut skipped = Vec::new();
        while let Some(Reverse((rank, pos, new_id))) = heap.pop() {
            let next = s[pos].3;
            if s[pos].1 == 0 || next == NONE {
                continue;
            }
            match self.merge_map.get(&(s[pos].0, s[next].0)) {
                Some(&(r, n)) if r == rank && n == new_id => {}
                _ => continue,
            }
            if let (Some(p), Some(state)) = (dropout, rng.as_deref_mut())
                && ((splitmix(state) >> 40) as f32 / (1u64 << 24) as f32) < p
            {
                skipped.push(Reverse((rank, pos, new_id)));
                continue;
            }
            heap.extend(skipped.drain(..));
            let after = s[next].3;
            s[pos].0 = new_id;
            s[pos].1 += s[next].1;
            s[pos].3 = after;
            s[next].1 = 0;
            if after != NONE {
                s[after].2 = pos;
                if let Some(&(r, n)) = self.merge_map.get(&(new_id, s[after].0)) {
                    heap.push(Reverse((r, pos, n)));
                }
            }
            let prev = s[pos].2;
            if prev != NONE
                && let Some(&(r, n)) = self.merge_map.get(&(s[prev].0, new_id))
            {
                heap.push(Reverse((r, prev, n)));
            }
        }
        s.into_iter()
            .filter(|x| x.1 > 0)
            .map(|x| (x.0, x.1))
            .collect()
    }

    /// Splits one word, appending `(id, byte range within word)` pieces to `out`.
    pub fn tokenize_into(&self, word: &str, out: &mut Vec<Piece>) {
        if word.is_empty() {
            return;
        }
        if self.config.ignore_merges
            && let Some(id) = self.vocab.id(word)
        {
            out.push(Piece {
                id,
                start: 0,
                end: word.len(),
            });
            return;
        }
        let mut syms: Vec<(u32, usize)> = Vec::with_capacity(word.len());
        self.symbols(word, &mut syms);
        let dropout = self.config.dropout.filter(|&p| p > 0.0);
        let mut rng = dropout.map(|_| {
            let n = self.calls.fetch_add(1, Ordering::Relaxed);
            self.config.dropout_seed ^ n.wrapping_mul(0xA076_1D64_78BD_642F)
        });
        let syms = self.merge_all(syms, dropout, rng.as_mut());
        let mut pos = 0;
        for (id, len) in syms {
            out.push(Piece {
                id,
                start: pos,
                end: pos + len,
            });
            pos += len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bpe(config: BpeConfig) -> Bpe {
        let toks = [
            "<unk>", "a", "b", "c", "ab", "abc", "bc", "<0x78>", "<0x79>",
        ];
        let vocab = Vocab::from_tokens(toks.iter().map(|s| s.to_string()));
        let merges = [("a", "b"), ("ab", "c"), ("b", "c")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        Bpe::new(vocab, merges, config).unwrap()
    }

    fn run(m: &Bpe, w: &str) -> Vec<(u32, usize, usize)> {
        let mut out = Vec::new();
        m.tokenize_into(w, &mut out);
        out.into_iter().map(|p| (p.id, p.start, p.end)).collect()
    }

    #[test]
    fn merges_by_rank_with_unknowns() {
        let plain = bpe(BpeConfig::default());
        assert_eq!(run(&plain, "abcbc"), [(5, 0, 3), (6, 3, 5)]);
        // Unknown characters vanish without an unk token (and, as in Hugging Face, the
        // offsets then count only the kept symbols' bytes)...
        assert_eq!(run(&plain, "azb"), [(4, 0, 2)]);
        // ...become <unk> (fused or not) with one...
        let unk = bpe(BpeConfig {
            unk_token: Some("<unk>".into()),
            ..BpeConfig::default()
        });
        assert_eq!(run(&unk, "zza"), [(0, 0, 1), (0, 1, 2), (1, 2, 3)]);
        let fused = bpe(BpeConfig {
            unk_token: Some("<unk>".into()),
            fuse_unk: true,
            ..BpeConfig::default()
        });
        assert_eq!(run(&fused, "zza"), [(0, 0, 2), (1, 2, 3)]);
        // ...or byte tokens with byte_fallback.
        let bytes = bpe(BpeConfig {
            byte_fallback: true,
            ..BpeConfig::default()
        });
        assert_eq!(run(&bytes, "xa"), [(7, 0, 1), (1, 1, 2)]);
    }

    #[test]
    fn long_words_and_dropout() {
        let plain = bpe(BpeConfig::default());
        let w = "ab".repeat(200_000);
        assert_eq!(run(&plain, &w).len(), 200_000);
        let all = bpe(BpeConfig {
            dropout: Some(1.0),
            ..BpeConfig::default()
        });
        assert_eq!(run(&all, "abc").len(), 3);
        assert!(
            Bpe::new(
                Vocab::default(),
                vec![("a".into(), "b".into())],
                BpeConfig::default()
            )
            .is_err()
        );
    }
}
