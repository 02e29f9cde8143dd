//! Table operations: select, filter, map, shuffle, splits, tensors.

use kiln_data::splits::{SplitSize, TrainTestSplit};
use kiln_data::table::{Column, CsvOptions, Table, TableError, Value};
use kiln_tensor::DType;

fn sample() -> Table {
    let mut csv = String::from("x,y,label\n");
    for i in 0..40 {
        csv.push_str(&format!("{i},{},{}\n", i as f64 / 2.0, i % 4 == 0));
    }
    Table::read_csv(csv.as_bytes(), &CsvOptions::new())
        .expect("valid")
        .0
}

#[test]
fn select_filter_shuffle() {
    let t = sample();
    let s = t.select(&["label", "x"]).expect("columns exist");
    assert_eq!(s.column_names(), &["label".to_string(), "x".to_string()]);
    assert!(matches!(
        t.select(&["nope"]),
        Err(TableError::UnknownColumn { .. })
    ));
    let f = t.filter(|r| r.get_bool("label") == Some(true));
    assert_eq!(f.num_rows(), 10);
    assert!(f.rows().all(|r| r.get_i64("x").is_some_and(|x| x % 4 == 0)));
    let a = t.shuffle(3);
    assert_eq!(a, t.shuffle(3));
    assert_ne!(a, t.shuffle(4));
    let mut xs: Vec<i64> = a.rows().filter_map(|r| r.get_i64("x")).collect();
    xs.sort_unstable();
    assert_eq!(xs, (0..40).collect::<Vec<_>>());
}

#[test]
fn map_adds_and_replaces_columns() {
    let t = sample();
    let m = t
        .map(|r| {
            let x = r.get_i64("x").unwrap_or(0);
            let mut out = vec![("x".to_string(), Value::I64(x * 10))];
            if x % 2 == 1 {
                out.push(("odd_half".to_string(), Value::F64(x as f64 / 2.0)));
            }
            out
        })
        .expect("consistent types");
    assert_eq!(m.column_names().len(), 4);
    assert_eq!(m.row(3).get_i64("x"), Some(30));
    assert_eq!(m.row(3).get_f64("odd_half"), Some(1.5));
    assert_eq!(m.row(2).get("odd_half"), Some(Value::Null));
    let bad = t.map(|r| {
        let v = if r.index() == 5 {
            Value::Str("s".into())
        } else {
            Value::I64(1)
        };
        vec![("c".to_string(), v)]
    });
    assert!(matches!(bad, Err(TableError::TypeMismatch { .. })));
}

#[test]
fn splits_and_tensors() {
    let t = sample();
    let (train, test) = t
        .train_test_split(
            &TrainTestSplit::new()
                .with_test_size(SplitSize::Fraction(0.25))
                .with_seed(1),
        )
        .expect("valid");
    assert_eq!((train.num_rows(), test.num_rows()), (30, 10));
    let (train, test) = t
        .train_test_split_stratified(
            &TrainTestSplit::new().with_test_size(SplitSize::Fraction(0.2)),
            "label",
        )
        .expect("valid");
    assert_eq!(
        test.filter(|r| r.get_bool("label") == Some(true))
            .num_rows(),
        2
    );
    assert_eq!(train.num_rows(), 32);
    let m = t
        .head(3)
        .to_tensor(&["x", "y", "label"], DType::F32)
        .expect("numeric");
    assert_eq!(m.dims(), &[3, 3]);
    assert_eq!(
        m.to_vec::<f32>(),
        vec![0.0, 0.0, 1.0, 1.0, 0.5, 0.0, 2.0, 1.0, 0.0]
    );
    let built = Table::new(vec![
        ("a".into(), Column::I64(vec![Some(1)])),
        ("b".into(), Column::I64(vec![])),
    ]);
    assert!(matches!(built, Err(TableError::LengthMismatch { .. })));
}
