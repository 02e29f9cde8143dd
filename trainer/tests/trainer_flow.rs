//! Logging, evaluation, saving and epoch ends fire at exactly the optimizer steps Hugging
//! Face's Trainer fires them: `fixtures/flow.json` holds the events HF 5.25's Trainer
//! produced for a table of strategies with gradient accumulation (`gen_flow.py`), and each
//! case runs through Kiln's Trainer with the same arguments. The best-model cases script
//! each evaluation's `eval_score`, so `load_best_model_at_end`, `save_total_limit` next to
//! the best checkpoint, and `EarlyStoppingCallback` (patience, threshold) are checked against
//! HF's choices too.

mod common;

use common::{exclusive, mse_step};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use kiln_data::{DefaultCollate, TensorDataset};
use kiln_nn::{Linear, Module};
use kiln_tensor::{Tensor, manual_seed};
use kiln_trainer::{
    Callback, EarlyStoppingCallback, EvalPrediction, Metrics, Trainer, TrainerControl,
    TrainerState, TrainingArguments,
};
use serde_json::Value;

/// Records each hook as `[kind, global_step]`, named as `gen_flow.py` names them.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<(String, usize)>>>);

impl Recorder {
    fn push(&self, kind: &str, step: usize) {
        self.0.lock().unwrap().push((kind.to_string(), step));
    }
}

impl Callback for Recorder {
    fn name(&self) -> String {
        "Recorder".into()
    }

    fn on_log(
        &mut self,
        _: &TrainingArguments,
        state: &TrainerState,
        _: &mut TrainerControl,
        logs: &Metrics,
    ) {
        let kind = if logs.contains_key("loss") {
            "log"
        } else if logs.contains_key("eval_loss") {
            "eval_log"
        } else if logs.contains_key("train_runtime") {
            "summary"
        } else {
            "other"
        };
        self.push(kind, state.global_step);
    }

    fn on_evaluate(
        &mut self,
        _: &TrainingArguments,
        state: &TrainerState,
        _: &mut TrainerControl,
        _: &Metrics,
    ) {
        self.push("evaluate", state.global_step);
    }

    fn on_save(&mut self, _: &TrainingArguments, state: &TrainerState, _: &mut TrainerControl) {
        self.push("save", state.global_step);
    }

    fn on_epoch_end(
        &mut self,
        _: &TrainingArguments,
        state: &TrainerState,
        _: &mut TrainerControl,
    ) {
        self.push("epoch_end", state.global_step);
    }
}

fn rows(n: usize) -> TensorDataset {
    manual_seed(n as u64);
    let x = Tensor::rand([n, 2]);
    let y = x.sum_dim(&[1], true);
    TensorDataset::new(vec![x, y])
}

/// The case's arguments as the JSON a user would write, plus the table's batch sizes.
fn arguments(case: &Value, dir: &std::path::Path) -> TrainingArguments {
    let mut json = case["arguments"].as_object().unwrap().clone();
    json.insert("output_dir".into(), dir.display().to_string().into());
    json.insert("per_device_train_batch_size".into(), case["batch"].clone());
    json.insert("per_device_eval_batch_size".into(), case["batch"].clone());
    json.insert(
        "gradient_accumulation_steps".into(),
        case["gradient_accumulation_steps"].clone(),
    );
    json.insert("disable_tqdm".into(), true.into());
    TrainingArguments::from_json_str(&Value::Object(json).to_string())
        .unwrap_or_else(|e| panic!("{}: {e}", case["name"]))
}

/// What a run ended with.
struct Outcome {
    global_step: usize,
    events: Vec<(String, usize)>,
    best_metric: Option<f64>,
    best_model_checkpoint: Option<String>,
    checkpoints_left: Vec<String>,
    /// The final weights equal those saved in the best checkpoint.
    holds_best_weights: Option<bool>,
}

