//! JSON Lines reading: types, nulls, key order, bad lines with line numbers, skip policy.

use kiln_data::table::{BadRowPolicy, Column, ColumnType, JsonlOptions, Table, TableError};

fn read(text: &[u8]) -> Result<Table, TableError> {
    Table::read_jsonl(text, &JsonlOptions::new()).map(|(t, _)| t)
}

#[test]
fn reads_typed_columns_in_key_order() {
    let t = read(b"{\"z\": 1, \"a\": \"x\"}\n{\"a\": null, \"z\": 2.5, \"new\": true}\n\n{\"z\": 3, \"tags\": [1, 2]}\n").expect("valid");
    assert_eq!(
        t.column_names(),
        &["z", "a", "new", "tags"].map(String::from)
    );
    assert_eq!(
        t.column("z").expect("z"),
        &Column::F64(vec![Some(1.0), Some(2.5), Some(3.0)])
    );
    assert_eq!(
        t.column("a").expect("a"),
        &Column::Str(vec![Some("x".into()), None, None])
    );
    assert_eq!(
        t.column("new").expect("new"),
        &Column::Bool(vec![None, Some(true), None])
    );
    assert_eq!(
        t.column("tags").expect("tags"),
        &Column::Str(vec![None, None, Some("[1,2]".into())])
    );
}

#[test]
fn bad_lines_name_their_line() {
    match read(b"{\"a\": 1}\n{\"a\": 2\n") {
        Err(TableError::Json { line: 2, .. }) => {}
        other => panic!("{other:?}"),
    }
    match read(b"{\"a\": 1}\n\n[1, 2]\n") {
        Err(TableError::NotAnObject { line: 3 }) => {}
        other => panic!("{other:?}"),
    }
    match read(b"{\"a\": \"caf\xe9\"}\n") {
        Err(TableError::InvalidUtf8 { line: 1 }) => {}
        other => panic!("{other:?}"),
    }
    match read(b"{\"a\": 1}\n{\"a\": \"one\"}\n") {
        Err(TableError::TypeMismatch {
            line: 2,
            expected: ColumnType::I64,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn skip_policy_reports_every_bad_line() {
    let text = b"{\"a\": 1}\nnot json\n{\"a\": \"s\"}\n\"str\"\n{\"a\": 4}\n\xff\n";
    let (t, report) = Table::read_jsonl(
        &text[..],
        &JsonlOptions::new().with_bad_rows(BadRowPolicy::Skip),
    )
    .expect("reads on");
    assert_eq!(
        t.column("a").expect("a"),
        &Column::I64(vec![Some(1), Some(4)])
    );
    assert_eq!(report.rows_read, 2);
    let lines: Vec<u64> = report.skipped.iter().map(|s| s.line).collect();
    assert_eq!(lines, vec![2, 3, 4, 6]);
}
