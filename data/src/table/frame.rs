//! The [`Table`] type: named columns of equal length.

use super::{Column, ColumnType, Row, TableError};

/// An in-memory table: named, typed, nullable columns of equal length (a minimal
/// `pandas.DataFrame` / `datasets.Dataset`). Built by [`Table::new`] or read with
/// [`Table::read_csv`] / [`Table::read_jsonl`]; operations return new tables.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    names: Vec<String>,
    columns: Vec<Column>,
    rows: usize,
}

impl Table {
    /// A table from `(name, column)` pairs; errors on duplicate names or unequal lengths.
    pub fn new(columns: Vec<(String, Column)>) -> Result<Table, TableError> {
        let rows = columns.first().map_or(0, |(_, c)| c.len());
        let mut names = Vec::with_capacity(columns.len());
        let mut cols = Vec::with_capacity(columns.len());
        for (name, column) in columns {
            if names.contains(&name) {
                return Err(TableError::DuplicateColumn { name });
            }
            if column.len() != rows {
                return Err(TableError::LengthMismatch {
                    column: name,
                    len: column.len(),
                    expected: rows,
                });
            }
            names.push(name);
            cols.push(column);
        }
        Ok(Table {
            names,
            columns: cols,
            rows,
        })
    }

    /// Builds a table whose columns are known to be distinct and of length `rows`.
    pub(crate) fn from_parts(names: Vec<String>, columns: Vec<Column>, rows: usize) -> Table {
        debug_assert!(columns.iter().all(|c| c.len() == rows));
        Table {
            names,
            columns,
            rows,
        }
    }

    /// Number of rows (`len(df)`).
    pub fn num_rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn num_columns(&self) -> usize {
        self.columns.len()
    }

    /// Column names in order (`df.columns`).
    pub fn column_names(&self) -> &[String] {
        &self.names
    }

    /// `(name, type)` of every column (`df.dtypes`).
    pub fn schema(&self) -> Vec<(String, ColumnType)> {
        self.names
            .iter()
            .cloned()
            .zip(self.columns.iter().map(Column::column_type))
            .collect()
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Result<&Column, TableError> {
        self.position(name).map(|i| &self.columns[i])
    }

    /// All columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Row `index`; panics when `index >= num_rows()`.
    pub fn row(&self, index: usize) -> Row<'_> {
        assert!(
            index < self.rows,
            "Table::row: index {index} out of range for {} rows",
            self.rows
        );
        Row::new(self, index)
    }

    /// Iterates the rows.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        (0..self.rows).map(|i| Row::new(self, i))
    }

    /// The index of column `name`.
    pub(crate) fn position(&self, name: &str) -> Result<usize, TableError> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| TableError::UnknownColumn {
                name: name.to_string(),
            })
    }

    pub(crate) fn into_parts(self) -> (Vec<String>, Vec<Column>, usize) {
        (self.names, self.columns, self.rows)
    }
}
