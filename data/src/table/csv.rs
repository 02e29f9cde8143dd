//! Reading a [`Table`] from CSV (`pandas.read_csv`), streamed record by record.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use super::csv_record::{RawRecord, RecordReader, RecordStatus};
use super::infer::{TextCells, parse_cell};
use super::{BadRowPolicy, Column, ColumnType, ReadReport, SkippedRow, Table, TableError, Value};

/// Options of [`Table::read_csv`]; defaults: header row, `,` delimiter, `"` quote, empty
/// cells are null, every column's type inferred, stop at the first bad row.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvOptions {
    /// The first record names the columns (`header=0`); otherwise columns are `column_1`, ….
    pub has_header: bool,
    /// Field separator (`sep=`).
    pub delimiter: u8,
    /// Quote character (`quotechar=`); a doubled quote inside quotes is a literal quote.
    pub quote: u8,
    /// Cell texts read as null (`na_values=`); the empty string by default.
    pub null_values: Vec<String>,
    /// Column types fixed in advance (`dtype={name: type}`); other columns are inferred
    /// from all their cells (bool, then i64, then f64, else string).
    pub dtypes: Vec<(String, ColumnType)>,
    /// What to do with a malformed row (`on_bad_lines=`).
    pub bad_rows: BadRowPolicy,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            has_header: true,
            delimiter: b',',
            quote: b'"',
            null_values: vec![String::new()],
            dtypes: Vec::new(),
            bad_rows: BadRowPolicy::Error,
        }
    }
}

impl CsvOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the delimiter.
    pub fn with_delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// Says whether the first record is a header.
    pub fn with_header(mut self, has_header: bool) -> Self {
        self.has_header = has_header;
        self
    }

    /// Fixes the type of column `name`.
    pub fn with_dtype(mut self, name: &str, ty: ColumnType) -> Self {
        self.dtypes.push((name.to_string(), ty));
        self
    }

    /// Sets the bad-row policy.
    pub fn with_bad_rows(mut self, policy: BadRowPolicy) -> Self {
        self.bad_rows = policy;
        self
    }
}

/// Cells of one column while reading: parsed directly when the type is given, kept as
/// text for inference otherwise.
enum Builder {
    Typed(Column),
    Text(TextCells),
}

impl Table {
    /// Reads a CSV file; see [`Table::read_csv`].
    pub fn read_csv_path(
        path: impl AsRef<Path>,
        options: &CsvOptions,
    ) -> Result<(Table, ReadReport), TableError> {
        Table::read_csv(BufReader::new(File::open(path)?), options)
    }

    /// Reads CSV from `reader` (`pandas.read_csv`), record by record: the input is never
    /// held whole, only the current record and the parsed columns.
    ///
    /// Row errors (wrong field count, invalid UTF-8, an unclosed or malformed quote, a cell
    /// that does not parse as its given type) carry the 1-based line where the row starts;
    /// under [`BadRowPolicy::Skip`] such rows are left out and listed in the report.
    /// Empty lines carry no row and are counted in [`ReadReport::blank_lines`].
    pub fn read_csv<R: BufRead>(
        reader: R,
        options: &CsvOptions,
    ) -> Result<(Table, ReadReport), TableError> {
        let mut records = RecordReader::new(reader, options.delimiter, options.quote);
        let mut record = RawRecord::default();
        let mut report = ReadReport::default();
        let mut names: Option<Vec<String>> = None;
        let mut builders: Vec<Builder> = Vec::new();
        loop {
            let status = records.read(&mut record)?;
            let result = match status {
                RecordStatus::Eof => break,
                RecordStatus::Blank => {
                    report.blank_lines += 1;
                    continue;
                }
                RecordStatus::MalformedQuote => {
                    Err(TableError::MalformedQuote { line: record.line })
                }
                RecordStatus::UnterminatedQuote => {
                    Err(TableError::UnterminatedQuote { line: record.line })
                }
                RecordStatus::Record => Ok(()),
            };
            if result.is_ok() && names.is_none() {
                let header = header_names(&record, options.has_header)?;
                builders = make_builders(&header, options)?;
                names = Some(header);
                if options.has_header {
                    continue;
                }
            }
            let columns = names.as_deref().unwrap_or(&[]);
            let mut cells: Vec<Option<&str>> = Vec::with_capacity(columns.len());
            let result =
                result.and_then(|()| check_row(&record, &mut cells, columns, options, &builders));
            match result {
                Ok(()) => {
                    commit_row(&mut builders, &cells);
                    report.rows_read += 1;
                }
                Err(error) if is_row_error(&error) && options.bad_rows == BadRowPolicy::Skip => {
                    report.skipped.push(SkippedRow {
                        line: record.line,
                        error,
                    });
                }
                Err(error) => return Err(error),
            }
        }
        let Some(names) = names else {
            return Err(TableError::MissingHeader);
        };
        let columns = builders
            .into_iter()
            .zip(&names)
            .map(|(b, name)| finish_column(b, name))
            .collect::<Result<Vec<Column>, TableError>>()?;
        Ok((Table::from_parts(names, columns, report.rows_read), report))
    }
}

