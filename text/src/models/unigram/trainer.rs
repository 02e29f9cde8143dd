//! UnigramTrainer: SentencePiece's unigram training — frequent-substring seeds, EM with a
//! Dirichlet-process prior, loss-based pruning (Hugging Face `trainers.UnigramTrainer`).

use super::Unigram;
use super::lattice::Lattice;
use super::trie::PieceTrie;
use crate::error::{Result, TextError};
use rustc_hash::{FxHashMap, FxHashSet};
use std::cmp::Reverse;

/// Settings of Unigram training; defaults equal Hugging Face's `UnigramTrainer`, except
/// `unk_token`, which Kiln's [`Unigram`] always needs (Hugging Face's default is none).
#[derive(Debug, Clone, PartialEq)]
pub struct UnigramTrainer {
    /// Target vocabulary size, special tokens not counted (default 8000).
    pub vocab_size: usize,
    /// EM iterations between two prunings (default 2).
    pub n_sub_iterations: usize,
    /// Fraction of pieces each pruning keeps, in (0, 1) (default 0.75).
    pub shrinking_factor: f64,
    /// Tokens that take ids 0, 1, … in this order, with score 0.
    pub special_tokens: Vec<String>,
    /// Characters always in the vocabulary, even if unseen.
    pub initial_alphabet: Vec<char>,
    /// The unknown piece; id 0 unless it is among `special_tokens` (default `"<unk>"`).
    pub unk_token: String,
    /// Longest piece, in characters (default 16).
    pub max_piece_length: usize,
    /// Most seed pieces (characters, then substrings) EM starts from (default 1 000 000).
    pub seed_size: usize,
}

impl Default for UnigramTrainer {
    fn default() -> Self {
        UnigramTrainer {
            vocab_size: 8000,
            n_sub_iterations: 2,
            shrinking_factor: 0.75,
            special_tokens: Vec::new(),
            initial_alphabet: Vec::new(),
            unk_token: "<unk>".into(),
            max_piece_length: 16,
            seed_size: 1_000_000,
        }
    }
}

/// Hugging Face's `digamma` (asymptotic series after shifting `x` to ≥ 7).
fn digamma(mut x: f64) -> f64 {
    let mut r = 0.0;
    while x < 7.0 {
        r -= 1.0 / x;
        x += 1.0;
    }
    x -= 0.5;
    let xx = 1.0 / x;
    let xx2 = xx * xx;
    let xx4 = xx2 * xx2;
    r + x.ln() + xx2 / 24.0 - 7.0 / 960.0 * xx4 + 31.0 / 8064.0 * xx4 * xx2
        - 127.0 / 30720.0 * xx4 * xx4
}

/// The pieces being trained: id 0 is the training-time unknown piece (score NaN).
struct Model {
    pieces: Vec<(String, f64)>,
    scores: Vec<f64>,
    trie: PieceTrie,
    min_score: f64,
}

impl Model {
    fn new(pieces: Vec<(String, f64)>) -> Self {
        let trie = PieceTrie::build(
            pieces
                .iter()
                .enumerate()
                .skip(1)
                .map(|(i, p)| (p.0.as_str(), i as u32)),
        );
        let min_score = pieces
            .iter()
            .map(|p| p.1)
            .filter(|s| !s.is_nan())
            .fold(f64::INFINITY, f64::min);
        let scores = pieces.iter().map(|p| p.1).collect();
        Model {
            pieces,
            scores,
            trie,
            min_score,
        }
    }

    fn lattice(&self, word: &str) -> Lattice {
        Lattice::new(word, &self.trie, &self.scores, self.min_score)
    }
}

type Sentence = (String, u64);

impl UnigramTrainer {
    fn check(&self) -> Result<()> {
        if self.vocab_size == 0 {
            return Err(TextError::config("vocab_size", "must be at least 1"));
        }
        if !(self.shrinking_factor > 0.0 && self.shrinking_factor < 1.0) {
            return Err(TextError::config(
                "shrinking_factor",
                format!("{} is not in (0, 1)", self.shrinking_factor),
            ));
        }
        if self.max_piece_length == 0 {
            return Err(TextError::config("max_piece_length", "must be at least 1"));
        }
        if self.n_sub_iterations == 0 {
            return Err(TextError::config("n_sub_iterations", "must be at least 1"));
        }
        Ok(())
    }

