//! `train_test_split` with scikit-learn's sizes (`sklearn.model_selection.train_test_split`).

use super::{SplitError, encode_labels};
use crate::rng::{below, permutation, shuffle};
use kiln_tensor::Generator;

/// A split size: a fraction of the samples or an absolute count (scikit-learn's float vs
/// int `test_size` / `train_size`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SplitSize {
    /// A fraction in (0, 1): the test part rounds up (`ceil`), the train part down (`floor`).
    Fraction(f64),
    /// An exact number of samples in `1..n_samples`.
    Count(usize),
}

/// Options of [`train_test_split`]; defaults as scikit-learn: test 25 %, shuffle, no
/// stratification, seed 0.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainTestSplit {
    /// Size of the test part; `None` = the complement of `train_size` (or 0.25 if both unset).
    pub test_size: Option<SplitSize>,
    /// Size of the train part; `None` = the complement of `test_size`.
    pub train_size: Option<SplitSize>,
    /// Shuffle before splitting (`shuffle=True`); without it the first samples train.
    pub shuffle: bool,
    /// Seed of the shuffle (`random_state`).
    pub seed: u64,
}

impl Default for TrainTestSplit {
    fn default() -> Self {
        TrainTestSplit {
            test_size: None,
            train_size: None,
            shuffle: true,
            seed: 0,
        }
    }
}

impl TrainTestSplit {
    /// Default options (test 25 %, shuffled, seed 0).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the test size (`test_size=`).
    pub fn with_test_size(mut self, size: SplitSize) -> Self {
        self.test_size = Some(size);
        self
    }

    /// Sets the train size (`train_size=`).
    pub fn with_train_size(mut self, size: SplitSize) -> Self {
        self.train_size = Some(size);
        self
    }

    /// Turns shuffling on or off (`shuffle=`).
    pub fn with_shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// Sets the seed (`random_state=`).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The `(n_train, n_test)` sizes scikit-learn's `_validate_shuffle_split` gives for
    /// `n_samples`.
    pub fn sizes(&self, n_samples: usize) -> Result<(usize, usize), SplitError> {
        let n = n_samples;
        let invalid = |message: String| Err(SplitError::InvalidSize { message });
        let test = match (self.test_size, self.train_size) {
            (None, None) => Some(SplitSize::Fraction(0.25)),
            (t, _) => t,
        };
        for (name, size) in [("test_size", test), ("train_size", self.train_size)] {
            match size {
                Some(SplitSize::Fraction(f)) if !(f > 0.0 && f < 1.0) => {
                    return invalid(format!("{name}={f} should be a float in the (0, 1) range"));
                }
                Some(SplitSize::Count(c)) if c == 0 || c >= n => {
                    return invalid(format!(
                        "{name}={c} should be either positive and smaller than the number of samples {n}"
                    ));
                }
                _ => {}
            }
        }
        if let (Some(SplitSize::Fraction(a)), Some(SplitSize::Fraction(b))) =
            (test, self.train_size)
            && a + b > 1.0
        {
            return invalid(format!(
                "the sum of test_size and train_size = {} should be in the (0, 1) range",
                a + b
            ));
        }
        let n_test = test.map(|s| match s {
            SplitSize::Fraction(f) => (f * n as f64).ceil() as usize,
            SplitSize::Count(c) => c,
        });
        let n_train = self.train_size.map(|s| match s {
            SplitSize::Fraction(f) => (f * n as f64).floor() as usize,
            SplitSize::Count(c) => c,
        });
        let (n_train, n_test) = match (n_train, n_test) {
            (Some(a), Some(b)) => (a, b),
            (Some(a), None) => (a, n - a),
            (None, Some(b)) => (n - b, b),
            (None, None) => unreachable!("test size defaults to 0.25"),
        };
        if n_train + n_test > n {
            return invalid(format!(
                "the sum of train_size and test_size = {} should be smaller than the number of samples {n}",
                n_train + n_test
            ));
        }
        if n_train == 0 {
            return invalid(format!(
                "with n_samples={n}, test_size={n_test} the resulting train set will be empty"
            ));
        }
        Ok((n_train, n_test))
    }

    /// Splits `0..n_samples` into `(train, test)` index lists.
    pub fn split(&self, n_samples: usize) -> Result<(Vec<usize>, Vec<usize>), SplitError> {
        let (n_train, n_test) = self.sizes(n_samples)?;
        if !self.shuffle {
            return Ok((
                (0..n_train).collect(),
                (n_train..n_train + n_test).collect(),
            ));
        }
        let perm = permutation(n_samples, &mut Generator::new(self.seed));
        Ok((
            perm[n_test..n_test + n_train].to_vec(),
            perm[..n_test].to_vec(),
        ))
    }

