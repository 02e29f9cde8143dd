//! Learning a vocabulary from any analyzer's string features: intern per
//! block of documents in parallel, merge the block dictionaries, sort once.

use rayon::prelude::*;

use super::analyzer::{Analysis, Scratch};
use super::counts::{CountBlock, doc_blocks};
use super::interner::Interner;
use super::vocabulary::Vocabulary;

/// Counts of one block with block-local feature ids, and its dictionary.
struct LocalBlock {
    counts: CountBlock,
    dict: Interner,
}

/// Counts every feature of `docs`; returns the sorted vocabulary and the
/// count rows over it (columns sorted in each row).
pub(crate) fn fit_strings<D: AsRef<str> + Sync>(
    analysis: &Analysis<'_>,
    docs: &[D],
) -> (Vocabulary, Vec<CountBlock>) {
    let locals: Vec<LocalBlock> = doc_blocks(docs.len())
        .into_par_iter()
        .map(|range| {
            let mut dict = Interner::default();
            let mut counts = CountBlock::with_rows(range.len());
            let mut scratch = Scratch::default();
            let mut ids = Vec::new();
            for doc in &docs[range] {
                ids.clear();
                analysis
                    .for_each_feature(doc.as_ref(), &mut scratch, |f| ids.push(dict.intern(f).0));
                counts.push_row_from_ids(&mut ids);
            }
            LocalBlock { counts, dict }
        })
        .collect();

    // Merge dictionaries into global ids, then rank the global terms.
    let mut global = Interner::default();
    let to_global: Vec<Vec<u32>> = locals
        .iter()
        .map(|l| l.dict.iter().map(|t| global.intern(t).0).collect())
        .collect();
    let mut order: Vec<u32> = (0..global.len() as u32).collect();
    order.par_sort_unstable_by(|&a, &b| global.get(a).cmp(global.get(b)));
    let mut rank = vec![0u32; order.len()];
    for (r, &g) in order.iter().enumerate() {
        rank[g as usize] = r as u32;
    }
    let vocabulary = Vocabulary::from_unique_terms(order.iter().map(|&g| global.get(g)));

    let blocks = locals
        .into_par_iter()
        .zip(to_global)
        .map(|(local, map)| {
            let LocalBlock { counts: mut b, .. } = local;
            let mut pairs = Vec::new();
            for r in 0..b.rows() {
                let span = b.ptr[r]..b.ptr[r + 1];
                pairs.clear();
                pairs.extend(
                    b.cols[span.clone()]
                        .iter()
                        .zip(&b.counts[span.clone()])
                        .map(|(&c, &n)| (rank[map[c as usize] as usize], n)),
                );
                pairs.sort_unstable();
                for (i, &(c, n)) in span.zip(&pairs) {
                    b.cols[i] = c;
                    b.counts[i] = n;
                }
            }
            b
        })
        .collect();
    (vocabulary, blocks)
}
