//! Faults during training, each in a child process (this test binary runs itself, selected by
//! `KILN_FAULT_CHILD`), so that a kill or a failed write is real:
//!
//! - a child SIGKILLed again and again while it writes a checkpoint every step leaves only
//!   complete, loadable checkpoints, and resuming after each kill ends with the same weights,
//!   optimizer state, schedule, RNG and log history as an uninterrupted child, byte for byte;
//! - a full disk during a save (simulated with a file-size limit, `ulimit -f`, so writes fail
//!   as they would on a full disk) is a typed error naming the checkpoint folder, leaves no
//!   partial folder, keeps the previous checkpoint, and a resume from it still ends
//!   identical to an uninterrupted run.
//!
//! `harness = false`: `main` is either the child or the two tests.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use common::AbortAt;
use kiln_autograd::Var;
use kiln_data::{DefaultCollate, TensorDataset};
use kiln_nn::loss::MSELoss;
use kiln_nn::{Forward, Linear, ReLU, Sequential};
use kiln_tensor::{Tensor, manual_seed};
use kiln_trainer::{ResumeFrom, StepOutput, Trainer, TrainingArguments};

const CHILD: &str = "KILN_FAULT_CHILD";
const DIR: &str = "KILN_FAULT_DIR";
const ABORT_AT: &str = "KILN_FAULT_ABORT_AT";
/// A child's exit code when training returned an error (printed on stderr).
const TRAINING_FAILED: i32 = 3;
/// Every file a checkpoint holds.
const CHECKPOINT_FILES: [&str; 7] = [
    "model.safetensors",
    "optimizer.safetensors",
    "scheduler.json",
    "rng_state.json",
    "trainer_state.json",
    "training_args.json",
    "kiln_resume.json",
];

/// The two workloads: `kill` saves every step so that kills land in saves; `disk` has a
/// model larger than the simulated disk's free space.
#[derive(Clone, Copy)]
enum Workload {
    Kill,
    Disk,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Kill => "kill",
            Workload::Disk => "disk",
        }
    }

    fn parse(name: &str) -> Option<Workload> {
        match name {
            "kill" => Some(Workload::Kill),
            "disk" => Some(Workload::Disk),
            _ => None,
        }
    }

    /// (hidden width, max_steps, save_steps)
    fn shape(self) -> (usize, usize, f64) {
        match self {
            Workload::Kill => (256, 150, 1.0),
            Workload::Disk => (1024, 10, 5.0),
        }
    }
}

/// The child: trains `workload` in `dir`, resuming from its last checkpoint if it has one.
fn child(workload: Workload, dir: &Path, abort_at: Option<usize>) -> ExitCode {
    let (hidden, max_steps, save_steps) = workload.shape();
    manual_seed(1);
    let x = Tensor::rand([256, 8]);
    let y = x.sum_dim(&[1], true);
    manual_seed(2);
    let model = Sequential::new()
        .append(Linear::new(8, hidden, true))
        .append(ReLU)
        .append(Linear::new(hidden, hidden, true))
        .append(ReLU)
        .append(Linear::new(hidden, 1, true));
    let args = TrainingArguments {
        max_steps: max_steps as i64,
        per_device_train_batch_size: 16,
        learning_rate: 1e-3,
        logging_steps: 3.0,
        save_steps,
        save_total_limit: Some(3),
        disable_tqdm: true,
        ..TrainingArguments::new(dir)
    };
    let trainer = Trainer::new(
        model,
        args,
        DefaultCollate,
        |m: &Sequential, batch: &Vec<Tensor>| {
            let prediction = m.forward(&Var::constant(batch[0].clone()));
            StepOutput::loss(MSELoss::new().forward(&prediction, &Var::constant(batch[1].clone())))
        },
    )
    .expect("valid arguments")
    .with_train_dataset(TensorDataset::new(vec![x, y]));
    let mut trainer = match abort_at {
        Some(step) => trainer.with_callback(AbortAt(step)),
        None => trainer,
    };
    let resume = checkpoints(dir).last().map(|_| ResumeFrom::Last);
    match trainer.train(resume) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("training failed: {e}");
            ExitCode::from(TRAINING_FAILED as u8)
        }
    }
}

