//! `Vocabulary`: the term → column mapping (scikit-learn `vocabulary_`).

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::OnceLock;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use super::error::VectorizerError;

/// Terms in column order, stored in one string buffer, with a hash index
/// from term to column built on first lookup.
///
/// A fitted vocabulary is in scikit-learn's order (sorted by code point,
/// which is byte order in UTF-8); a fixed one keeps the order it was given.
#[derive(Clone, Default)]
pub struct Vocabulary {
    text: String,
    ends: Vec<usize>,
    index: OnceLock<HashTable<u32>>,
}

impl Vocabulary {
    /// A fixed vocabulary from terms in column order (scikit-learn
    /// `vocabulary=` given an iterable). Duplicates and emptiness are errors.
    pub fn from_terms<I, S>(terms: I) -> Result<Self, VectorizerError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut v = Self::default();
        for t in terms {
            v.push(t.as_ref());
        }
        v.check_fixed()?;
        Ok(v)
    }

    /// A fixed vocabulary from `(term, column)` pairs (scikit-learn
    /// `vocabulary=` given a mapping): the columns must be exactly `0..len`.
    pub fn from_mapping<I, S>(pairs: I) -> Result<Self, VectorizerError>
    where
        I: IntoIterator<Item = (S, usize)>,
        S: AsRef<str>,
    {
        let pairs: Vec<(S, usize)> = pairs.into_iter().collect();
        let size = pairs.len();
        let mut slots: Vec<Option<&str>> = vec![None; size];
        let mut repeated = false;
        for (term, i) in &pairs {
            match slots.get_mut(*i) {
                Some(slot @ None) => *slot = Some(term.as_ref()),
                Some(Some(_)) => repeated = true,
                None => {}
            }
        }
        if repeated {
            return Err(VectorizerError::RepeatedIndices);
        }
        if let Some(index) = slots.iter().position(Option::is_none) {
            return Err(VectorizerError::MissingIndex { size, index });
        }
        Self::from_terms(slots.into_iter().flatten())
    }

    /// Internal: terms already unique (a fitted vocabulary).
    pub(crate) fn from_unique_terms<'a>(terms: impl IntoIterator<Item = &'a str>) -> Self {
        let mut v = Self::default();
        for t in terms {
            v.push(t);
        }
        v
    }

    /// Internal: terms already unique, concatenated in `text` ending at `ends`.
    pub(crate) fn from_arena(text: String, ends: Vec<usize>) -> Self {
        debug_assert!(
            ends.windows(2).all(|w| w[0] <= w[1]) && ends.last().is_none_or(|&e| e == text.len())
        );
        Self {
            text,
            ends,
            index: OnceLock::new(),
        }
    }

    /// Internal: the terms at the given columns, in that order.
    pub(crate) fn select(&self, columns: &[u32]) -> Self {
        Self::from_unique_terms(columns.iter().map(|&c| self.term(c as usize)))
    }

    fn push(&mut self, term: &str) {
        self.text.push_str(term);
        self.ends.push(self.text.len());
    }

    /// Checks a user-given vocabulary: non-empty, no duplicate term.
    fn check_fixed(&self) -> Result<(), VectorizerError> {
        if self.is_empty() {
            return Err(VectorizerError::EmptyFixedVocabulary);
        }
        if u32::try_from(self.len()).is_err() {
            return Err(VectorizerError::TooLarge(format!("{} terms", self.len())));
        }
        let index = self.index();
        if index.len() != self.len() {
            let dup = (0..self.len()).find(|&i| self.get(self.term(i)) != Some(i));
            return Err(VectorizerError::DuplicateTerm(
                dup.map_or(String::new(), |i| self.term(i).into()),
            ));
        }
        Ok(())
    }

    /// Number of terms (= number of columns).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there is no term.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The term of column `i`. Panics if `i >= len()`.
    pub fn term(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// The column of `term`, if it is in the vocabulary (`vocabulary_.get(term)`).
    pub fn get(&self, term: &str) -> Option<usize> {
        let hash = FxBuildHasher.hash_one(term);
        self.index()
            .find(hash, |&i| self.term(i as usize) == term)
            .map(|&i| i as usize)
    }

    /// Terms in column order (scikit-learn `get_feature_names_out()`).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.term(i))
    }

    /// Terms in column order, owned (scikit-learn `get_feature_names_out()`).
    pub fn feature_names(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }

    /// The mapping term → column (scikit-learn `vocabulary_`).
    pub fn to_hash_map(&self) -> HashMap<String, usize> {
        self.iter()
            .enumerate()
            .map(|(i, t)| (t.to_string(), i))
            .collect()
    }

    /// The hash index, built once; a duplicated term keeps its first column.
    fn index(&self) -> &HashTable<u32> {
        self.index.get_or_init(|| {
            let mut table = HashTable::with_capacity(self.len());
            for i in 0..self.len() {
                let term = self.term(i);
                let hash = FxBuildHasher.hash_one(term);
                if table
                    .find(hash, |&j| self.term(j as usize) == term)
                    .is_none()
                {
                    table.insert_unique(hash, i as u32, |&j| {
                        FxBuildHasher.hash_one(self.term(j as usize))
                    });
                }
            }
            table
        })
    }
}

impl PartialEq for Vocabulary {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.ends == other.ends
    }
}

impl std::fmt::Debug for Vocabulary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown: Vec<&str> = self.iter().take(8).collect();
        write!(f, "Vocabulary(len={}, first={shown:?})", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_vocabularies() {
        let v = Vocabulary::from_terms(["b", "a", "ab"]).unwrap();
        assert_eq!(
            (v.len(), v.get("a"), v.get("ab"), v.get("x")),
            (3, Some(1), Some(2), None)
        );
        assert_eq!(v.feature_names(), ["b", "a", "ab"]);
        assert_eq!(
            Vocabulary::from_terms(["a", "b", "a"]),
            Err(VectorizerError::DuplicateTerm("a".into()))
        );
        assert_eq!(
            Vocabulary::from_terms(Vec::<String>::new()),
            Err(VectorizerError::EmptyFixedVocabulary)
        );
        let m = Vocabulary::from_mapping([("x", 1), ("y", 0)]).unwrap();
        assert_eq!(m.feature_names(), ["y", "x"]);
        assert_eq!(
            Vocabulary::from_mapping([("x", 0), ("y", 0)]),
            Err(VectorizerError::RepeatedIndices)
        );
        assert_eq!(
            Vocabulary::from_mapping([("x", 0), ("y", 2)]),
            Err(VectorizerError::MissingIndex { size: 2, index: 1 })
        );
    }
}
