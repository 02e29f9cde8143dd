//! Bad arguments, a best-model metric that the evaluation does not return, a missing data
//! set and a checkpoint that does not fit the model: each is a typed error that names the
//! key, metric or tensor, and none loses a checkpoint.

mod common;

use common::{exclusive, mse_step};

use std::path::{Path, PathBuf};

use kiln_data::{DefaultCollate, TensorDataset};
use kiln_nn::{Linear, ReLU, Sequential};
use kiln_tensor::{Tensor, manual_seed};
use kiln_trainer::{
    ArgsError, CheckpointError, EvalPrediction, Metrics, ResumeFrom, Trainer, TrainerError,
    TrainingArguments,
};

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-errors-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn json_error(text: &str) -> ArgsError {
    TrainingArguments::from_json_str(text).expect_err(text)
}

#[test]
fn an_unknown_key_is_named_with_the_keys_that_exist() {
    let err = json_error(r#"{"output_dir": "out", "learning_rte": 0.001}"#);
    let ArgsError::UnknownKey { key, known } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(key, "learning_rte");
    assert!(known.iter().any(|k| k == "learning_rate"));
    assert!(err.to_string().contains("`learning_rte`"), "{err}");
}

#[test]
fn an_ill_typed_value_names_its_key() {
    for (text, bad) in [
        (r#"{"learning_rate": "fast"}"#, "learning_rate"),
        (r#"{"eval_strategy": "sometimes"}"#, "eval_strategy"),
        (
            r#"{"per_device_train_batch_size": -4}"#,
            "per_device_train_batch_size",
        ),
        (r#"{"save_total_limit": 2.5}"#, "save_total_limit"),
        (r#"{"report_to": 3}"#, "report_to"),
    ] {
        let err = json_error(text);
        let ArgsError::WrongType { key, .. } = &err else {
            panic!("{text}: {err:?}")
        };
        assert_eq!(key, bad, "{text}");
        assert!(err.to_string().contains(bad), "{err}");
    }
}

#[test]
fn values_and_combinations_hf_rejects_name_their_key() {
    for (text, bad) in [
        (
            r#"{"per_device_train_batch_size": 0}"#,
            "per_device_train_batch_size",
        ),
        (
            r#"{"gradient_accumulation_steps": 0}"#,
            "gradient_accumulation_steps",
        ),
        (r#"{"learning_rate": -1.0}"#, "learning_rate"),
        (r#"{"adam_beta2": 1.0}"#, "adam_beta2"),
        (r#"{"warmup_ratio": 1.5}"#, "warmup_ratio"),
        (
            r#"{"num_train_epochs": 0, "max_steps": -1}"#,
            "num_train_epochs",
        ),
        (r#"{"logging_steps": 2.5}"#, "logging_steps"),
        (
            r#"{"load_best_model_at_end": true, "eval_strategy": "steps", "save_strategy": "epoch"}"#,
            "load_best_model_at_end",
        ),
        (
            r#"{"load_best_model_at_end": true, "eval_strategy": "steps", "eval_steps": 4, "save_steps": 6}"#,
            "save_steps",
        ),
        (r#"{"report_to": ["wandb"]}"#, "report_to"),
        (r#"{"fp16": true, "bf16": true}"#, "bf16"),
    ] {
        let err = json_error(text);
        let key = match &err {
            ArgsError::Invalid { key, .. } | ArgsError::Unsupported { key, .. } => key,
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(key, bad, "{text}");
    }
}

#[test]
fn a_toml_file_with_a_bad_key_names_the_file_and_the_key() {
    let dir = tempdir("toml");
    let good = dir.join("args.toml");
    std::fs::write(
        &good,
        "output_dir = \"out\"\nlearning_rate = 3e-5\nlr_scheduler_type = \"cosine\"\n\
         eval_strategy = \"epoch\"\n",
    )
    .unwrap();
    let args = TrainingArguments::from_file(&good).expect("a valid TOML file");
    assert_eq!(args.learning_rate, 3e-5);

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "output_dir = \"out\"\nwarmup_step = 10\n").unwrap();
    let err = TrainingArguments::from_file(&bad).expect_err("unknown key");
    let ArgsError::InFile { path, error } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(path, &bad);
    assert!(matches!(&**error, ArgsError::UnknownKey { key, .. } if key == "warmup_step"));
    assert!(err.to_string().contains("bad.toml"), "{err}");

    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "output_dir = \"out\"\nlearning_rate = = 1\n").unwrap();
    let err = TrainingArguments::from_file(&broken).expect_err("syntax");
    assert!(err.to_string().contains("line 2"), "{err}");

    let yaml = dir.join("args.yaml");
    std::fs::write(&yaml, "learning_rate: 1").unwrap();
    assert!(matches!(
        TrainingArguments::from_file(&yaml),
        Err(ArgsError::UnknownFormat { .. })
    ));
    assert!(matches!(
        TrainingArguments::from_file(dir.join("missing.json")),
        Err(ArgsError::Io { .. })
    ));
    assert!(matches!(
        TrainingArguments::from_json_str("[1, 2]"),
        Err(ArgsError::NotATable)
    ));
}

fn mlp(hidden: usize) -> Sequential {
    manual_seed(2);
    Sequential::new()
        .append(Linear::new(2, hidden, true))
        .append(ReLU)
        .append(Linear::new(hidden, 1, true))
}

fn data() -> TensorDataset {
    manual_seed(1);
    let x = Tensor::rand([64, 2]);
    let y = x.sum_dim(&[1], true);
    TensorDataset::new(vec![x, y])
}

fn trainer(
    hidden: usize,
    args: TrainingArguments,
) -> Trainer<Sequential, TensorDataset, DefaultCollate> {
    Trainer::new(mlp(hidden), args, DefaultCollate, mse_step::<Sequential>)
        .expect("valid arguments")
        .with_train_dataset(data())
}

fn args(dir: &Path) -> TrainingArguments {
    TrainingArguments {
        max_steps: 12,
        per_device_train_batch_size: 8,
        save_steps: 2.0,
        disable_tqdm: true,
        ..TrainingArguments::new(dir)
    }
}

#[test]
fn a_best_model_metric_the_evaluation_lacks_is_named_and_keeps_the_checkpoints() {
    let _rng = exclusive();
    let dir = tempdir("metric");
    let mut t = trainer(
        16,
        TrainingArguments {
            eval_strategy: kiln_trainer::IntervalStrategy::Steps,
            eval_steps: Some(4.0),
            metric_for_best_model: Some("acuracy".into()),
            ..args(&dir)
        },
    )
    .with_eval_dataset(data())
    .with_compute_metrics(|_: &EvalPrediction| Metrics::from([("accuracy".to_string(), 1.0)]));
    let err = t.train(None).expect_err("the metric does not exist");
    let TrainerError::UnknownMetric { metric, available } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(metric, "eval_acuracy");
    assert!(
        available.iter().any(|m| m == "eval_accuracy"),
        "{available:?}"
    );
    // The evaluation at step 4 failed; the checkpoint of step 2 is whole.
    assert!(dir.join("checkpoint-2/trainer_state.json").is_file());
    kiln_tensor::io::safetensors::load(dir.join("checkpoint-2/model.safetensors")).unwrap();
}

#[test]
fn evaluating_without_an_eval_set_says_which_setting_needs_it() {
    let _rng = exclusive();
    let dir = tempdir("no-eval");
    let mut t = trainer(
        16,
        TrainingArguments {
            eval_strategy: kiln_trainer::IntervalStrategy::Steps,
            eval_steps: Some(4.0),
            ..args(&dir)
        },
    );
    let err = t.train(None).expect_err("no eval set");
    assert!(
        matches!(
            err,
            TrainerError::MissingDataset {
                which: "eval_dataset",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn resuming_a_model_of_another_shape_names_the_tensor_and_loses_nothing() {
    let _rng = exclusive();
    let dir = tempdir("mismatch");
    trainer(16, args(&dir)).train(None).unwrap();
    let saved = std::fs::read(dir.join("checkpoint-12/model.safetensors")).unwrap();
    let err = trainer(8, args(&dir))
        .train(Some(ResumeFrom::Last))
        .expect_err("a 16-wide checkpoint does not fit an 8-wide model");
    assert!(matches!(err, TrainerError::Checkpoint(_)), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("0.weight"), "{message}");
    assert!(message.contains("checkpoint-12"), "{message}");
    assert_eq!(
        std::fs::read(dir.join("checkpoint-12/model.safetensors")).unwrap(),
        saved
    );
    let missing = trainer(16, args(&dir))
        .train(Some(ResumeFrom::Checkpoint(dir.join("checkpoint-99"))))
        .expect_err("no such checkpoint");
    assert!(missing.to_string().contains("checkpoint-99"), "{missing}");
    let empty = tempdir("mismatch-empty");
    let none = trainer(16, args(&empty))
        .train(Some(ResumeFrom::Last))
        .expect_err("nothing to resume");
    assert!(
        matches!(
            none,
            TrainerError::Checkpoint(CheckpointError::NoCheckpoint { .. })
        ),
        "{none:?}"
    );
}
