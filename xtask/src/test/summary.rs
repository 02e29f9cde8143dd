//! Totals over the `test result: …` lines that every libtest binary (and doctest run) prints.

/// Passed / failed / ignored counts summed over all test binaries.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Tests that passed.
    pub passed: u64,
    /// Tests that failed.
    pub failed: u64,
    /// Tests marked `#[ignore]`.
    pub ignored: u64,
    /// How many `test result:` lines were seen (one per test binary that ran).
    pub binaries: u64,
}

impl Totals {
    /// Adds the counts of `line` if it is a libtest result line; returns whether it was one.
    pub fn add_line(&mut self, line: &str) -> bool {
        match parse_result_line(line) {
            Some(counts) => {
                self.passed += counts.passed;
                self.failed += counts.failed;
                self.ignored += counts.ignored;
                self.binaries += 1;
                true
            }
            None => false,
        }
    }
}

/// Parses `test result: ok. 3 passed; 1 failed; 2 ignored; 0 measured; 0 filtered out; …`
/// into its counts (`binaries` = 1); any other line gives `None`.
pub fn parse_result_line(line: &str) -> Option<Totals> {
    let rest = line.trim_start().strip_prefix("test result: ")?;
    let (_outcome, counts) = rest.split_once(". ")?;
    let mut totals = Totals {
        binaries: 1,
        ..Totals::default()
    };
    let mut seen_passed = false;
    for part in counts.split(';') {
        let mut words = part.split_whitespace();
        let (Some(number), Some(label)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = number.parse::<u64>() else {
            continue;
        };
        match label {
            "passed" => {
                totals.passed = n;
                seen_passed = true;
            }
            "failed" => totals.failed = n,
            "ignored" => totals.ignored = n,
            _ => {}
        }
    }
    seen_passed.then_some(totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ok_and_failed_lines() {
        let ok = "test result: ok. 12 passed; 0 failed; 3 ignored; 0 measured; 0 filtered out; finished in 0.01s";
        assert_eq!(
            parse_result_line(ok),
            Some(Totals {
                passed: 12,
                failed: 0,
                ignored: 3,
                binaries: 1
            })
        );
        let bad = "test result: FAILED. 4 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.20s";
        assert_eq!(
            parse_result_line(bad).map(|t| (t.passed, t.failed)),
            Some((4, 2))
        );
    }

    #[test]
    fn ignores_other_lines() {
        for line in [
            "test tensor::add ... ok",
            "running 3 tests",
            "test result: ",
            "test result: ok.",
            "test result: ok. many passed",
            "   Doc-tests kiln_tensor",
        ] {
            assert_eq!(parse_result_line(line), None, "{line}");
        }
    }

    #[test]
    fn totals_sum_over_binaries() {
        let mut totals = Totals::default();
        let lines = [
            "running 2 tests",
            "test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
            "test result: FAILED. 5 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s",
        ];
        let matched = lines.iter().filter(|l| totals.add_line(l)).count();
        assert_eq!(matched, 2);
        assert_eq!(
            totals,
            Totals {
                passed: 7,
                failed: 1,
                ignored: 1,
                binaries: 2
            }
        );
    }

    proptest::proptest! {
        #[test]
        fn any_line_parses_without_panicking(line in "\\PC{0,120}") {
            let _ = parse_result_line(&line);
        }

        #[test]
        fn printed_counts_read_back(passed in 0u64..1_000_000, failed in 0u64..1000, ignored in 0u64..1000) {
            let outcome = if failed == 0 { "ok" } else { "FAILED" };
            let line = format!(
                "test result: {outcome}. {passed} passed; {failed} failed; {ignored} ignored; 0 measured; 0 filtered out; finished in 0.00s"
            );
            let totals = parse_result_line(&line).unwrap();
            proptest::prop_assert_eq!((totals.passed, totals.failed, totals.ignored), (passed, failed, ignored));
        }
    }
}
