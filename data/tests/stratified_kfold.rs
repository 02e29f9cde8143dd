//! `StratifiedKFold` against scikit-learn 1.9.1 (fixture from
//! `fixtures/gen_stratified_kfold.py`): test-index lists equal index for index, the
//! least-populated-class warning is returned as data with sklearn's text, sklearn's
//! `ValueError`s are typed errors; and a property test that every sample is in exactly one
//! test fold, shuffled or not.

use kiln_data::StratifiedKFold;
use kiln_data::splits::SplitError;
use proptest::prelude::*;
use serde_json::Value;

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/stratified_kfold.json")).expect("valid fixture")
}

fn test_folds(case: &Value) -> Vec<Vec<usize>> {
    case["test_folds"]
        .as_array()
        .expect("folds")
        .iter()
        .map(|f| {
            f.as_array()
                .expect("fold")
                .iter()
                .map(|i| i.as_u64().expect("index") as usize)
                .collect()
        })
        .collect()
}

/// Checks one fixture case against the split of `labels` (any label type).
fn check_case<L: Ord + Clone + std::fmt::Debug>(case: &Value, labels: &[L]) {
    let name = case["name"].as_str().expect("name");
    let k = case["n_splits"].as_u64().expect("k") as usize;
    let got = StratifiedKFold::new(k).split_with_warning(labels);
    if let Some(message) = case["error"].as_str() {
        let err = got.expect_err(name);
        if message.starts_with("Cannot have number of splits") {
            assert_eq!(
                err,
                SplitError::InvalidSplits {
                    n_splits: k,
                    n_samples: labels.len()
                },
                "{name} k={k}"
            );
        } else {
            assert!(
                matches!(err, SplitError::Stratification { .. }),
                "{name} k={k}: {err:?}"
            );
            assert!(
                message.starts_with(&err.to_string()),
                "{name} k={k}: sklearn says {message:?}, Kiln {err}"
            );
        }
        return;
    }
    let split = got.unwrap_or_else(|e| panic!("{name} k={k}: {e}"));
    let tests: Vec<Vec<usize>> = split.folds.iter().map(|(_, t)| t.clone()).collect();
    assert_eq!(tests, test_folds(case), "{name} k={k}");
    for (fold, (train, test)) in split.folds.iter().enumerate() {
        assert_eq!(train.len() + test.len(), labels.len(), "{name} k={k}");
        assert!(test.iter().all(|&i| split.test_fold_of[i] == fold));
    }
    let warning = split.warning.map(|w| w.to_string());
    assert_eq!(
        warning.as_deref(),
        case["warning"].as_str(),
        "{name} k={k} labels={labels:?}"
    );
}

#[test]
fn folds_warnings_and_errors_match_sklearn() {
    let f = fixture();
    assert_eq!(f["sklearn"], "1.9.1");
    let cases = f["cases"].as_array().expect("cases");
    assert!(cases.len() >= 30);
    let mut warned = 0;
    let mut errors = 0;
    for case in cases {
        let labels: Vec<i64> = case["labels"]
            .as_array()
            .expect("labels")
            .iter()
            .map(|l| l.as_i64().expect("int"))
            .collect();
        check_case(case, &labels);
        warned += usize::from(case["warning"].is_string());
        errors += usize::from(case["error"].is_string());
    }
    // The fixture exercises both of sklearn's complaints.
    assert!(
        warned >= 5 && errors >= 3,
        "warned {warned}, errors {errors}"
    );
}

#[test]
fn string_labels_split_as_their_integer_ids_do() {
    let f = fixture();
    let mut seen = 0;
    for case in f["cases"].as_array().expect("cases") {
        let Some(strings) = case["string_labels"].as_array() else {
            continue;
        };
        let strings: Vec<&str> = strings.iter().map(|s| s.as_str().expect("str")).collect();
        check_case(case, &strings);
        seen += 1;
    }
    assert_eq!(seen, 6);
}

#[test]
fn n_splits_below_two_is_rejected_as_sklearn_does() {
    let f = fixture();
    assert!(f["n_splits_1_error"].is_string());
    for k in [0, 1] {
        assert_eq!(
            StratifiedKFold::new(k).split_with_warning(&[0, 1, 0, 1]),
            Err(SplitError::InvalidSplits {
                n_splits: k,
                n_samples: 4
            })
        );
    }
}

#[test]
fn shuffled_folds_keep_the_unshuffled_per_class_counts() {
    let y: Vec<i64> = (0..120).map(|i| [0, 0, 0, 1, 1, 2, 3][i % 7]).collect();
    let plain = StratifiedKFold::new(4).split_with_warning(&y).unwrap();
    let a = StratifiedKFold::new(4)
        .with_shuffle(9)
        .split_with_warning(&y)
        .unwrap();
    let b = StratifiedKFold::new(4)
        .with_shuffle(9)
        .split_with_warning(&y)
        .unwrap();
    let c = StratifiedKFold::new(4)
        .with_shuffle(10)
        .split_with_warning(&y)
        .unwrap();
    assert_eq!(a, b, "same seed, same folds");
    assert_ne!(a.folds, plain.folds, "shuffling moved samples");
    assert_ne!(a.folds, c.folds, "another seed, other folds");
    let counts = |s: &kiln_data::StratifiedSplit| -> Vec<[usize; 4]> {
        s.folds
            .iter()
            .map(|(_, t)| {
                let mut c = [0; 4];
                for &i in t {
                    c[y[i] as usize] += 1;
                }
                c
            })
            .collect()
    };
    assert_eq!(counts(&a), counts(&plain));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_index_is_in_exactly_one_test_fold(
        y in prop::collection::vec(-3i64..5, 2..300),
        k in 2usize..8,
        shuffle in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let skf = if shuffle { StratifiedKFold::new(k).with_shuffle(seed) } else { StratifiedKFold::new(k) };
        let Ok(split) = skf.split_with_warning(&y) else {
            // Only sklearn's two errors may refuse a split.
            let mut sorted = y.clone();
            sorted.sort_unstable();
            let largest = sorted.chunk_by(|a, b| a == b).map(<[i64]>::len).max().unwrap_or(0);
            prop_assert!(k > y.len() || k > largest);
            return Ok(());
        };
        prop_assert_eq!(split.folds.len(), k);
        let mut seen = vec![0usize; y.len()];
        for (fold, (train, test)) in split.folds.iter().enumerate() {
            for &i in test {
                seen[i] += 1;
                prop_assert_eq!(split.test_fold_of[i], fold);
            }
            let mut all: Vec<usize> = train.iter().chain(test).copied().collect();
            all.sort_unstable();
            prop_assert_eq!(all, (0..y.len()).collect::<Vec<_>>());
        }
        prop_assert!(seen.iter().all(|&s| s == 1), "{:?}", seen);
    }
}
