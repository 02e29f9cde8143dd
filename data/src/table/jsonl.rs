//! Reading a [`Table`] from JSON Lines (`pandas.read_json(lines=True)`, HF
//! `load_dataset("json")`), one line at a time.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value as Json;

use super::infer::ColumnBuilder;
use super::{BadRowPolicy, ReadReport, SkippedRow, Table, TableError, Value};

/// Options of [`Table::read_jsonl`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsonlOptions {
    /// What to do with a bad line.
    pub bad_rows: BadRowPolicy,
}

impl JsonlOptions {
    /// Default options: stop at the first bad line.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the bad-row policy.
    pub fn with_bad_rows(mut self, policy: BadRowPolicy) -> Self {
        self.bad_rows = policy;
        self
    }
}

impl Table {
    /// Reads a JSON Lines file; see [`Table::read_jsonl`].
    pub fn read_jsonl_path(
        path: impl AsRef<Path>,
        options: &JsonlOptions,
    ) -> Result<(Table, ReadReport), TableError> {
        Table::read_jsonl(BufReader::new(File::open(path)?), options)
    }

    /// Reads JSON Lines from `reader`: each non-blank line is one JSON object, its keys are
    /// columns (in order of first appearance in the file; absent keys are null).
    ///
    /// A column's type is set by its first non-null value (integers and floats mix into
    /// floats); nested arrays and objects are kept as their JSON text in a string column.
    /// Invalid UTF-8, invalid JSON, a non-object line and a value of the wrong type are row
    /// errors with the 1-based line number, skipped and reported under
    /// [`BadRowPolicy::Skip`]. Lines holding only whitespace are counted as blank.
    pub fn read_jsonl<R: BufRead>(
        mut reader: R,
        options: &JsonlOptions,
    ) -> Result<(Table, ReadReport), TableError> {
        let mut report = ReadReport::default();
        let mut names: Vec<String> = Vec::new();
        let mut builders: Vec<ColumnBuilder> = Vec::new();
        let mut line_buf = Vec::new();
        let mut line: u64 = 0;
        loop {
            line_buf.clear();
            if reader.read_until(b'\n', &mut line_buf)? == 0 {
                break;
            }
            line += 1;
            if line_buf.iter().all(u8::is_ascii_whitespace) {
                report.blank_lines += 1;
                continue;
            }
            let row = parse_line(&line_buf, line).and_then(|fields| {
                check_types(&fields, &names, &builders, line)?;
                Ok(fields)
            });
            match row {
                Ok(fields) => {
                    commit(fields, &mut names, &mut builders, report.rows_read);
                    report.rows_read += 1;
                }
                Err(error) if options.bad_rows == BadRowPolicy::Skip => {
                    report.skipped.push(SkippedRow { line, error });
                }
                Err(error) => return Err(error),
            }
        }
        let columns = builders.into_iter().map(ColumnBuilder::finish).collect();
        Ok((Table::from_parts(names, columns, report.rows_read), report))
    }
}

/// A JSON object with its keys in document order.
struct OrderedObject(Vec<(String, Json)>);

impl<'de> Deserialize<'de> for OrderedObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;

        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = OrderedObject;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedObject, A::Error> {
                let mut fields: Vec<(String, Json)> = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Json>()? {
                    // A repeated key keeps its first position and its last value.
                    match fields.iter_mut().find(|(k, _)| *k == key) {
                        Some(slot) => slot.1 = value,
                        None => fields.push((key, value)),
                    }
                }
                Ok(OrderedObject(fields))
            }
        }

        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// One line as `(key, value)` pairs in the object's order.
fn parse_line(bytes: &[u8], line: u64) -> Result<Vec<(String, Value)>, TableError> {
    let text = std::str::from_utf8(bytes).map_err(|_| TableError::InvalidUtf8 { line })?;
    let object: OrderedObject = match serde_json::from_str(text) {
        Ok(object) => object,
        // Valid JSON that is not an object, or not JSON at all.
        Err(e) => {
            return Err(match serde_json::from_str::<Json>(text) {
                Ok(_) => TableError::NotAnObject { line },
                Err(_) => TableError::Json {
                    line,
                    message: e.to_string(),
                },
            });
        }
    };
    Ok(object
        .0
        .into_iter()
        .map(|(k, v)| {
            let value = match v {
                Json::Null => Value::Null,
                Json::Bool(b) => Value::Bool(b),
                Json::Number(n) => match n.as_i64() {
                    Some(i) => Value::I64(i),
                    None => Value::F64(n.as_f64().unwrap_or(f64::NAN)),
                },
                Json::String(s) => Value::Str(s),
                nested => Value::Str(nested.to_string()),
            };
            (k, value)
        })
        .collect())
}

fn check_types(
    fields: &[(String, Value)],
    names: &[String],
    builders: &[ColumnBuilder],
    line: u64,
) -> Result<(), TableError> {
    for (key, value) in fields {
        if let Some(k) = names.iter().position(|n| n == key)
            && let Some(expected) = builders[k].conflict(value)
        {
            return Err(TableError::TypeMismatch {
                line,
                column: key.clone(),
                expected,
                value: format!("{value:?}"),
            });
        }
    }
    Ok(())
}

fn commit(
    fields: Vec<(String, Value)>,
    names: &mut Vec<String>,
    builders: &mut Vec<ColumnBuilder>,
    rows_before: usize,
) {
    let mut filled = vec![false; names.len()];
    for (key, value) in fields {
        let k = match names.iter().position(|n| *n == key) {
            Some(k) => k,
            None => {
                names.push(key);
                builders.push(ColumnBuilder::with_nulls(rows_before));
                filled.push(false);
                names.len() - 1
            }
        };
        builders[k].push(value);
        filled[k] = true;
    }
    for (k, builder) in builders.iter_mut().enumerate() {
        if !filled[k] {
            builder.push(Value::Null);
        }
    }
}