    /// Splits `0..labels.len()` so that train and test keep the class ratios of `labels`
    /// (`stratify=y`, scikit-learn's `StratifiedShuffleSplit`): per class, the train count is
    /// the "approximate mode" of the multivariate hypergeometric draw, then the test count is
    /// drawn from the rest. Ties in the rounding are broken at random from the seed.
    pub fn split_stratified<L: Ord + Clone>(
        &self,
        labels: &[L],
    ) -> Result<(Vec<usize>, Vec<usize>), SplitError> {
        let n = labels.len();
        let (n_train, n_test) = self.sizes(n)?;
        if !self.shuffle {
            return Err(SplitError::Stratification {
                message: "stratified train/test split is not implemented for shuffle=false".into(),
            });
        }
        let (codes, n_classes) = encode_labels(labels);
        let mut class_indices = vec![Vec::new(); n_classes];
        for (i, &c) in codes.iter().enumerate() {
            class_indices[c].push(i);
        }
        let counts: Vec<usize> = class_indices.iter().map(Vec::len).collect();
        if counts.iter().any(|&c| c < 2) {
            return Err(SplitError::Stratification {
                message: "the least populated class in y has only 1 member, which is too few; the minimum number of groups for any class cannot be less than 2".into(),
            });
        }
        for (name, size) in [("train_size", n_train), ("test_size", n_test)] {
            if size < n_classes {
                return Err(SplitError::Stratification {
                    message: format!(
                        "the {name} = {size} should be greater or equal to the number of classes = {n_classes}"
                    ),
                });
            }
        }
        let mut rng = Generator::new(self.seed);
        let train_counts = approximate_mode(&counts, n_train, &mut rng);
        let remaining: Vec<usize> = counts
            .iter()
            .zip(&train_counts)
            .map(|(c, t)| c - t)
            .collect();
        let test_counts = approximate_mode(&remaining, n_test, &mut rng);
        let (mut train, mut test) = (Vec::with_capacity(n_train), Vec::with_capacity(n_test));
        for (c, members) in class_indices.iter_mut().enumerate() {
            shuffle(members, &mut rng);
            train.extend_from_slice(&members[..train_counts[c]]);
            test.extend_from_slice(&members[train_counts[c]..train_counts[c] + test_counts[c]]);
        }
        shuffle(&mut train, &mut rng);
        shuffle(&mut test, &mut rng);
        Ok((train, test))
    }
}

/// `train_test_split(range(n_samples), test_size=…, shuffle=…, random_state=seed)`: the
/// `(train, test)` index lists for `options`.
pub fn train_test_split(
    n_samples: usize,
    options: &TrainTestSplit,
) -> Result<(Vec<usize>, Vec<usize>), SplitError> {
    options.split(n_samples)
}

/// scikit-learn's `_approximate_mode`: the most likely per-class counts when drawing
/// `n_draws` of `class_counts` without replacement. Floors the proportional counts, then
/// hands the missing draws to the largest remainders, breaking ties at random.
fn approximate_mode(class_counts: &[usize], n_draws: usize, rng: &mut Generator) -> Vec<usize> {
    let total: usize = class_counts.iter().sum();
    let continuous: Vec<f64> = class_counts
        .iter()
        .map(|&c| c as f64 / total as f64 * n_draws as f64)
        .collect();
    let mut floored: Vec<usize> = continuous.iter().map(|c| c.floor() as usize).collect();
    let mut need = n_draws.saturating_sub(floored.iter().sum());
    let remainder: Vec<f64> = continuous
        .iter()
        .zip(&floored)
        .map(|(c, &f)| c - f as f64)
        .collect();
    let mut values = remainder.clone();
    values.sort_by(|a, b| b.total_cmp(a));
    values.dedup();
    for value in values {
        if need == 0 {
            break;
        }
        let mut inds: Vec<usize> = (0..remainder.len())
            .filter(|&i| remainder[i] == value)
            .collect();
        let add_now = inds.len().min(need);
        // A random subset of the tied classes, as `rng.choice(inds, add_now, replace=False)`.
        for k in 0..add_now {
            let j = k + below(rng, inds.len() - k);
            inds.swap(k, j);
            floored[inds[k]] += 1;
        }
        need -= add_now;
    }
    floored
}
