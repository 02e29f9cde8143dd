//! Log values in JSON when they are not finite: JSON has no NaN or infinity (serde_json
//! writes `null` and cannot read it back as a number), yet an fp16 step that overflowed logs
//! `grad_norm = inf`. They are written as the strings `"NaN"`, `"Infinity"` and
//! `"-Infinity"` (the tokens Python's `json` module writes unquoted) and read back as the same
//! numbers, so a resumed log history equals the original.

use std::collections::BTreeMap;

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::Value;

/// Writes the map with non-finite values as their names.
pub fn serialize<S: Serializer>(
    values: &BTreeMap<String, f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(values.len()))?;
    for (key, &value) in values {
        match name_of(value) {
            Some(name) => map.serialize_entry(key, name)?,
            None => map.serialize_entry(key, &value)?,
        }
    }
    map.end()
}

/// Reads numbers and the names [`serialize`] writes.
pub fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, f64>, D::Error> {
    let raw = BTreeMap::<String, Value>::deserialize(deserializer)?;
    raw.into_iter()
        .map(|(key, value)| {
            let number = match &value {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => value_of(s),
                _ => None,
            };
            number
                .map(|n| (key.clone(), n))
                .ok_or_else(|| D::Error::custom(format!("`{key}` is not a number: {value}")))
        })
        .collect()
}

fn name_of(value: f64) -> Option<&'static str> {
    if value.is_nan() {
        Some("NaN")
    } else if value == f64::INFINITY {
        Some("Infinity")
    } else if value == f64::NEG_INFINITY {
        Some("-Infinity")
    } else {
        None
    }
}

fn value_of(name: &str) -> Option<f64> {
    match name {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Entry {
        #[serde(flatten, with = "super")]
        values: BTreeMap<String, f64>,
        step: usize,
    }

    #[test]
    fn non_finite_values_round_trip_and_others_stay_numbers() {
        let values = BTreeMap::from([
            ("grad_norm".to_string(), f64::INFINITY),
            ("loss".to_string(), 0.125),
            ("low".to_string(), f64::NEG_INFINITY),
            ("nan".to_string(), f64::NAN),
        ]);
        let text = serde_json::to_string(&Entry { values, step: 3 }).unwrap();
        assert_eq!(
            text,
            r#"{"grad_norm":"Infinity","loss":0.125,"low":"-Infinity","nan":"NaN","step":3}"#
        );
        let back: Entry = serde_json::from_str(&text).unwrap();
        assert_eq!(back.step, 3);
        assert_eq!(back.values["grad_norm"], f64::INFINITY);
        assert_eq!(back.values["low"], f64::NEG_INFINITY);
        assert!(back.values["nan"].is_nan());
        assert_eq!(back.values["loss"], 0.125);
        assert!(serde_json::from_str::<Entry>(r#"{"loss":"high","step":1}"#).is_err());
    }
}
