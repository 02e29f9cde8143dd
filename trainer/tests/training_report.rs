//! The training report: every curve as a well-formed SVG and a decodable PNG, a
//! self-contained `report.html` with the run's arguments and final metrics, a typed error
//! for a folder that cannot be written, the same report from a saved checkpoint, and a
//! real Trainer run with `ReportCallback`.

mod common;

use common::mse_step;

use std::io::Read;
use std::path::{Path, PathBuf};

use kiln_data::{DefaultCollate, TensorDataset};
use kiln_nn::{Linear, ReLU, Sequential};
use kiln_tensor::{Tensor, manual_seed};
use kiln_trainer::report::{
    PALETTE, REPORT_FILE, ReportOutcome, Rgb, write_report_from_checkpoint,
};
use kiln_trainer::{
    Callback, EvalPrediction, IntervalStrategy, LogEntry, Metrics, ReportCallback, ReportError,
    Trainer, TrainerControl, TrainerState, TrainingArguments, write_report,
};

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn entry(step: usize, values: &[(&str, f64)]) -> LogEntry {
    LogEntry {
        values: values.iter().map(|&(k, v)| (k.to_string(), v)).collect(),
        step,
    }
}

/// 10 training logs (steps 10…100), evaluations at 50 and 100, and the closing totals.
fn synthetic_state() -> TrainerState {
    let mut state = TrainerState {
        global_step: 100,
        max_steps: 100,
        epoch: 2.0,
        best_metric: Some(0.8125),
        best_global_step: Some(100),
        best_model_checkpoint: Some("out/checkpoint-100".into()),
        ..TrainerState::default()
    };
    for i in 1..=10 {
        let step = i * 10;
        state.log_history.push(entry(
            step,
            &[
                ("loss", 1.0 / i as f64),
                ("learning_rate", 1e-3 * (1.0 - step as f64 / 100.0)),
                ("grad_norm", 0.5),
                ("epoch", step as f64 / 50.0),
            ],
        ));
        if step % 50 == 0 {
            let acc = if step == 50 { 0.6875 } else { 0.8125 };
            state.log_history.push(entry(
                step,
                &[
                    ("eval_loss", 0.9 - step as f64 / 500.0),
                    ("eval_accuracy", acc),
                    ("eval_runtime", 0.25),
                    ("eval_samples_per_second", 400.0),
                    ("epoch", step as f64 / 50.0),
                ],
            ));
        }
    }
    state.log_history.push(entry(
        100,
        &[
            ("train_loss", 0.3456),
            ("train_runtime", 12.5),
            ("train_steps_per_second", 8.0),
            ("epoch", 2.0),
        ],
    ));
    state
}

fn synthetic_args(dir: &Path) -> TrainingArguments {
    TrainingArguments {
        learning_rate: 1e-3,
        num_train_epochs: 2.0,
        metric_for_best_model: Some("accuracy".into()),
        seed: 1234,
        ..TrainingArguments::new(dir)
    }
}

/// Checks that `text` is well-formed XML: one root element, every tag closed in order,
/// attribute values quoted, only the five predefined or numeric entities. Returns the
/// element names in document order.
fn well_formed_elements(text: &str) -> Vec<String> {
    let mut rest = text.trim_start();
    if rest.starts_with("<?xml") {
        let end = rest.find("?>").expect("XML declaration ends");
        rest = &rest[end + 2..];
    }
    let mut open: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut roots = 0;
    while let Some(lt) = rest.find('<') {
        check_text(&rest[..lt]);
        if !open.is_empty() || rest[..lt].trim().is_empty() {
        } else {
            panic!("text outside the root element: {:?}", &rest[..lt]);
        }
        let gt = rest[lt..].find('>').expect("tag ends") + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let top = open.pop().expect("a closing tag has an opening one");
            assert_eq!(top, name.trim(), "tags close in order");
            continue;
        }
        let self_closing = tag.ends_with('/');
        let body = tag.trim_end_matches('/');
        let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
        let name = &body[..name_end];
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "element name {name:?}"
        );
        check_attributes(&body[name_end..]);
        if open.is_empty() {
            roots += 1;
        }
        names.push(name.to_string());
        if !self_closing {
            open.push(name.to_string());
        }
    }
    assert!(rest.trim().is_empty(), "text after the root: {rest:?}");
    assert!(open.is_empty(), "unclosed elements {open:?}");
    assert_eq!(roots, 1, "one root element");
    names
}

