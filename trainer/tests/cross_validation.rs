//! Stratified k-fold cross-validation with a Trainer per fold on a tiny MLP classifier: the
//! out-of-fold predictions cover every row exactly once and are the held-out fold's model
//! outputs, every fold keeps its checkpoints in `fold-<i>`, and the summary's mean and std
//! (numpy's ddof=0) are those of the per-fold metrics.

mod common;

use common::exclusive;

use std::collections::BTreeMap;
use std::path::PathBuf;

use kiln_autograd::{Var, no_grad};
use kiln_data::{DefaultCollate, TensorDataset};
use kiln_nn::loss::CrossEntropyLoss;
use kiln_nn::{Forward, Linear, Module, ReLU, Sequential};
use kiln_optim::{GroupSpec, Sgd, SgdConfig};
use kiln_tensor::{Tensor, manual_seed};
use kiln_trainer::cv::{CrossValidation, CvError};
use kiln_trainer::{EvalPrediction, IntervalStrategy, StepOutput, TrainingArguments};

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-cv-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// 90 points around three centres, classes 45 / 30 / 15 (imbalanced), interleaved.
fn data() -> (TensorDataset, Vec<i64>) {
    let centres = [(-2.0f32, 0.0f32), (2.0, 0.0), (0.0, 2.5)];
    let labels: Vec<i64> = (0..90).map(|i| [0, 1, 0, 2, 1, 0][i % 6]).collect();
    let mut x = Vec::new();
    for (i, &c) in labels.iter().enumerate() {
        let (cx, cy) = centres[c as usize];
        let t = i as f32;
        x.push(cx + 0.6 * (1.7 * t).sin());
        x.push(cy + 0.6 * (2.3 * t).cos());
    }
    let ds = TensorDataset::new(vec![
        Tensor::from_vec(x, [90, 2]),
        Tensor::from_vec(labels.clone(), [90]),
    ]);
    (ds, labels)
}

fn mlp(fold: usize) -> Sequential {
    manual_seed(100 + fold as u64);
    Sequential::new()
        .append(Linear::new(2, 16, true))
        .append(ReLU)
        .append(Linear::new(16, 3, true))
}

// The batch type of `DefaultCollate` over a `TensorDataset` is `Vec<Tensor>`.
#[allow(clippy::ptr_arg)]
fn compute_loss(m: &Sequential, batch: &Vec<Tensor>) -> StepOutput {
    let logits = m.forward(&Var::constant(batch[0].clone()));
    let loss = CrossEntropyLoss::new().forward(&logits, &Var::constant(batch[1].clone()));
    StepOutput::with_predictions(loss, logits.value(), batch[1].clone())
}

fn argmax_rows(values: &[f32], width: usize) -> Vec<i64> {
    values
        .chunks(width)
        .map(|row| {
            let mut best = 0;
            for (i, &v) in row.iter().enumerate() {
                if v > row[best] {
                    best = i;
                }
            }
            best as i64
        })
        .collect()
}

fn accuracy(p: &EvalPrediction) -> BTreeMap<String, f64> {
    let predicted = argmax_rows(&p.predictions.to_vec::<f32>(), 3);
    let labels = p
        .label_ids
        .as_ref()
        .map(|l| l.to_vec::<i64>())
        .unwrap_or_default();
    let right = predicted
        .iter()
        .zip(&labels)
        .filter(|(a, b)| a == b)
        .count();
    BTreeMap::from([("accuracy".to_string(), right as f64 / labels.len() as f64)])
}

fn args(dir: &std::path::Path) -> TrainingArguments {
    TrainingArguments {
        num_train_epochs: 3.0,
        per_device_train_batch_size: 16,
        learning_rate: 3e-2,
        save_strategy: IntervalStrategy::Epoch,
        logging_steps: 4.0,
        disable_tqdm: true,
        ..TrainingArguments::new(dir)
    }
}

