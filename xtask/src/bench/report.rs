//! The markdown table of `target/bench-report.md`, with optional reference columns.

use crate::bench::compare::Reference;
use crate::bench::criterion::Measurement;
use crate::bench::units;

/// Renders `| bench | median | throughput |` rows for `results`; with `references`, adds
/// `| reference | ref median | ref throughput | Kiln / ref speed |` matched on the bench id.
pub fn table(results: &[Measurement], references: Option<&[Reference]>) -> String {
    let mut out = String::from("| bench | median | throughput |");
    if references.is_some() {
        out.push_str(" reference | ref median | ref throughput | Kiln / ref speed |");
    }
    out.push('\n');
    let columns = if references.is_some() { 7 } else { 3 };
    out.push_str(&"|---".repeat(columns));
    out.push_str("|\n");
    for m in results {
        let throughput = m.throughput.map(|t| units::rate(t, m.median_ns));
        out.push_str(&format!(
            "| {} | {} | {} |",
            m.id,
            units::time(m.median_ns),
            throughput.as_deref().unwrap_or("—")
        ));
        if let Some(references) = references {
            match references.iter().find(|r| r.id == m.id) {
                Some(r) => out.push_str(&format!(
                    " {} | {} | {} | {} |",
                    r.reference,
                    units::time(r.median_ns),
                    m.throughput
                        .map(|t| units::rate(t, r.median_ns))
                        .as_deref()
                        .unwrap_or("—"),
                    units::speed_ratio(m.median_ns, r.median_ns)
                )),
                None => out.push_str(" — | — | — | — |"),
            }
        }
        out.push('\n');
    }
    out
}

/// Kiln benches of this run that the reference reported nothing for: a workload missing from
/// `compare.py` (or under another id there), or one it skipped for missing data.
pub fn unmatched<'a>(results: &'a [Measurement], references: &[Reference]) -> Vec<&'a str> {
    results
        .iter()
        .filter(|m| references.iter().all(|r| r.id != m.id))
        .map(|m| m.id.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::criterion::Throughput;

    fn results() -> Vec<Measurement> {
        vec![
            Measurement {
                id: "gelu/1M".into(),
                median_ns: 500_000.0,
                throughput: Some(Throughput::Bytes(4_000_000)),
            },
            Measurement {
                id: "matmul/f32/1024".into(),
                median_ns: 16e6,
                throughput: Some(Throughput::Elements(2 * 1024 * 1024 * 1024)),
            },
            Measurement {
                id: "sum/dim1".into(),
                median_ns: 900.0,
                throughput: None,
            },
        ]
    }

    #[test]
    fn plain_table() {
        let expected = "\
| bench | median | throughput |
|---|---|---|
| gelu/1M | 500 µs | 8.00 GB/s |
| matmul/f32/1024 | 16.0 ms | 134 GFLOP/s |
| sum/dim1 | 900 ns | — |
";
        assert_eq!(table(&results(), None), expected);
    }

    #[test]
    fn table_with_reference_columns() {
        let references = vec![
            Reference {
                id: "matmul/f32/1024".into(),
                median_ns: 20e6,
                reference: "torch 2.15".into(),
            },
            Reference {
                id: "matmul/f32/4096".into(),
                median_ns: 1e9,
                reference: "torch 2.15".into(),
            },
        ];
        let text = table(&results(), Some(&references));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "| bench | median | throughput | reference | ref median | ref throughput | Kiln / ref speed |"
        );
        assert_eq!(lines[1], "|---|---|---|---|---|---|---|");
        assert_eq!(lines[2], "| gelu/1M | 500 µs | 8.00 GB/s | — | — | — | — |");
        assert_eq!(
            lines[3],
            "| matmul/f32/1024 | 16.0 ms | 134 GFLOP/s | torch 2.15 | 20.0 ms | 107 GFLOP/s | 1.25× |"
        );
        assert_eq!(unmatched(&results(), &references), ["gelu/1M", "sum/dim1"]);
    }
}
