//! Peak memory beside the timings. A bench binary (Kiln side) or `compare.py` (reference side)
//! that measures its resident-set high-water mark for a workload prints one JSON line:
//! `{"id": "<criterion id>", "peak_rss_bytes": <int>, "baseline_rss_bytes": <int>}`, plus
//! `"reference": "tokenizers 0.23"` on the reference side. `baseline_rss_bytes` is the resident
//! set when the measurement started (after loading the data), so `peak − baseline` is what the
//! workload itself added.

use serde_json::Value;

use crate::bench::units;

/// One workload's peak resident set.
#[derive(Debug, Clone, PartialEq)]
pub struct PeakMemory {
    /// criterion full id of the workload.
    pub id: String,
    /// Resident-set high-water mark over the workload (Linux `VmHWM`), in bytes.
    pub peak_bytes: u64,
    /// Resident set when the measurement started, in bytes.
    pub baseline_bytes: u64,
    /// The reference library, `None` for Kiln's own measurement.
    pub reference: Option<String>,
}

/// Parses a line: `None` unless it is a JSON object with `peak_rss_bytes`, otherwise the
/// measurement or what is wrong with it.
pub fn parse_line(line: &str) -> Option<Result<PeakMemory, String>> {
    let text = line.trim();
    if !text.starts_with('{') || !text.contains("\"peak_rss_bytes\"") {
        return None;
    }
    Some(parse_object(text))
}

fn parse_object(text: &str) -> Result<PeakMemory, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("{e} in `{text}`"))?;
    let bytes = |key: &str| {
        value[key]
            .as_u64()
            .ok_or_else(|| format!("`{key}` is missing or not a byte count in `{text}`"))
    };
    let id = value["id"]
        .as_str()
        .ok_or_else(|| format!("`id` is missing or not a string in `{text}`"))?;
    let reference = match &value["reference"] {
        Value::Null => None,
        Value::String(r) => Some(r.clone()),
        _ => return Err(format!("`reference` is not a string in `{text}`")),
    };
    Ok(PeakMemory {
        id: id.to_owned(),
        peak_bytes: bytes("peak_rss_bytes")?,
        baseline_bytes: bytes("baseline_rss_bytes")?,
        reference,
    })
}

/// The `| workload | Kiln peak (added) | reference | ref peak (added) | Kiln / ref |` table for
/// every Kiln measurement; empty when there is none.
pub fn table(kiln: &[PeakMemory], references: &[PeakMemory]) -> String {
    if kiln.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\nPeak resident memory (high-water mark; in brackets, what the workload added to the \
         resident set it started from):\n\n| workload | Kiln peak | reference | ref peak | Kiln / ref peak |\n|---|---|---|---|---|\n",
    );
    let describe = |m: &PeakMemory| {
        format!(
            "{} (+{})",
            units::bytes(m.peak_bytes),
            units::bytes(m.peak_bytes.saturating_sub(m.baseline_bytes))
        )
    };
    for m in kiln {
        out.push_str(&format!("| {} | {} |", m.id, describe(m)));
        match references.iter().find(|r| r.id == m.id) {
            Some(r) => out.push_str(&format!(
                " {} | {} | {:.2} |\n",
                r.reference.as_deref().unwrap_or("—"),
                describe(r),
                m.peak_bytes as f64 / r.peak_bytes.max(1) as f64
            )),
            None => out.push_str(" — | — | — |\n"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_kiln_and_reference_lines() {
        let kiln = parse_line(
            r#"{"id": "bpe/train/x", "peak_rss_bytes": 300, "baseline_rss_bytes": 100}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(kiln.reference, None);
        assert_eq!((kiln.peak_bytes, kiln.baseline_bytes), (300, 100));
        let reference = parse_line(
            r#"{"id": "bpe/train/x", "peak_rss_bytes": 600, "baseline_rss_bytes": 200, "reference": "tokenizers 0.23.3"}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(reference.reference.as_deref(), Some("tokenizers 0.23.3"));
        let table = table(&[kiln], &[reference]);
        assert!(
            table.contains(
                "| bpe/train/x | 300 B (+200 B) | tokenizers 0.23.3 | 600 B (+400 B) | 0.50 |"
            ),
            "{table}"
        );
    }

    #[test]
    fn timing_lines_and_text_are_not_memory_lines() {
        assert!(parse_line(r#"{"id": "a", "median_ns": 1.0, "reference": "torch"}"#).is_none());
        assert!(parse_line("Benchmarking bpe/train").is_none());
        assert!(table(&[], &[]).is_empty());
    }

    #[test]
    fn malformed_memory_lines_are_errors() {
        for line in [
            r#"{"id": "a", "peak_rss_bytes": -1, "baseline_rss_bytes": 0}"#,
            r#"{"id": "a", "peak_rss_bytes": 1}"#,
            r#"{"peak_rss_bytes": 1, "baseline_rss_bytes": 0}"#,
            r#"{"id": "a", "peak_rss_bytes": 1, "baseline_rss_bytes": 0, "reference": 3}"#,
            r#"{"id": "a", "peak_rss_bytes": "#,
        ] {
            assert!(parse_line(line).unwrap().is_err(), "{line}");
        }
    }

    proptest! {
        #[test]
        fn arbitrary_lines_never_panic(line in "\\PC{0,200}") {
            let _ = parse_line(&line);
            let _ = parse_line(&format!("{{\"peak_rss_bytes\": {line}"));
        }
    }
}
