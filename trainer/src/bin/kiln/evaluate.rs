//! `kiln evaluate MODEL_DIR --data FILE`: a saved model's accuracy, ROC AUC and F1 on a
//! labelled table.

use std::path::PathBuf;

use clap::Args;
use kiln_trainer::Predictor;
use kiln_trainer::recipes::{TextDataset, score};

use crate::error::CliError;
use crate::output::Output;

/// `kiln evaluate`.
#[derive(Args)]
pub struct EvaluateArgs {
    /// A model folder written by `kiln train`.
    model: PathBuf,
    /// The labelled table (.csv, .tsv or .jsonl).
    #[arg(long)]
    data: PathBuf,
    /// The column with the texts.
    #[arg(long, default_value = "text")]
    text_column: String,
    /// The column with the labels (the model's class names, or class ids).
    #[arg(long, default_value = "label")]
    label_column: String,
}

/// Runs `kiln evaluate`.
pub fn run(args: &EvaluateArgs, out: &Output) -> Result<(), CliError> {
    let predictor = Predictor::load(&args.model).map_err(|e| {
        CliError::new(format!(
            "{} is not a model folder: {e}",
            args.model.display()
        ))
    })?;
    let data = TextDataset::read(&args.data, &args.text_column, &args.label_column)?
        .relabel(predictor.label_names(), &args.data.display().to_string())?;
    out.say(&format!("scoring {} texts", data.len()));
    let s = score(&predictor, &data)?;
    if out.json() {
        out.result(
            &serde_json::json!({
                "n": data.len(),
                "accuracy": s.accuracy,
                "roc_auc": s.roc_auc,
                "f1": s.f1,
                "predict_per_second": s.predict_per_second,
            })
            .to_string(),
        );
    } else {
        out.result(&format!(
            "{} texts: accuracy {:.4}, ROC AUC {:.4}, F1 {:.4} ({:.0} texts/s)",
            data.len(),
            s.accuracy,
            s.roc_auc,
            s.f1,
            s.predict_per_second
        ));
    }
    Ok(())
}
