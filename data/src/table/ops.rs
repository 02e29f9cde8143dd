//! Row and column operations on a [`Table`]: select, take, filter, shuffle, map, split.

use kiln_tensor::Generator;

use super::infer::ColumnBuilder;
use super::{Column, Row, Table, TableError, Value};
use crate::rng::permutation;
use crate::splits::{SplitError, TrainTestSplit};

impl Table {
    /// The columns named in `names`, in that order (`df[names]`, HF `select_columns`).
    pub fn select(&self, names: &[&str]) -> Result<Table, TableError> {
        let mut out = Vec::with_capacity(names.len());
        for &name in names {
            out.push((name.to_string(), self.column(name)?.clone()));
        }
        Table::new(out)
    }

    /// The rows at `indices`, in that order (`df.iloc[indices]`, HF `select`); panics on an
    /// out-of-range index.
    pub fn take(&self, indices: &[usize]) -> Table {
        let cols = self.columns().iter().map(|c| c.take(indices)).collect();
        Table::from_parts(self.column_names().to_vec(), cols, indices.len())
    }

    /// The first `n` rows (or all, when fewer) (`df.head(n)`).
    pub fn head(&self, n: usize) -> Table {
        let idx: Vec<usize> = (0..n.min(self.num_rows())).collect();
        self.take(&idx)
    }

    /// The rows for which `keep` is true (HF `Dataset.filter`).
    pub fn filter(&self, keep: impl Fn(&Row<'_>) -> bool) -> Table {
        let idx: Vec<usize> = self.rows().filter(|r| keep(r)).map(|r| r.index()).collect();
        self.take(&idx)
    }

    /// The rows in a random order seeded by `seed` (HF `Dataset.shuffle(seed)`).
    pub fn shuffle(&self, seed: u64) -> Table {
        self.take(&permutation(self.num_rows(), &mut Generator::new(seed)))
    }

    /// Applies `f` to every row; the `(name, value)` pairs it returns replace columns of
    /// the same name or add new columns (HF `Dataset.map`). A returned column's type is set
    /// by its first non-null value (integers widen to floats); rows whose result lacks a
    /// returned column get null in it. Errors when a column gets values of two types or a
    /// row returns one name twice.
    pub fn map(&self, f: impl Fn(&Row<'_>) -> Vec<(String, Value)>) -> Result<Table, TableError> {
        let mut names: Vec<String> = Vec::new();
        let mut builders: Vec<ColumnBuilder> = Vec::new();
        let mut seen: Vec<bool> = Vec::new();
        for row in self.rows() {
            seen.iter_mut().for_each(|s| *s = false);
            for (name, value) in f(&row) {
                let k = match names.iter().position(|n| *n == name) {
                    Some(k) => k,
                    None => {
                        names.push(name.clone());
                        builders.push(ColumnBuilder::with_nulls(row.index()));
                        seen.push(false);
                        names.len() - 1
                    }
                };
                if seen[k] {
                    return Err(TableError::DuplicateColumn { name });
                }
                seen[k] = true;
                if let Some(expected) = builders[k].conflict(&value) {
                    return Err(TableError::TypeMismatch {
                        line: 0,
                        column: name,
                        expected,
                        value: format!("{value:?}"),
                    });
                }
                builders[k].push(value);
            }
            for (k, b) in builders.iter_mut().enumerate() {
                if !seen[k] {
                    b.push(Value::Null);
                }
            }
        }
        let (old_names, old_cols, rows) = self.clone().into_parts();
        let mut mapped: Vec<Option<Column>> =
            builders.into_iter().map(|b| Some(b.finish())).collect();
        let mut out: Vec<(String, Column)> = Vec::with_capacity(old_names.len() + names.len());
        for (name, col) in old_names.into_iter().zip(old_cols) {
            match names.iter().position(|n| *n == name) {
                Some(k) => out.push((name, mapped[k].take().unwrap_or(col))),
                None => out.push((name, col)),
            }
        }
        for (name, col) in names.into_iter().zip(mapped) {
            if let Some(col) = col {
                out.push((name, col));
            }
        }
        let table = Table::new(out)?;
        debug_assert_eq!(table.num_rows(), rows);
        Ok(table)
    }

    /// Splits the rows into `(train, test)` tables with scikit-learn's sizes
    /// (`train_test_split(df, …)`, HF `Dataset.train_test_split`).
    pub fn train_test_split(&self, options: &TrainTestSplit) -> Result<(Table, Table), SplitError> {
        let (train, test) = options.split(self.num_rows())?;
        Ok((self.take(&train), self.take(&test)))
    }

    /// As [`Table::train_test_split`] keeping the class ratios of column `label`
    /// (`stratify=df[label]`, HF `stratify_by_column`). Nulls form a class of their own.
    pub fn train_test_split_stratified(
        &self,
        options: &TrainTestSplit,
        label: &str,
    ) -> Result<(Table, Table), TableError> {
        let column = self.column(label)?;
        let keys: Vec<String> = (0..self.num_rows())
            .map(|r| format!("{:?}", column.value(r)))
            .collect();
        let (train, test) = options.split_stratified(&keys).map_err(TableError::Split)?;
        Ok((self.take(&train), self.take(&test)))
    }
}