fn check_text(text: &str) {
    assert!(!text.contains('>'), "bare > in {text:?}");
    let mut parts = text.split('&');
    parts.next();
    for part in parts {
        let entity = part.split(';').next().unwrap();
        let known = ["amp", "lt", "gt", "quot", "apos"].contains(&entity)
            || entity
                .strip_prefix('#')
                .is_some_and(|n| n.parse::<u32>().is_ok());
        assert!(known && part.contains(';'), "bad entity &{part}");
    }
}

fn check_attributes(mut attrs: &str) {
    let mut seen = Vec::new();
    loop {
        attrs = attrs.trim_start();
        if attrs.is_empty() {
            return;
        }
        let eq = attrs.find('=').expect("attribute has a value");
        let name = attrs[..eq].trim();
        assert!(!seen.contains(&name), "attribute {name} repeated");
        seen.push(name);
        let value = &attrs[eq + 1..];
        assert!(value.starts_with('"'), "attribute {name} is quoted");
        let end = value[1..].find('"').expect("quote closes") + 1;
        let text = &value[1..end];
        assert!(!text.contains('<'), "< inside attribute {name}");
        check_text(text);
        attrs = &value[end + 1..];
    }
}

/// The number of points of each `<polyline>` in `svg`, in order.
fn polyline_points(svg: &str) -> Vec<usize> {
    svg.split("<polyline")
        .skip(1)
        .map(|rest| {
            let points = rest.split("points=\"").nth(1).expect("points attribute");
            let points = points.split('"').next().unwrap();
            for pair in points.split_whitespace() {
                let (x, y) = pair.split_once(',').expect("x,y");
                assert!(
                    x.parse::<f64>().is_ok() && y.parse::<f64>().is_ok(),
                    "{pair}"
                );
            }
            points.split_whitespace().count()
        })
        .collect()
}

/// A decoded 8-bit RGB PNG: width, height and pixels.
struct Decoded {
    width: u32,
    height: u32,
    pixels: Vec<[u8; 3]>,
}

/// Decodes a non-interlaced 8-bit RGB PNG, checking the signature, every chunk's CRC,
/// IHDR first and IEND last, and undoing all five row filters.
fn decode_png(bytes: &[u8]) -> Decoded {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    let mut at = 8;
    let mut header = None;
    let mut data = Vec::new();
    let mut kinds = Vec::new();
    while at < bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let kind = &bytes[at + 4..at + 8];
        let body = &bytes[at + 8..at + 8 + len];
        let crc = u32::from_be_bytes(bytes[at + 8 + len..at + 12 + len].try_into().unwrap());
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(kind);
        hasher.update(body);
        assert_eq!(
            hasher.finalize(),
            crc,
            "CRC of {}",
            String::from_utf8_lossy(kind)
        );
        kinds.push(kind.to_vec());
        match kind {
            b"IHDR" => header = Some(body.to_vec()),
            b"IDAT" => data.extend_from_slice(body),
            _ => {}
        }
        at += 12 + len;
    }
    assert_eq!(kinds.first().map(Vec::as_slice), Some(&b"IHDR"[..]));
    assert_eq!(kinds.last().map(Vec::as_slice), Some(&b"IEND"[..]));
    let header = header.unwrap();
    let width = u32::from_be_bytes(header[0..4].try_into().unwrap());
    let height = u32::from_be_bytes(header[4..8].try_into().unwrap());
    assert_eq!(&header[8..13], [8, 2, 0, 0, 0], "8-bit RGB, no interlace");
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&data[..])
        .read_to_end(&mut raw)
        .expect("IDAT is a zlib stream");
    let stride = width as usize * 3;
    assert_eq!(raw.len(), (stride + 1) * height as usize);
    let mut image = vec![0u8; stride * height as usize];
    for y in 0..height as usize {
        let filter = raw[y * (stride + 1)];
        for i in 0..stride {
            let x = raw[y * (stride + 1) + 1 + i];
            let a = if i >= 3 { image[y * stride + i - 3] } else { 0 };
            let b = if y > 0 {
                image[(y - 1) * stride + i]
            } else {
                0
            };
            let c = if y > 0 && i >= 3 {
                image[(y - 1) * stride + i - 3]
            } else {
                0
            };
            let predicted = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                4 => {
                    let p = i16::from(a) + i16::from(b) - i16::from(c);
                    let (pa, pb, pc) = (
                        (p - i16::from(a)).abs(),
                        (p - i16::from(b)).abs(),
                        (p - i16::from(c)).abs(),
                    );
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                other => panic!("unknown filter {other}"),
            };
            image[y * stride + i] = x.wrapping_add(predicted);
        }
    }
    Decoded {
        width,
        height,
        pixels: image.chunks(3).map(|p| [p[0], p[1], p[2]]).collect(),
    }
}

