//! `mpirun -np 2 kiln train --config FILE` against the one-process run with twice the batch.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{check_success, common, tempdir};

/// A from-scratch transformer recipe on 64 IMDB reviews, per-device batch `batch`; dropout
/// off, so that ranks and the single process draw no random numbers.
fn tiny_recipe(out: &Path, batch: usize) -> String {
    format!(
        r#"[data]
dataset = "imdb"
max_train = 64
max_test = 32

[model]
method = "transformer"
pooling = "mean"
max_length = 32

[model.from_scratch]
vocab_size = 400
hidden_size = 32
num_hidden_layers = 1
num_attention_heads = 2
intermediate_size = 64
dropout = 0.0

[training]
output_dir = "{}"
num_train_epochs = 2
per_device_train_batch_size = {batch}
learning_rate = 1e-3
logging_steps = 2
save_strategy = "no"
disable_tqdm = true
"#,
        out.display()
    )
}

pub fn kiln_train_under_mpirun() {
    if !cfg!(feature = "mpi") {
        eprintln!("skipping: kiln-trainer built without the `mpi` feature");
        return;
    }
    if common::data_file("imdb", "reviews.json").is_none() {
        return;
    }
    let kiln = PathBuf::from(env!("CARGO_BIN_EXE_kiln"));
    let dir = tempdir("kiln-train");
    let (two, one) = (dir.join("two-ranks"), dir.join("one-process"));
    std::fs::write(dir.join("two.toml"), tiny_recipe(&two, 8)).unwrap();
    std::fs::write(dir.join("one.toml"), tiny_recipe(&one, 16)).unwrap();
    let Some(mut mpirun) = kiln_testkit::mpi::mpirun(2, &kiln) else {
        return;
    };
    let out = mpirun
        .args(["train", "--json", "--config"])
        .arg(dir.join("two.toml"))
        .env("RAYON_NUM_THREADS", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    check_success("mpirun kiln train", &out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let results: Vec<&str> = stdout.lines().filter(|l| l.starts_with('{')).collect();
    assert_eq!(results.len(), 1, "rank 0 alone prints its result: {stdout}");
    let alone = Command::new(&kiln)
        .args(["train", "--json", "--config"])
        .arg(dir.join("one.toml"))
        .output()
        .unwrap();
    check_success("kiln train", &alone);
    for run in [&two, &one] {
        assert!(
            run.join("model/model.safetensors").is_file(),
            "{}",
            run.display()
        );
        assert!(run.join("report.html").is_file());
    }
    let metrics = |run: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(run.join("metrics.json")).unwrap()).unwrap()
    };
    let (m2, m1) = (metrics(&two), metrics(&one));
    for key in ["accuracy", "roc_auc"] {
        let (a, b) = (m2[key].as_f64().unwrap(), m1[key].as_f64().unwrap());
        assert!((a - b).abs() <= 1e-6, "{key}: 2 ranks {a}, 1 process {b}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
