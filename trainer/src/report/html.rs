//! `report.html`: one self-contained page with the run's summary, final and best metrics,
//! every chart as inline SVG and the training arguments. It loads nothing: no scripts,
//! stylesheets, fonts or images from anywhere else.

use std::fmt::Write;

use serde_json::Value;

use crate::report::chart::LineChart;
use crate::report::curves::Curves;
use crate::report::scale::format_scientific;
use crate::report::summary::summarize;
use crate::report::svg::escape;
use crate::training::args::TrainingArguments;
use crate::training::state::TrainerState;

const STYLE: &str = "body{font-family:sans-serif;margin:2em auto;max-width:880px;color:#222}\
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;font-size:.9em}td,th{padding:3px 12px;text-align:left;\
border-bottom:1px solid #eee}td.n{text-align:right;font-variant-numeric:tabular-nums}\
figure{margin:1em 0}figcaption{font-size:.85em;color:#666}svg{max-width:100%;height:auto}\
code{font-size:.95em}";

/// `v` for a table: up to 6 significant digits, scientific for very small or large
/// magnitudes, `NaN`/`inf` as such.
pub(crate) fn format_value(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v == 0.0 {
        return "0".into();
    }
    let magnitude = v.abs().log10().floor();
    if !(-3.0..6.0).contains(&magnitude) {
        return format_scientific(v, 4);
    }
    let decimals = (5.0 - magnitude).clamp(0.0, 8.0) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// An argument's value as text: strings bare, `null` as HF prints it (`None`), the rest
/// as JSON.
fn format_argument(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "None".into(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), format_value),
        other => other.to_string(),
    }
}

/// The page for a run with its `charts` (file stem and chart, as [`Curves::charts`] gives
/// them).
pub(crate) fn render(
    args: &TrainingArguments,
    state: &TrainerState,
    charts: &[(String, LineChart)],
) -> String {
    let mut out = String::new();
    let dir = args.output_dir.display().to_string();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(out, "<title>Training report: {}</title>", escape(&dir));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(out, "<h1>Training report</h1>");

    // Run summary.
    out.push_str("<table class=\"run\">\n");
    let mut row = |key: &str, value: String| {
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(key),
            escape(&value)
        );
    };
    row("output_dir", dir.clone());
    row(
        "global_step",
        format!("{} of {}", state.global_step, state.max_steps),
    );
    row("epoch", format_value(state.epoch));
    let totals = state
        .log_history
        .iter()
        .rev()
        .find(|e| e.values.contains_key("train_loss"));
    if let Some(totals) = totals {
        for (key, value) in &totals.values {
            if key.starts_with("train_") {
                row(key, format_value(*value));
            }
        }
    }
    if let (Some(key), Some(best)) = (args.best_metric_key(), state.best_metric) {
        let at = state
            .best_global_step
            .map_or(String::new(), |s| format!(" at step {s}"));
        row("best_metric", format!("{key} = {}{at}", format_value(best)));
    }
    if let Some(best) = &state.best_model_checkpoint {
        row("best_model_checkpoint", best.clone());
    }
    out.push_str("</table>\n");

    // Final and best metrics.
    out.push_str("<h2>Metrics</h2>\n");
    let metrics = summarize(args, state);
    if metrics.is_empty() {
        out.push_str("<p>No loss or evaluation metric was logged.</p>\n");
    } else {
        out.push_str(
            "<table class=\"metrics\">\n<tr><th>metric</th><th>final</th><th>at step</th>\
             <th>best</th><th>at step</th></tr>\n",
        );
        for m in &metrics {
            let _ = writeln!(
                out,
                "<tr><th>{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&m.name),
                format_value(m.last),
                m.last_step,
                format_value(m.best),
                m.best_step
            );
        }
        out.push_str("</table>\n");
    }

    // Charts.
    out.push_str("<h2>Curves</h2>\n");
    if charts.is_empty() {
        out.push_str("<p>Nothing was logged to plot.</p>\n");
    }
    for (stem, chart) in charts {
        let _ = writeln!(
            out,
            "<figure>\n{}<figcaption>{} (<code>{stem}.svg</code>, <code>{stem}.png</code>)\
             </figcaption>\n</figure>",
            chart.to_inline_svg(),
            escape(&chart.title),
            stem = escape(stem)
        );
    }

    // Arguments.
    out.push_str("<h2>Training arguments</h2>\n<table class=\"args\">\n");
    if let Ok(Value::Object(map)) = serde_json::to_value(args) {
        for (key, value) in &map {
            let _ = writeln!(
                out,
                "<tr><th>{}</th><td>{}</td></tr>",
                escape(key),
                escape(&format_argument(value))
            );
        }
    }
    out.push_str("</table>\n</body>\n</html>\n");
    out
}

/// The `report.html` page for a run, with its charts inline.
pub fn report_html(args: &TrainingArguments, state: &TrainerState) -> String {
    let charts = Curves::from_log_history(&state.log_history).charts();
    render(args, state, &charts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::state::LogEntry;

    #[test]
    fn values_read_with_six_significant_digits() {
        assert_eq!(format_value(0.123456789), "0.123457");
        assert_eq!(format_value(0.5), "0.5");
        assert_eq!(format_value(21.0), "21");
        assert_eq!(format_value(5e-5), "5e-5");
        assert_eq!(format_value(1234567.0), "1.2346e6");
        assert_eq!(format_value(f64::NAN), "NaN");
        assert_eq!(format_value(0.0), "0");
    }

    #[test]
    fn the_page_escapes_what_it_shows() {
        let args = TrainingArguments::new("runs/<b>&");
        let mut state = TrainerState::default();
        state.log_history.push(LogEntry {
            values: [("loss".to_string(), 0.25)].into(),
            step: 3,
        });
        let html = report_html(&args, &state);
        assert!(html.contains("runs/&lt;b&gt;&amp;"));
        assert!(!html.contains("<b>&"));
        assert!(html.contains("<svg "));
        assert!(html.contains("<td>adamw_torch</td>"), "{html}");
    }
}
