//! A borrowed view of one table row, handed to `filter` and `map` closures.

use super::{Table, Value};

/// One row of a [`Table`] (the `example` dict of HF `Dataset.map` / `filter`).
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    table: &'a Table,
    index: usize,
}

impl<'a> Row<'a> {
    pub(crate) fn new(table: &'a Table, index: usize) -> Self {
        Row { table, index }
    }

    /// The row's 0-based position in its table.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The cell of column `name`; `None` when there is no such column.
    pub fn get(&self, name: &str) -> Option<Value> {
        let col = self.table.position(name).ok()?;
        Some(self.table.columns()[col].value(self.index))
    }

    /// The integer in column `name`, `None` when absent, null or not an integer.
    pub fn get_i64(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            Value::I64(v) => Some(v),
            _ => None,
        }
    }

    /// The number in column `name` as f64 (integers widen), `None` when absent, null or
    /// not numeric.
    pub fn get_f64(&self, name: &str) -> Option<f64> {
        match self.get(name)? {
            Value::F64(v) => Some(v),
            Value::I64(v) => Some(v as f64),
            _ => None,
        }
    }

    /// The boolean in column `name`, `None` when absent, null or not a boolean.
    pub fn get_bool(&self, name: &str) -> Option<bool> {
        match self.get(name)? {
            Value::Bool(v) => Some(v),
            _ => None,
        }
    }

    /// The string in column `name`, borrowed; `None` when absent, null or not a string.
    pub fn get_str(&self, name: &str) -> Option<&'a str> {
        let col = self.table.position(name).ok()?;
        match &self.table.columns()[col] {
            super::Column::Str(v) => v[self.index].as_deref(),
            _ => None,
        }
    }

    /// All cells of the row, in column order.
    pub fn values(&self) -> Vec<Value> {
        self.table
            .columns()
            .iter()
            .map(|c| c.value(self.index))
            .collect()
    }
}
