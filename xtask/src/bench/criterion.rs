//! Reading criterion's results: `<target>/criterion/**/new/{benchmark,estimates}.json`.

use std::fs;
use std::path::Path;
use std::time::SystemTime;

use serde_json::Value;

use crate::error::{Result, XtaskError};

/// Work done by one iteration, as declared with criterion's `Throughput`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throughput {
    /// `Throughput::Elements`: in Kiln's benches, floating-point operations.
    Elements(u64),
    /// `Throughput::Bytes` or `BytesDecimal`: bytes processed.
    Bytes(u64),
    /// `Throughput::Bits`: bits processed.
    Bits(u64),
}

/// One benchmark's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// criterion's full id, `group/function/parameter`.
    pub id: String,
    /// Median time per iteration in nanoseconds (criterion's `median.point_estimate`).
    pub median_ns: f64,
    /// Declared work per iteration, if any.
    pub throughput: Option<Throughput>,
}

/// Parses a `new/benchmark.json` (for `full_id` and `throughput`) and the matching
/// `new/estimates.json` (for the median) into a [`Measurement`].
pub fn parse(
    benchmark_json: &str,
    estimates_json: &str,
) -> std::result::Result<Measurement, String> {
    let benchmark: Value =
        serde_json::from_str(benchmark_json).map_err(|e| format!("benchmark.json: {e}"))?;
    let estimates: Value =
        serde_json::from_str(estimates_json).map_err(|e| format!("estimates.json: {e}"))?;
    let id = benchmark["full_id"]
        .as_str()
        .ok_or("benchmark.json has no string `full_id`")?
        .to_owned();
    let median_ns = estimates["median"]["point_estimate"]
        .as_f64()
        .filter(|v| v.is_finite() && *v > 0.0)
        .ok_or("estimates.json has no positive `median.point_estimate`")?;
    let throughput = parse_throughput(&benchmark["throughput"])?;
    Ok(Measurement {
        id,
        median_ns,
        throughput,
    })
}

/// criterion serialises `Throughput` as an externally tagged enum, e.g. `{"Elements": 1024}`,
/// `{"ElementsAndBytes": {"elements": 8, "bytes": 32}}`, or `null` when none was set.
fn parse_throughput(value: &Value) -> std::result::Result<Option<Throughput>, String> {
    if value.is_null() {
        return Ok(None);
    }
    let object = value
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or_else(|| format!("unexpected throughput {value}"))?;
    let (kind, amount) = object.iter().next().ok_or("empty throughput")?;
    let number = |v: &Value| {
        v.as_u64()
            .ok_or_else(|| format!("throughput {kind} is not a count: {v}"))
    };
    Ok(Some(match kind.as_str() {
        "Elements" => Throughput::Elements(number(amount)?),
        "Bytes" | "BytesDecimal" => Throughput::Bytes(number(amount)?),
        "Bits" => Throughput::Bits(number(amount)?),
        // Elements are the primary quantity (criterion reports them first).
        "ElementsAndBytes" => Throughput::Elements(number(&amount["elements"])?),
        other => return Err(format!("unknown throughput kind `{other}`")),
    }))
}

/// Every measurement under `criterion_dir` whose estimates were written at or after `since`
/// (i.e. by benches run now), in the order they ran (ties by id).
pub fn collect(criterion_dir: &Path, since: SystemTime) -> Result<Vec<Measurement>> {
    let mut found = Vec::new();
    if criterion_dir.is_dir() {
        walk(criterion_dir, since, &mut found)?;
    }
    found.sort_by(|(t1, a), (t2, b)| t1.cmp(t2).then_with(|| a.id.cmp(&b.id)));
    Ok(found.into_iter().map(|(_, m)| m).collect())
}

