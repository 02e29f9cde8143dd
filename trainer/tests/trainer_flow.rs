//! Logging, evaluation, saving and epoch ends fire at exactly the optimizer steps Hugging
//! Face's Trainer fires them: `fixtures/flow.json` holds the events HF 5.25's Trainer
//! produced for a table of strategies with gradient accumulation (`gen_flow.py`), and each
//! case runs through Kiln's Trainer with the same arguments.

use std::sync::{Arc, Mutex, MutexGuard};

use kiln_autograd::Var;
use kiln_data::{DefaultCollate, TensorDataset};
use kiln_nn::loss::MSELoss;
use kiln_nn::{Forward, Linear};
use kiln_tensor::{Tensor, manual_seed};
use kiln_trainer::{
    Callback, Metrics, StepOutput, Trainer, TrainerControl, TrainerState, TrainingArguments,
};
use serde_json::Value;

/// The global generator seeds data and weights: tests here take turns with it.
static GLOBAL_RNG: Mutex<()> = Mutex::new(());

fn exclusive() -> MutexGuard<'static, ()> {
    GLOBAL_RNG.lock().unwrap_or_else(|e| e.into_inner())
}

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

fn run(case: &Value) -> (usize, Vec<(String, usize)>) {
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
        |m: &Linear, batch: &Vec<Tensor>| {
            let out = m.forward(&Var::constant(batch[0].clone()));
            StepOutput::loss(MSELoss::new().forward(&out, &Var::constant(batch[1].clone())))
        },
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
    .with_train_dataset(rows(case["rows"].as_u64().unwrap() as usize))
    .with_eval_dataset(rows(10))
    .with_callback(recorder.clone());
    let out = trainer
        .train(None)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    let events = recorder.0.lock().unwrap().clone();
    (out.global_step, events)
}

#[test]
fn events_fire_on_the_steps_hf_trainer_fires_them() {
    let _rng = exclusive();
    let fixture: Value =
        serde_json::from_str(include_str!("fixtures/flow.json")).expect("flow.json parses");
    assert_eq!(fixture["transformers"], "5.25.0");
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    let mut mismatches = Vec::new();
    for case in cases {
        let expected: Vec<(String, usize)> = case["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e[0].as_str().unwrap().to_string(),
                    e[1].as_u64().unwrap() as usize,
                )
            })
            .collect();
        let expected_steps = case["global_step"].as_u64().unwrap() as usize;
        let (steps, events) = run(case);
        if steps != expected_steps || events != expected {
            mismatches.push(format!(
                "{}: HF {expected_steps} steps {expected:?}\n   Kiln {steps} steps {events:?}",
                case["name"]
            ));
        }
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}
