//! [`TextDataset`]: labelled texts for the text-classification recipes, read from a CSV or
//! JSON Lines table by column name, or drawn from IMDB.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use kiln_data::TrainTestSplit;
use kiln_data::splits::SplitSize;
use kiln_data::table::{Column, CsvOptions, JsonlOptions, Table};
use kiln_tensor::Generator;

use super::error::RecipeError;

/// Texts with a class id each, and the name of every class.
#[derive(Clone, Debug, PartialEq)]
pub struct TextDataset {
    /// The texts.
    pub texts: Vec<String>,
    /// The class of each text, in `0..label_names.len()`.
    pub labels: Vec<i64>,
    /// The name of every class, by class id.
    pub label_names: Vec<String>,
}

impl TextDataset {
    /// Number of texts.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// Whether there are no texts.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// The texts as string slices.
    pub fn text_refs(&self) -> Vec<&str> {
        self.texts.iter().map(String::as_str).collect()
    }

    /// The first `n` texts (all of them when there are fewer).
    pub fn head(&self, n: usize) -> TextDataset {
        self.select(&(0..n.min(self.len())).collect::<Vec<_>>())
    }

    /// The texts at `rows`, in that order.
    pub fn select(&self, rows: &[usize]) -> TextDataset {
        TextDataset {
            texts: rows.iter().map(|&r| self.texts[r].clone()).collect(),
            labels: rows.iter().map(|&r| self.labels[r]).collect(),
            label_names: self.label_names.clone(),
        }
    }

    /// A stratified split into training and test parts with `test_size` of the texts
    /// (a fraction in `(0, 1)`) in the test part (`train_test_split(…, stratify=labels)`).
    pub fn split(
        &self,
        test_size: f64,
        seed: u64,
    ) -> Result<(TextDataset, TextDataset), RecipeError> {
        let (train, test) = TrainTestSplit::new()
            .with_test_size(SplitSize::Fraction(test_size))
            .with_seed(seed)
            .split_stratified(&self.labels)
            .map_err(|e| RecipeError::data("data", format!("cannot split: {e}")))?;
        Ok((self.select(&train), self.select(&test)))
    }

    /// The same texts with their labels numbered as `names` (a model's or the training
    /// table's classes); a label not among them is an error naming its row. `source` names
    /// the data in errors.
    pub fn relabel(self, names: &[String], source: &str) -> Result<TextDataset, RecipeError> {
        if self.label_names == names {
            return Ok(self);
        }
        let mut labels = Vec::with_capacity(self.len());
        for (row, &label) in self.labels.iter().enumerate() {
            let name = &self.label_names[label as usize];
            let id = names.iter().position(|n| n == name).ok_or_else(|| {
                RecipeError::data(
                    source,
                    format!(
                        "row {}: label `{name}` is not one of the classes {}",
                        row + 1,
                        names.join(", ")
                    ),
                )
            })?;
            labels.push(id as i64);
        }
        Ok(TextDataset {
            texts: self.texts,
            labels,
            label_names: names.to_vec(),
        })
    }

    /// Reads the table at `path` (`.csv`, `.tsv`, `.jsonl` or `.json` lines) and takes the
    /// texts from `text_column` and the labels from `label_column`. String labels become
    /// classes in sorted order; integer labels must be `0..C` and are named by their number;
    /// booleans are `false` = 0, `true` = 1. A missing column, an empty cell or a float label
    /// is an error naming the column (and the row).
    pub fn read(
        path: &Path,
        text_column: &str,
        label_column: &str,
    ) -> Result<TextDataset, RecipeError> {
        let table = read_table(path)?;
        TextDataset::from_table(
            &table,
            text_column,
            label_column,
            &path.display().to_string(),
        )
    }

    /// Only the texts of `text_column` of the table at `path` (for embedding or predicting).
    pub fn read_texts(path: &Path, text_column: &str) -> Result<Vec<String>, RecipeError> {
        let table = read_table(path)?;
        text_cells(&table, text_column, &path.display().to_string())
    }

    /// [`TextDataset::read`]'s column handling on a table already read; `source` names it in
    /// errors.
    pub fn from_table(
        table: &Table,
        text_column: &str,
        label_column: &str,
        source: &str,
    ) -> Result<TextDataset, RecipeError> {
        let texts = text_cells(table, text_column, source)?;
        let (labels, label_names) = labels_of(
            named_column(table, label_column, "label", source)?,
            label_column,
            source,
        )?;
        Ok(TextDataset {
            texts,
            labels,
            label_names,
        })
    }
}

/// The table at `path`, by its extension: `.csv`, `.tsv`, `.jsonl` / `.json` / `.ndjson`.
fn read_table(path: &Path) -> Result<Table, RecipeError> {
    let source = path.display().to_string();
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let read = match extension.as_str() {
        "csv" => Table::read_csv_path(path, &CsvOptions::new()),
        "tsv" => Table::read_csv_path(path, &CsvOptions::new().with_delimiter(b'\t')),
        "jsonl" | "json" | "ndjson" => Table::read_jsonl_path(path, &JsonlOptions::new()),
        _ => {
            return Err(RecipeError::data(
                source,
                "unknown table format: use a .csv, .tsv or .jsonl file",
            ));
        }
    };
    let (table, _) = read.map_err(|e| RecipeError::data(&source, e.to_string()))?;
    Ok(table)
}