fn walk(dir: &Path, since: SystemTime, found: &mut Vec<(SystemTime, Measurement)>) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(XtaskError::io("list", dir))? {
        let path = entry.map_err(XtaskError::io("list", dir))?.path();
        if !path.is_dir() {
            continue;
        }
        let estimates = path.join("estimates.json");
        let benchmark = path.join("benchmark.json");
        if path.file_name().is_some_and(|n| n == "new")
            && estimates.is_file()
            && benchmark.is_file()
        {
            let modified = fs::metadata(&estimates)
                .and_then(|m| m.modified())
                .map_err(XtaskError::io("inspect", &estimates))?;
            if modified >= since {
                let read = |p: &Path| fs::read_to_string(p).map_err(XtaskError::io("read", p));
                let measurement =
                    parse(&read(&benchmark)?, &read(&estimates)?).map_err(|message| {
                        XtaskError::Parse {
                            origin: path.display().to_string(),
                            message,
                        }
                    })?;
                found.push((modified, measurement));
            }
        } else {
            walk(&path, since, found)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Shaped like criterion 0.8's files (trimmed).
    const BENCHMARK: &str = r#"{"group_id":"matmul","function_id":"f32","value_str":"1024",
        "throughput":{"Elements":2147483648},"full_id":"matmul/f32/1024",
        "directory_name":"matmul/f32/1024","title":"matmul/f32/1024"}"#;
    const ESTIMATES: &str = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,
        "lower_bound":1.6e7,"upper_bound":1.7e7},"point_estimate":1.65e7,"standard_error":1e5},
        "median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.6e7,
        "upper_bound":1.7e7},"point_estimate":16000000.0,"standard_error":1e5},
        "median_abs_dev":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,
        "upper_bound":2.0},"point_estimate":1.5,"standard_error":0.1},"slope":null,
        "std_dev":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,
        "upper_bound":2.0},"point_estimate":1.5,"standard_error":0.1}}"#;

    #[test]
    fn parses_id_median_and_throughput() {
        let m = parse(BENCHMARK, ESTIMATES).unwrap();
        assert_eq!(m.id, "matmul/f32/1024");
        assert_eq!(m.median_ns, 16_000_000.0);
        assert_eq!(m.throughput, Some(Throughput::Elements(2_147_483_648)));
    }

    #[test]
    fn every_throughput_kind() {
        let t = |json: &str| parse_throughput(&serde_json::from_str(json).unwrap());
        assert_eq!(t("null").unwrap(), None);
        assert_eq!(t(r#"{"Bytes":10}"#).unwrap(), Some(Throughput::Bytes(10)));
        assert_eq!(
            t(r#"{"BytesDecimal":7}"#).unwrap(),
            Some(Throughput::Bytes(7))
        );
        assert_eq!(t(r#"{"Bits":8}"#).unwrap(), Some(Throughput::Bits(8)));
        assert_eq!(
            t(r#"{"ElementsAndBytes":{"elements":3,"bytes":12}}"#).unwrap(),
            Some(Throughput::Elements(3))
        );
        assert!(t(r#"{"Parsecs":1}"#).is_err());
        assert!(t(r#"{"Bytes":-1}"#).is_err());
        assert!(t(r#""Bytes""#).is_err());
    }

    #[test]
    fn malformed_files_are_errors_not_panics() {
        assert!(parse("{", ESTIMATES).is_err());
        assert!(parse(r#"{"throughput":null}"#, ESTIMATES).is_err());
        assert!(parse(BENCHMARK, r#"{"median":{"point_estimate":"fast"}}"#).is_err());
        assert!(parse(BENCHMARK, r#"{"median":{"point_estimate":0.0}}"#).is_err());
    }

    #[test]
    fn collect_keeps_only_fresh_results_in_run_order() {
        let root = std::env::temp_dir().join(format!("xtask-criterion-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let write = |id: &str, age: Duration| {
            for sub in ["new", "base"] {
                let d = root.join(id).join(sub);
                fs::create_dir_all(&d).unwrap();
                let benchmark = BENCHMARK.replace(
                    r#""full_id":"matmul/f32/1024""#,
                    &format!(r#""full_id":"{id}""#),
                );
                fs::write(d.join("benchmark.json"), benchmark).unwrap();
                fs::write(d.join("estimates.json"), ESTIMATES).unwrap();
                fs::File::options()
                    .write(true)
                    .open(d.join("estimates.json"))
                    .unwrap()
                    .set_modified(SystemTime::now() - age)
                    .unwrap();
            }
        };
        write("old/1", Duration::from_secs(7200));
        write("matmul/f32/1024", Duration::from_secs(2));
        write("add/1M", Duration::from_secs(1));
        let since = SystemTime::now() - Duration::from_secs(60);
        let ids: Vec<String> = collect(&root, since)
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(ids, ["matmul/f32/1024", "add/1M"]);
        let later = SystemTime::now() + Duration::from_secs(60);
        assert!(collect(&root, later).unwrap().is_empty());
        assert!(collect(&root.join("absent"), since).unwrap().is_empty());
        fs::remove_dir_all(&root).unwrap();
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(a in "\\PC{0,200}", b in "\\PC{0,200}") {
            let _ = parse(&a, &b);
            let _ = parse(&a, ESTIMATES);
            let _ = parse(BENCHMARK, &b);
        }

        #[test]
        fn arbitrary_json_never_panics(a in crate::json_strategy::json(), b in crate::json_strategy::json()) {
            let _ = parse(&a.to_string(), &b.to_string());
            let _ = parse_throughput(&a);
        }

        #[test]
        fn any_throughput_value_reads_back(n in proptest::prelude::any::<u64>(), kind in 0usize..3) {
            let (name, expected) = [
                ("Elements", Throughput::Elements(n)),
                ("Bytes", Throughput::Bytes(n)),
                ("Bits", Throughput::Bits(n)),
            ][kind];
            let value = serde_json::json!({ name: n });
            proptest::prop_assert_eq!(parse_throughput(&value), Ok(Some(expected)));
        }
    }
}
