//! Count rows of consecutive documents and what is done with them after
//! counting: document frequencies, scikit-learn's `_limit_features`, and
//! assembly of the final CSR matrix in parallel.

use std::ops::Range;

use rayon::prelude::*;

use super::config::VectorizerConfig;
use super::csr::CsrMatrix;
use super::error::VectorizerError;
use super::value::CountValue;
use super::vocabulary::Vocabulary;

/// Names the kept columns (all of them for `None`) once pruning is done.
pub(crate) type NameColumns = Box<dyn FnOnce(Option<&[u32]>) -> Vocabulary + Send>;

/// What fitting learned before pruning: the count rows over all features
/// (columns in scikit-learn's sorted order) and a function that names the
/// columns that are kept (all of them for `None`).
pub(crate) struct Learned {
    pub(crate) blocks: Vec<CountBlock>,
    pub(crate) n_features: usize,
    pub(crate) names: NameColumns,
}

impl Learned {
    /// From an already built vocabulary.
    pub(crate) fn from_vocabulary(vocabulary: Vocabulary, blocks: Vec<CountBlock>) -> Self {
        Self {
            blocks,
            n_features: vocabulary.len(),
            names: Box::new(move |kept| match kept {
                Some(cols) => vocabulary.select(cols),
                None => vocabulary,
            }),
        }
    }
}

/// Sparse counts of a block of consecutive documents: row `r` has the
/// strictly increasing columns `cols[ptr[r]..ptr[r + 1]]` with `counts`.
#[derive(Debug, Default)]
pub(crate) struct CountBlock {
    pub(crate) ptr: Vec<usize>,
    pub(crate) cols: Vec<u32>,
    pub(crate) counts: Vec<u32>,
}

impl CountBlock {
    /// An empty block with room for `rows` rows.
    pub(crate) fn with_rows(rows: usize) -> Self {
        let mut ptr = Vec::with_capacity(rows + 1);
        ptr.push(0);
        Self {
            ptr,
            cols: Vec::new(),
            counts: Vec::new(),
        }
    }

    /// Appends a row from unsorted column ids, one per occurrence
    /// (sorts `ids` in place).
    pub(crate) fn push_row_from_ids(&mut self, ids: &mut [u32]) {
        ids.sort_unstable();
        for run in ids.chunk_by(|a, b| a == b) {
            self.cols.push(run[0]);
            self.counts.push(run.len() as u32);
        }
        self.ptr.push(self.cols.len());
    }

    /// Number of rows.
    pub(crate) fn rows(&self) -> usize {
        self.ptr.len() - 1
    }
}

/// Splits `0..n` into blocks for parallel work: several per thread for balance.
pub(crate) fn doc_blocks(n: usize) -> Vec<Range<usize>> {
    let target = rayon::current_num_threads().max(1) * 4;
    let size = n.div_ceil(target).clamp(1, 2048);
    (0..n).step_by(size).map(|s| s..(s + size).min(n)).collect()
}

/// Number of documents containing each feature (scikit-learn `_document_frequency`).
pub(crate) fn document_frequency(blocks: &[CountBlock], n_features: usize) -> Vec<u32> {
    let mut df = vec![0u32; n_features];
    for b in blocks {
        for &c in &b.cols {
            df[c as usize] += 1;
        }
    }
    df
}

/// scikit-learn `_limit_features` (with the `max_df < min_df` check of
/// `fit_transform` before it). Returns the kept old columns in increasing
/// order, or `None` when every column is kept.
///
/// `max_features` keeps the most frequent terms over the corpus (sum of the
/// counts, of the 0/1 values when `binary`); scikit-learn breaks ties with
/// numpy's unstable `argsort`, whose choice depends on the CPU's SIMD sort,
/// so Kiln breaks them deterministically: the term that sorts first wins.
pub(crate) fn limit_features(
    config: &VectorizerConfig,
    blocks: &[CountBlock],
    n_features: usize,
    n_docs: usize,
) -> Result<Option<Vec<u32>>, VectorizerError> {
    let high = config.max_df.doc_count(n_docs);
    let low = config.min_df.doc_count(n_docs);
    if high < low {
        return Err(VectorizerError::MaxDfBelowMinDf {
            max_doc_count: high,
            min_doc_count: low,
        });
    }
    let df = document_frequency(blocks, n_features);
    let mut kept: Vec<u32> = (0..n_features as u32)
        .filter(|&c| {
            let d = f64::from(df[c as usize]);
            d <= high && d >= low
        })
        .collect();
    if let Some(limit) = config.max_features
        && kept.len() > limit
    {
        let mut tf = vec![0u64; n_features];
        for b in blocks {
            for (&c, &n) in b.cols.iter().zip(&b.counts) {
                tf[c as usize] += if config.binary { 1 } else { u64::from(n) };
            }
        }
        let order = |a: &u32, b: &u32| tf[*b as usize].cmp(&tf[*a as usize]).then(a.cmp(b));
        kept.select_nth_unstable_by(limit - 1, order);
        kept.truncate(limit);
        kept.sort_unstable();
    }
    if kept.is_empty() {
        return Err(VectorizerError::NoTermsRemain);
    }
    Ok((kept.len() < n_features).then_some(kept))
}

