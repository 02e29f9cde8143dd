//! `random_split`: disjoint random subsets of given lengths (`torch.utils.data.random_split`).

use super::SplitError;
use crate::dataset::{Dataset, Subset};
use crate::rng::permutation;
use kiln_tensor::Generator;

/// How `random_split` sizes its parts.
#[derive(Clone, Debug, PartialEq)]
pub enum SplitLengths {
    /// Exact item counts; they must add up to the dataset length.
    Counts(Vec<usize>),
    /// Fractions that add up to 1 (within 1e-9). Each part gets `floor(n * f)` items and the
    /// remaining items go one each to the parts in order, as PyTorch does.
    Fractions(Vec<f64>),
}

/// Splits `0..n` into random disjoint index lists of the given lengths, seeded by `seed`.
pub fn random_split_indices(
    n: usize,
    lengths: &SplitLengths,
    seed: u64,
) -> Result<Vec<Vec<usize>>, SplitError> {
    let counts = match lengths {
        SplitLengths::Counts(c) => c.clone(),
        SplitLengths::Fractions(fr) => {
            let sum: f64 = fr.iter().sum();
            if fr.iter().any(|f| !(0.0..=1.0).contains(f)) || (sum - 1.0).abs() > 1e-9 {
                return Err(SplitError::InvalidSize {
                    message: format!("fractions {fr:?} must each lie in [0, 1] and sum to 1"),
                });
            }
            let mut c: Vec<usize> = fr.iter().map(|f| (n as f64 * f).floor() as usize).collect();
            let rest = n.saturating_sub(c.iter().sum());
            let parts = c.len();
            for i in 0..rest {
                c[i % parts] += 1;
            }
            c
        }
    };
    let requested = counts.iter().try_fold(0usize, |a, &c| a.checked_add(c));
    if requested != Some(n) {
        return Err(SplitError::LengthsMismatch {
            requested: requested.unwrap_or(usize::MAX),
            available: n,
        });
    }
    let perm = permutation(n, &mut Generator::new(seed));
    let mut start = 0;
    Ok(counts
        .into_iter()
        .map(|c| {
            let part = perm[start..start + c].to_vec();
            start += c;
            part
        })
        .collect())
}

/// Splits `dataset` into random disjoint [`Subset`]s (`torch.utils.data.random_split(dataset,
/// lengths, generator=torch.Generator().manual_seed(seed))`). `D` is cloned once per part,
/// so pass an `Arc` for a large dataset.
pub fn random_split<D: Dataset + Clone>(
    dataset: &D,
    lengths: &SplitLengths,
    seed: u64,
) -> Result<Vec<Subset<D>>, SplitError> {
    Ok(random_split_indices(dataset.len(), lengths, seed)?
        .into_iter()
        .map(|idx| Subset::new(dataset.clone(), idx))
        .collect())
}