fn count_color(image: &Decoded, color: Rgb) -> usize {
    image
        .pixels
        .iter()
        .filter(|p| **p == [color.0, color.1, color.2])
        .count()
}

#[test]
fn every_curve_gets_an_svg_and_a_png_and_the_page() {
    let dir = tempdir("files");
    let files = write_report(&dir, &synthetic_args(&dir), &synthetic_state()).unwrap();
    let names: Vec<&str> = files.charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["loss", "learning_rate", "eval_accuracy"]);
    for name in ["loss", "learning_rate", "eval_accuracy"] {
        assert!(dir.join(format!("{name}.svg")).is_file(), "{name}.svg");
        assert!(dir.join(format!("{name}.png")).is_file(), "{name}.png");
    }
    assert!(
        !dir.join("eval_runtime.svg").exists(),
        "timings are not plotted"
    );
    assert_eq!(files.html, dir.join(REPORT_FILE));
    assert_eq!(files.paths().len(), 7);
    assert!(files.paths().iter().all(|p| p.is_file()));
}

#[test]
fn the_svgs_are_well_formed_with_a_point_per_logged_value() {
    let dir = tempdir("svg");
    write_report(&dir, &synthetic_args(&dir), &synthetic_state()).unwrap();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let loss = read("loss.svg");
    let elements = well_formed_elements(&loss);
    assert_eq!(elements[0], "svg");
    assert!(elements.iter().any(|e| e == "title"));
    // Training loss at 10 steps, eval_loss at 2.
    assert_eq!(polyline_points(&loss), [10, 2]);
    let lr = read("learning_rate.svg");
    well_formed_elements(&lr);
    assert_eq!(polyline_points(&lr), [10]);
    let acc = read("eval_accuracy.svg");
    well_formed_elements(&acc);
    assert_eq!(polyline_points(&acc), [2]);
    assert!(loss.contains(&PALETTE[0].hex()) && loss.contains(&PALETTE[1].hex()));
}

#[test]
fn the_pngs_decode_at_the_chart_size_with_the_line_colours() {
    let dir = tempdir("png");
    write_report(&dir, &synthetic_args(&dir), &synthetic_state()).unwrap();
    let loss = decode_png(&std::fs::read(dir.join("loss.png")).unwrap());
    assert_eq!((loss.width, loss.height), (800, 480));
    assert_eq!(loss.pixels.len(), 800 * 480);
    // A 10-point line 2 px wide across most of the plot: hundreds of solid pixels.
    assert!(count_color(&loss, PALETTE[0]) > 300, "training loss line");
    assert!(count_color(&loss, PALETTE[1]) > 100, "eval_loss line");
    let white = count_color(&loss, Rgb(255, 255, 255));
    assert!(white > loss.pixels.len() / 2, "mostly background");
    let acc = decode_png(&std::fs::read(dir.join("eval_accuracy.png")).unwrap());
    assert!(count_color(&acc, PALETTE[0]) > 100);
    assert_eq!(count_color(&acc, PALETTE[1]), 0, "one series, one colour");
}