/// The complete checkpoints in `dir`, by step.
fn checkpoints(dir: &Path) -> Vec<(usize, PathBuf)> {
    let mut found: Vec<(usize, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let step = name.strip_prefix("checkpoint-")?.parse().ok()?;
            Some((step, e.path()))
        })
        .collect();
    found.sort();
    found
}

/// This binary as a child training `workload` in `dir`.
fn child_command(workload: Workload, dir: &Path) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("the test binary's path"));
    command
        .env(CHILD, workload.name())
        .env(DIR, dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

fn run_to_end(mut command: Command) {
    let out = command.output().expect("the child starts");
    assert!(
        out.status.success(),
        "child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every checkpoint folder holds every file, and its weights and state parse.
fn assert_checkpoints_complete(dir: &Path) {
    for (step, path) in checkpoints(dir) {
        for file in CHECKPOINT_FILES {
            assert!(path.join(file).is_file(), "checkpoint-{step} lacks {file}");
        }
        kiln_tensor::io::safetensors::load(path.join("model.safetensors"))
            .unwrap_or_else(|e| panic!("checkpoint-{step}: {e}"));
        let state = std::fs::read_to_string(path.join("trainer_state.json")).unwrap();
        let state: serde_json::Value = serde_json::from_str(&state)
            .unwrap_or_else(|e| panic!("checkpoint-{step} trainer_state.json: {e}"));
        assert_eq!(state["global_step"], step);
    }
}

/// The log history of a checkpoint without the wall-clock entries.
fn timeless_log(checkpoint: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(checkpoint.join("trainer_state.json")).unwrap();
    let mut state: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut log = state["log_history"].take();
    for entry in log.as_array_mut().unwrap() {
        entry
            .as_object_mut()
            .unwrap()
            .retain(|k, _| !k.ends_with("_runtime") && !k.ends_with("_per_second"));
    }
    log
}

/// The final checkpoints of two runs hold the same bytes and the same log.
fn assert_same_final_checkpoint(resumed: &Path, whole: &Path, step: usize) {
    let a = resumed.join(format!("checkpoint-{step}"));
    let b = whole.join(format!("checkpoint-{step}"));
    for file in [
        "model.safetensors",
        "optimizer.safetensors",
        "scheduler.json",
        "rng_state.json",
        "kiln_resume.json",
    ] {
        let (x, y) = (std::fs::read(a.join(file)), std::fs::read(b.join(file)));
        assert!(
            x.is_ok() && x.ok() == y.ok(),
            "{file} differs from the run that was never interrupted"
        );
    }
    assert_eq!(timeless_log(&a), timeless_log(&b), "log history differs");
}

/// A save is in progress (or was cut short): `dir` holds a `tmp-checkpoint-*` folder.
fn saving(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("tmp-checkpoint-")
        })
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-faults-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn killed_during_saves_and_resumed() {
    let workload = Workload::Kill;
    let (_, max_steps, _) = workload.shape();
    let whole = tempdir("kill-whole");
    let started = Instant::now();
    run_to_end(child_command(workload, &whole));
    let uninterrupted = started.elapsed();

    // Kill each child a few checkpoints after it starts: on even attempts the moment a
    // `tmp-checkpoint-*` folder shows a save in progress, on odd ones 0–4 ms later to land
    // anywhere in a step; resume after each kill.
    let resumed = tempdir("kill-resumed");
    let latest = |dir: &Path| checkpoints(dir).last().map_or(0, |(s, _)| *s);
    let kills = 8;
    // Kills that left a half-written `tmp-checkpoint-*` behind.
    let mut kills_in_save = 0;
    for attempt in 0..kills {
        let from = latest(&resumed);
        let mut child = child_command(workload, &resumed).spawn().unwrap();
        let deadline = Instant::now() + uninterrupted * 10;
        while latest(&resumed) < from + 2 + attempt % 3 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(500));
        }
        if attempt % 2 == 0 {
            while !saving(&resumed) && Instant::now() < deadline {}
        } else {
            std::thread::sleep(Duration::from_millis((attempt % 5) as u64));
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "a child finished early"
        );
        child.kill().unwrap();
        child.wait().unwrap();
        kills_in_save += usize::from(saving(&resumed));
        assert_checkpoints_complete(&resumed);
    }
    run_to_end(child_command(workload, &resumed));
    assert!(
        kills_in_save >= 1,
        "no kill landed in a save ({kills} kills)"
    );
    let last = checkpoints(&resumed).last().map(|(s, _)| *s);
    assert_eq!(last, Some(max_steps), "the resumed run did not finish");
    assert_checkpoints_complete(&resumed);
    assert_same_final_checkpoint(&resumed, &whole, max_steps);
    println!(
        "killed during saves: {kills} kills ({kills_in_save} in a save), resumed to step \
         {max_steps}, identical to an uninterrupted run ({:.0} ms)",
        uninterrupted.as_secs_f64() * 1e3
    );
    let _ = std::fs::remove_dir_all(&whole);
    let _ = std::fs::remove_dir_all(&resumed);
}