/// Renumbers columns to the kept ones (increasing, so rows stay sorted) and
/// drops the others, in parallel over blocks.
pub(crate) fn keep_columns(blocks: &mut [CountBlock], kept: &[u32], n_features: usize) {
    let mut remap = vec![u32::MAX; n_features];
    for (new, &old) in kept.iter().enumerate() {
        remap[old as usize] = new as u32;
    }
    blocks.par_iter_mut().for_each(|b| {
        let mut w = 0;
        let mut start = 0;
        for r in 0..b.rows() {
            let end = b.ptr[r + 1];
            for i in start..end {
                let c = remap[b.cols[i] as usize];
                if c != u32::MAX {
                    b.cols[w] = c;
                    b.counts[w] = b.counts[i];
                    w += 1;
                }
            }
            start = end;
            b.ptr[r + 1] = w;
        }
        b.cols.truncate(w);
        b.counts.truncate(w);
    });
}

/// Assembles the CSR matrix: `value(count)` per entry, then `finish(cols,
/// values)` per row (TF-IDF weighting), in parallel over blocks, writing
/// straight into the output arrays.
pub(crate) fn assemble<T, V, F>(
    blocks: &[CountBlock],
    n_cols: usize,
    value: V,
    finish: F,
) -> CsrMatrix<T>
where
    T: CountValue,
    V: Fn(u32) -> T + Sync,
    F: Fn(&[u32], &mut [T]) + Sync,
{
    let n_rows: usize = blocks.iter().map(CountBlock::rows).sum();
    let nnz: usize = blocks.iter().map(|b| b.cols.len()).sum();
    let mut indptr = Vec::with_capacity(n_rows + 1);
    indptr.push(0);
    let mut base = 0;
    for b in blocks {
        indptr.extend(b.ptr[1..].iter().map(|&p| base + p));
        base += b.cols.len();
    }
    let mut indices = vec![0u32; nnz];
    let mut data = vec![T::ZERO; nnz];
    let mut parts = Vec::with_capacity(blocks.len());
    let (mut idx_rest, mut data_rest) = (indices.as_mut_slice(), data.as_mut_slice());
    for b in blocks {
        let (i, ir) = idx_rest.split_at_mut(b.cols.len());
        let (d, dr) = data_rest.split_at_mut(b.cols.len());
        parts.push((b, i, d));
        (idx_rest, data_rest) = (ir, dr);
    }
    parts.into_par_iter().for_each(|(b, idx, vals)| {
        idx.copy_from_slice(&b.cols);
        for (v, &n) in vals.iter_mut().zip(&b.counts) {
            *v = value(n);
        }
        for r in 0..b.rows() {
            let span = b.ptr[r]..b.ptr[r + 1];
            finish(&idx[span.clone()], &mut vals[span]);
        }
    });
    CsrMatrix::from_parts_unchecked(n_cols, indptr, indices, data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectorizers::config::DocFrequency;

    fn block(rows: &[&[u32]]) -> CountBlock {
        let mut b = CountBlock::with_rows(rows.len());
        for r in rows {
            b.push_row_from_ids(&mut r.to_vec());
        }
        b
    }

    #[test]
    fn counting_pruning_and_assembly() {
        // docs: [0 0 1] [1 2] | [2 2 2 3]
        let mut blocks = vec![block(&[&[0, 1, 0], &[2, 1]]), block(&[&[2, 3, 2, 2]])];
        assert_eq!(document_frequency(&blocks, 4), [1, 2, 2, 1]);
        let cfg = VectorizerConfig {
            min_df: DocFrequency::Count(2),
            ..Default::default()
        };
        let kept = limit_features(&cfg, &blocks, 4, 3).unwrap().unwrap();
        assert_eq!(kept, [1, 2]);
        // max_features=1: tf = [2, 2, 4, 1] -> column 2; binary: df ties 1 vs 2 -> column 1.
        let cfg = VectorizerConfig {
            max_features: Some(1),
            ..Default::default()
        };
        assert_eq!(limit_features(&cfg, &blocks, 4, 3).unwrap().unwrap(), [2]);
        let cfg = VectorizerConfig {
            max_features: Some(1),
            binary: true,
            ..Default::default()
        };
        assert_eq!(limit_features(&cfg, &blocks, 4, 3).unwrap().unwrap(), [1]);
        let cfg = VectorizerConfig {
            min_df: DocFrequency::Count(3),
            ..Default::default()
        };
        assert_eq!(
            limit_features(&cfg, &blocks, 4, 3),
            Err(VectorizerError::NoTermsRemain)
        );
        keep_columns(&mut blocks, &kept, 4);
        let m = assemble(&blocks, 2, i64::from, |_, _| {});
        assert_eq!(m.to_dense(), [1, 0, 1, 1, 0, 3]);
    }
}
