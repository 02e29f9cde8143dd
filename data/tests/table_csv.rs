//! CSV reading: quoting, type inference, given types, and every bad-input case with its
//! exact 1-based line number, under both bad-row policies.

use kiln_data::table::{BadRowPolicy, Column, ColumnType, CsvOptions, Table, TableError};
use kiln_tensor::DType;

fn read(text: &[u8], options: &CsvOptions) -> Result<Table, TableError> {
    Table::read_csv(text, options).map(|(t, _)| t)
}

#[test]
fn infers_types_and_nulls() {
    let csv = b"id,score,ok,name\n1,0.5,true,ann\n2,,False,\n3,2,TRUE,\"cy, d\"\n";
    let t = read(csv, &CsvOptions::new()).expect("valid");
    assert_eq!(t.num_rows(), 3);
    let schema: Vec<ColumnType> = t.schema().into_iter().map(|(_, ty)| ty).collect();
    assert_eq!(
        schema,
        vec![
            ColumnType::I64,
            ColumnType::F64,
            ColumnType::Bool,
            ColumnType::Str
        ]
    );
    assert_eq!(
        t.column("score").expect("col"),
        &Column::F64(vec![Some(0.5), None, Some(2.0)])
    );
    assert_eq!(
        t.column("name").expect("col"),
        &Column::Str(vec![Some("ann".into()), None, Some("cy, d".into())])
    );
    assert_eq!(
        t.column_tensor("id", DType::I64)
            .expect("ids")
            .to_vec::<i64>(),
        vec![1, 2, 3]
    );
    assert!(matches!(
        t.column_tensor("score", DType::F32),
        Err(TableError::NullValue { row: 1, .. })
    ));
    assert!(matches!(
        t.column_tensor("name", DType::F32),
        Err(TableError::NotNumeric { .. })
    ));
}

#[test]
fn quoted_newlines_quotes_and_crlf() {
    let csv = b"a,b\r\n\"line one\nline two\",\"say \"\"hi\"\"\"\r\n3,\"\"\r\nx,y";
    let (t, report) = Table::read_csv(&csv[..], &CsvOptions::new()).expect("valid");
    assert_eq!(report.rows_read, 3);
    assert_eq!(
        t.column("a").expect("a"),
        &Column::Str(vec![
            Some("line one\nline two".into()),
            Some("3".into()),
            Some("x".into())
        ])
    );
    assert_eq!(
        t.column("b").expect("b"),
        &Column::Str(vec![Some("say \"hi\"".into()), None, Some("y".into())])
    );
    // The row after the two-line record starts on line 4: errors there name line 4.
    let bad = b"a,b\n\"one\ntwo\",2\n3\n";
    match read(bad, &CsvOptions::new()) {
        Err(TableError::MissingFields {
            line: 4,
            expected: 2,
            found: 1,
        }) => {}
        other => panic!("expected MissingFields at line 4, got {other:?}"),
    }
}

