//! Table columns as tensors.

use kiln_tensor::{DType, Tensor};

use super::{Column, Table, TableError};

impl Table {
    /// Column `name` as a 1-D tensor of `dtype` (`torch.tensor(df[name].values)`).
    /// Booleans become 0/1. Errors on a string column or a null cell.
    pub fn column_tensor(&self, name: &str, dtype: DType) -> Result<Tensor, TableError> {
        if let Column::I64(v) = self.column(name)? {
            // Integers go through i64 so that ids beyond 2^53 stay exact.
            let ints = v
                .iter()
                .enumerate()
                .map(|(row, x)| {
                    x.ok_or_else(|| TableError::NullValue {
                        column: name.to_string(),
                        row,
                    })
                })
                .collect::<Result<Vec<i64>, _>>()?;
            let n = ints.len();
            return Ok(Tensor::from_vec(ints, [n]).to_dtype(dtype));
        }
        let values = numeric_values(name, self.column(name)?)?;
        let n = values.len();
        Ok(Tensor::from_vec(values, [n]).to_dtype(dtype))
    }

    /// Columns `names` as a `[rows, names.len()]` tensor of `dtype`, row-major
    /// (`torch.tensor(df[names].values)`). Errors as [`Table::column_tensor`].
    pub fn to_tensor(&self, names: &[&str], dtype: DType) -> Result<Tensor, TableError> {
        let k = names.len();
        let rows = self.num_rows();
        let mut out = vec![0.0f64; rows * k];
        for (j, &name) in names.iter().enumerate() {
            let values = numeric_values(name, self.column(name)?)?;
            for (r, v) in values.into_iter().enumerate() {
                out[r * k + j] = v;
            }
        }
        Ok(Tensor::from_vec(out, [rows, k]).to_dtype(dtype))
    }
}

/// The cells of a numeric or boolean column as f64 (exact for i64 up to 2^53).
fn numeric_values(name: &str, column: &Column) -> Result<Vec<f64>, TableError> {
    let null = |row: usize| TableError::NullValue {
        column: name.to_string(),
        row,
    };
    match column {
        Column::I64(v) => v
            .iter()
            .enumerate()
            .map(|(r, x)| x.map(|i| i as f64).ok_or_else(|| null(r)))
            .collect(),
        Column::F64(v) => v
            .iter()
            .enumerate()
            .map(|(r, x)| x.ok_or_else(|| null(r)))
            .collect(),
        Column::Bool(v) => v
            .iter()
            .enumerate()
            .map(|(r, x)| x.map(|b| f64::from(u8::from(b))).ok_or_else(|| null(r)))
            .collect(),
        Column::Str(_) => Err(TableError::NotNumeric {
            column: name.to_string(),
        }),
    }
}
