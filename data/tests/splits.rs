//! Split sizes and folds against scikit-learn (fixtures from `fixtures/gen_splits.py`) and
//! property tests of stratification.

use std::collections::BTreeMap;

use kiln_data::splits::{
    KFold, SplitLengths, SplitSize, StratifiedKFold, TrainTestSplit, random_split_indices,
};
use proptest::prelude::*;
use serde_json::Value;

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/splits.json")).expect("valid fixture")
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_u64().expect("int") as usize)
        .collect()
}

fn labels(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_i64().expect("int"))
        .collect()
}

fn size(v: &Value) -> Option<SplitSize> {
    if v.is_null() {
        None
    } else if let Some(c) = v.as_u64() {
        Some(SplitSize::Count(c as usize))
    } else {
        Some(SplitSize::Fraction(v.as_f64().expect("number")))
    }
}

fn class_counts(labels: &[i64], idx: &[usize]) -> BTreeMap<String, u64> {
    let mut m: BTreeMap<String, u64> = labels.iter().map(|l| (l.to_string(), 0)).collect();
    for &i in idx {
        *m.entry(labels[i].to_string()).or_default() += 1;
    }
    m
}

fn json_counts(v: &Value) -> BTreeMap<String, u64> {
    v.as_object()
        .expect("object")
        .iter()
        .map(|(k, c)| (k.clone(), c.as_u64().expect("count")))
        .collect()
}

#[test]
fn kfold_matches_sklearn_without_shuffle() {
    let f = fixture();
    for case in f["kfold"].as_array().expect("cases") {
        let n = case["n"].as_u64().expect("n") as usize;
        let k = case["n_splits"].as_u64().expect("k") as usize;
        let folds = KFold::new(k).split(n).expect("valid");
        let expected: Vec<Vec<usize>> = case["test_folds"]
            .as_array()
            .expect("folds")
            .iter()
            .map(usizes)
            .collect();
        let got: Vec<Vec<usize>> = folds.iter().map(|(_, t)| t.clone()).collect();
        assert_eq!(got, expected, "n={n} k={k}");
        // Shuffled folds have the same sizes; train is the complement.
        let shuffled = KFold::new(k).with_shuffle(9).split(n).expect("valid");
        for ((train, test), want) in shuffled.iter().zip(&expected) {
            assert_eq!(test.len(), want.len());
            assert_eq!(train.len() + test.len(), n);
        }
    }
}

#[test]
fn stratified_kfold_matches_sklearn() {
    let f = fixture();
    for case in f["stratified_kfold"].as_array().expect("cases") {
        let y = labels(&case["labels"]);
        let k = case["n_splits"].as_u64().expect("k") as usize;
        let folds = StratifiedKFold::new(k).split(&y).expect("valid");
        let expected: Vec<Vec<usize>> = case["test_folds"]
            .as_array()
            .expect("folds")
            .iter()
            .map(usizes)
            .collect();
        let got: Vec<Vec<usize>> = folds.iter().map(|(_, t)| t.clone()).collect();
        assert_eq!(got, expected, "labels={y:?} k={k}");
        let shuffled = StratifiedKFold::new(k)
            .with_shuffle(3)
            .split(&y)
            .expect("valid");
        for ((_, test), want) in shuffled
            .iter()
            .zip(case["shuffled_class_counts"].as_array().expect("counts"))
        {
            assert_eq!(
                class_counts(&y, test),
                json_counts(want),
                "labels={y:?} k={k}"
            );
        }
    }
}

#[test]
fn train_test_split_sizes_match_sklearn() {
    let f = fixture();
    for case in f["train_test_split"].as_array().expect("cases") {
        let n = case["n"].as_u64().expect("n") as usize;
        let mut opts = TrainTestSplit::new().with_seed(0);
        opts.test_size = size(&case["test_size"]);
        opts.train_size = size(&case["train_size"]);
        let got = opts.split(n);
        if case.get("error").is_some() {
            assert!(got.is_err(), "case {case} should fail");
            continue;
        }
        let (train, test) = got.unwrap_or_else(|e| panic!("case {case}: {e}"));
        assert_eq!(
            train.len() as u64,
            case["n_train"].as_u64().expect("n_train"),
            "{case}"
        );
        assert_eq!(
            test.len() as u64,
            case["n_test"].as_u64().expect("n_test"),
            "{case}"
        );
        let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(
            all.len(),
            train.len() + test.len(),
            "train and test overlap"
        );
    }
}

