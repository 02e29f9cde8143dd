//! Typed, nullable table columns and single cell values.

use std::fmt;

/// The type of a [`Column`] (pandas / Arrow dtypes `int64`, `float64`, `bool`, `string`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// 64-bit signed integers.
    I64,
    /// 64-bit floats.
    F64,
    /// Booleans.
    Bool,
    /// UTF-8 strings.
    Str,
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColumnType::I64 => "i64",
            ColumnType::F64 => "f64",
            ColumnType::Bool => "bool",
            ColumnType::Str => "str",
        })
    }
}

/// One cell: a typed value or null (`None` / `NaN`-free missing value).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A missing value.
    Null,
    /// An integer.
    I64(i64),
    /// A float.
    F64(f64),
    /// A boolean.
    Bool(bool),
    /// A string.
    Str(String),
}

impl Value {
    /// The column type this value belongs in; `None` for null.
    pub fn column_type(&self) -> Option<ColumnType> {
        match self {
            Value::Null => None,
            Value::I64(_) => Some(ColumnType::I64),
            Value::F64(_) => Some(ColumnType::F64),
            Value::Bool(_) => Some(ColumnType::Bool),
            Value::Str(_) => Some(ColumnType::Str),
        }
    }
}

/// A column of one type; every cell may be null (`None`).
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    /// Integers.
    I64(Vec<Option<i64>>),
    /// Floats.
    F64(Vec<Option<f64>>),
    /// Booleans.
    Bool(Vec<Option<bool>>),
    /// Strings.
    Str(Vec<Option<String>>),
}

impl Column {
    /// An empty column of type `ty`.
    pub fn empty(ty: ColumnType) -> Column {
        match ty {
            ColumnType::I64 => Column::I64(Vec::new()),
            ColumnType::F64 => Column::F64(Vec::new()),
            ColumnType::Bool => Column::Bool(Vec::new()),
            ColumnType::Str => Column::Str(Vec::new()),
        }
    }

    /// The column's type.
    pub fn column_type(&self) -> ColumnType {
        match self {
            Column::I64(_) => ColumnType::I64,
            Column::F64(_) => ColumnType::F64,
            Column::Bool(_) => ColumnType::Bool,
            Column::Str(_) => ColumnType::Str,
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        match self {
            Column::I64(v) => v.len(),
            Column::F64(v) => v.len(),
            Column::Bool(v) => v.len(),
            Column::Str(v) => v.len(),
        }
    }

    /// `true` when the column has no cell.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of null cells.
    pub fn null_count(&self) -> usize {
        match self {
            Column::I64(v) => v.iter().filter(|x| x.is_none()).count(),
            Column::F64(v) => v.iter().filter(|x| x.is_none()).count(),
            Column::Bool(v) => v.iter().filter(|x| x.is_none()).count(),
            Column::Str(v) => v.iter().filter(|x| x.is_none()).count(),
        }
    }

    /// The cell at `row` as a [`Value`]; panics when `row >= len()`.
    pub fn value(&self, row: usize) -> Value {
        match self {
            Column::I64(v) => v[row].map_or(Value::Null, Value::I64),
            Column::F64(v) => v[row].map_or(Value::Null, Value::F64),
            Column::Bool(v) => v[row].map_or(Value::Null, Value::Bool),
            Column::Str(v) => v[row].clone().map_or(Value::Null, Value::Str),
        }
    }

    /// The cells at `rows`, in that order; panics on an out-of-range row.
    pub fn take(&self, rows: &[usize]) -> Column {
        match self {
            Column::I64(v) => Column::I64(rows.iter().map(|&r| v[r]).collect()),
            Column::F64(v) => Column::F64(rows.iter().map(|&r| v[r]).collect()),
            Column::Bool(v) => Column::Bool(rows.iter().map(|&r| v[r]).collect()),
            Column::Str(v) => Column::Str(rows.iter().map(|&r| v[r].clone()).collect()),
        }
    }

    /// Appends `value`. An integer goes into a float column as a float; any other type
    /// mismatch is returned as `Err(value)` and nothing is appended.
    pub fn push(&mut self, value: Value) -> Result<(), Value> {
        match (self, value) {
            (Column::I64(v), Value::I64(x)) => v.push(Some(x)),
            (Column::I64(v), Value::Null) => v.push(None),
            (Column::F64(v), Value::F64(x)) => v.push(Some(x)),
            (Column::F64(v), Value::I64(x)) => v.push(Some(x as f64)),
            (Column::F64(v), Value::Null) => v.push(None),
            (Column::Bool(v), Value::Bool(x)) => v.push(Some(x)),
            (Column::Bool(v), Value::Null) => v.push(None),
            (Column::Str(v), Value::Str(x)) => v.push(Some(x)),
            (Column::Str(v), Value::Null) => v.push(None),
            (_, other) => return Err(other),
        }
        Ok(())
    }

    /// This integer column as floats (other columns unchanged), for integer → float
    /// widening when a float arrives later.
    pub(crate) fn widen_to_f64(self) -> Column {
        match self {
            Column::I64(v) => Column::F64(v.into_iter().map(|x| x.map(|i| i as f64)).collect()),
            other => other,
        }
    }

    /// A column of `len` nulls of type `ty`.
    pub(crate) fn nulls(ty: ColumnType, len: usize) -> Column {
        match ty {
            ColumnType::I64 => Column::I64(vec![None; len]),
            ColumnType::F64 => Column::F64(vec![None; len]),
            ColumnType::Bool => Column::Bool(vec![None; len]),
            ColumnType::Str => Column::Str(vec![None; len]),
        }
    }
}
