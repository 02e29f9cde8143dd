//! In-memory tables with typed, nullable columns, read from CSV and JSON Lines without
//! loading the whole file into one string (a small subset of pandas / Hugging Face
//! `datasets.Dataset`).

mod column;
mod csv;
mod csv_record;
mod error;
mod frame;
mod infer;
mod jsonl;
mod ops;
mod row;
mod tensors;

pub use column::{Column, ColumnType, Value};
pub use csv::CsvOptions;
pub use error::{BadRowPolicy, ReadReport, SkippedRow, TableError};
pub use frame::Table;
pub use jsonl::JsonlOptions;
pub use row::Row;