#[test]
fn missing_and_extra_fields_with_line_numbers() {
    let csv = b"a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12\n";
    match read(csv, &CsvOptions::new()) {
        Err(TableError::MissingFields {
            line: 3,
            expected: 3,
            found: 2,
        }) => {}
        other => panic!("{other:?}"),
    }
    let csv = b"a,b,c\n1,2,3\n6,7,8\n9,10,11,12\n";
    match read(csv, &CsvOptions::new()) {
        Err(
            e @ TableError::ExtraFields {
                line: 4,
                expected: 3,
                found: 4,
            },
        ) => {
            assert_eq!(
                e.to_string(),
                "line 4: expected 3 fields, found 4 (extra fields)"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_utf8_names_its_line() {
    let csv = b"a,b\n1,ok\n2,caf\xe9\n";
    match read(csv, &CsvOptions::new()) {
        Err(TableError::InvalidUtf8 { line: 3 }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn quote_errors_name_their_line() {
    match read(b"a,b\n1,2\n\"open,3\n4,5\n", &CsvOptions::new()) {
        Err(TableError::UnterminatedQuote { line: 3 }) => {}
        other => panic!("{other:?}"),
    }
    match read(b"a,b\n1,\"x\"y\n", &CsvOptions::new()) {
        Err(TableError::MalformedQuote { line: 2 }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn given_types_are_checked_per_cell() {
    let opts = CsvOptions::new().with_dtype("n", ColumnType::I64);
    let t = read(b"n,s\n1,a\n,b\n", &opts).expect("valid");
    assert_eq!(t.column("n").expect("n"), &Column::I64(vec![Some(1), None]));
    match read(b"n,s\n1,a\n2.5,b\n", &opts) {
        Err(TableError::TypeMismatch {
            line: 3,
            column,
            expected: ColumnType::I64,
            value,
        }) => {
            assert_eq!(column, "n");
            assert_eq!(value, "2.5");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        read(
            b"a\n1\n",
            &CsvOptions::new().with_dtype("zz", ColumnType::F64)
        ),
        Err(TableError::UnknownColumn { .. })
    ));
}

#[test]
fn skip_policy_counts_and_reports_every_bad_row() {
    let csv: &[u8] = b"a,b\n1,2\n3\n4,5,6\n7,\xff\n\n8,9\n\"q\"x,1\n10,11";
    let opts = CsvOptions::new().with_bad_rows(BadRowPolicy::Skip);
    let (t, report) = Table::read_csv(csv, &opts).expect("skip policy reads on");
    assert_eq!(report.rows_read, 3);
    assert_eq!(t.num_rows(), 3);
    assert_eq!(
        t.column("a").expect("a"),
        &Column::I64(vec![Some(1), Some(8), Some(10)])
    );
    let lines: Vec<u64> = report.skipped.iter().map(|s| s.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 8]);
    assert!(matches!(
        report.skipped[0].error,
        TableError::MissingFields { .. }
    ));
    assert!(matches!(
        report.skipped[1].error,
        TableError::ExtraFields { .. }
    ));
    assert!(matches!(
        report.skipped[2].error,
        TableError::InvalidUtf8 { .. }
    ));
    assert!(matches!(
        report.skipped[3].error,
        TableError::MalformedQuote { .. }
    ));
    assert_eq!(report.blank_lines, 1);
}

#[test]
fn header_options_and_delimiters() {
    let t = read(
        b"1;2\n3;4\n",
        &CsvOptions::new().with_header(false).with_delimiter(b';'),
    )
    .expect("valid");
    assert_eq!(
        t.column_names(),
        &["column_1".to_string(), "column_2".to_string()]
    );
    assert_eq!(t.num_rows(), 2);
    assert!(matches!(
        read(b"", &CsvOptions::new()),
        Err(TableError::MissingHeader)
    ));
    assert!(matches!(
        read(b"a,a\n1,2\n", &CsvOptions::new()),
        Err(TableError::DuplicateColumn { .. })
    ));
    // A UTF-8 byte-order mark does not become part of the first name.
    let t = read(b"\xEF\xBB\xBFx,y\n1,2\n", &CsvOptions::new()).expect("valid");
    assert_eq!(t.column_names()[0], "x");
}

#[test]
fn reads_in_small_chunks() {
    // A reader that hands out 3 bytes at a time: records span chunk boundaries.
    let csv = b"id,text\n1,\"multi\r\nline, with \"\"quotes\"\"\"\r\n2,plain\r\n";
    let reader = std::io::BufReader::with_capacity(3, &csv[..]);
    let (t, report) = Table::read_csv(reader, &CsvOptions::new()).expect("valid");
    assert_eq!(report.rows_read, 2);
    assert_eq!(
        t.column("text").expect("text"),
        &Column::Str(vec![
            Some("multi\r\nline, with \"quotes\"".into()),
            Some("plain".into())
        ])
    );
}
