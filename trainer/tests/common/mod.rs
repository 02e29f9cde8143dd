//! Helpers shared by the trainer integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use kiln_trainer::{Callback, TrainerControl, TrainerState, TrainingArguments};

/// The global generator seeds data, weights and dropout: a test that uses it holds this lock.
static GLOBAL_RNG: Mutex<()> = Mutex::new(());

/// Takes the global generator for the rest of the test (a failed test does not poison it).
pub fn exclusive() -> MutexGuard<'static, ()> {
    GLOBAL_RNG.lock().unwrap_or_else(|e| e.into_inner())
}

/// Stops training after a given step, as a crash would: no final save.
pub struct AbortAt(pub usize);

impl Callback for AbortAt {
    fn name(&self) -> String {
        "AbortAt".into()
    }

    fn on_step_end(
        &mut self,
        _: &TrainingArguments,
        state: &TrainerState,
        control: &mut TrainerControl,
    ) {
        if state.global_step == self.0 {
            control.should_training_stop = true;
        }
    }
}

/// The Kiln data cache: `$KILN_CACHE`, else `$HOME/.cache/kiln`.
pub fn cache_dir() -> PathBuf {
    match std::env::var_os("KILN_CACHE") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/kiln"),
    }
}

/// `CACHE/name/file` if it exists. Otherwise prints a skip line and returns `None`, or panics
/// when `KILN_REQUIRE_DATA=1` (set by `cargo xtask test`).
pub fn data_file(name: &str, file: &str) -> Option<PathBuf> {
    let p = cache_dir().join(name).join(file);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("KILN_REQUIRE_DATA").as_deref() == Ok("1") {
        panic!("{} is missing: run `cargo xtask fetch {name}`", p.display());
    }
    eprintln!(
        "skipped: run `cargo xtask fetch {name}` ({} is missing)",
        p.display()
    );
    None
}
