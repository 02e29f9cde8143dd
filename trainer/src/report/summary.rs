//! [`MetricSummary`]: the final and best value of each curve, for the report's metrics
//! table.

use crate::report::curves::Curves;
use crate::training::args::TrainingArguments;
use crate::training::state::TrainerState;

/// The last and best logged value of one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricSummary {
    /// The log key (`loss`, `eval_loss`, `eval_accuracy`, …).
    pub name: String,
    /// The last value logged.
    pub last: f64,
    /// The step of the last value.
    pub last_step: usize,
    /// The best finite value logged (`NaN` when none is finite).
    pub best: f64,
    /// The step of the best value (the first step it was reached).
    pub best_step: usize,
    /// Whether larger is better for this metric.
    pub greater_is_better: bool,
}

impl MetricSummary {
    /// Summarises `points` (`(step, value)`), larger values best when `greater_is_better`.
    pub fn of(name: &str, points: &[(f64, f64)], greater_is_better: bool) -> Option<Self> {
        let &(last_step, last) = points.last()?;
        let mut best: Option<(f64, f64)> = None;
        for &(step, value) in points.iter().filter(|p| p.1.is_finite()) {
            let better = match best {
                None => true,
                Some((_, b)) if greater_is_better => value > b,
                Some((_, b)) => value < b,
            };
            if better {
                best = Some((step, value));
            }
        }
        let (best_step, best) = best.unwrap_or((last_step, f64::NAN));
        Some(MetricSummary {
            name: name.to_string(),
            last,
            last_step: last_step as usize,
            best,
            best_step: best_step as usize,
            greater_is_better,
        })
    }
}

/// The training loss and every evaluation metric of the run, in that order. The
/// best-model metric follows `args.greater_is_better()`; any other metric is better larger
/// unless its name ends in `loss` (HF's rule).
pub fn summarize(args: &TrainingArguments, state: &TrainerState) -> Vec<MetricSummary> {
    let curves = Curves::from_log_history(&state.log_history);
    let best_key = args.best_metric_key();
    let direction = |name: &str| {
        if best_key.as_deref() == Some(name) {
            args.greater_is_better()
        } else {
            !name.ends_with("loss")
        }
    };
    let mut rows: Vec<MetricSummary> = MetricSummary::of("loss", &curves.loss, false)
        .into_iter()
        .collect();
    for (name, points) in &curves.eval {
        rows.extend(MetricSummary::of(name, points, direction(name)));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::state::LogEntry;

    #[test]
    fn best_follows_the_metric_direction() {
        let loss = MetricSummary::of("loss", &[(1.0, 0.5), (2.0, 0.2), (3.0, 0.3)], false);
        let loss = loss.unwrap();
        assert_eq!(
            (loss.last, loss.last_step, loss.best, loss.best_step),
            (0.3, 3, 0.2, 2)
        );
        let acc = MetricSummary::of("acc", &[(1.0, 0.5), (2.0, f64::NAN), (3.0, 0.4)], true);
        let acc = acc.unwrap();
        assert_eq!((acc.best, acc.best_step), (0.5, 1));
        assert!(MetricSummary::of("x", &[], true).is_none());
        let nan = MetricSummary::of("x", &[(4.0, f64::NAN)], true).unwrap();
        assert!(nan.best.is_nan() && nan.last.is_nan());
    }

    #[test]
    fn the_best_model_metric_uses_greater_is_better() {
        let mut state = TrainerState::default();
        for (step, v) in [(1, 0.3), (2, 0.1)] {
            state.log_history.push(LogEntry {
                values: [("eval_wer".to_string(), v), ("loss".to_string(), v)].into(),
                step,
            });
        }
        let mut args = TrainingArguments::new("out");
        let rows = summarize(&args, &state);
        assert_eq!(
            rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["loss", "eval_wer"]
        );
        assert_eq!(rows[1].best, 0.3, "larger is better by default");
        args.metric_for_best_model = Some("wer".into());
        args.greater_is_better = Some(false);
        assert_eq!(summarize(&args, &state)[1].best, 0.1);
    }
}
