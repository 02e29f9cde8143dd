//! The fast path for learning word n-grams: tokens are interned once, an
//! n-gram becomes an integer packing the sort ranks of its tokens, and the
//! integers sort in the same order as scikit-learn's joined strings, so the
//! vocabulary is found by one parallel integer sort without building a
//! string per n-gram.
//!
//! Why the order is the same: an n-gram string is its tokens joined by
//! `' '`. When no token contains a byte `<= b' '`, comparing two joined
//! strings is comparing their token sequences lexicographically (a token
//! that is a prefix of another is followed by `' '` or the end, both below
//! any byte of the longer token), which is what comparing packed ranks does
//! (rank 0 = no token, so shorter n-grams come first). Corpora with such
//! tokens (custom patterns or tokenizers) take the string path instead.

use rayon::prelude::*;

use super::analyzer::Analysis;
use super::counts::{CountBlock, Learned, doc_blocks};
use super::interner::Interner;
use super::vocabulary::Vocabulary;

/// An n-gram packed as `max_n` fields of `bits` bits, first token highest.
trait PackedKey: Copy + Ord + Send + Sync + 'static {
    const ZERO: Self;
    fn push(self, bits: u32, field: u32) -> Self;
    fn field(self, shift: u32, mask: u32) -> u32;
}

impl PackedKey for u64 {
    const ZERO: Self = 0;
    #[inline]
    fn push(self, bits: u32, field: u32) -> Self {
        (self << bits) | u64::from(field)
    }
    fn field(self, shift: u32, mask: u32) -> u32 {
        (self >> shift) as u32 & mask
    }
}

impl PackedKey for u128 {
    const ZERO: Self = 0;
    #[inline]
    fn push(self, bits: u32, field: u32) -> Self {
        (self << bits) | u128::from(field)
    }
    fn field(self, shift: u32, mask: u32) -> u32 {
        (self >> shift) as u32 & mask
    }
}

/// Tokens of one block: block-local ids of the non-stop tokens per document.
struct TokenBlock {
    dict: Interner,
    stop: Vec<bool>,
    seq: Vec<u32>,
    ptr: Vec<usize>,
}

/// Learns word n-grams; `None` when the fast path does not apply (a token
/// with a byte `<= b' '`, or n-grams too long to pack in 128 bits).
pub(crate) fn fit_words<D: AsRef<str> + Sync>(
    analysis: &Analysis<'_>,
    docs: &[D],
) -> Option<Learned> {
    let tokens: Vec<TokenBlock> = doc_blocks(docs.len())
        .into_par_iter()
        .map(|range| {
            let mut b = TokenBlock {
                dict: Interner::default(),
                stop: Vec::new(),
                seq: Vec::new(),
                ptr: vec![0],
            };
            for doc in &docs[range] {
                let text = analysis.preprocess(doc.as_ref());
                analysis.for_each_token(&text, |t| {
                    let (id, new) = b.dict.intern(t);
                    if new {
                        b.stop.push(analysis.is_stop_word(t));
                    }
                    if !b.stop[id as usize] {
                        b.seq.push(id);
                    }
                });
                b.ptr.push(b.seq.len());
            }
            b
        })
        .collect();

    // Global token dictionary, then sort ranks (1-based; 0 = no token).
    let mut global = Interner::default();
    let to_global: Vec<Vec<u32>> = tokens
        .iter()
        .map(|b| {
            b.dict
                .iter()
                .zip(&b.stop)
                .map(|(t, &stop)| if stop { u32::MAX } else { global.intern(t).0 })
                .collect()
        })
        .collect();
    if global.iter().any(|t| t.bytes().any(|b| b <= b' ')) {
        return None;
    }
    let mut order: Vec<u32> = (0..global.len() as u32).collect();
    order.par_sort_unstable_by(|&a, &b| global.get(a).cmp(global.get(b)));
    let mut rank = vec![0u32; order.len()];
    for (r, &g) in order.iter().enumerate() {
        rank[g as usize] = r as u32 + 1;
    }
    let to_rank: Vec<Vec<u32>> = to_global
        .iter()
        .map(|m| {
            m.iter()
                .map(|&g| if g == u32::MAX { 0 } else { rank[g as usize] })
                .collect()
        })
        .collect();
    drop(to_global);

    let bits = (32 - (global.len() as u32).leading_zeros()).max(1);
    let max_n = analysis.ngram_range().1 as u32;
    let sorted_tokens = SortedTokens {
        dict: global,
        order,
        bits,
        max_n,
    };
    if u64::from(max_n) * u64::from(bits) <= 64 {
        Some(learn::<u64>(analysis, &tokens, &to_rank, sorted_tokens))
    } else if u64::from(max_n) * u64::from(bits) <= 128 {
        Some(learn::<u128>(analysis, &tokens, &to_rank, sorted_tokens))
    } else {
        None
    }
}

