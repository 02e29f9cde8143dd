//! The `kiln` program as a user runs it: `--help` everywhere, a tiny from-scratch model
//! trained from a CSV by `kiln train --config`, then `predict` (arguments, stdin lines,
//! JSON Lines with a broken line), `evaluate`, `tokenize`, `train-tokenizer`, `tfidf`; and
//! every kind of bad input giving a clear message and a non-zero exit, never a panic.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

const KILN: &str = env!("CARGO_BIN_EXE_kiln");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn kiln(args: &[&str]) -> Output {
    Command::new(KILN).args(args).output().expect("kiln runs")
}

fn kiln_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(KILN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kiln runs");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Fails unless `out` failed with `code` and a message containing every one of `needles`,
/// and without a panic or backtrace.
fn assert_fails(out: &Output, code: i32, needles: &[&str]) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "missing {needle:?} in: {stderr}");
    }
    for bad in ["panicked", "RUST_BACKTRACE", "internal error"] {
        assert!(!stderr.contains(bad), "{bad} in: {stderr}");
    }
}

const POSITIVE: [&str; 6] = [
    "a wonderful film with great acting",
    "great story and wonderful music",
    "i loved it, a great great movie",
    "wonderful, moving and funny",
    "the best film this year, great cast",
    "loved the acting and the story",
];
const NEGATIVE: [&str; 6] = [
    "a terrible film with awful acting",
    "boring story and awful music",
    "i hated it, a bad bad movie",
    "dull, slow and not funny",
    "the worst film this year, bad cast",
    "hated the acting and the plot",
];

/// A CSV of 48 short reviews with string labels.
fn write_reviews(path: &Path) {
    let mut csv = String::from("review,sentiment\n");
    for round in 0..4 {
        for (p, n) in POSITIVE.iter().zip(NEGATIVE) {
            csv.push_str(&format!("\"{p} {round}\",pos\n\"{n} {round}\",neg\n"));
        }
    }
    std::fs::write(path, csv).unwrap();
}

/// A model trained once by `kiln train` from a CSV, shared by the tests that need one.
fn trained_model() -> &'static Path {
    static MODEL: OnceLock<PathBuf> = OnceLock::new();
    MODEL.get_or_init(|| {
        let dir = scratch("model");
        write_reviews(&dir.join("reviews.csv"));
        let config = r#"
[data]
train = "reviews.csv"
text_column = "review"
label_column = "sentiment"
test_size = 0.25

[model]
method = "transformer"
max_length = 16

[model.from_scratch]
vocab_size = 120
min_frequency = 1
hidden_size = 16
num_hidden_layers = 1
num_attention_heads = 2
intermediate_size = 32

[training]
output_dir = "run"
num_train_epochs = 40
per_device_train_batch_size = 8
learning_rate = 0.01
save_strategy = "no"
"#;
        std::fs::write(dir.join("kiln.toml"), config).unwrap();
        let out = Command::new(KILN)
            .args(["train", "--quiet", "--config", "kiln.toml"])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.contains("transformer: accuracy"), "{stdout}");
        let model = dir.join("run/model");
        for file in [
            "config.json",
            "model.safetensors",
            "tokenizer.json",
            "predictor.json",
        ] {
            assert!(model.join(file).exists(), "{file}");
        }
        assert!(dir.join("run/report.html").exists());
        assert!(dir.join("run/metrics.json").exists());
        model
    })
}

#[test]
fn every_subcommand_has_help() {
    for sub in [
        "demo",
        "train",
        "evaluate",
        "predict",
        "tokenize",
        "train-tokenizer",
        "tfidf",
        "embed",
        "fetch",
    ] {
        let out = kiln(&[sub, "--help"]);
        assert!(out.status.success(), "{sub}");
        assert!(text(&out.stdout).contains("Usage: kiln"), "{sub}");
    }
    let out = kiln(&["--help"]);
    assert!(text(&out.stdout).contains("demo"));
}

#[test]
fn unknown_subcommands_and_flags_say_what_to_type() {
    assert_fails(
        &kiln(&["dmeo"]),
        2,
        &["unrecognized subcommand 'dmeo'", "demo"],
    );
    assert_fails(
        &kiln(&["demo", "--quik"]),
        2,
        &["unexpected argument '--quik'", "--quick"],
    );
    assert_fails(&kiln(&["train"]), 2, &["--config"]);
}

