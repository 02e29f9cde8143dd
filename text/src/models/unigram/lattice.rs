//! The segmentation lattice of one word used in Unigram training (Hugging Face
//! `models::unigram::lattice::Lattice`): every piece occurrence as a node, Viterbi, the 2-best
//! paths and the forward–backward marginals.

use super::UNK_PENALTY;
use super::trie::PieceTrie;

/// One piece occurrence: byte span, log probability and piece id.
#[derive(Clone, Copy)]
struct Node {
    score: f64,
    id: usize,
}

/// Nodes 0 (begin of word) and 1 (end of word) carry no piece.
pub(crate) struct Lattice {
    nodes: Vec<Node>,
    begin: Vec<Vec<usize>>,
    end: Vec<Vec<usize>>,
    len: usize,
}

const BOS: usize = 0;
const EOS: usize = 1;

/// `log(exp(x) + exp(y))`, returning `y` for the first term and ignoring a term more than 50
/// below the other, as Hugging Face's `log_sum_exp` does.
fn log_sum_exp(x: f64, y: f64, first: bool) -> f64 {
    if first {
        return y;
    }
    let (lo, hi) = if x > y { (y, x) } else { (x, y) };
    if hi > lo + 50.0 {
        hi
    } else {
        hi + ((lo - hi).exp() + 1.0).ln()
    }
}

impl Lattice {
    /// The lattice of `word` under `pieces` (id → score; id 0 is the unknown piece, never
    /// matched as text): each prefix found from every character start, shortest first, then
    /// the unknown piece at `min_score - 10` where no one-character piece starts (Hugging Face
    /// `Unigram::populate_nodes`).
    pub(crate) fn new(word: &str, trie: &PieceTrie, scores: &[f64], min_score: f64) -> Self {
        let len = word.len();
        let mut l = Lattice {
            nodes: Vec::with_capacity(2 + 2 * len),
            begin: vec![Vec::new(); len + 1],
            end: vec![Vec::new(); len + 1],
            len,
        };
        let edge = Node {
            score: 0.0,
            id: usize::MAX,
        };
        l.nodes.push(edge);
        l.nodes.push(edge);
        l.end[0].push(BOS);
        l.begin[len].push(EOS);
        let bytes = word.as_bytes();
        for (pos, c) in word.char_indices() {
            let mblen = c.len_utf8();
            let mut single = false;
            trie.prefixes(&bytes[pos..], |n, id| {
                l.insert(pos, n, scores[id as usize], id as usize);
                single |= n == mblen;
            });
            if !single {
                l.insert(pos, mblen, min_score - UNK_PENALTY, 0);
            }
        }
        l
    }

    fn insert(&mut self, pos: usize, len: usize, score: f64, id: usize) {
        let k = self.nodes.len();
        self.nodes.push(Node { score, id });
        self.begin[pos].push(k);
        self.end[pos + len].push(k);
    }

    /// The piece ids of the best path; ties go to the first node ending at a position
    /// (Hugging Face `Lattice::viterbi`).
    pub(crate) fn viterbi(&self) -> Vec<usize> {
        let mut best = vec![(0.0f64, usize::MAX); self.nodes.len()];
        for pos in 0..=self.len {
            for &r in &self.begin[pos] {
                let mut b: Option<(f64, usize)> = None;
                for &l in &self.end[pos] {
                    let s = best[l].0 + self.nodes[r].score;
                    if b.is_none_or(|(bs, _)| s > bs) {
                        b = Some((s, l));
                    }
                }
                match b {
                    Some(b) => best[r] = b,
                    None => return Vec::new(),
                }
            }
        }
        let mut out = Vec::new();
        let mut k = best[EOS].1;
        while k != BOS && k != usize::MAX {
            out.push(self.nodes[k].id);
            k = best[k].1;
        }
        out.reverse();
        out
    }

    /// The two best paths (piece ids), best first; one path when there is only one
    /// (Hugging Face `Lattice::nbest(2)`).
    pub(crate) fn two_best(&self) -> Vec<Vec<usize>> {
        // Per node: up to two (score, previous node, rank at the previous node).
        let mut top: Vec<Vec<(f64, usize, usize)>> = vec![Vec::new(); self.nodes.len()];
        top[BOS].push((0.0, usize::MAX, 0));
        for pos in 0..=self.len {
            for &r in &self.begin[pos] {
                let mut cand: Vec<(f64, usize, usize)> = Vec::new();
                for &l in &self.end[pos] {
                    for (rank, t) in top[l].iter().enumerate() {
                        cand.push((t.0 + self.nodes[r].score, l, rank));
                    }
                }
                cand.sort_by(|a, b| b.0.total_cmp(&a.0));
                cand.truncate(2);
                top[r] = cand;
            }
        }
        let mut paths = Vec::new();
        for rank in 0..top[EOS].len() {
            let mut out = Vec::new();
            let (mut k, mut rk) = (top[EOS][rank].1, top[EOS][rank].2);
            while k != BOS {
                out.push(self.nodes[k].id);
                let t = top[k][rk];
                k = t.1;
                rk = t.2;
            }
            out.reverse();
            paths.push(out);
        }
        paths
    }

    /// Adds `freq ×` each node's posterior probability to `expected[piece id]` and returns
    /// `freq ×` the log marginal likelihood of the word (Hugging Face
    /// `Lattice::populate_marginal`).
    pub(crate) fn populate_marginal(&self, freq: f64, expected: &mut [f64]) -> f64 {
        let n = self.nodes.len();
        let mut alpha = vec![0.0f64; n];
        let mut beta = vec![0.0f64; n];
        for pos in 0..=self.len {
            for &r in &self.begin[pos] {
                for (i, &l) in self.end[pos].iter().enumerate() {
                    alpha[r] = log_sum_exp(alpha[r], self.nodes[l].score + alpha[l], i == 0);
                }
            }
        }
        for pos in (0..=self.len).rev() {
            for &l in &self.end[pos] {
                for (i, &r) in self.begin[pos].iter().enumerate() {
                    beta[l] = log_sum_exp(beta[l], self.nodes[r].score + beta[r], i == 0);
                }
            }
        }
        let z = alpha[EOS];
        for pos in 0..self.len {
            for &k in &self.begin[pos] {
                let node = self.nodes[k];
                expected[node.id] += freq * (alpha[k] + node.score + beta[k] - z).exp();
            }
        }
        freq * z
    }
}
