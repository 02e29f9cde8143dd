//! The text table of per-class and averaged scores (`sklearn.metrics.classification_report`).

use super::confusion::unique_labels;
use super::error::MetricError;
use super::prf::{
    Average, PrfOptions, ZeroDivision, precision_recall_fscore_average,
    precision_recall_fscore_support,
};

/// Options of [`classification_report`]; defaults as scikit-learn (labels from the data, names
/// = the labels, 2 digits, `zero_division="warn"`).
#[derive(Clone, Debug, PartialEq)]
pub struct ReportOptions {
    /// Classes to report, in order (`labels=`); `None` = sorted labels of `y_true` and `y_pred`.
    pub labels: Option<Vec<i64>>,
    /// Display names of the classes, one per label (`target_names=`).
    pub target_names: Option<Vec<String>>,
    /// Decimal places of the scores (`digits=`).
    pub digits: usize,
    /// Value of a 0/0 ratio (`zero_division=`).
    pub zero_division: ZeroDivision,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            labels: None,
            target_names: None,
            digits: 2,
            zero_division: ZeroDivision::Warn,
        }
    }
}

impl ReportOptions {
    /// Sets the class display names (`target_names=`).
    pub fn with_target_names<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        self.target_names = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the number of decimal places (`digits=`).
    pub fn with_digits(mut self, digits: usize) -> Self {
        self.digits = digits;
        self
    }

    /// Sets the classes to report (`labels=`).
    pub fn with_labels(mut self, labels: Vec<i64>) -> Self {
        self.labels = Some(labels);
        self
    }

    /// Sets the value of a 0/0 ratio (`zero_division=`).
    pub fn with_zero_division(mut self, zero_division: ZeroDivision) -> Self {
        self.zero_division = zero_division;
        self
    }
}

/// What both report forms (text and dictionary) are built from: the row names, the
/// per-class options, and whether the summary row is `accuracy` (every label present in the
/// data is reported) or `micro avg`.
pub(crate) struct ReportRows {
    /// One name per reported label: `target_names`, else the label values.
    pub(crate) names: Vec<String>,
    /// The reported labels and `zero_division`, for the per-class scores.
    pub(crate) prf_options: PrfOptions,
    /// The summary row is `accuracy` rather than `micro avg`.
    pub(crate) micro_is_accuracy: bool,
}

impl ReportRows {
    /// scikit-learn's setup of `classification_report`; errors when `target_names` does not
    /// name every label.
    pub(crate) fn new(
        y_true: &[i64],
        y_pred: &[i64],
        options: &ReportOptions,
    ) -> Result<ReportRows, MetricError> {
        let present = unique_labels(y_true, y_pred);
        let labels = options.labels.clone().unwrap_or_else(|| present.clone());
        let micro_is_accuracy = present.iter().all(|l| labels.contains(l));
        let names: Vec<String> = match &options.target_names {
            Some(names) if names.len() != labels.len() => {
                return Err(MetricError::TargetNames {
                    labels: labels.len(),
                    names: names.len(),
                });
            }
            Some(names) => names.clone(),
            None => labels.iter().map(i64::to_string).collect(),
        };
        let prf_options = PrfOptions {
            labels: Some(labels),
            zero_division: options.zero_division,
            ..PrfOptions::default()
        };
        Ok(ReportRows {
            names,
            prf_options,
            micro_is_accuracy,
        })
    }
}

/// scikit-learn's report text for `y_pred` against `y_true`, character for character: a
/// header, one row of precision / recall / F1 / support per class, then `accuracy` (or
/// `micro avg` when `labels` leaves out a label present in the data), `macro avg` and
/// `weighted avg` rows.
pub fn classification_report(
    y_true: &[i64],
    y_pred: &[i64],
    options: &ReportOptions,
) -> Result<String, MetricError> {
    let ReportRows {
        names,
        prf_options,
        micro_is_accuracy,
    } = ReportRows::new(y_true, y_pred, options)?;
    let per_class = precision_recall_fscore_support(y_true, y_pred, &prf_options)?;
    let digits = options.digits;
    let last_heading = "weighted avg";
    let name_width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let width = name_width.max(last_heading.len()).max(digits);

    let score = |v: f64| {
        if v.is_nan() {
            format!(" {:>9}", "nan")
        } else {
            format!(" {v:>9.digits$}")
        }
    };
    let row = |name: &str, p: f64, r: f64, f: f64, support: usize| {
        format!(
            "{name:>width$} {}{}{} {support:>9}\n",
            score(p),
            score(r),
            score(f)
        )
    };

    let mut report = format!("{:>width$} ", "");
    for header in ["precision", "recall", "f1-score", "support"] {
        report.push_str(&format!(" {header:>9}"));
    }
    report.push_str("\n\n");
    for (i, name) in names.iter().enumerate() {
        report.push_str(&row(
            name,
            per_class.precision[i],
            per_class.recall[i],
            per_class.fscore[i],
            per_class.support[i],
        ));
    }
    report.push('\n');

    let total: usize = per_class.support.iter().sum();
    for average in [Average::Micro, Average::Macro, Average::Weighted] {
        let avg = precision_recall_fscore_average(y_true, y_pred, average, &prf_options)?;
        match average {
            Average::Micro if micro_is_accuracy => {
                report.push_str(&format!(
                    "{:>width$}  {:>9} {:>9}{} {total:>9}\n",
                    "accuracy",
                    "",
                    "",
                    score(avg.fscore)
                ));
            }
            _ => {
                let heading = match average {
                    Average::Micro => "micro avg",
                    Average::Macro => "macro avg",
                    Average::Weighted => last_heading,
                };
                report.push_str(&row(heading, avg.precision, avg.recall, avg.fscore, total));
            }
        }
    }
    Ok(report)
}
