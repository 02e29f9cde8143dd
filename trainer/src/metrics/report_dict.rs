//! The dictionary form of the classification report
//! (`classification_report(..., output_dict=True)`).

use std::collections::BTreeMap;

use super::binary::{WarnFor, warn_ratios};
use super::error::MetricError;
use super::prf::{
    Average, Counts, class_counts, precision_recall_fscore_average, precision_recall_fscore_support,
};
use super::report::{ReportOptions, ReportRows};
use super::warnings::MetricWarnings;

/// One row of the report: scikit-learn's inner dict `{"precision", "recall", "f1-score",
/// "support"}`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReportRow {
    /// `"precision"`.
    pub precision: f64,
    /// `"recall"`.
    pub recall: f64,
    /// `"f1-score"`.
    pub f1_score: f64,
    /// `"support"`: true samples of the class, or of every reported class for the averages
    /// (a float in scikit-learn's dict; a count here).
    pub support: usize,
}

impl ReportRow {
    /// The row as scikit-learn's inner dict, keys `precision`, `recall`, `f1-score`, `support`.
    pub fn to_map(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("precision".to_string(), self.precision),
            ("recall".to_string(), self.recall),
            ("f1-score".to_string(), self.f1_score),
            ("support".to_string(), self.support as f64),
        ])
    }
}

/// A value of the report's outer dict: a row, or the bare `"accuracy"` float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ReportEntry {
    /// A class or an average row.
    Row(ReportRow),
    /// The `"accuracy"` value.
    Value(f64),
}

/// `classification_report(..., output_dict=True)` as a typed value.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportDict {
    /// One row per reported class, in report order, keyed by its target name (or the label
    /// as text).
    pub classes: Vec<(String, ReportRow)>,
    /// `"accuracy"`: the micro-averaged precision (= accuracy), present when every label of the data is reported.
    pub accuracy: Option<f64>,
    /// `"micro avg"`: present instead of `accuracy` when `labels` leaves out a present label.
    pub micro_avg: Option<ReportRow>,
    /// `"macro avg"`.
    pub macro_avg: ReportRow,
    /// `"weighted avg"`.
    pub weighted_avg: ReportRow,
}

impl ReportDict {
    /// The report with scikit-learn's keys: the class names, `"accuracy"` or `"micro avg"`,
    /// `"macro avg"` and `"weighted avg"` (a class named like an average row is overwritten by
    /// it, as in scikit-learn's dict).
    pub fn to_map(&self) -> BTreeMap<String, ReportEntry> {
        let mut map: BTreeMap<String, ReportEntry> = self
            .classes
            .iter()
            .map(|(name, row)| (name.clone(), ReportEntry::Row(*row)))
            .collect();
        if let Some(micro) = self.micro_avg {
            map.insert("micro avg".into(), ReportEntry::Row(micro));
        }
        if let Some(accuracy) = self.accuracy {
            map.insert("accuracy".into(), ReportEntry::Value(accuracy));
        }
        map.insert("macro avg".into(), ReportEntry::Row(self.macro_avg));
        map.insert("weighted avg".into(), ReportEntry::Row(self.weighted_avg));
        map
    }
}

/// scikit-learn's `classification_report(y_true, y_pred, output_dict=True, labels=…,
/// target_names=…, zero_division=…)` (`digits` is ignored: values are not rounded). Records
/// the report's undefined-metric warnings in `warnings`, once for the per-class scores and
/// once per average, as scikit-learn's four `precision_recall_fscore_support` calls warn.
pub fn classification_report_dict(
    y_true: &[i64],
    y_pred: &[i64],
    options: &ReportOptions,
    warnings: &mut MetricWarnings,
) -> Result<ReportDict, MetricError> {
    let ReportRows {
        names,
        prf_options,
        micro_is_accuracy,
    } = ReportRows::new(y_true, y_pred, options)?;
    let per_class = precision_recall_fscore_support(y_true, y_pred, &prf_options)?;
    let (labels, counts) = class_counts(y_true, y_pred, &prf_options)?;
    let warn = |c: &Counts, w: &mut MetricWarnings| {
        warn_ratios(c, &labels, 1.0, options.zero_division, WarnFor::ALL, w)
    };
    warn(&counts, warnings);
    let total: usize = per_class.support.iter().sum();
    let classes = names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let row = ReportRow {
                precision: per_class.precision[i],
                recall: per_class.recall[i],
                f1_score: per_class.fscore[i],
                support: per_class.support[i],
            };
            (name, row)
        })
        .collect();
    let mut rows = Vec::new();
    for average in [Average::Micro, Average::Macro, Average::Weighted] {
        let avg = precision_recall_fscore_average(y_true, y_pred, average, &prf_options)?;
        if average == Average::Micro {
            let sum = |v: &[f64]| vec![v.iter().sum::<f64>()];
            let summed = Counts {
                tp: sum(&counts.tp),
                pred: sum(&counts.pred),
                truth: sum(&counts.truth),
            };
            warn(&summed, warnings);
        } else {
            warn(&counts, warnings);
        }
        rows.push(ReportRow {
            precision: avg.precision,
            recall: avg.recall,
            f1_score: avg.fscore,
            support: total,
        });
    }
    Ok(ReportDict {
        classes,
        accuracy: micro_is_accuracy.then_some(rows[0].precision),
        micro_avg: (!micro_is_accuracy).then_some(rows[0]),
        macro_avg: rows[1],
        weighted_avg: rows[2],
    })
}
