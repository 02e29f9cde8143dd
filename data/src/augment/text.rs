//! EDA token-list augmentation (Wei & Zou 2019, "EDA: Easy Data Augmentation Techniques
//! for Boosting Performance on Text Classification Tasks"): random deletion, swap,
//! insertion and synonym replacement from a caller-given synonym map.
//!
//! Tokens may be words (`String`) or ids (`i64`); everything is seeded by the generator.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use kiln_tensor::Generator;

use super::Transform;
use crate::rng::{below, shuffle};

/// Drops each token with probability `p`; keeps one random token when all would go, and
/// returns a single-token list unchanged (EDA's `random_deletion`).
pub fn random_deletion<T: Clone>(tokens: &[T], p: f64, rng: &mut Generator) -> Vec<T> {
    if tokens.len() <= 1 {
        return tokens.to_vec();
    }
    let kept: Vec<T> = tokens
        .iter()
        .filter(|_| rng.uniform() >= p)
        .cloned()
        .collect();
    if kept.is_empty() {
        return vec![tokens[below(rng, tokens.len())].clone()];
    }
    kept
}

/// Swaps two random positions, `n` times (EDA's `random_swap`).
pub fn random_swap<T: Clone>(tokens: &[T], n: usize, rng: &mut Generator) -> Vec<T> {
    let mut out = tokens.to_vec();
    if out.len() < 2 {
        return out;
    }
    for _ in 0..n {
        let i = below(rng, out.len());
        let j = below(rng, out.len());
        out.swap(i, j);
    }
    out
}

/// Inserts, `n` times, a random synonym of a random token that has synonyms at a random
/// position (EDA's `random_insertion`). Tokens without synonyms are never chosen; when no
/// token has one the list is returned unchanged.
pub fn random_insertion<T: Clone + Eq + Hash>(
    tokens: &[T],
    n: usize,
    synonyms: &HashMap<T, Vec<T>>,
    rng: &mut Generator,
) -> Vec<T> {
    let mut out = tokens.to_vec();
    for _ in 0..n {
        let candidates: Vec<&Vec<T>> = out
            .iter()
            .filter_map(|t| synonyms.get(t).filter(|s| !s.is_empty()))
            .collect();
        if candidates.is_empty() {
            break;
        }
        let options = candidates[below(rng, candidates.len())];
        let synonym = options[below(rng, options.len())].clone();
        let at = below(rng, out.len() + 1);
        out.insert(at, synonym);
    }
    out
}

/// Replaces up to `n` distinct tokens that have synonyms, every occurrence of each, by one
/// random synonym (EDA's `synonym_replacement`); chosen in a random order.
pub fn synonym_replacement<T: Clone + Eq + Hash>(
    tokens: &[T],
    n: usize,
    synonyms: &HashMap<T, Vec<T>>,
    rng: &mut Generator,
) -> Vec<T> {
    let mut distinct: Vec<T> = Vec::new();
    for t in tokens {
        if synonyms.get(t).is_some_and(|s| !s.is_empty()) && !distinct.contains(t) {
            distinct.push(t.clone());
        }
    }
    shuffle(&mut distinct, rng);
    let mut out = tokens.to_vec();
    for word in distinct.into_iter().take(n) {
        let options = &synonyms[&word];
        let synonym = options[below(rng, options.len())].clone();
        for t in out.iter_mut().filter(|t| **t == word) {
            *t = synonym.clone();
        }
    }
    out
}

/// [`random_deletion`] as a transform.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RandomDeletion {
    /// Probability of deleting each token.
    pub p: f64,
}

impl<T: Clone + Send + Sync> Transform<Vec<T>> for RandomDeletion {
    fn apply(&self, tokens: Vec<T>, rng: &mut Generator) -> Vec<T> {
        random_deletion(&tokens, self.p, rng)
    }
}

/// [`random_swap`] as a transform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RandomSwap {
    /// Number of swaps.
    pub n: usize,
}

impl<T: Clone + Send + Sync> Transform<Vec<T>> for RandomSwap {
    fn apply(&self, tokens: Vec<T>, rng: &mut Generator) -> Vec<T> {
        random_swap(&tokens, self.n, rng)
    }
}

/// [`random_insertion`] as a transform.
#[derive(Clone, Debug)]
pub struct RandomInsertion<T> {
    /// Number of insertions.
    pub n: usize,
    /// Synonyms of each token.
    pub synonyms: Arc<HashMap<T, Vec<T>>>,
}

impl<T: Clone + Eq + Hash + Send + Sync> Transform<Vec<T>> for RandomInsertion<T> {
    fn apply(&self, tokens: Vec<T>, rng: &mut Generator) -> Vec<T> {
        random_insertion(&tokens, self.n, &self.synonyms, rng)
    }
}

/// [`synonym_replacement`] as a transform.
#[derive(Clone, Debug)]
pub struct SynonymReplacement<T> {
    /// Number of distinct tokens to replace.
    pub n: usize,
    /// Synonyms of each token.
    pub synonyms: Arc<HashMap<T, Vec<T>>>,
}

impl<T: Clone + Eq + Hash + Send + Sync> Transform<Vec<T>> for SynonymReplacement<T> {
    fn apply(&self, tokens: Vec<T>, rng: &mut Generator) -> Vec<T> {
        synonym_replacement(&tokens, self.n, &self.synonyms, rng)
    }
}
