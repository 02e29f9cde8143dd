//! `kiln train --config kiln.toml` and `kiln tfidf --data FILE`: one recipe on a table,
//! with its scores printed and its folder written.

use std::path::PathBuf;

use clap::Args;
use kiln_trainer::TrainingArguments;
use kiln_trainer::recipes::{
    DataConfig, ModelConfig, RecipeConfig, RecipeOutcome, TfidfSettings, load_data, run_recipe,
};

use crate::error::CliError;
use crate::output::Output;

/// `kiln train`.
#[derive(Args)]
pub struct TrainArgs {
    /// The recipe: a kiln.toml with [data], [model] and [training] (see trainer/configs/).
    #[arg(long, short)]
    config: PathBuf,
    /// Write into this folder instead of [training] output_dir.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `kiln tfidf`.
#[derive(Args)]
pub struct TfidfArgs {
    /// The labelled table (.csv, .tsv or .jsonl).
    #[arg(long)]
    data: PathBuf,
    /// A separate test table; without it 20% of --data is held out (stratified).
    #[arg(long)]
    test: Option<PathBuf>,
    /// The column with the texts.
    #[arg(long, default_value = "text")]
    text_column: String,
    /// The column with the labels.
    #[arg(long, default_value = "label")]
    label_column: String,
    /// Longest word n-gram of the features.
    #[arg(long, default_value_t = 3)]
    ngram_max: usize,
    /// Passes over the training texts.
    #[arg(long, default_value_t = 4)]
    epochs: usize,
    /// Output folder (metrics.json, report.html, curves).
    #[arg(long, default_value_os_t = crate::default_out("tfidf"))]
    out: PathBuf,
}

/// Runs `kiln train`.
pub fn run(args: &TrainArgs, out: &Output) -> Result<(), CliError> {
    let mut config = RecipeConfig::from_file(&args.config)?;
    if let Some(dir) = &args.out {
        config.training.output_dir = dir.clone();
    }
    config.training.disable_tqdm |= !out.verbose();
    run_config(&config, out)
}

/// Runs `kiln tfidf`.
pub fn tfidf(args: &TfidfArgs, out: &Output) -> Result<(), CliError> {
    let config = RecipeConfig {
        data: DataConfig {
            train: Some(args.data.clone()),
            test: args.test.clone(),
            text_column: args.text_column.clone(),
            label_column: args.label_column.clone(),
            ..DataConfig::default()
        },
        model: ModelConfig::Tfidf(TfidfSettings {
            ngram_max: args.ngram_max,
            epochs: args.epochs,
            ..TfidfSettings::default()
        }),
        training: TrainingArguments::new(&args.out),
    };
    run_config(&config, out)
}

fn run_config(config: &RecipeConfig, out: &Output) -> Result<(), CliError> {
    let (train, test) = load_data(&config.data, &mut out.sayer())?;
    out.say(&format!(
        "{}: {} training / {} test texts, classes {}",
        config.model.method_name(),
        train.len(),
        test.len(),
        train.label_names.join(", ")
    ));
    let outcome = run_recipe(config, &train, &test, &mut out.sayer())?;
    print_outcome(&outcome, out);
    Ok(())
}

/// Prints a run's scores and where its files are; ranks other than 0 of an `mpirun` job,
/// which wrote no report, print nothing.
pub fn print_outcome(outcome: &RecipeOutcome, out: &Output) {
    let Some(report) = &outcome.report else {
        return;
    };
    let s = &outcome.scores;
    if out.json() {
        let value = serde_json::json!({
            "method": outcome.method,
            "n_train": outcome.n_train,
            "n_test": outcome.n_test,
            "accuracy": s.accuracy,
            "roc_auc": s.roc_auc,
            "f1": s.f1,
            "train_seconds": outcome.train_seconds,
            "predict_per_second": s.predict_per_second,
            "model_dir": outcome.model_dir,
            "report": report.html,
        });
        out.result(&value.to_string());
        return;
    }
    out.result(&format!(
        "{}: accuracy {:.4}, ROC AUC {:.4}, F1 {:.4}; trained in {:.1} s, predicts {:.0} texts/s",
        outcome.method, s.accuracy, s.roc_auc, s.f1, outcome.train_seconds, s.predict_per_second
    ));
    if let Some(dir) = &outcome.model_dir {
        out.result(&format!("model: {}", dir.display()));
    }
    out.result(&format!("report: {}", report.html.display()));
}