#[test]
fn the_page_shows_arguments_and_final_metrics_and_loads_nothing() {
    let dir = tempdir("html");
    write_report(&dir, &synthetic_args(&dir), &synthetic_state()).unwrap();
    let html = std::fs::read_to_string(dir.join(REPORT_FILE)).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Arguments.
    assert!(html.contains("<tr><th>seed</th><td>1234</td></tr>"));
    assert!(html.contains("<tr><th>learning_rate</th><td>0.001</td></tr>"));
    assert!(html.contains("<tr><th>metric_for_best_model</th><td>accuracy</td></tr>"));
    assert!(html.contains(&format!("<td>{}</td>", dir.display())));
    // Final and best metrics: training loss ends at 0.1 (best), eval_accuracy ends at its
    // best 0.8125, eval_loss at 0.7.
    assert!(html.contains(
        "<tr><th>loss</th><td class=\"n\">0.1</td><td class=\"n\">100</td>\
         <td class=\"n\">0.1</td><td class=\"n\">100</td></tr>"
    ));
    assert!(html.contains(
        "<tr><th>eval_accuracy</th><td class=\"n\">0.8125</td><td class=\"n\">100</td>\
         <td class=\"n\">0.8125</td><td class=\"n\">100</td></tr>"
    ));
    assert!(html.contains("<th>eval_loss</th><td class=\"n\">0.7</td>"));
    assert!(html.contains("<tr><th>train_loss</th><td>0.3456</td></tr>"));
    assert!(html.contains("eval_accuracy = 0.8125 at step 100"));
    // Charts inline, nothing fetched.
    assert_eq!(html.matches("<svg ").count(), 3);
    assert_eq!(html.matches("<polyline").count(), 4);
    for external in ["http", "<script", "<link", "<img", "src=", "url("] {
        assert!(!html.contains(external), "report.html contains {external}");
    }
}

#[test]
fn an_unwritable_output_dir_is_a_typed_error() {
    let dir = tempdir("unwritable");
    std::fs::create_dir_all(&dir).unwrap();
    // A file where the folder should be: fails for root as well.
    let blocker = dir.join("blocker");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let target = blocker.join("report");
    let err = write_report(&target, &synthetic_args(&target), &synthetic_state()).unwrap_err();
    match &err {
        ReportError::Io { path, .. } => assert_eq!(path, &target),
        other => panic!("expected an I/O error, got {other:?}"),
    }
    assert!(err.to_string().contains("blocker"), "{err}");

    // The callback reports it without panicking and keeps it for the caller.
    let mut callback = ReportCallback::new();
    let outcome: ReportOutcome = callback.outcome();
    assert!(outcome.take().is_none());
    callback.on_train_end(
        &synthetic_args(&target),
        &synthetic_state(),
        &mut TrainerControl::default(),
    );
    assert!(matches!(outcome.take(), Some(Err(ReportError::Io { .. }))));
}

