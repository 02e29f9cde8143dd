//! BpeTrainer: learn a BPE vocabulary and merges from word counts
//! (Hugging Face `trainers.BpeTrainer`, same algorithm and tie-breaking).

use super::{Bpe, BpeConfig};
use crate::error::Result;
use crate::models::Vocab;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Settings of BPE training; defaults equal Hugging Face's `BpeTrainer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BpeTrainer {
    /// Stop when the vocabulary has this many tokens (default 30000).
    pub vocab_size: usize,
    /// Stop when the best pair occurs fewer times than this (default 0).
    pub min_frequency: u64,
    /// Tokens that take ids 0, 1, … in this order.
    pub special_tokens: Vec<String>,
    /// Keep at most this many characters in the alphabet (the most frequent ones).
    pub limit_alphabet: Option<usize>,
    /// Characters always in the alphabet, even if unseen.
    pub initial_alphabet: Vec<char>,
    /// Prefix of non-initial symbols (WordPiece's `"##"`).
    pub continuing_subword_prefix: Option<String>,
    /// Suffix of final symbols (e.g. `"</w>"`).
    pub end_of_word_suffix: Option<String>,
    /// Never create tokens longer than this many characters.
    pub max_token_length: Option<usize>,
    /// Print the training phases to stderr.
    pub show_progress: bool,
}

impl Default for BpeTrainer {
    fn default() -> Self {
        BpeTrainer {
            vocab_size: 30000,
            min_frequency: 0,
            special_tokens: Vec::new(),
            limit_alphabet: None,
            initial_alphabet: Vec::new(),
            continuing_subword_prefix: None,
            end_of_word_suffix: None,
            max_token_length: None,
            show_progress: false,
        }
    }
}

type Pair = (u32, u32);

#[derive(Clone, Copy)]
struct Symbol {
    c: u32,
    len: u32,
}

/// A queue entry: a pair, its count when queued, and the words to merge it in.
struct Merge {
    pair: Pair,
    count: u64,
    pos: Vec<u32>,
}

impl PartialEq for Merge {
    fn eq(&self, o: &Self) -> bool {
        self.count == o.count && self.pair == o.pair
    }
}
impl Eq for Merge {}
impl PartialOrd for Merge {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Merge {
    /// Highest count first, then the smallest pair of ids.
    fn cmp(&self, o: &Self) -> Ordering {
        self.count
            .cmp(&o.count)
            .then_with(|| o.pair.cmp(&self.pair))
    }
}

/// Merges every `(c1, c2)` in `w` into `rep`, returning the pair-count changes
/// (Hugging Face `Word::merge`).
fn merge_word(
    w: &mut Vec<Symbol>,
    c1: u32,
    c2: u32,
    rep: u32,
    max_len: usize,
    out: &mut Vec<(Pair, i32)>,
) {
    let mut i = 0;
    while i < w.len() {
        if w[i].c == c1 && i + 1 < w.len() && w[i + 1].c == c2 {
            let (first, second) = (w[i], w[i + 1]);
            let new = Symbol {
                c: rep,
                len: first.len + second.len,
            };
            if i > 0 {
                out.push(((w[i - 1].c, first.c), -1));
                if ((w[i - 1].len + new.len) as usize) < max_len {
                    out.push(((w[i - 1].c, rep), 1));
                }
            }
            w[i] = new;
            w.remove(i + 1);
            if i + 1 < w.len() {
                out.push(((second.c, w[i + 1].c), -1));
                if ((w[i + 1].len + new.len) as usize) < max_len {
                    out.push(((rep, w[i + 1].c), 1));
                }
            }
        }
        i += 1;
    }
}

impl BpeTrainer {
    fn progress(&self, msg: &str) {
        if self.show_progress {
            eprintln!("[BpeTrainer] {msg}");
        }
    }