fn is_row_error(e: &TableError) -> bool {
    e.line().is_some()
}

fn header_names(record: &RawRecord, has_header: bool) -> Result<Vec<String>, TableError> {
    if !has_header {
        return Ok((1..=record.len()).map(|i| format!("column_{i}")).collect());
    }
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    for i in 0..record.len() {
        let name = std::str::from_utf8(record.field(i))
            .map_err(|_| TableError::InvalidUtf8 { line: record.line })?;
        if names.iter().any(|n| n == name) {
            return Err(TableError::DuplicateColumn {
                name: name.to_string(),
            });
        }
        names.push(name.to_string());
    }
    Ok(names)
}

fn make_builders(names: &[String], options: &CsvOptions) -> Result<Vec<Builder>, TableError> {
    if let Some((unknown, _)) = options.dtypes.iter().find(|(n, _)| !names.contains(n)) {
        return Err(TableError::UnknownColumn {
            name: unknown.clone(),
        });
    }
    Ok(names
        .iter()
        .map(
            |name| match options.dtypes.iter().find(|(n, _)| n == name) {
                Some((_, ty)) => Builder::Typed(Column::empty(*ty)),
                None => Builder::Text(TextCells::default()),
            },
        )
        .collect())
}

/// Validates a data row: field count, UTF-8 and typed cells. Fills `cells` with the text of
/// each field (`None` for a null) when the row can be committed.
fn check_row<'r>(
    record: &'r RawRecord,
    cells: &mut Vec<Option<&'r str>>,
    names: &[String],
    options: &CsvOptions,
    builders: &[Builder],
) -> Result<(), TableError> {
    let (expected, found, line) = (names.len(), record.len(), record.line);
    if found < expected {
        return Err(TableError::MissingFields {
            line,
            expected,
            found,
        });
    }
    if found > expected {
        return Err(TableError::ExtraFields {
            line,
            expected,
            found,
        });
    }
    cells.clear();
    for i in 0..found {
        let text =
            std::str::from_utf8(record.field(i)).map_err(|_| TableError::InvalidUtf8 { line })?;
        let null = options.null_values.iter().any(|n| n == text);
        if let (Builder::Typed(col), false) = (&builders[i], null)
            && parse_cell(text, col.column_type()).is_none()
        {
            return Err(TableError::TypeMismatch {
                line,
                column: names[i].clone(),
                expected: col.column_type(),
                value: text.to_string(),
            });
        }
        cells.push((!null).then_some(text));
    }
    Ok(())
}

fn commit_row(builders: &mut [Builder], cells: &[Option<&str>]) {
    for (builder, cell) in builders.iter_mut().zip(cells) {
        match builder {
            Builder::Text(v) => v.push(*cell),
            Builder::Typed(col) => {
                let ty = col.column_type();
                let value = cell.and_then(|t| parse_cell(t, ty)).unwrap_or(Value::Null);
                // check_row verified the cell parses as the column's type.
                let _ = col.push(value);
            }
        }
    }
}

fn finish_column(builder: Builder, name: &str) -> Result<Column, TableError> {
    match builder {
        Builder::Typed(col) => Ok(col),
        Builder::Text(cells) => {
            let ty = cells.infer_type();
            cells
                .into_column(ty)
                .map_err(|row| TableError::TypeMismatch {
                    line: 0,
                    column: name.to_string(),
                    expected: ty,
                    value: format!("row {row}"),
                })
        }
    }
}