fn full_disk_during_a_save() {
    let workload = Workload::Disk;
    let (_, max_steps, save_steps) = workload.shape();
    let first_save = save_steps as usize;
    let whole = tempdir("disk-whole");
    run_to_end(child_command(workload, &whole));

    // Crash after the first save, then resume with a disk too small for the next checkpoint.
    let dir = tempdir("disk-full");
    let mut crash = child_command(workload, &dir);
    crash.env(ABORT_AT, (first_save + 2).to_string());
    run_to_end(crash);
    assert_eq!(checkpoints(&dir).len(), 1);
    let before =
        std::fs::read(dir.join(format!("checkpoint-{first_save}/model.safetensors"))).unwrap();

    let exe = std::env::current_exe().unwrap();
    let out = Command::new("sh")
        .arg("-c")
        // Ignore SIGXFSZ so that writes past the limit fail with EFBIG, as on a full disk.
        .arg("trap '' XFSZ; ulimit -f 16; exec \"$0\"")
        .arg(exe)
        .env(CHILD, workload.name())
        .env(DIR, &dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("sh starts");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(TRAINING_FAILED), "{stderr}");
    assert!(
        stderr.contains(&format!("checkpoint-{max_steps}")),
        "the error does not name the checkpoint: {stderr}"
    );
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("checkpoint"))
        .collect();
    assert_eq!(left, vec![format!("checkpoint-{first_save}")]);
    let after =
        std::fs::read(dir.join(format!("checkpoint-{first_save}/model.safetensors"))).unwrap();
    assert_eq!(before, after, "the previous checkpoint changed");
    assert_checkpoints_complete(&dir);

    // With space again, the resume ends where the uninterrupted run did.
    run_to_end(child_command(workload, &dir));
    assert_same_final_checkpoint(&dir, &whole, max_steps);
    println!(
        "full disk: `{}`; checkpoint-{first_save} kept; resumed identical",
        stderr.trim()
    );
    let _ = std::fs::remove_dir_all(&whole);
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() -> ExitCode {
    if let Ok(name) = std::env::var(CHILD) {
        let workload = Workload::parse(&name).expect("a known workload");
        let dir = PathBuf::from(std::env::var_os(DIR).expect("KILN_FAULT_DIR"));
        let abort_at = std::env::var(ABORT_AT).ok().and_then(|s| s.parse().ok());
        return child(workload, &dir, abort_at);
    }
    // `cargo test -- --list` and filters: this binary has two tests, run in order.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        println!("killed_during_saves_and_resumed: test\nfull_disk_during_a_save: test");
        return ExitCode::SUCCESS;
    }
    let filter = args.iter().find(|a| !a.starts_with('-'));
    let tests: [(&str, fn()); 2] = [
        (
            "killed_during_saves_and_resumed",
            killed_during_saves_and_resumed,
        ),
        ("full_disk_during_a_save", full_disk_during_a_save),
    ];
    for (name, test) in tests {
        if filter.is_none_or(|f| name.contains(f.as_str())) {
            let started = Instant::now();
            test();
            println!(
                "test {name} ... ok ({:.1} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    ExitCode::SUCCESS
}