    /// Seeds: every character (by count, highest first, ties by larger code point), then
    /// every substring of 2..=`max_piece_length` characters that is an internal node of the
    /// suffix tree of the distinct words joined by `\0` — it occurs in ≥ 2 places and is
    /// followed by ≥ 2 different characters — scored by occurrences × length, highest
    /// first, ties by the larger string; all as log probabilities (Hugging Face
    /// `make_seed_sentence_pieces` over `esaxx_rs::suffix`).
    fn seeds(&self, sentences: &[Sentence]) -> Vec<(String, f64)> {
        let mut chars: FxHashMap<char, u64> = FxHashMap::default();
        let mut text: Vec<char> = Vec::new();
        for (s, n) in sentences {
            for c in s.chars() {
                if c != '\0' {
                    *chars.entry(c).or_default() += n;
                }
                text.push(c);
            }
            text.push('\0');
        }
        let mut chars: Vec<(u64, char)> = chars.into_iter().map(|(c, n)| (n, c)).collect();
        chars.sort_unstable_by_key(|&a| Reverse(a));
        let mut subs: Vec<(u64, &[char])> = repeated_substrings(&text)
            .into_iter()
            .filter_map(|(start, len, freq)| {
                let s = &text[start..start + len];
                (len > 1 && len <= self.max_piece_length && !s.contains(&'\0'))
                    .then_some((freq as u64 * len as u64, s))
            })
            .collect();
        subs.sort_unstable_by_key(|&a| Reverse(a));
        let mut seeds: Vec<(String, f64)> = chars
            .into_iter()
            .map(|(n, c)| (c.to_string(), n as f64))
            .collect();
        for (score, s) in subs {
            if seeds.len() >= self.seed_size {
                break;
            }
            seeds.push((s.iter().collect(), score as f64));
        }
        let logsum = seeds.iter().map(|p| p.1).sum::<f64>().ln();
        for p in &mut seeds {
            p.1 = p.1.ln() - logsum;
        }
        seeds
    }

    /// Expected piece counts over all words (Hugging Face `run_e_step`).
    fn e_step(&self, model: &Model, sentences: &[Sentence]) -> Vec<f64> {
        let mut expected = vec![0.0; model.pieces.len()];
        for (s, n) in sentences {
            model.lattice(s).populate_marginal(*n as f64, &mut expected);
        }
        expected
    }

    /// Keeps pieces expected ≥ 0.5 times, scored `digamma(count) - digamma(total)`
    /// (Hugging Face `run_m_step`, the Bayesian EM of SentencePiece).
    fn m_step(&self, pieces: &[(String, f64)], expected: &[f64]) -> Vec<(String, f64)> {
        let mut out = vec![(pieces[0].0.clone(), f64::NAN)];
        let mut sum = 0.0;
        for ((p, _), &f) in pieces.iter().zip(expected).skip(1) {
            if f < 0.5 {
                continue;
            }
            out.push((p.clone(), f));
            sum += f;
        }
        let logsum = digamma(sum);
        for p in out.iter_mut().skip(1) {
            p.1 = digamma(p.1) - logsum;
        }
        out
    }

    /// Drops the pieces whose removal costs the least likelihood, keeping
    /// `max(1.1 × vocab_size, shrinking_factor × pieces)` (Hugging Face
    /// `prune_sentence_pieces`, including its use of the number of pieces where
    /// SentencePiece uses the number of alternatives).
    fn prune(&self, model: &Model, sentences: &[Sentence]) -> Vec<(String, f64)> {
        let pieces = &model.pieces;
        let np = pieces.len();
        let mut always_keep = vec![true; np];
        let mut alternatives: Vec<Vec<usize>> = vec![Vec::new(); np];
        always_keep[0] = false;
        for (id, (piece, _)) in pieces.iter().enumerate().skip(1) {
            let best = model.lattice(piece).two_best();
            if best.len() == 1 {
                always_keep[id] = true;
            } else if best[0].len() >= 2 {
                always_keep[id] = false;
            } else if best[0].len() == 1 {
                always_keep[id] = true;
                alternatives[id] = best[1].clone();
            }
        }
        let mut vsum = 0.0;
        let mut freq = vec![0.0f64; np];
        let mut inverted: Vec<Vec<usize>> = vec![Vec::new(); np];
        for (i, (s, n)) in sentences.iter().enumerate() {
            vsum += *n as f64;
            for id in model.lattice(s).viterbi() {
                freq[id] += *n as f64;
                inverted[id].push(i);
            }
        }
        let sum: f64 = freq.iter().sum();
        let logsum = sum.ln();
        let mut candidates: Vec<(usize, f64)> = Vec::new();
        let mut kept = vec![pieces[0].clone()];
        for (id, piece) in pieces.iter().enumerate().skip(1) {
            if freq[id] == 0.0 && !always_keep[id] {
                continue;
            }
            if alternatives[id].is_empty() {
                kept.push(piece.clone());
                continue;
            }
            let f: f64 = inverted[id].iter().map(|&i| sentences[i].1 as f64).sum();
            if f == 0.0 || f.is_nan() {
                continue;
            }
            let f = f / vsum;
            let logprob_sp = freq[id].ln() - logsum;
            let logsum_alt = (sum + freq[id] * (np - 1) as f64).ln();
            let logprob_alt: f64 = alternatives[id]
                .iter()
                .map(|&a| (freq[a] + freq[id]).ln() - logsum_alt)
                .sum();
            candidates.push((id, f * (logprob_sp - logprob_alt)));
        }
        let desired = self.vocab_size * 11 / 10;
        let pruned = desired.max((np as f64 * self.shrinking_factor) as usize);
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (id, _) in candidates {
            if kept.len() == pruned {
                break;
            }
            kept.push(pieces[id].clone());
        }
        kept
    }