#[test]
fn stratified_train_test_split_counts_match_sklearn() {
    let f = fixture();
    for case in f["stratified_train_test_split"].as_array().expect("cases") {
        let y = labels(&case["labels"]);
        let opts = TrainTestSplit::new()
            .with_test_size(size(&case["test_size"]).expect("size"))
            .with_seed(1);
        let got = opts.split_stratified(&y);
        if case.get("error").is_some() {
            assert!(got.is_err(), "case {case} should fail");
            continue;
        }
        let (train, test) = got.unwrap_or_else(|e| panic!("case {case}: {e}"));
        let (want_train, want_test) = (
            json_counts(&case["train_counts"]),
            json_counts(&case["test_counts"]),
        );
        let (got_train, got_test) = (class_counts(&y, &train), class_counts(&y, &test));
        // Rounding ties are broken at random in both libraries: totals always agree and
        // each class count is within one of scikit-learn's.
        assert_eq!(
            train.len() as u64,
            want_train.values().sum::<u64>(),
            "{case}"
        );
        assert_eq!(test.len() as u64, want_test.values().sum::<u64>(), "{case}");
        for (class, want) in &want_test {
            assert!(
                got_test[class].abs_diff(*want) <= 1,
                "class {class}: {got_test:?} vs {want_test:?}"
            );
            assert!(
                got_train[class].abs_diff(want_train[class]) <= 1,
                "class {class}: {got_train:?} vs {want_train:?}"
            );
        }
    }
}

#[test]
fn stratified_train_test_split_is_exact_without_ties() {
    // 60/30/10 of 100 with 20 % test: proportional counts are whole numbers, no ties.
    let y: Vec<i64> = (0..100)
        .map(|i| {
            if i < 60 {
                0
            } else if i < 90 {
                1
            } else {
                2
            }
        })
        .collect();
    let (train, test) = TrainTestSplit::new()
        .with_test_size(SplitSize::Fraction(0.2))
        .with_seed(5)
        .split_stratified(&y)
        .expect("valid");
    let counts = class_counts(&y, &test);
    assert_eq!(counts.values().copied().collect::<Vec<_>>(), vec![12, 6, 2]);
    assert_eq!(train.len(), 80);
}

#[test]
fn random_split_sizes_follow_pytorch() {
    // torch: floor(10 * f) = [3, 3, 3], remainder 1 goes to the first part.
    let parts =
        random_split_indices(10, &SplitLengths::Fractions(vec![0.3, 0.3, 0.4]), 0).expect("valid");
    assert_eq!(
        parts.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![3, 3, 4]
    );
    let parts =
        random_split_indices(11, &SplitLengths::Fractions(vec![1.0 / 3.0; 3]), 0).expect("valid");
    assert_eq!(
        parts.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![4, 4, 3]
    );
    assert!(random_split_indices(10, &SplitLengths::Counts(vec![3, 3]), 0).is_err());
    assert!(random_split_indices(10, &SplitLengths::Fractions(vec![0.5, 0.6]), 0).is_err());
    let a = random_split_indices(50, &SplitLengths::Counts(vec![20, 30]), 7).expect("valid");
    let b = random_split_indices(50, &SplitLengths::Counts(vec![20, 30]), 7).expect("valid");
    let c = random_split_indices(50, &SplitLengths::Counts(vec![20, 30]), 8).expect("valid");
    assert_eq!(a, b);
    assert_ne!(a, c);
    let mut all: Vec<usize> = a.concat();
    all.sort_unstable();
    assert_eq!(all, (0..50).collect::<Vec<_>>());
}

#[test]
fn kfold_rejects_bad_split_counts() {
    assert!(KFold::new(1).split(10).is_err());
    assert!(KFold::new(11).split(10).is_err());
    assert!(StratifiedKFold::new(4).split(&[0, 0, 1, 1, 2, 2]).is_err());
}

fn labels_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(0u8..4, 8..200)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn stratified_folds_keep_class_ratios(y in labels_strategy(), k in 2usize..6, seed in any::<u64>(), shuffle in any::<bool>()) {
        let mut counts = [0usize; 4];
        for &l in &y { counts[l as usize] += 1; }
        prop_assume!(k <= y.len() && counts.iter().any(|&c| c >= k));
        let skf = if shuffle { StratifiedKFold::new(k).with_shuffle(seed) } else { StratifiedKFold::new(k) };
        let folds = skf.split(&y).expect("valid");
        prop_assert_eq!(folds.len(), k);
        let mut seen = vec![0usize; y.len()];
        for (train, test) in &folds {
            prop_assert_eq!(train.len() + test.len(), y.len());
            for &i in test { seen[i] += 1; }
            for (class, &count) in counts.iter().enumerate() {
                let in_fold = test.iter().filter(|&&i| y[i] as usize == class).count() as f64;
                let proportional = count as f64 / k as f64;
                prop_assert!((in_fold - proportional).abs() < 1.0 + 1e-9,
                    "class {} has {} in a fold, proportional {}", class, in_fold, proportional);
            }
        }
        // Every sample is tested exactly once; fold sizes differ by at most one.
        prop_assert!(seen.iter().all(|&s| s == 1));
        let sizes: Vec<usize> = folds.iter().map(|(_, t)| t.len()).collect();
        prop_assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
    }

    #[test]
    fn kfold_sizes_are_sklearns(n in 2usize..300, k in 2usize..10, seed in any::<u64>()) {
        prop_assume!(k <= n);
        let folds = KFold::new(k).with_shuffle(seed).split(n).expect("valid");
        for (f, (_, test)) in folds.iter().enumerate() {
            prop_assert_eq!(test.len(), n / k + usize::from(f < n % k));
        }
    }
}
