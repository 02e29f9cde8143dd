//! [`Vocab`]: the token ⇄ id table shared by every model.

use crate::error::{Result, TextError};
use rustc_hash::FxHashMap;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::collections::HashMap;

/// Token strings by id plus the reverse map.
///
/// Ids need not be dense (Hugging Face accepts any id), but a table built from `token → id`
/// pairs ([`Vocab::from_pairs`]) keeps every id below [`Vocab::id_limit`]`(len)` =
/// `2 * len + 2^20`: the id-indexed table costs 16 bytes per slot, so a hostile file of a few
/// bytes (`{"a": 4000000000}`) cannot make us allocate gigabytes, while holes left by a
/// `vocab.txt` that repeats lines (up to a million of them) still load.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocab {
    by_id: Vec<Option<Box<str>>>,
    map: FxHashMap<Box<str>, u32>,
}

impl Vocab {
    /// Builds the table from `token → id` pairs; `field` names the source in errors.
    pub fn from_pairs<I: IntoIterator<Item = (String, u32)>>(
        pairs: I,
        field: &str,
    ) -> Result<Self> {
        let mut map: FxHashMap<Box<str>, u32> = FxHashMap::default();
        for (t, id) in pairs {
            map.insert(t.into_boxed_str(), id);
        }
        let limit = Self::id_limit(map.len());
        let mut by_id: Vec<Option<Box<str>>> = Vec::new();
        if let Some(max) = map.values().copied().max() {
            if u64::from(max) >= limit {
                return Err(TextError::config(
                    field,
                    format!("id {max} is far beyond the {} tokens", map.len()),
                ));
            }
            by_id.resize(max as usize + 1, None);
        }
        for (t, &id) in &map {
            by_id[id as usize] = Some(t.clone());
        }
        Ok(Vocab { by_id, map })
    }

    /// The bound every id of a table of `len` distinct tokens built by [`Vocab::from_pairs`]
    /// stays below: `2 * len + 2^20`.
    pub fn id_limit(len: usize) -> u64 {
        2 * len as u64 + (1 << 20)
    }

    /// Builds the table from the lines of a `vocab.txt`: the token on line `i` (0-based) gets
    /// id `i`, and a token that appears again on a later line takes that later id, leaving
    /// the earlier id unused, exactly as Hugging Face's `WordPiece::read_file` inserts each
    /// line into a `HashMap` (so `len()` counts distinct tokens and `id_bound()` the lines).
    /// Never fails: the table has one slot per line, so its size is bounded by the input's.
    pub fn from_lines<I: IntoIterator<Item = String>>(lines: I) -> Self {
        let mut v = Vocab::default();
        for t in lines {
            let id = v.by_id.len() as u32;
            let b = t.into_boxed_str();
            if let Some(old) = v.map.insert(b.clone(), id) {
                v.by_id[old as usize] = None;
            }
            v.by_id.push(Some(b));
        }
        v
    }

    /// Builds the table from tokens listed in id order (id = position).
    pub fn from_tokens<I: IntoIterator<Item = String>>(tokens: I) -> Self {
        let mut v = Vocab::default();
        for t in tokens {
            v.push(t);
        }
        v
    }

    /// Appends `token` with the next id (or returns its existing id).
    pub fn push(&mut self, token: String) -> u32 {
        if let Some(&id) = self.map.get(token.as_str()) {
            return id;
        }
        let id = self.by_id.len() as u32;
        let b = token.into_boxed_str();
        self.map.insert(b.clone(), id);
        self.by_id.push(Some(b));
        id
    }

    /// The id of `token`.
    #[inline]
    pub fn id(&self, token: &str) -> Option<u32> {
        self.map.get(token).copied()
    }

    /// The token with `id`.
    #[inline]
    pub fn token(&self, id: u32) -> Option<&str> {
        self.by_id.get(id as usize).and_then(|t| t.as_deref())
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// One past the largest id.
    pub fn id_bound(&self) -> usize {
        self.by_id.len()
    }

    /// The `token → id` map.
    pub fn map(&self) -> &FxHashMap<Box<str>, u32> {
        &self.map
    }

    /// `token → id` as a standard `HashMap` (Hugging Face `get_vocab`).
    pub fn to_hash_map(&self) -> HashMap<String, u32> {
        self.map.iter().map(|(k, &v)| (k.to_string(), v)).collect()
    }

    /// `(id, token)` pairs in id order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &str)> {
        self.by_id
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.as_deref().map(|t| (i as u32, t)))
    }
}

/// Serializes as a JSON object ordered by id, as Hugging Face writes vocabularies.
impl Serialize for Vocab {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.map.len()))?;
        for (id, t) in self.iter() {
            // Skip shadowed duplicates so the map stays a faithful inverse.
            if self.map.get(t) == Some(&id) {
                m.serialize_entry(t, &id)?;
            }
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_absurd_ids_and_orders_output() {
        assert!(Vocab::from_pairs([("a".to_string(), 4_000_000_000)], "vocab").is_err());
        assert!(Vocab::from_pairs([("a".to_string(), 1 << 21)], "vocab").is_err());
        assert!(Vocab::from_pairs([("a".to_string(), 3000)], "vocab").is_ok());
        let v = Vocab::from_pairs([("b".to_string(), 1), ("a".to_string(), 0)], "vocab").unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"a":0,"b":1}"#);
        assert_eq!(v.token(1), Some("b"));
        assert_eq!(v.id("a"), Some(0));
    }

    #[test]
    fn repeated_lines_take_the_later_id() {
        let v = Vocab::from_lines(["a", "b", "a", "", ""].map(String::from));
        assert_eq!(v.len(), 3);
        assert_eq!(v.id_bound(), 5);
        assert_eq!(v.id("a"), Some(2));
        assert_eq!(v.id(""), Some(4));
        assert_eq!(v.token(0), None);
        assert_eq!(v.token(2), Some("a"));
        let ids: Vec<u32> = v.iter().map(|(i, _)| i).collect();
        assert_eq!(ids, [1, 2, 4]);
        let again = Vocab::from_pairs(v.to_hash_map(), "vocab").unwrap();
        assert_eq!(again, v);
    }
}
