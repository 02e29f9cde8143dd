//! Progress output: a live line on a terminal, the seeds' plain log lines otherwise (HF's
//! `ProgressCallback` / `PrinterCallback`), and `output_dir/log.jsonl` with every log entry.

use std::fs::{File, OpenOptions};
use std::io::{IsTerminal, Write};
use std::time::Instant;

use crate::training::args::TrainingArguments;
use crate::training::callback::Callback;
use crate::training::control::TrainerControl;
use crate::training::state::{LogEntry, Metrics, TrainerState};

/// Name of the JSONL log inside `output_dir`.
pub const LOG_FILE: &str = "log.jsonl";

/// Prints progress to standard error. On a terminal it redraws one line after every step
/// (epoch, step, elapsed and remaining time, loss, learning rate, steps per second); into a
/// file or pipe it writes one line per log entry in the seeds' form:
///
/// ```text
/// Epoch: [1][20/130] Elapsed 0m 19s (remain 1m 42s) Loss: 0.6931(0.6950) Grad: 1.2031 LR: 0.00004000
/// ```
///
/// where `Loss: last(mean)` are the last logged loss and the mean of all logged losses.
pub struct ProgressCallback {
    live: bool,
    started: Option<(Instant, usize)>,
    epoch_start_step: usize,
    last_loss: Option<f64>,
    logged_losses: (f64, usize),
}

impl ProgressCallback {
    /// A live line when standard error is a terminal, plain lines otherwise.
    pub fn new() -> Self {
        Self::with_live(std::io::stderr().is_terminal())
    }

    /// Forces the live line (`true`) or plain lines (`false`).
    pub fn with_live(live: bool) -> Self {
        ProgressCallback {
            live,
            started: None,
            epoch_start_step: 0,
            last_loss: None,
            logged_losses: (0.0, 0),
        }
    }

    /// Elapsed and remaining seconds of this session's steps.
    fn timing(&self, state: &TrainerState) -> (f64, f64) {
        let Some((start, first_step)) = self.started else {
            return (0.0, 0.0);
        };
        let elapsed = start.elapsed().as_secs_f64();
        let done = state.global_step.saturating_sub(first_step);
        let left = state.max_steps.saturating_sub(state.global_step);
        let remain = if done == 0 {
            0.0
        } else {
            elapsed / done as f64 * left as f64
        };
        (elapsed, remain)
    }

    /// `[epoch][step/steps]` with a 1-based epoch, as the seeds print it.
    fn position(&self, state: &TrainerState) -> String {
        let per_epoch = state.num_update_steps_per_epoch.max(1);
        let epoch = state.epoch.ceil().max(1.0) as usize;
        let in_epoch = state.global_step - self.epoch_start_step;
        format!("[{epoch}][{in_epoch}/{per_epoch}]")
    }
}

impl Default for ProgressCallback {
    fn default() -> Self {
        Self::new()
    }
}

/// The global step at which the current epoch began.
fn epoch_start_step(state: &TrainerState) -> usize {
    let per_epoch = state.num_update_steps_per_epoch.max(1);
    state.global_step - state.global_step % per_epoch
}

/// `1m 42s`.
fn minutes(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{}m {}s", s / 60, s % 60)
}

impl Callback for ProgressCallback {
    fn name(&self) -> String {
        "ProgressCallback".into()
    }

    fn on_train_begin(
        &mut self,
        _: &TrainingArguments,
        state: &TrainerState,
        _: &mut TrainerControl,
    ) {
        self.started = Some((Instant::now(), state.global_step));
        self.epoch_start_step = epoch_start_step(state);
    }

    fn on_epoch_begin(
        &mut self,
        _: &TrainingArguments,
        state: &TrainerState,
        _: &mut TrainerControl,
    ) {
        self.epoch_start_step = epoch_start_step(state);
    }