#[test]
fn three_folds_cover_every_row_once_with_checkpoints_and_a_mean_std_table() {
    let _rng = exclusive();
    let dir = tempdir("three-folds");
    let (ds, labels) = data();
    let x = ds.tensors()[0].to_vec::<f32>();
    let cv = CrossValidation::new(3, args(&dir), DefaultCollate, compute_loss)
        .with_compute_metrics(accuracy);
    let out = cv.run(mlp, ds, &labels).expect("cross-validation runs");
    assert_eq!(out.folds.len(), 3);
    assert_eq!(out.models.len(), 3);
    assert!(out.warning.is_none());

    // Every row is held out exactly once, and its fold is recorded.
    let mut held_out = vec![0usize; 90];
    for f in &out.folds {
        assert_eq!(f.train_indices.len() + f.test_indices.len(), 90);
        for &i in &f.test_indices {
            held_out[i] += 1;
            assert_eq!(out.oof_fold[i], f.fold);
        }
        // Stratified: 15 / 10 / 5 of the 45 / 30 / 15 per fold.
        let per_class = |c| f.test_indices.iter().filter(|&&i| labels[i] == c).count();
        assert_eq!((per_class(0), per_class(1), per_class(2)), (15, 10, 5));
    }
    assert!(held_out.iter().all(|&n| n == 1), "{held_out:?}");

    // One prediction row per dataset row, in dataset order: each is what the model of the
    // row's fold outputs for it.
    assert_eq!(out.oof_predictions.dims(), &[90, 3]);
    let oof = out.oof_predictions.to_vec::<f32>();
    assert!(oof.iter().all(|v| v.is_finite()));
    for f in &out.folds {
        let _g = no_grad();
        let rows: Vec<f32> = f
            .test_indices
            .iter()
            .flat_map(|&i| [x[2 * i], x[2 * i + 1]])
            .collect();
        let n = f.test_indices.len();
        let direct = out.models[f.fold]
            .forward(&Var::constant(Tensor::from_vec(rows, [n, 2])))
            .value()
            .to_vec::<f32>();
        for (k, &i) in f.test_indices.iter().enumerate() {
            for c in 0..3 {
                let (a, b) = (oof[3 * i + c], direct[3 * k + c]);
                assert!(
                    (a - b).abs() <= 1e-5 * (1.0 + b.abs()),
                    "row {i}: {a} vs {b}"
                );
            }
        }
        // The fold's accuracy is the accuracy of its out-of-fold rows.
        let predicted = argmax_rows(&oof, 3);
        let right = f
            .test_indices
            .iter()
            .filter(|&&i| predicted[i] == labels[i])
            .count();
        assert_eq!(f.metrics["eval_accuracy"], right as f64 / n as f64);
    }

    // Per-fold checkpoints: every epoch's save in fold-<i>.
    for f in &out.folds {
        assert_eq!(f.output_dir, dir.join(format!("fold-{}", f.fold)));
        let last = f
            .output_dir
            .join(format!("checkpoint-{}", f.train_output.global_step));
        assert!(
            last.join("model.safetensors").is_file(),
            "{}",
            last.display()
        );
        assert!(f.output_dir.join("log.jsonl").is_file());
        assert_eq!(
            f.train_output.global_step, 12,
            "60 rows / 16 = 4 steps x 3 epochs"
        );
    }

    // The table: numpy's mean and population std (ddof=0) of each fold's value.
    let row = out.summary.get("eval_accuracy").expect("accuracy row");
    let values: Vec<f64> = out
        .folds
        .iter()
        .map(|f| f.metrics["eval_accuracy"])
        .collect();
    assert_eq!(row.per_fold, values);
    let mean = (values[0] + values[1] + values[2]) / 3.0;
    let sq: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    assert!((row.mean - mean).abs() < 1e-12);
    assert!((row.std - (sq / 3.0).sqrt()).abs() < 1e-12);
    assert!(out.summary.get("eval_loss").is_some());
    assert!(out.summary.get("eval_runtime").is_none());
    assert!(mean > 0.8, "the clusters are separable: {values:?}");
    let table = out.summary.to_string();
    assert!(
        table.contains(&format!("{:.4} ± {:.4}", row.mean, row.std)),
        "{table}"
    );
    assert!(
        table.contains("fold 2") && table.contains("ddof=0"),
        "{table}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The values of every parameter whose name starts with `prefix`.
fn weights_under(model: &Sequential, prefix: &str) -> Vec<Vec<f32>> {
    model
        .named_parameters()
        .into_iter()
        .filter(|(name, _)| name.starts_with(prefix))
        .map(|(_, p)| p.value().to_vec::<f32>())
        .collect()
}

#[test]
fn each_fold_trains_with_the_optimizer_its_factory_builds() {
    let _rng = exclusive();
    let dir = tempdir("optimizer-factory");
    let (ds, labels) = data();
    let folds_seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let seen = folds_seen.clone();
    // The seeds' two learning rates, taken to the extreme: the first layer (the "encoder")
    // at 0, so it must come out of training bit-identical; the head at 3e-2.
    let cv = CrossValidation::new(3, args(&dir), DefaultCollate, compute_loss)
        .with_optimizer_factory(move |fold, model: &Sequential| {
            seen.borrow_mut().push(fold);
            let (encoder, head): (Vec<_>, Vec<_>) = model
                .named_parameters()
                .into_iter()
                .partition(|(name, _)| name.starts_with("0."));
            Sgd::new(
                vec![
                    GroupSpec::new(encoder.into_iter().map(|(_, p)| p)).with_lr(0.0),
                    GroupSpec::new(head.into_iter().map(|(_, p)| p)).with_lr(3e-2),
                ],
                SgdConfig::new(3e-2),
            )
        });
    let out = cv.run(mlp, ds, &labels).expect("cross-validation runs");
    assert_eq!(*folds_seen.borrow(), vec![0, 1, 2]);
    for (fold, model) in out.models.iter().enumerate() {
        let fresh = mlp(fold);
        assert_eq!(
            weights_under(model, "0."),
            weights_under(&fresh, "0."),
            "fold {fold}: the lr-0 group moved"
        );
        assert_ne!(
            weights_under(model, "2."),
            weights_under(&fresh, "2."),
            "fold {fold}: the head did not train"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_labels_and_missing_logits_are_typed_errors() {
    let _rng = exclusive();
    let dir = tempdir("errors");
    let (ds, labels) = data();
    let cv = CrossValidation::new(3, args(&dir), DefaultCollate, compute_loss);
    let err = cv.run(mlp, ds.clone(), &labels[..89]).err().expect("error");
    assert!(
        matches!(
            err,
            CvError::LabelCount {
                n_rows: 90,
                n_labels: 89
            }
        ),
        "{err}"
    );
    // Every class smaller than n_splits: sklearn's ValueError.
    let err = CrossValidation::new(50, args(&dir), DefaultCollate, compute_loss)
        .run(mlp, ds.clone(), &labels)
        .err()
        .expect("error");
    assert!(matches!(err, CvError::Split(_)), "{err}");

    let loss_only = |m: &Sequential, b: &Vec<Tensor>| StepOutput::loss(compute_loss(m, b).loss);
    let quick = TrainingArguments {
        max_steps: 1,
        save_strategy: IntervalStrategy::No,
        ..args(&dir)
    };
    let err = CrossValidation::new(3, quick, DefaultCollate, loss_only)
        .run(mlp, ds, &labels)
        .err()
        .expect("error");
    assert!(matches!(err, CvError::NoPredictions { fold: 0 }), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
