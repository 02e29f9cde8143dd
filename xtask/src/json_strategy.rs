//! Test-only proptest strategy for JSON values shaped like what xtask parses (criterion's
//! files, `cargo metadata`, `compare.py` lines), so fuzzing reaches past the JSON syntax check.

use proptest::prelude::*;
use serde_json::{Map, Value};

/// Object keys the parsers look up, plus one they never read.
const KEYS: &[&str] = &[
    "full_id",
    "median",
    "point_estimate",
    "throughput",
    "Elements",
    "Bytes",
    "ElementsAndBytes",
    "elements",
    "packages",
    "name",
    "manifest_path",
    "features",
    "targets",
    "kind",
    "bench",
    "workspace_root",
    "target_directory",
    "id",
    "median_ns",
    "reference",
    "other",
];

/// Arbitrary JSON up to a few levels deep, with keys from [`KEYS`].
pub fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-z/._ -]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|pairs| {
                Value::Object(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}