    /// Required characters first (their trained score, or the lowest score plus 0.0001 per
    /// missing one, in code-point order), then the trained pieces until `vocab_size` minus
    /// the special tokens (and the unknown piece when it is not one of them), sorted
    /// by score (stable), behind the special tokens and the unknown piece (Hugging Face
    /// `finalize`).
    fn finalize(&self, model: &Model, required: Vec<char>) -> Result<Unigram> {
        let unk_special = self
            .special_tokens
            .iter()
            .position(|t| *t == self.unk_token);
        let reserved = self.special_tokens.len() + usize::from(unk_special.is_none());
        let target = self.vocab_size.saturating_sub(reserved);
        let existing: FxHashMap<&str, f64> =
            model.pieces.iter().map(|(p, s)| (p.as_str(), *s)).collect();
        let mut inserted: FxHashSet<String> = FxHashSet::default();
        inserted.insert(model.pieces[0].0.clone());
        let mut pieces: Vec<(String, f64)> = Vec::new();
        let mut penalty = 0.0;
        for c in required {
            let c = c.to_string();
            let score = match existing.get(c.as_str()) {
                Some(&s) => s,
                None => {
                    let s = model.min_score + penalty;
                    penalty += 0.0001;
                    s
                }
            };
            inserted.insert(c.clone());
            pieces.push((c, score));
        }
        for (p, s) in &model.pieces {
            if !inserted.insert(p.clone()) {
                continue;
            }
            pieces.push((p.clone(), if s.is_nan() { 0.0 } else { *s }));
            if pieces.len() == target {
                break;
            }
        }
        pieces.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut vocab: Vec<(String, f64)> = self
            .special_tokens
            .iter()
            .map(|t| (t.clone(), 0.0))
            .collect();
        let unk_id = match unk_special {
            Some(i) => i,
            None => {
                vocab.insert(0, (self.unk_token.clone(), 0.0));
                0
            }
        };
        vocab.extend(pieces);
        Unigram::new(vocab, unk_id, false)
    }

    /// Learns a Unigram model from `word → count` (Hugging Face `UnigramTrainer.train` after
    /// `feed`); words are taken in sorted order, so the result is deterministic.
    pub fn train_words(&self, word_counts: &FxHashMap<String, u64>) -> Result<Unigram> {
        self.check()?;
        let mut sentences: Vec<Sentence> =
            word_counts.iter().map(|(w, &n)| (w.clone(), n)).collect();
        sentences.sort_unstable();
        let mut required: Vec<char> = sentences
            .iter()
            .flat_map(|(s, _)| s.chars())
            .chain(self.initial_alphabet.iter().copied())
            .collect();
        required.sort_unstable();
        required.dedup();

        let mut pieces = vec![("<UNK>".to_string(), f64::NAN)];
        pieces.extend(self.seeds(&sentences));
        let desired = self.vocab_size * 11 / 10;
        let mut model = Model::new(pieces);
        loop {
            for _ in 0..self.n_sub_iterations {
                let expected = self.e_step(&model, &sentences);
                model = Model::new(self.m_step(&model.pieces, &expected));
            }
            if model.pieces.len() <= desired {
                break;
            }
            model = Model::new(self.prune(&model, &sentences));
        }
        self.finalize(&model, required)
    }
}

/// The internal nodes of the suffix tree of `text` as `(start, length, occurrences)`: the
/// substrings occurring at ≥ 2 positions whose occurrences are not all followed by the
/// same character (what `esaxx` enumerates, via a suffix array and its LCP array).
fn repeated_substrings(text: &[char]) -> Vec<(usize, usize, usize)> {
    let n = text.len();
    let mut sa: Vec<usize> = (0..n).collect();
    sa.sort_unstable_by(|&a, &b| text[a..].cmp(&text[b..]));
    // Kasai's LCP: lcp[i] = common prefix of suffixes sa[i-1] and sa[i].
    let mut rank = vec![0usize; n];
    for (i, &s) in sa.iter().enumerate() {
        rank[s] = i;
    }
    let mut lcp = vec![0usize; n];
    let mut h = 0usize;
    for i in 0..n {
        if rank[i] > 0 {
            let j = sa[rank[i] - 1];
            while i + h < n && j + h < n && text[i + h] == text[j + h] {
                h += 1;
            }
            lcp[rank[i]] = h;
            h = h.saturating_sub(1);
        } else {
            h = 0;
        }
    }
    // LCP intervals: a stack of (left bound, depth).
    let mut out = Vec::new();
    let mut stack: Vec<(usize, usize)> = vec![(0, 0)];
    for (i, &h) in lcp.iter().chain(std::iter::once(&0)).enumerate().skip(1) {
        let mut lb = i - 1;
        while let Some(&(l, d)) = stack.last() {
            if d <= h {
                break;
            }
            stack.pop();
            out.push((sa[l], d, i - l));
            lb = l;
        }
        if stack.last().is_none_or(|&(_, d)| d < h) {
            stack.push((lb, h));
        }
    }
    out
}
