//! [`PieceTrie`]: a byte trie over the pieces for the common-prefix walks of the Viterbi pass
//! (the role of Hugging Face's `models::unigram::trie::Trie<u8>`).

use rustc_hash::FxHashMap;

/// A trie over the UTF-8 bytes of every piece. Each node stores the id of the piece that ends
/// there (the *last* id for a piece listed twice, as Hugging Face's `token_to_ids` map keeps).
///
/// Nodes live in one vector; the children of a node are a sorted run in `edges`, so a step is
/// a short binary search and the whole trie is two allocations plus a root table.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PieceTrie {
    /// Per node: `(first edge, number of edges, piece id or u32::MAX)`.
    nodes: Vec<(u32, u32, u32)>,
    /// `(label, child node)` sorted by label within each node's run.
    edges: Vec<(u8, u32)>,
    /// The root's 256 children by byte (`u32::MAX` when absent), the hottest lookups.
    root: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl PieceTrie {
    /// Builds the trie from `(piece, id)` in id order; a later duplicate overwrites the id.
    /// The empty piece is never matched (Hugging Face's trie never reports its root).
    pub(crate) fn build<'a>(pieces: impl Iterator<Item = (&'a str, u32)>) -> Self {
        // Build with hash maps, then freeze into sorted runs.
        let mut children: Vec<FxHashMap<u8, u32>> = vec![FxHashMap::default()];
        let mut ids: Vec<u32> = vec![NONE];
        for (piece, id) in pieces {
            if piece.is_empty() {
                continue;
            }
            let mut node = 0usize;
            for &b in piece.as_bytes() {
                let next = children.len() as u32;
                let child = *children[node].entry(b).or_insert(next);
                if child == next {
                    children.push(FxHashMap::default());
                    ids.push(NONE);
                }
                node = child as usize;
            }
            ids[node] = id;
        }
        let mut nodes = Vec::with_capacity(children.len());
        let mut edges = Vec::with_capacity(children.len());
        for (c, &id) in children.iter().zip(&ids) {
            let first = edges.len() as u32;
            let mut run: Vec<(u8, u32)> = c.iter().map(|(&b, &n)| (b, n)).collect();
            run.sort_unstable();
            edges.extend_from_slice(&run);
            nodes.push((first, run.len() as u32, id));
        }
        let mut root = vec![NONE; 256];
        for (b, n) in &children[0] {
            root[*b as usize] = *n;
        }
        PieceTrie { nodes, edges, root }
    }

    /// Calls `f(length, id)` for every piece that is a prefix of `bytes`, shortest first.
    #[inline]
    pub(crate) fn prefixes(&self, bytes: &[u8], mut f: impl FnMut(usize, u32)) {
        let Some((&first, rest)) = bytes.split_first() else {
            return;
        };
        let mut node = self.root[first as usize];
        if node == NONE {
            return;
        }
        let mut len = 1;
        loop {
            let (start, count, id) = self.nodes[node as usize];
            if id != NONE {
                f(len, id);
            }
            let Some(&b) = rest.get(len - 1) else {
                return;
            };
            let run = &self.edges[start as usize..(start + count) as usize];
            match run.binary_search_by_key(&b, |e| e.0) {
                Ok(i) => node = run[i].1,
                Err(_) => return,
            }
            len += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_prefix_shortest_first() {
        let t = PieceTrie::build(
            [
                ("a", 0),
                ("ab", 1),
                ("abc", 2),
                ("b", 3),
                ("", 4),
                ("ab", 5),
            ]
            .into_iter(),
        );
        let mut got = Vec::new();
        t.prefixes(b"abcd", |n, id| got.push((n, id)));
        assert_eq!(got, [(1, 0), (2, 5), (3, 2)]);
        got.clear();
        t.prefixes(b"", |n, id| got.push((n, id)));
        t.prefixes(b"x", |n, id| got.push((n, id)));
        assert!(got.is_empty());
    }
}