/// The column `name` (playing `role`: text or label), or an error listing the columns.
fn named_column<'t>(
    table: &'t Table,
    name: &str,
    role: &str,
    source: &str,
) -> Result<&'t Column, RecipeError> {
    table.column(name).map_err(|_| {
        RecipeError::data(
            source,
            format!(
                "no {role} column `{name}` (columns: {}); set `{role}_column`",
                table.column_names().join(", ")
            ),
        )
    })
}

/// Every cell of the string column `name`; an empty cell is an error naming its row.
fn text_cells(table: &Table, name: &str, source: &str) -> Result<Vec<String>, RecipeError> {
    match named_column(table, name, "text", source)? {
        Column::Str(cells) => cells
            .iter()
            .enumerate()
            .map(|(row, cell)| cell.clone().ok_or_else(|| empty_cell(source, name, row)))
            .collect(),
        other => Err(RecipeError::data(
            source,
            format!(
                "text column `{name}` holds {} values, not strings",
                other.column_type()
            ),
        )),
    }
}

fn empty_cell(source: &str, column: &str, row: usize) -> RecipeError {
    RecipeError::data(
        source,
        format!("row {} has no value in column `{column}`", row + 1),
    )
}

/// Class ids and names from a label column.
fn labels_of(
    column: &Column,
    name: &str,
    source: &str,
) -> Result<(Vec<i64>, Vec<String>), RecipeError> {
    let present = |cells: Vec<Option<i64>>| -> Result<Vec<i64>, RecipeError> {
        cells
            .into_iter()
            .enumerate()
            .map(|(row, cell)| cell.ok_or_else(|| empty_cell(source, name, row)))
            .collect()
    };
    match column {
        Column::Str(cells) => {
            let names: BTreeSet<&str> = cells.iter().flatten().map(String::as_str).collect();
            let names: Vec<String> = names.into_iter().map(str::to_owned).collect();
            let ids = present(
                cells
                    .iter()
                    .map(|c| {
                        c.as_ref()
                            .map(|s| names.binary_search(s).expect("collected above") as i64)
                    })
                    .collect(),
            )?;
            Ok((ids, names))
        }
        Column::I64(cells) => {
            let ids = present(cells.clone())?;
            if let Some((row, &bad)) = ids.iter().enumerate().find(|(_, v)| **v < 0) {
                return Err(RecipeError::data(
                    source,
                    format!(
                        "row {}: label {bad} in column `{name}` is negative; integer labels are \
                         class ids 0, 1, …",
                        row + 1
                    ),
                ));
            }
            let classes = ids.iter().max().map_or(0, |&m| m as usize + 1);
            if classes > crate::recipes::MAX_CLASSES {
                return Err(RecipeError::data(
                    source,
                    format!(
                        "label column `{name}` has ids up to {}; at most {} classes",
                        classes - 1,
                        crate::recipes::MAX_CLASSES
                    ),
                ));
            }
            Ok((ids, (0..classes).map(|c| c.to_string()).collect()))
        }
        Column::Bool(cells) => {
            let ids = present(cells.iter().map(|c| c.map(i64::from)).collect())?;
            Ok((ids, vec!["false".into(), "true".into()]))
        }
        Column::F64(_) => Err(RecipeError::data(
            source,
            format!(
                "label column `{name}` holds f64 values; labels must be class names or integer \
                 class ids"
            ),
        )),
    }
}

/// IMDB's `<br />` line breaks become spaces.
pub fn clean_review(text: &str) -> String {
    text.replace("<br />", " ")
}

/// Fisher–Yates shuffle driven by `generator`.
pub fn shuffle<T>(items: &mut [T], generator: &mut Generator) {
    for i in (1..items.len()).rev() {
        let j = (generator.next_u64() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// A balanced IMDB training part of `n_train` reviews and a disjoint balanced test part of
/// `n_test`, cleaned with [`clean_review`] (half of each class; the extra one of an odd
/// count is positive). Each class's reviews are shuffled with `seed`, exact duplicates
/// (IMDB has 418) are skipped so no text is in both parts, and each part is shuffled again
/// so the classes interleave: any prefix of the training part is a random, nearly balanced
/// sample. Errors when a class has too few reviews.
pub fn balanced_sample(
    texts: &[String],
    labels: &[i64],
    n_train: usize,
    n_test: usize,
    seed: u64,
) -> Result<(TextDataset, TextDataset), RecipeError> {
    let mut generator = Generator::new(seed);
    let mut seen = HashSet::new();
    let mut train = Vec::with_capacity(n_train);
    let mut test = Vec::with_capacity(n_test);
    for class in [0i64, 1] {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        shuffle(&mut idx, &mut generator);
        let half = |n: usize| if class == 0 { n / 2 } else { n - n / 2 };
        let mut unique = idx
            .into_iter()
            .map(|i| clean_review(&texts[i]))
            .filter(|t| seen.insert(t.clone()));
        for (part, n) in [(&mut train, half(n_train)), (&mut test, half(n_test))] {
            for _ in 0..n {
                let text = unique.next().ok_or_else(|| {
                    RecipeError::data(
                        "imdb",
                        format!(
                            "too few distinct reviews of class {class} for {n_train} + {n_test}"
                        ),
                    )
                })?;
                part.push((text, class));
            }
        }
    }
    shuffle(&mut train, &mut generator);
    shuffle(&mut test, &mut generator);
    let names = vec!["negative".to_string(), "positive".to_string()];
    let part = |rows: Vec<(String, i64)>| {
        let (texts, labels) = rows.into_iter().unzip();
        TextDataset {
            texts,
            labels,
            label_names: names.clone(),
        }
    };
    Ok((part(train), part(test)))
}