fn run(case: &Value) -> Outcome {
    let name = case["name"].as_str().unwrap();
    let dir = std::env::temp_dir().join(format!("kiln-flow-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let args = arguments(case, &dir);
    let recorder = Recorder::default();
    manual_seed(0);
    let mut trainer = Trainer::new(
        Linear::new(2, 1, true),
        args,
        DefaultCollate,
        mse_step::<Linear>,
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
    .with_train_dataset(rows(case["rows"].as_u64().unwrap() as usize))
    .with_eval_dataset(rows(10))
    .with_callback(recorder.clone());
    if let Some(scores) = case.get("scores") {
        let scores: Vec<f64> = serde_json::from_value(scores.clone()).unwrap();
        let calls = AtomicUsize::new(0);
        trainer = trainer.with_compute_metrics(move |_: &EvalPrediction| {
            let call = calls.fetch_add(1, Ordering::Relaxed);
            Metrics::from([("score".to_string(), scores[call])])
        });
    }
    if let Some([patience, threshold]) = case
        .get("early_stopping")
        .and_then(|e| serde_json::from_value::<[f64; 2]>(e.clone()).ok())
    {
        trainer = trainer.with_callback(EarlyStoppingCallback::new(patience as usize, threshold));
    }
    let out = trainer
        .train(None)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let state = trainer.state();
    let best_model_checkpoint = state.best_model_checkpoint.as_ref().map(|p| {
        let path = std::path::Path::new(p);
        path.file_name().unwrap().to_string_lossy().into_owned()
    });
    let holds_best_weights = state.best_model_checkpoint.as_ref().map(|p| {
        let saved =
            kiln_tensor::io::safetensors::load(std::path::Path::new(p).join("model.safetensors"))
                .expect("the best checkpoint loads");
        let now = trainer.model().state_dict();
        saved.len() == now.len()
            && saved.iter().all(|(n, t)| {
                now.iter()
                    .any(|(m, u)| m == n && u.to_vec::<f32>() == t.to_vec::<f32>())
            })
    });
    let mut checkpoints_left: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("checkpoint-"))
                .collect()
        })
        .unwrap_or_default();
    checkpoints_left.sort();
    let outcome = Outcome {
        global_step: out.global_step,
        events: recorder.0.lock().unwrap().clone(),
        best_metric: state.best_metric,
        best_model_checkpoint,
        checkpoints_left,
        holds_best_weights,
    };
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

fn expected_events(case: &Value) -> Vec<(String, usize)> {
    case["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[0].as_str().unwrap().to_string(),
                e[1].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

fn fixture() -> Value {
    let fixture: Value =
        serde_json::from_str(include_str!("fixtures/flow.json")).expect("flow.json parses");
    assert_eq!(fixture["transformers"], "5.25.0");
    fixture
}

#[test]
fn events_fire_on_the_steps_hf_trainer_fires_them() {
    let _rng = exclusive();
    let fixture = fixture();
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    let mut mismatches = Vec::new();
    for case in cases {
        let expected = expected_events(case);
        let expected_steps = case["global_step"].as_u64().unwrap() as usize;
        let got = run(case);
        if got.global_step != expected_steps || got.events != expected {
            mismatches.push(format!(
                "{}: HF {expected_steps} steps {expected:?}\n   Kiln {} steps {:?}",
                case["name"], got.global_step, got.events
            ));
        }
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}

#[test]
fn best_checkpoint_pruning_and_early_stopping_match_hf() {
    let _rng = exclusive();
    let fixture = fixture();
    for case in fixture["best_cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let got = run(case);
        assert_eq!(
            got.global_step,
            case["global_step"].as_u64().unwrap() as usize,
            "{name}: stopped at another step"
        );
        assert_eq!(got.events, expected_events(case), "{name}: events");
        assert_eq!(got.best_metric, case["best_metric"].as_f64(), "{name}");
        assert_eq!(
            got.best_model_checkpoint.as_deref(),
            case["best_model_checkpoint"].as_str(),
            "{name}: best checkpoint"
        );
        let left: Vec<String> = serde_json::from_value(case["checkpoints_left"].clone()).unwrap();
        assert_eq!(got.checkpoints_left, left, "{name}: checkpoints kept");
        assert_eq!(
            got.holds_best_weights,
            Some(true),
            "{name}: the model does not hold the best checkpoint's weights"
        );
    }
}
