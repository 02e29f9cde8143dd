//! [`Curves`]: the series a training report plots, taken from a log history: training loss,
//! learning rate and every evaluation metric against the optimizer step.

use std::collections::BTreeMap;

use crate::report::chart::{LineChart, Series};
use crate::training::state::LogEntry;

/// `(step, value)` points.
pub type Points = Vec<(f64, f64)>;

/// The curves of one run, each in log order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Curves {
    /// Training loss (`loss`) by step.
    pub loss: Points,
    /// Learning rate (`learning_rate`) by step.
    pub learning_rate: Points,
    /// Gradient norm before clipping (`grad_norm`) by step.
    pub grad_norm: Points,
    /// Each evaluation metric (`eval_loss`, `eval_accuracy`, …) by step, without the
    /// wall-clock values (`eval_runtime`, `eval_*_per_second`).
    pub eval: BTreeMap<String, Points>,
}

/// Whether `key` is an evaluation metric rather than a timing.
pub(crate) fn is_eval_metric(key: &str) -> bool {
    key.starts_with("eval_") && key != "eval_runtime" && !key.ends_with("_per_second")
}

impl Curves {
    /// The curves of `history` (a [`crate::TrainerState`]'s `log_history`).
    pub fn from_log_history(history: &[LogEntry]) -> Curves {
        let mut curves = Curves::default();
        for entry in history {
            let step = entry.step as f64;
            for (key, &value) in &entry.values {
                let target = match key.as_str() {
                    "loss" => &mut curves.loss,
                    "learning_rate" => &mut curves.learning_rate,
                    "grad_norm" => &mut curves.grad_norm,
                    k if is_eval_metric(k) => curves.eval.entry(k.to_string()).or_default(),
                    _ => continue,
                };
                target.push((step, value));
            }
        }
        curves
    }

    /// The report's charts, each with the file stem it is saved under: `loss` (training
    /// loss, with `eval_loss` when there is one), `learning_rate`, and one per other
    /// evaluation metric (`eval_accuracy`, …). Curves with no point give no chart.
    pub fn charts(&self) -> Vec<(String, LineChart)> {
        let mut charts = Vec::new();
        let eval_loss = self.eval.get("eval_loss").filter(|p| !p.is_empty());
        if !self.loss.is_empty() || eval_loss.is_some() {
            let mut chart = LineChart::new("Loss").with_labels("step", "loss");
            if !self.loss.is_empty() {
                chart = chart.with_series(Series::new("training loss", self.loss.clone()));
            }
            if let Some(points) = eval_loss {
                chart = chart.with_series(Series::new("eval_loss", points.clone()));
            }
            charts.push(("loss".to_string(), chart));
        }
        if !self.learning_rate.is_empty() {
            let chart = LineChart::new("Learning rate")
                .with_labels("step", "learning rate")
                .with_series(Series::new("learning_rate", self.learning_rate.clone()));
            charts.push(("learning_rate".to_string(), chart));
        }
        for (name, points) in &self.eval {
            if name == "eval_loss" || points.is_empty() {
                continue;
            }
            let chart = LineChart::new(name.clone())
                .with_labels("step", name.clone())
                .with_series(Series::new(name.clone(), points.clone()));
            charts.push((name.clone(), chart));
        }
        charts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(step: usize, values: &[(&str, f64)]) -> LogEntry {
        LogEntry {
            values: values.iter().map(|&(k, v)| (k.to_string(), v)).collect(),
            step,
        }
    }

    #[test]
    fn the_log_splits_into_curves_by_key() {
        let history = [
            entry(5, &[("loss", 0.9), ("learning_rate", 1e-3), ("epoch", 0.5)]),
            entry(
                10,
                &[("loss", 0.7), ("learning_rate", 5e-4), ("grad_norm", 2.0)],
            ),
            entry(
                10,
                &[
                    ("eval_loss", 0.8),
                    ("eval_accuracy", 0.6),
                    ("eval_runtime", 1.5),
                ],
            ),
            entry(10, &[("train_loss", 0.8), ("train_runtime", 3.0)]),
        ];
        let curves = Curves::from_log_history(&history);
        assert_eq!(curves.loss, [(5.0, 0.9), (10.0, 0.7)]);
        assert_eq!(curves.learning_rate, [(5.0, 1e-3), (10.0, 5e-4)]);
        assert_eq!(curves.grad_norm, [(10.0, 2.0)]);
        assert_eq!(
            curves.eval.keys().collect::<Vec<_>>(),
            ["eval_accuracy", "eval_loss"]
        );
        let names: Vec<String> = curves.charts().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["loss", "learning_rate", "eval_accuracy"]);
        let charts = curves.charts();
        assert_eq!(
            charts[0].1.series.len(),
            2,
            "eval_loss joins the loss chart"
        );
    }

    #[test]
    fn an_empty_history_gives_no_chart() {
        assert!(Curves::from_log_history(&[]).charts().is_empty());
    }
}
