//! Both readers on arbitrary bytes and on mutated valid files (issue 20): never panic, abort or
//! allocate more than 1 GiB; on success the table is consistent, and with the skip policy
//! every non-blank row is either read or reported. Runs `KILN_FUZZ_CASES` cases (256 unless
//! set); this binary holds only these tests, so its allocation counter sees only them.

use std::io::BufReader;

use kiln_data::table::{BadRowPolicy, CsvOptions, JsonlOptions, Table};
use kiln_testkit::alloc::LargestAllocation;
use kiln_testkit::mutate::{fuzz_cases, mutate_bytes};
use proptest::prelude::*;
use proptest::sample::Index;

#[global_allocator]
static GLOBAL: LargestAllocation = LargestAllocation;

/// A valid CSV of reviews: quoted fields with commas, doubled quotes and newlines, an empty
/// field, numbers and a float label column.
const VALID_CSV: &str = "text,label,score\n\
\"A fine, long film\",1,0.5\n\
\"He said \"\"no\"\"\",0,-1e3\n\
\"two\nlines\",1,\n\
plain,0,7\n";

/// A valid JSONL file with strings, numbers, nulls and escapes.
const VALID_JSONL: &str = "{\"text\": \"A fine film\", \"label\": 1}\n\
{\"text\": \"caf\\u00e9 \\\"quoted\\\"\", \"label\": 0, \"score\": 2.5}\n\
\n\
{\"text\": null, \"label\": 1}\n";

fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b','),
            Just(b'"'),
            Just(b'\n'),
            Just(b'\r'),
            Just(b'a'),
            Just(b'1'),
            Just(b'.'),
            Just(0xffu8),
            Just(0xc3u8),
            Just(b' '),
            any::<u8>()
        ],
        0..400,
    )
}

fn jsonl_like() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b"{\"a\": 1}".to_vec()),
            Just(b"{\"a\": \"x\", \"b\": null}".to_vec()),
            Just(b"{\"b\": 2.5}".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"[".to_vec()),
            Just(b"}".to_vec()),
            Just(vec![0xff]),
            prop::collection::vec(any::<u8>(), 0..8)
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases()))]

    #[test]
    fn csv_reader_never_panics(bytes in csv_like(), skip in any::<bool>(), header in any::<bool>()) {
        let policy = if skip { BadRowPolicy::Skip } else { BadRowPolicy::Error };
        let opts = CsvOptions::new().with_bad_rows(policy).with_header(header);
        if let Ok((table, report)) = Table::read_csv(&bytes[..], &opts) {
            prop_assert_eq!(table.num_rows(), report.rows_read);
            for c in table.columns() {
                prop_assert_eq!(c.len(), table.num_rows());
            }
            if !skip {
                prop_assert!(report.skipped.is_empty());
            }
        }
    }

    #[test]
    fn jsonl_reader_never_panics(bytes in jsonl_like(), skip in any::<bool>()) {
        let policy = if skip { BadRowPolicy::Skip } else { BadRowPolicy::Error };
        if let Ok((table, report)) = Table::read_jsonl(&bytes[..], &JsonlOptions::new().with_bad_rows(policy)) {
            prop_assert_eq!(table.num_rows(), report.rows_read);
            for c in table.columns() {
                prop_assert_eq!(c.len(), table.num_rows());
            }
            // Every line is read, skipped or blank: nothing vanishes.
            let lines = bytes.split(|&b| b == b'\n').enumerate()
                .filter(|(i, l)| !(l.is_empty() && *i == bytes.split(|&b| b == b'\n').count() - 1))
                .count();
            prop_assert_eq!(report.rows_read + report.skipped.len() + report.blank_lines, lines);
        }
    }

    #[test]
    fn chunk_size_does_not_change_the_result(bytes in csv_like(), capacity in 1usize..16) {
        let opts = CsvOptions::new().with_bad_rows(BadRowPolicy::Skip);
        let whole = Table::read_csv(&bytes[..], &opts);
        let chunked = Table::read_csv(BufReader::with_capacity(capacity, &bytes[..]), &opts);
        match (whole, chunked) {
            (Ok((a, ra)), Ok((b, rb))) => {
                // Debug text compares NaN cells as equal.
                prop_assert_eq!(format!("{a:?}"), format!("{b:?}"));
                prop_assert_eq!(format!("{ra:?}"), format!("{rb:?}"));
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => prop_assert!(false, "whole {:?} vs chunked {:?}", a.is_ok(), b.is_ok()),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Table::read_csv(&bytes[..], &CsvOptions::new().with_bad_rows(BadRowPolicy::Skip));
        let _ = Table::read_jsonl(&bytes[..], &JsonlOptions::new().with_bad_rows(BadRowPolicy::Skip));
    }

    #[test]
    fn mutated_valid_files_never_panic(
        csv in any::<bool>(),
        edits in prop::collection::vec((any::<Index>(), any::<u8>(), any::<u8>()), 1..6),
        skip in any::<bool>(),
    ) {
        let policy = if skip { BadRowPolicy::Skip } else { BadRowPolicy::Error };
        let base = if csv { VALID_CSV } else { VALID_JSONL };
        let bytes = mutate_bytes(base.as_bytes().to_vec(), &edits);
        let read = if csv {
            Table::read_csv(&bytes[..], &CsvOptions::new().with_bad_rows(policy)).map(|(t, _)| t)
        } else {
            Table::read_jsonl(&bytes[..], &JsonlOptions::new().with_bad_rows(policy)).map(|(t, _)| t)
        };
        if let Ok(table) = read {
            for c in table.columns() {
                prop_assert_eq!(c.len(), table.num_rows());
            }
        }
        LargestAllocation::assert_under_a_gib();
    }
}