    fn on_step_end(&mut self, _: &TrainingArguments, state: &TrainerState, _: &mut TrainerControl) {
        if !self.live {
            return;
        }
        let (elapsed, remain) = self.timing(state);
        let done = state.global_step - self.started.map_or(0, |(_, s)| s);
        let rate = if elapsed > 0.0 {
            done as f64 / elapsed
        } else {
            0.0
        };
        let loss = self
            .last_loss
            .map_or(String::new(), |l| format!(" Loss: {l:.4}"));
        eprint!(
            "\r\x1b[2KEpoch: {} {}/{} Elapsed {} (remain {}) {rate:.2} it/s{loss}",
            self.position(state),
            state.global_step,
            state.max_steps,
            minutes(elapsed),
            minutes(remain),
        );
    }

    fn on_log(
        &mut self,
        _: &TrainingArguments,
        state: &TrainerState,
        _: &mut TrainerControl,
        logs: &Metrics,
    ) {
        let mut line = String::new();
        if let Some(&loss) = logs.get("loss") {
            self.last_loss = Some(loss);
            self.logged_losses.0 += loss;
            self.logged_losses.1 += 1;
            let mean = self.logged_losses.0 / self.logged_losses.1 as f64;
            let (elapsed, remain) = self.timing(state);
            line = format!(
                "Epoch: {} Elapsed {} (remain {}) Loss: {loss:.4}({mean:.4})",
                self.position(state),
                minutes(elapsed),
                minutes(remain)
            );
            if let Some(grad) = logs.get("grad_norm") {
                line += &format!(" Grad: {grad:.4}");
            }
            if let Some(lr) = logs.get("learning_rate") {
                line += &format!(" LR: {lr:.8}");
            }
        } else if logs
            .keys()
            .any(|k| k.starts_with("eval_") || k.starts_with("train_"))
        {
            let values: Vec<String> = logs
                .iter()
                .filter(|(k, _)| k.as_str() != "epoch")
                .map(|(k, v)| format!("{k}: {v:.4}"))
                .collect();
            line = format!("Step {}: {}", state.global_step, values.join(" "));
        }
        if line.is_empty() {
            return;
        }
        if self.live {
            eprintln!("\r\x1b[2K{line}");
        } else {
            eprintln!("{line}");
        }
    }

    fn on_train_end(&mut self, _: &TrainingArguments, _: &TrainerState, _: &mut TrainerControl) {
        if self.live {
            eprintln!();
        }
    }
}

/// Writes every log entry as one JSON line to `output_dir/log.jsonl`. At the start of a run
/// the file is rewritten from the state's log history, so after a resume it holds exactly
/// what an uninterrupted run's holds. A write error is reported once on standard error and
/// does not stop training.
#[derive(Default)]
pub struct JsonlLogCallback {
    file: Option<File>,
    warned: bool,
}

impl JsonlLogCallback {
    /// A logger writing to `output_dir/log.jsonl` once training begins.
    pub fn new() -> Self {
        Self::default()
    }

    fn write(&mut self, entry: &LogEntry) {
        let Some(file) = &mut self.file else { return };
        let line = serde_json::to_string(entry).expect("log entries always serialise");
        if let Err(e) = writeln!(file, "{line}")
            && !self.warned
        {
            eprintln!("kiln-trainer: cannot write {LOG_FILE}: {e}");
            self.warned = true;
        }
    }
}

impl Callback for JsonlLogCallback {
    fn name(&self) -> String {
        "JsonlLogCallback".into()
    }

    fn on_train_begin(
        &mut self,
        args: &TrainingArguments,
        state: &TrainerState,
        _: &mut TrainerControl,
    ) {
        let path = args.output_dir.join(LOG_FILE);
        let opened = std::fs::create_dir_all(&args.output_dir).and_then(|_| {
            OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(true)
                .open(&path)
        });
        match opened {
            Ok(file) => self.file = Some(file),
            Err(e) => {
                eprintln!("kiln-trainer: cannot write {}: {e}", path.display());
                self.warned = true;
            }
        }
        for entry in &state.log_history {
            self.write(entry);
        }
    }

    fn on_log(
        &mut self,
        _: &TrainingArguments,
        state: &TrainerState,
        _: &mut TrainerControl,
        _: &Metrics,
    ) {
        if let Some(entry) = state.log_history.last().cloned() {
            self.write(&entry);
        }
    }
}