    /// Learns a model from `word → count` (words as the pre-tokenizer produced them).
    /// Words are processed in sorted order, so the result is deterministic.
    pub fn train_words(&self, word_counts: &FxHashMap<String, u64>) -> Result<Bpe> {
        let mut vocab = Vocab::default();
        for s in &self.special_tokens {
            vocab.push(s.clone());
        }
        // Alphabet: every character, weighted by word counts, plus the initial alphabet.
        self.progress("computing the alphabet");
        let mut alphabet: FxHashMap<char, u64> = FxHashMap::default();
        for (w, &n) in word_counts {
            for c in w.chars() {
                *alphabet.entry(c).or_default() += n;
            }
        }
        for &c in &self.initial_alphabet {
            alphabet.insert(c, u64::MAX);
        }
        let mut kept: Vec<(char, u64)> = alphabet.into_iter().collect();
        if let Some(limit) = self.limit_alphabet
            && kept.len() > limit
        {
            kept.sort_unstable_by_key(|&(c, n)| (n, c));
            let remove = kept.len() - limit;
            kept.drain(..remove);
        }
        kept.sort_unstable_by_key(|&(c, _)| c);
        for (c, _) in &kept {
            vocab.push(c.to_string());
        }

        // Words as symbol ids.
        self.progress("tokenizing words");
        let mut sorted: Vec<(&String, u64)> = word_counts.iter().map(|(w, &n)| (w, n)).collect();
        sorted.sort_unstable();
        let mut words: Vec<Vec<Symbol>> = Vec::with_capacity(sorted.len());
        let mut counts: Vec<u64> = Vec::with_capacity(sorted.len());
        let mut buf = String::new();
        for (w, n) in sorted {
            let mut word = Vec::with_capacity(w.len());
            let mut it = w.chars().peekable();
            let mut first = true;
            while let Some(c) = it.next() {
                let last = it.peek().is_none();
                buf.clear();
                buf.push(c);
                if vocab.id(&buf).is_some() {
                    if !first && let Some(p) = &self.continuing_subword_prefix {
                        buf.insert_str(0, p);
                    }
                    if last && let Some(x) = &self.end_of_word_suffix {
                        buf.push_str(x);
                    }
                    let id = match vocab.id(&buf) {
                        Some(id) => id,
                        None => vocab.push(buf.clone()),
                    };
                    word.push(Symbol { c: id, len: 1 });
                }
                first = false;
            }
            words.push(word);
            counts.push(n);
        }

        // Initial pair counts and positions, in parallel chunks.
        self.progress("counting pairs");
        type Counts = (FxHashMap<Pair, i64>, FxHashMap<Pair, Vec<u32>>);
        let chunk = 4096;
        let partial: Vec<Counts> = words
            .par_chunks(chunk)
            .enumerate()
            .map(|(k, ws)| {
                let mut pc: FxHashMap<Pair, i64> = FxHashMap::default();
                let mut wu: FxHashMap<Pair, Vec<u32>> = FxHashMap::default();
                for (j, w) in ws.iter().enumerate() {
                    let i = (k * chunk + j) as u32;
                    let n = counts[i as usize] as i64;
                    for s in w.windows(2) {
                        let p = (s[0].c, s[1].c);
                        *pc.entry(p).or_default() += n;
                        let v = wu.entry(p).or_default();
                        if v.last() != Some(&i) {
                            v.push(i);
                        }
                    }
                }
                (pc, wu)
            })
            .collect();
        let mut pair_counts: FxHashMap<Pair, i64> = FxHashMap::default();
        let mut where_to_update: FxHashMap<Pair, Vec<u32>> = FxHashMap::default();
        for (pc, wu) in partial {
            for (p, n) in pc {
                *pair_counts.entry(p).or_default() += n;
            }
            for (p, v) in wu {
                where_to_update.entry(p).or_default().extend(v);
            }
        }
        let mut queue: BinaryHeap<Merge> = BinaryHeap::with_capacity(pair_counts.len());
        let mut initial: Vec<(Pair, Vec<u32>)> = where_to_update.drain().collect();
        initial.sort_unstable_by_key(|e| e.0);
        for (pair, pos) in initial {
            let count = pair_counts[&pair];
            if count > 0 {
                queue.push(Merge {
                    pair,
                    count: count as u64,
                    pos,
                });
            }
        }

        self.progress("merging");
        let max_len = self.max_token_length.unwrap_or(usize::MAX);
        let prefix = self.continuing_subword_prefix.as_deref();
        let mut merges: Vec<(Pair, u32)> = Vec::new();
        let mut changes: Vec<(Pair, i32)> = Vec::new();
        while vocab.len() < self.vocab_size {
            let Some(mut top) = queue.pop() else { break };
            let current = pair_counts.get(&top.pair).copied().unwrap_or(0);
            if top.count as i64 != current {
                top.count = current.max(0) as u64;
                queue.push(top);
                continue;
            }
            if top.count < 1 || self.min_frequency > top.count {
                break;
            }
            let a = vocab.token(top.pair.0).unwrap_or("");
            let b = vocab.token(top.pair.1).unwrap_or("");
            let b = match prefix {
                Some(p) if b.starts_with(p) => &b[p.len()..],
                _ => b,
            };
            let new_token = format!("{a}{b}");
            let new_id = match vocab.id(&new_token) {
                Some(id) => id,
                None => vocab.push(new_token),
            };
            merges.push((top.pair, new_id));
            for &iw in &top.pos {
                changes.clear();
                merge_word(
                    &mut words[iw as usize],
                    top.pair.0,
                    top.pair.1,
                    new_id,
                    max_len,
                    &mut changes,
                );
                let n = counts[iw as usize] as i64;
                for &(p, ch) in &changes {
                    *pair_counts.entry(p).or_default() += i64::from(ch) * n;
                    if ch > 0 {
                        let v = where_to_update.entry(p).or_default();
                        if v.last() != Some(&iw) {
                            v.push(iw);
                        }
                    }
                }
            }
            let mut fresh: Vec<(Pair, Vec<u32>)> = where_to_update.drain().collect();
            fresh.sort_unstable_by_key(|e| e.0);
            for (pair, pos) in fresh {
                let count = pair_counts[&pair];
                if count > 0 {
                    queue.push(Merge {
                        pair,
                        count: count as u64,
                        pos,
                    });
                }
            }
        }
        self.progress(&format!(
            "done: {} tokens, {} merges",
            vocab.len(),
            merges.len()
        ));

        // Later duplicates of a merge win, as in Hugging Face's merge map.
        let mut last_rank: FxHashMap<Pair, usize> = FxHashMap::default();
        for (r, (p, _)) in merges.iter().enumerate() {
            last_rank.insert(*p, r);
        }
        let pairs: Vec<(String, String)> = merges
            .iter()
            .enumerate()
            .filter(|(r, (p, _))| last_rank[p] == *r)
            .map(|(_, (p, _))| {
                let t = |id| vocab.token(id).unwrap_or("").to_owned();
                (t(p.0), t(p.1))
            })
            .collect();
        let config = BpeConfig {
            continuing_subword_prefix: self.continuing_subword_prefix.clone(),
            end_of_word_suffix: self.end_of_word_suffix.clone(),
            ..BpeConfig::default()
        };
        Bpe::new(vocab, pairs, config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_the_obvious_merges() {
        let mut wc = FxHashMap::default();
        wc.insert("hug".to_string(), 10);
        wc.insert("pug".to_string(), 5);
        wc.insert("hugs".to_string(), 5);
        let t = BpeTrainer {
            vocab_size: 9,
            special_tokens: vec!["<unk>".into()],
            ..BpeTrainer::default()
        };
        let bpe = t.train_words(&wc).unwrap();
        // alphabet g h p s u (ids 1..=5), then "ug" (count 20), then "hug" (count 15).
        assert_eq!(bpe.merges(), [("u", "g"), ("h", "ug"), ("p", "ug")]);
        assert_eq!(bpe.vocab().id("<unk>"), Some(0));
        assert_eq!(bpe.vocab().id("hug"), Some(7));
    }
}