/// The token dictionary and how keys are laid out, for naming features.
struct SortedTokens {
    dict: Interner,
    order: Vec<u32>,
    bits: u32,
    max_n: u32,
}

impl SortedTokens {
    /// Appends the n-gram string of `key` to `out`.
    fn decode<K: PackedKey>(&self, key: K, out: &mut String) {
        let mask = ((1u64 << self.bits) - 1) as u32;
        for j in 0..self.max_n {
            let r = key.field(self.bits * (self.max_n - 1 - j), mask);
            if r == 0 {
                break;
            }
            if j > 0 {
                out.push(' ');
            }
            out.push_str(self.dict.get(self.order[r as usize - 1]));
        }
    }
}

fn learn<K: PackedKey>(
    analysis: &Analysis<'_>,
    tokens: &[TokenBlock],
    to_rank: &[Vec<u32>],
    names: SortedTokens,
) -> Learned {
    let (min_n, max_n) = analysis.ngram_range();
    let bits = names.bits;
    // Per document: the packed keys of all its n-grams, sorted and counted.
    let keyed: Vec<(Vec<K>, CountBlock)> = tokens
        .par_iter()
        .zip(to_rank)
        .map(|(b, ranks)| {
            let mut keys = Vec::new();
            let mut block = CountBlock::with_rows(b.ptr.len() - 1);
            let mut doc_keys = Vec::new();
            let mut r = Vec::new();
            for w in b.ptr.windows(2) {
                r.clear();
                r.extend(b.seq[w[0]..w[1]].iter().map(|&id| ranks[id as usize]));
                doc_keys.clear();
                for n in min_n..=max_n.min(r.len()) {
                    for gram in r.windows(n) {
                        let mut k = K::ZERO;
                        for j in 0..max_n {
                            k = k.push(bits, gram.get(j).copied().unwrap_or(0));
                        }
                        doc_keys.push(k);
                    }
                }
                doc_keys.sort_unstable();
                for run in doc_keys.chunk_by(|a, b| a == b) {
                    keys.push(run[0]);
                    block.counts.push(run.len() as u32);
                }
                block.ptr.push(keys.len());
            }
            (keys, block)
        })
        .collect();

    // The vocabulary: every distinct key, in string order. Sorting each
    // (key, position) pair once gives both the sorted distinct keys and the
    // column of every entry (a scatter), without a cache-missing binary
    // search per entry.
    let total: usize = keyed.iter().map(|(k, _)| k.len()).sum();
    let mut pairs: Vec<(K, usize)> = Vec::with_capacity(total);
    for (keys, _) in &keyed {
        let base = pairs.len();
        pairs.extend(keys.iter().enumerate().map(|(i, &k)| (k, base + i)));
    }
    pairs.par_sort_unstable();
    let mut all_cols = vec![0u32; total];
    let mut features: Vec<K> = Vec::new();
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        let col = features.len() as u32;
        features.push(run[0].0);
        for &(_, pos) in run {
            all_cols[pos] = col;
        }
    }
    drop(pairs);

    let mut base = 0;
    let blocks: Vec<CountBlock> = keyed
        .into_iter()
        .map(|(keys, mut block)| {
            block.cols = all_cols[base..base + keys.len()].to_vec();
            base += keys.len();
            block
        })
        .collect();
    drop(all_cols);

    let n_features = features.len();
    let names = Box::new(move |kept: Option<&[u32]>| {
        let pick: Vec<K> = match kept {
            Some(cols) => cols.iter().map(|&c| features[c as usize]).collect(),
            None => features,
        };
        let parts: Vec<(String, Vec<usize>)> = pick
            .par_chunks(1 << 14)
            .map(|chunk| {
                let mut text = String::new();
                let mut ends = Vec::with_capacity(chunk.len());
                for &k in chunk {
                    names.decode(k, &mut text);
                    ends.push(text.len());
                }
                (text, ends)
            })
            .collect();
        let mut text = String::with_capacity(parts.iter().map(|p| p.0.len()).sum());
        let mut ends = Vec::with_capacity(pick.len());
        for (t, e) in parts {
            let base = text.len();
            text.push_str(&t);
            ends.extend(e.iter().map(|&x| base + x));
        }
        Vocabulary::from_arena(text, ends)
    });
    Learned {
        blocks,
        n_features,
        names,
    }
}