#[test]
fn a_saved_checkpoint_gives_the_same_report() {
    let dir = tempdir("checkpoint");
    let checkpoint = dir.join("checkpoint-100");
    std::fs::create_dir_all(&checkpoint).unwrap();
    let args = synthetic_args(&dir);
    let state = synthetic_state();
    std::fs::write(
        checkpoint.join("trainer_state.json"),
        state.to_json_string(),
    )
    .unwrap();
    std::fs::write(checkpoint.join("training_args.json"), args.to_json_string()).unwrap();
    let live = write_report(dir.join("live"), &args, &state).unwrap();
    let saved = write_report_from_checkpoint(&checkpoint, dir.join("saved")).unwrap();
    assert_eq!(saved.charts.len(), live.charts.len());
    for name in ["report.html", "loss.svg", "loss.png", "eval_accuracy.svg"] {
        let a = std::fs::read(dir.join("live").join(name)).unwrap();
        let b = std::fs::read(dir.join("saved").join(name)).unwrap();
        assert!(a == b, "{name} differs");
    }

    std::fs::write(checkpoint.join("trainer_state.json"), "{\"epoch\": ").unwrap();
    let err = write_report_from_checkpoint(&checkpoint, dir.join("bad")).unwrap_err();
    assert!(matches!(err, ReportError::State { .. }), "{err:?}");
    assert!(err.to_string().contains("trainer_state.json"), "{err}");
    std::fs::write(
        checkpoint.join("trainer_state.json"),
        state.to_json_string(),
    )
    .unwrap();
    std::fs::write(
        checkpoint.join("training_args.json"),
        "{\"no_such_key\": 1}",
    )
    .unwrap();
    let err = write_report_from_checkpoint(&checkpoint, dir.join("bad")).unwrap_err();
    assert!(matches!(err, ReportError::Args(_)), "{err:?}");
    assert!(err.to_string().contains("no_such_key"), "{err}");
    std::fs::remove_file(checkpoint.join("training_args.json")).unwrap();
    let err = write_report_from_checkpoint(&checkpoint, dir.join("bad")).unwrap_err();
    assert!(matches!(err, ReportError::Args(_)), "{err:?}");
}

/// y = x0 + x1 over `n` random points.
fn dataset(n: usize, seed: u64) -> TensorDataset {
    manual_seed(seed);
    let x = Tensor::rand([n, 2]);
    let y = x.sum_dim(&[1], true);
    TensorDataset::new(vec![x, y])
}

#[test]
fn a_real_training_run_writes_its_report() {
    let dir = tempdir("trainer");
    let args = TrainingArguments {
        num_train_epochs: 2.0,
        per_device_train_batch_size: 16,
        learning_rate: 1e-2,
        logging_steps: 2.0,
        eval_strategy: IntervalStrategy::Steps,
        eval_steps: Some(4.0),
        save_strategy: IntervalStrategy::No,
        disable_tqdm: true,
        ..TrainingArguments::new(&dir)
    };
    manual_seed(2);
    let model = Sequential::new()
        .append(Linear::new(2, 8, true))
        .append(ReLU)
        .append(Linear::new(8, 1, true));
    let report = ReportCallback::new();
    let outcome = report.outcome();
    let mut trainer = Trainer::new(model, args, DefaultCollate, mse_step::<Sequential>)
        .expect("valid arguments")
        .with_train_dataset(dataset(64, 1))
        .with_eval_dataset(dataset(16, 3))
        .with_compute_metrics(|p: &EvalPrediction| {
            let predictions = p.predictions.to_vec::<f32>();
            let labels = p
                .label_ids
                .as_ref()
                .map(|l| l.to_vec::<f32>())
                .unwrap_or_default();
            let error: f64 = predictions
                .iter()
                .zip(&labels)
                .map(|(a, b)| f64::from((a - b).abs()))
                .sum();
            Metrics::from([("mae".to_string(), error / labels.len().max(1) as f64)])
        })
        .with_callback(report);
    trainer.train(None).expect("training runs");

    let files = outcome
        .take()
        .expect("the report ran at the end of training")
        .unwrap();
    let names: Vec<&str> = files.charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["loss", "learning_rate", "eval_mae"]);
    for path in files.paths() {
        assert!(path.is_file(), "{} is missing", path.display());
    }
    // 8 steps: losses logged at 2, 4, 6, 8 and evaluations at 4 and 8.
    let logged = trainer
        .state()
        .log_history
        .iter()
        .filter(|e| e.values.contains_key("loss"))
        .count();
    assert_eq!(logged, 4);
    let loss = std::fs::read_to_string(dir.join("loss.svg")).unwrap();
    well_formed_elements(&loss);
    assert_eq!(polyline_points(&loss), [logged, 2]);
    let png = decode_png(&std::fs::read(dir.join("eval_mae.png")).unwrap());
    assert!(count_color(&png, PALETTE[0]) > 0);
    let html = std::fs::read_to_string(dir.join(REPORT_FILE)).unwrap();
    assert!(html.contains("<th>eval_mae</th>") && !html.contains("http"));
}