fn config_error(config: &str, needles: &[&str]) {
    let dir = scratch("config");
    write_reviews(&dir.join("reviews.csv"));
    let path = dir.join("kiln.toml");
    std::fs::write(&path, config).unwrap();
    let out = kiln(&["train", "--config", path.to_str().unwrap()]);
    assert_fails(&out, 1, needles);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn config_errors_name_the_key_and_its_line() {
    let head =
        "[data]\ntrain = \"reviews.csv\"\ntext_column = \"review\"\nlabel_column = \"sentiment\"\n";
    // An unknown key in [data] and in [model].
    config_error(
        &format!("{head}colour = \"red\"\n[model]\nmethod = \"tfidf\"\n"),
        &["kiln.toml", "line 5", "unknown field `colour`"],
    );
    config_error(
        &format!("{head}[model]\nmethod = \"tfidf\"\nngrams = 2\n"),
        &["unknown field `ngrams`"],
    );
    // An unknown and an ill-typed TrainingArguments key, with their lines.
    config_error(
        &format!("{head}[model]\nmethod = \"tfidf\"\n[training]\nnum_train_epoch = 3\n"),
        &["line 8", "num_train_epoch"],
    );
    config_error(
        &format!(
            "{head}[model]\nmethod = \"tfidf\"\n[training]\nlogging_steps = 1\nnum_train_epochs = \"three\"\n"
        ),
        &["line 9", "num_train_epochs"],
    );
    // An ill-typed [model] value, an unknown method, a syntax error.
    config_error(
        &format!("{head}[model]\nmethod = \"tfidf\"\nepochs = \"four\"\n"),
        &["line 7", "epochs"],
    );
    config_error(&format!("{head}[model]\nmethod = \"svm\"\n"), &["svm"]);
    config_error("[data\n", &["line 1"]);
    config_error(
        &format!("{head}[model]\nmethod = \"transformer\"\n"),
        &["exactly one of `pretrained = \"DIR\"`"],
    );
}

#[test]
fn tables_missing_a_column_or_with_bad_labels_are_named() {
    let dir = scratch("tables");
    write_reviews(&dir.join("reviews.csv"));
    let data = dir.join("reviews.csv");
    let data = data.to_str().unwrap();
    let out_dir = dir.join("out");
    let out_dir = out_dir.to_str().unwrap();
    assert_fails(
        &kiln(&["tfidf", "--data", data, "--out", out_dir]),
        1,
        &["no text column `text`", "review, sentiment", "text_column"],
    );
    assert_fails(
        &kiln(&[
            "tfidf",
            "--data",
            data,
            "--text-column",
            "review",
            "--out",
            out_dir,
        ]),
        1,
        &["no label column `label`"],
    );
    let floats = dir.join("floats.csv");
    std::fs::write(&floats, "text,label\ngood,0.5\nbad,1.5\n").unwrap();
    assert_fails(
        &kiln(&[
            "tfidf",
            "--data",
            floats.to_str().unwrap(),
            "--out",
            out_dir,
        ]),
        1,
        &["label column `label` holds f64 values"],
    );
    let broken = dir.join("broken.csv");
    std::fs::write(&broken, "text,label\ngood,1\n\"unclosed,0\n").unwrap();
    assert_fails(
        &kiln(&[
            "tfidf",
            "--data",
            broken.to_str().unwrap(),
            "--out",
            out_dir,
        ]),
        1,
        &["broken.csv", "line 3"],
    );
    assert_fails(
        &kiln(&["tfidf", "--data", "/no/such.csv", "--out", out_dir]),
        1,
        &["/no/such.csv"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn folders_that_are_not_models_are_refused() {
    let dir = scratch("not-a-model");
    std::fs::write(dir.join("config.json"), "{\"model_type\": \"bert\"").unwrap();
    let path = dir.to_str().unwrap();
    assert_fails(
        &kiln(&["predict", path, "hello"]),
        1,
        &["is not a model folder"],
    );
    assert_fails(
        &kiln(&["predict", "/no/such/dir", "hello"]),
        1,
        &["is not a model folder"],
    );
    assert_fails(
        &kiln(&["evaluate", path, "--data", "x.csv"]),
        1,
        &["is not a model folder"],
    );
    assert_fails(
        &kiln(&["embed", path, "hi", "--out", "/tmp/x.npy"]),
        1,
        &["config.json"],
    );
    assert_fails(&kiln(&["tokenize", path, "hi"]), 1, &["not a tokenizer"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn predict_answers_arguments_lines_and_json_lines() {
    let model = trained_model().to_str().unwrap();
    let out = kiln(&["predict", model, POSITIVE[0], NEGATIVE[0]]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["label"], "pos");
    assert_eq!(lines[1]["label"], "neg");
    let p = lines[0]["probabilities"].as_object().unwrap();
    let total: f64 = p.values().map(|v| v.as_f64().unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-5, "{total}");

    // 2,500 stdin lines in chunks of 32 give 2,500 answers in order.
    let input: String = (0..2500)
        .map(|i| {
            format!(
                "{}\n",
                if i % 2 == 0 {
                    POSITIVE[i % 6]
                } else {
                    NEGATIVE[i % 6]
                }
            )
        })
        .collect();
    let out = kiln_with_stdin(&["predict", "--quiet", model], input.as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let answers: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 2500);
    assert!(answers.iter().enumerate().all(|(i, a)| a["line"] == i + 1));

    // A broken JSON line is named by its number; the other lines are still answered.
    let jsonl = format!(
        "{{\"text\": \"{}\"}}\n{{\"text\": oops}}\n{{\"body\": \"x\"}}\n{{\"text\": \"{}\"}}\n",
        POSITIVE[0], NEGATIVE[0]
    );
    let out = kiln_with_stdin(&["predict", "--jsonl", model], jsonl.as_bytes());
    assert_fails(
        &out,
        1,
        &[
            "line 2: not valid JSON",
            "line 3: no `text` key",
            "2 of 4 input lines",
        ],
    );
    let answers: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 4);
    assert_eq!(answers[0]["label"], "pos");
    assert!(
        answers[1]["error"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
    assert_eq!(answers[3]["label"], "neg");

    // Invalid UTF-8 is one bad line too.
    let out = kiln_with_stdin(&["predict", model], b"good\n\xff\xfe\nbad\n");
    assert_fails(&out, 1, &["line 2: not UTF-8"]);
    assert_eq!(text(&out.stdout).lines().count(), 3);
}

#[test]
fn evaluate_scores_a_saved_model() {
    let model = trained_model();
    let dir = scratch("evaluate");
    let data = dir.join("test.jsonl");
    let rows: String = POSITIVE
        .iter()
        .map(|t| format!("{{\"text\": \"{t}\", \"label\": \"pos\"}}\n"))
        .chain(
            NEGATIVE
                .iter()
                .map(|t| format!("{{\"text\": \"{t}\", \"label\": \"neg\"}}\n")),
        )
        .collect();
    std::fs::write(&data, rows).unwrap();
    let out = kiln(&[
        "evaluate",
        "--json",
        model.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let metrics: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(metrics["n"], 12);
    assert!(metrics["accuracy"].as_f64().unwrap() >= 0.75, "{metrics}");
    // A label the model does not know is named with its row.
    std::fs::write(&data, "{\"text\": \"x\", \"label\": \"meh\"}\n").unwrap();
    assert_fails(
        &kiln(&[
            "evaluate",
            model.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ]),
        1,
        &["row 1: label `meh` is not one of the classes"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tokenizers_train_and_tokenize() {
    let dir = scratch("tokenizer");
    let corpus = dir.join("corpus.txt");
    let lines: String = POSITIVE
        .iter()
        .chain(&NEGATIVE)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&corpus, lines.repeat(3)).unwrap();
    for model in ["wordpiece", "bpe"] {
        let out_file = dir.join(format!("{model}.json"));
        let out = kiln(&[
            "train-tokenizer",
            "--model",
            model,
            "--vocab-size",
            "300",
            "--out",
            out_file.to_str().unwrap(),
            corpus.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{model}: {}", text(&out.stderr));
        let out = kiln(&["tokenize", out_file.to_str().unwrap(), "wonderful acting"]);
        assert!(out.status.success(), "{model}: {}", text(&out.stderr));
        let encoding: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
        let tokens = encoding["tokens"].as_array().unwrap();
        assert!(!tokens.is_empty(), "{model}");
        if model == "wordpiece" {
            assert_eq!(tokens[0], "[CLS]");
            assert_eq!(tokens[tokens.len() - 1], "[SEP]");
        }
        assert_eq!(encoding["ids"].as_array().unwrap().len(), tokens.len());
    }
    assert_fails(
        &kiln(&["train-tokenizer", "/no/such.txt", "--out", "/tmp/t.json"]),
        1,
        &["/no/such.txt"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tfidf_trains_and_writes_its_report() {
    let dir = scratch("tfidf");
    write_reviews(&dir.join("reviews.csv"));
    let out_dir = dir.join("out");
    let out = kiln(&[
        "tfidf",
        "--json",
        "--data",
        dir.join("reviews.csv").to_str().unwrap(),
        "--text-column",
        "review",
        "--label-column",
        "sentiment",
        "--epochs",
        "40",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let result: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    // scikit-learn's train_test_split: ceil(0.2 × 48) = 10 test rows.
    assert_eq!(result["n_train"], 38);
    assert_eq!(result["n_test"], 10);
    assert!(result["accuracy"].as_f64().unwrap() >= 0.75, "{result}");
    assert!(out_dir.join("report.html").exists());
    assert!(out_dir.join("loss.svg").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
