//! [`CvSummary`]: per-fold metrics with their mean ± standard deviation, printed as a table.

use std::fmt;

use crate::training::state::Metrics;

/// One metric over the folds.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// The metric's key (`eval_loss`, `eval_accuracy`, …).
    pub name: String,
    /// Its value in each fold, in fold order.
    pub per_fold: Vec<f64>,
    /// The mean over the folds (`np.mean`).
    pub mean: f64,
    /// The population standard deviation over the folds: numpy's default `np.std(x)`
    /// (`ddof=0`, dividing by the number of folds), not pandas' `Series.std()` (`ddof=1`).
    pub std: f64,
}

/// Mean ± std of every metric the folds share (HF's `eval_*` keys), skipping timings
/// (`*_runtime`, `*_per_second`) and `epoch`, which say nothing about the model.
///
/// `Display` prints one line per metric with each fold's value and `mean ± std`, four
/// decimals as the seeds' `Score: {score:<.4f}`:
///
/// ```text
/// ========== CV: 3 folds ==========
/// metric           fold 0    fold 1    fold 2    mean ± std
/// eval_accuracy    0.9000    0.8500    0.9500    0.9000 ± 0.0408
/// eval_loss        0.2710    0.3302    0.2508    0.2840 ± 0.0337
/// (std is numpy's np.std, ddof=0)
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CvSummary {
    /// Number of folds.
    pub n_folds: usize,
    /// One row per metric, sorted by name.
    pub rows: Vec<SummaryRow>,
}

impl CvSummary {
    /// The summary of `fold_metrics` (one map per fold).
    pub fn from_folds(fold_metrics: &[Metrics]) -> CvSummary {
        let n = fold_metrics.len();
        let rows = match fold_metrics.first() {
            None => Vec::new(),
            Some(first) => first
                .keys()
                .filter(|k| is_model_metric(k))
                .filter(|k| fold_metrics.iter().all(|m| m.contains_key(*k)))
                .map(|k| {
                    let per_fold: Vec<f64> = fold_metrics.iter().map(|m| m[k]).collect();
                    let (mean, std) = mean_std(&per_fold);
                    SummaryRow {
                        name: k.clone(),
                        per_fold,
                        mean,
                        std,
                    }
                })
                .collect(),
        };
        CvSummary { n_folds: n, rows }
    }

    /// The row of `name`, if every fold reported it.
    pub fn get(&self, name: &str) -> Option<&SummaryRow> {
        self.rows.iter().find(|r| r.name == name)
    }
}

/// Keys that describe the model rather than the clock.
fn is_model_metric(key: &str) -> bool {
    key != "epoch" && !key.ends_with("_runtime") && !key.ends_with("_per_second")
}

/// Mean and population (ddof=0) standard deviation, as numpy's `mean` and `std`: the
/// deviations are taken from the mean, squared, averaged.
pub(crate) fn mean_std(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

impl fmt::Display for CvSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "========== CV: {} folds ==========", self.n_folds)?;
        let width = self
            .rows
            .iter()
            .map(|r| r.name.len())
            .chain(["metric".len()])
            .max()
            .unwrap_or(6)
            + 4;
        write!(f, "{:<width$}", "metric")?;
        for fold in 0..self.n_folds {
            write!(f, "{:<10}", format!("fold {fold}"))?;
        }
        writeln!(f, "mean ± std")?;
        for row in &self.rows {
            write!(f, "{:<width$}", row.name)?;
            for v in &row.per_fold {
                write!(f, "{:<10}", format!("{v:.4}"))?;
            }
            writeln!(f, "{:.4} ± {:.4}", row.mean, row.std)?;
        }
        write!(f, "(std is numpy's np.std, ddof=0)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn std_is_numpys_population_std() {
        // np.std([0.9, 0.85, 0.95]) = 0.0408248290463863
        let (mean, std) = mean_std(&[0.9, 0.85, 0.95]);
        assert!((mean - 0.9).abs() < 1e-15);
        assert!((std - 0.040_824_829_046_386_3).abs() < 1e-15);
    }

    #[test]
    fn timings_are_left_out_and_the_table_prints_every_fold() {
        let fold = |acc: f64, rt: f64| -> Metrics {
            [("eval_accuracy", acc), ("eval_runtime", rt), ("epoch", 3.0)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        };
        let s = CvSummary::from_folds(&[fold(0.9, 1.0), fold(0.85, 2.0), fold(0.95, 3.0)]);
        assert_eq!(s.rows.len(), 1);
        let text = s.to_string();
        assert!(text.contains("eval_accuracy"), "{text}");
        assert!(
            text.contains("0.9000    0.8500    0.9500    0.9000 ± 0.0408"),
            "{text}"
        );
        assert!(!text.contains("runtime"), "{text}");
    }
}
