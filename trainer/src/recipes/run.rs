//! Running a recipe: train its method on the training texts, score it on the test texts,
//! and write its folder (`metrics.json`, the curves and `report.html`, and for transformers
//! the saved model under `model/`). Under `mpirun` transformers train data-parallel and
//! only rank 0 writes.

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use super::classifier::{Scores, TextClassifier, score};
use super::config::{ModelConfig, RecipeConfig};
use super::embeddings::{EmbeddingsClassifier, EmbeddingsSettings};
use super::error::RecipeError;
use super::sources::resolve_pretrained;
use super::text_data::TextDataset;
use super::tfidf::TfidfClassifier;
use super::transformer::{TransformerSettings, train_transformer};
use crate::report::{ReportFiles, write_report};
use crate::training::state::{LogEntry, Metrics, TrainerState};

/// The file of a run's scores inside its output folder.
pub const METRICS_FILE: &str = "metrics.json";

/// The folder of the saved model inside a transformer run's output folder.
pub const MODEL_DIR: &str = "model";

/// What a recipe run produced.
pub struct RecipeOutcome {
    /// The method (`"tfidf"`, `"embeddings"`, `"transformer"`).
    pub method: &'static str,
    /// Training texts.
    pub n_train: usize,
    /// Test texts.
    pub n_test: usize,
    /// Seconds spent training (for embeddings: encoding the training texts and fitting).
    pub train_seconds: f64,
    /// Test scores and prediction speed.
    pub scores: Scores,
    /// The trained classifier.
    pub classifier: Box<dyn TextClassifier>,
    /// The saved model folder (`kiln predict` reads it); transformers only, rank 0 only.
    pub model_dir: Option<PathBuf>,
    /// The report written into the output folder; `None` on ranks other than 0 of an
    /// `mpirun` job, which write nothing.
    pub report: Option<ReportFiles>,
}

/// What `metrics.json` holds.
#[derive(Serialize)]
struct MetricsFile<'a> {
    method: &'a str,
    n_train: usize,
    n_test: usize,
    accuracy: f64,
    roc_auc: f64,
    f1: f64,
    train_seconds: f64,
    predict_per_second: f64,
}

/// Trains `config`'s method on `train`, scores it on `test`, and writes the output folder
/// (`config.training.output_dir`). Progress lines go to `on_message`.
///
/// Launched by `mpirun`, every rank runs the recipe: the transformer method trains
/// data-parallel through the [`crate::Trainer`]; TF-IDF and embeddings, which have no
/// gradient steps to share, run whole on every rank. Only rank 0 writes files.
pub fn run_recipe(
    config: &RecipeConfig,
    train: &TextDataset,
    test: &TextDataset,
    on_message: &mut dyn FnMut(&str),
) -> Result<RecipeOutcome, RecipeError> {
    if train.label_names.len() < 2 {
        return Err(RecipeError::data(
            "[data]",
            format!(
                "the training texts have {} class; at least 2 are needed",
                train.label_names.len()
            ),
        ));
    }
    let writes = kiln_distributed::ProcessGroup::init()
        .map_err(RecipeError::run)?
        .is_main_process();
    let out = config.training.output_dir.clone();
    std::fs::create_dir_all(&out).map_err(|source| RecipeError::Io {
        path: out.clone(),
        source,
    })?;
    let start = Instant::now();
    let (classifier, mut state, model_dir): (Box<dyn TextClassifier>, TrainerState, _) =
        match &config.model {
            ModelConfig::Tfidf(settings) => {
                let mut state = TrainerState::default();
                let classifier = TfidfClassifier::fit(train, settings, |epoch, loss| {
                    on_message(&format!("epoch {epoch}: train loss {loss:.4}"));
                    state
                        .log_history
                        .push(entry(epoch, [("loss", loss), ("epoch", epoch as f64)]));
                })?;
                on_message(&format!("TF-IDF: {} features", classifier.n_features()));
                (Box::new(classifier), state, None)
            }
            ModelConfig::Embeddings(settings) => {
                let dir = resolve_pretrained(&settings.pretrained, on_message)?;
                let resolved = EmbeddingsSettings {
                    pretrained: dir.clone(),
                    ..settings.clone()
                };
                let classifier = EmbeddingsClassifier::fit(&dir, train, &resolved)?;
                (Box::new(classifier), TrainerState::default(), None)
            }
            ModelConfig::Transformer(settings) => {
                let resolved = match &settings.pretrained {
                    Some(p) => TransformerSettings {
                        pretrained: Some(resolve_pretrained(p, on_message)?),
                        ..settings.clone()
                    },
                    None => settings.clone(),
                };
                let run = train_transformer(train, None, &resolved, config.training.clone())?;
                let dir = out.join(MODEL_DIR);
                if writes {
                    run.predictor
                        .save(&dir)
                        .map_err(|e| RecipeError::model(&dir, e))?;
                }
                (Box::new(run.predictor), run.state, writes.then_some(dir))
            }
        };
    let train_seconds = start.elapsed().as_secs_f64();
    let scores = score(classifier.as_ref(), test)?;
    let step = state
        .global_step
        .max(state.log_history.last().map_or(0, |e| e.step));
    state.log_history.push(entry(
        step,
        [
            ("eval_accuracy", scores.accuracy),
            ("eval_roc_auc", scores.roc_auc),
            ("eval_f1", scores.f1),
        ],
    ));
    let method = config.model.method_name();
    let report = if writes {
        let report = write_report(&out, &config.training, &state).map_err(RecipeError::run)?;
        let metrics = MetricsFile {
            method,
            n_train: train.len(),
            n_test: test.len(),
            accuracy: scores.accuracy,
            roc_auc: scores.roc_auc,
            f1: scores.f1,
            train_seconds,
            predict_per_second: scores.predict_per_second,
        };
        let path = out.join(METRICS_FILE);
        let json = serde_json::to_string_pretty(&metrics).expect("plain numbers serialise");
        std::fs::write(&path, json + "\n").map_err(|source| RecipeError::Io { path, source })?;
        Some(report)
    } else {
        None
    };
    Ok(RecipeOutcome {
        method,
        n_train: train.len(),
        n_test: test.len(),
        train_seconds,
        scores,
        classifier,
        model_dir,
        report,
    })
}

/// A log entry at `step` with `values`.
fn entry<const N: usize>(step: usize, values: [(&str, f64); N]) -> LogEntry {
    LogEntry {
        values: values
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<Metrics>(),
        step,
    }
}
