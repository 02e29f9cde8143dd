//! A string interner: distinct strings in one buffer, ids in first-seen order.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Maps strings to dense `u32` ids without one allocation per string.
#[derive(Default)]
pub(crate) struct Interner {
    text: String,
    ends: Vec<usize>,
    table: HashTable<u32>,
}

impl Interner {
    /// Number of distinct strings.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The string with id `i`.
    pub(crate) fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// The id of `s`, and whether it was new.
    #[inline]
    pub(crate) fn intern(&mut self, s: &str) -> (u32, bool) {
        let hash = FxBuildHasher.hash_one(s);
        let Self { text, ends, table } = self;
        let get = |i: u32| {
            let i = i as usize;
            &text[if i == 0 { 0 } else { ends[i - 1] }..ends[i]]
        };
        if let Some(&id) = table.find(hash, |&i| get(i) == s) {
            return (id, false);
        }
        let id = ends.len() as u32;
        table.insert_unique(hash, id, |&i| {
            let i = i as usize;
            FxBuildHasher.hash_one(&text[if i == 0 { 0 } else { ends[i - 1] }..ends[i]])
        });
        text.push_str(s);
        ends.push(text.len());
        (id, true)
    }

    /// Strings in id order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len() as u32).map(|i| self.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_first_seen_order() {
        let mut i = Interner::default();
        assert_eq!(i.intern("b"), (0, true));
        assert_eq!(i.intern(""), (1, true));
        assert_eq!(i.intern("b"), (0, false));
        assert_eq!(i.intern("ab"), (2, true));
        assert_eq!(i.iter().collect::<Vec<_>>(), ["b", "", "ab"]);
    }
}
