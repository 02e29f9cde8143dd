//! Type inference: from CSV text cells, and from typed values arriving one row at a time.

use super::{Column, ColumnType, Value};

/// Parses `text` as a value of type `ty`; `None` when it does not parse. Numbers and
/// booleans may be surrounded by ASCII spaces; booleans are `true`/`false` in any case.
pub(crate) fn parse_cell(text: &str, ty: ColumnType) -> Option<Value> {
    let t = text.trim_matches(|c: char| c == ' ' || c == '\t');
    match ty {
        ColumnType::I64 => t.parse::<i64>().ok().map(Value::I64),
        ColumnType::F64 => t.parse::<f64>().ok().map(Value::F64),
        ColumnType::Bool => {
            if t.eq_ignore_ascii_case("true") {
                Some(Value::Bool(true))
            } else if t.eq_ignore_ascii_case("false") {
                Some(Value::Bool(false))
            } else {
                None
            }
        }
        ColumnType::Str => Some(Value::Str(text.to_string())),
    }
}

/// The text cells of one CSV column, kept in one string until the column's type is known
/// (one allocation per column rather than per cell).
#[derive(Debug, Default)]
pub(crate) struct TextCells {
    text: String,
    ends: Vec<usize>,
    nulls: Vec<bool>,
}

impl TextCells {
    /// Appends a cell; `None` is null.
    pub(crate) fn push(&mut self, cell: Option<&str>) {
        if let Some(t) = cell {
            self.text.push_str(t);
        }
        self.ends.push(self.text.len());
        self.nulls.push(cell.is_none());
    }

    /// The cells in order.
    fn iter(&self) -> impl Iterator<Item = Option<&str>> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .zip(&self.nulls)
            .map(|((start, &end), &null)| (!null).then(|| &self.text[start..end]))
    }

    /// The narrowest type every non-null cell parses as: bool, then i64, then f64, else
    /// string. A column with no non-null cell is a string column (pandas gives `object`).
    pub(crate) fn infer_type(&self) -> ColumnType {
        let (mut bool_ok, mut int_ok, mut float_ok) = (true, true, true);
        let mut any = false;
        for cell in self.iter().flatten() {
            any = true;
            bool_ok = bool_ok && parse_cell(cell, ColumnType::Bool).is_some();
            // Every integer also parses as a float, so floats are only tried once the
            // integers fail.
            int_ok = int_ok && parse_cell(cell, ColumnType::I64).is_some();
            float_ok = float_ok && (int_ok || parse_cell(cell, ColumnType::F64).is_some());
            if !bool_ok && !float_ok {
                return ColumnType::Str;
            }
        }
        match (any, bool_ok, int_ok, float_ok) {
            (false, ..) => ColumnType::Str,
            (true, true, ..) => ColumnType::Bool,
            (true, false, true, _) => ColumnType::I64,
            (true, false, false, true) => ColumnType::F64,
            _ => ColumnType::Str,
        }
    }

    /// The cells as a column of type `ty`; `Err(row)` names the first cell that does not
    /// parse as `ty`.
    pub(crate) fn into_column(self, ty: ColumnType) -> Result<Column, usize> {
        if ty == ColumnType::Str {
            return Ok(Column::Str(
                self.iter().map(|c| c.map(str::to_string)).collect(),
            ));
        }
        let mut column = Column::empty(ty);
        for (i, cell) in self.iter().enumerate() {
            let value = match cell {
                None => Value::Null,
                Some(text) => parse_cell(text, ty).ok_or(i)?,
            };
            column.push(value).map_err(|_| i)?;
        }
        Ok(column)
    }
}

/// Builds a column from values whose type is fixed by the first non-null one; integers
/// and floats mix into a float column.
#[derive(Debug, Default)]
pub(crate) struct ColumnBuilder {
    column: Option<Column>,
    leading_nulls: usize,
}

impl ColumnBuilder {
    /// A builder that already holds `nulls` null cells.
    pub(crate) fn with_nulls(nulls: usize) -> Self {
        ColumnBuilder {
            column: None,
            leading_nulls: nulls,
        }
    }

    /// Whether `value` can be pushed without a type conflict; `Some(expected)` names the
    /// column type when it cannot.
    pub(crate) fn conflict(&self, value: &Value) -> Option<ColumnType> {
        let (Some(col), Some(ty)) = (&self.column, value.column_type()) else {
            return None;
        };
        let have = col.column_type();
        let ok = have == ty
            || matches!(
                (have, ty),
                (ColumnType::F64, ColumnType::I64) | (ColumnType::I64, ColumnType::F64)
            );
        (!ok).then_some(have)
    }

    /// Appends `value`; the caller checked [`ColumnBuilder::conflict`] first.
    pub(crate) fn push(&mut self, value: Value) {
        match (&mut self.column, value) {
            (None, Value::Null) => self.leading_nulls += 1,
            (None, v) => {
                let ty = v.column_type().unwrap_or(ColumnType::Str);
                let mut col = Column::nulls(ty, self.leading_nulls);
                let _ = col.push(v);
                self.column = Some(col);
            }
            (Some(col), Value::F64(x)) if col.column_type() == ColumnType::I64 => {
                let mut wide = std::mem::replace(col, Column::I64(Vec::new())).widen_to_f64();
                let _ = wide.push(Value::F64(x));
                *col = wide;
            }
            (Some(col), v) => {
                let _ = col.push(v);
            }
        }
    }

    /// The finished column; all-null columns become string columns.
    pub(crate) fn finish(self) -> Column {
        self.column
            .unwrap_or_else(|| Column::nulls(ColumnType::Str, self.leading_nulls))
    }
}
