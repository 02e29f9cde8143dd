//! `kiln`: the seeds' text-classification workflow from the command line. `kiln demo` runs
//! all four methods on IMDB and compares them; `kiln train --config kiln.toml` runs one on
//! a user's table; `kiln predict`, `evaluate`, `embed`, `tokenize`, `train-tokenizer`,
//! `tfidf` and `fetch` do one step each. `kiln COMMAND --help` says more.
//!
//! Exit codes: 0 success, 1 a failure (bad data, config, model or input lines; the message
//! says which), 2 a command line that is not understood.
//!
//! `mpirun -np N kiln train --config FILE` (built with `--features mpi`) trains a
//! transformer recipe data-parallel over N processes; rank 0 prints and writes.

mod demo;
mod embed;
mod error;
mod evaluate;
mod fetch;
mod output;
mod predict;
mod tokenize;
mod train;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use kiln_distributed::{LaunchInfo, ProcessGroup};

use output::Output;

/// Kiln: deep learning in Rust. Train and compare text classifiers the way the seeds do
/// (TF-IDF, frozen embeddings, a transformer from scratch, a fine-tuned MiniLM).
#[derive(Parser)]
#[command(name = "kiln", version, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    output: OutputArgs,
    #[command(subcommand)]
    command: Command,
}

/// Output options every subcommand takes.
#[derive(Args, Clone, Copy)]
struct OutputArgs {
    /// Print only results (no progress lines).
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Print results as JSON (one object, or JSON Lines for per-text results).
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run the seeds' four methods on IMDB and print one comparison table.
    Demo(demo::DemoArgs),
    /// Train the method a kiln.toml describes on its data and write its report.
    Train(train::TrainArgs),
    /// Score a saved model on a labelled table.
    Evaluate(evaluate::EvaluateArgs),
    /// Predict labels of texts (arguments, or lines / JSON Lines on stdin) as JSON Lines.
    Predict(predict::PredictArgs),
    /// Show the tokens and ids a tokenizer gives texts.
    Tokenize(tokenize::TokenizeArgs),
    /// Train a WordPiece or BPE tokenizer on text files and write tokenizer.json.
    TrainTokenizer(tokenize::TrainTokenizerArgs),
    /// TF-IDF + a linear classifier on a labelled table, with a report.
    Tfidf(train::TfidfArgs),
    /// Sentence embeddings of texts to .safetensors or .npy.
    Embed(embed::EmbedArgs),
    /// Download a dataset or model into the cache (imdb, minilm, …).
    Fetch(fetch::FetchArgs),
}

fn main() -> ExitCode {
    // A bug must still read as a message, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error in kiln: {info}");
        eprintln!("       please report it with the command that caused it");
    }));
    let cli = Cli::parse();
    // This thread runs the models: make it a worker of the CPU pool, not a waiter on it.
    if let Err(e) = kiln_tensor::init_thread_pool(None) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    // Under `mpirun` only rank 0 reports progress.
    let other_rank = LaunchInfo::from_env().is_ok_and(|l| l.is_some_and(|l| l.rank > 0));
    let out = Output::new(cli.output.quiet || other_rank, cli.output.json);
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args, &out),
        Command::Train(args) => train::run(&args, &out),
        Command::Evaluate(args) => evaluate::run(&args, &out),
        Command::Predict(args) => predict::run(&args, &out),
        Command::Tokenize(args) => tokenize::run(&args, &out),
        Command::TrainTokenizer(args) => tokenize::train(&args, &out),
        Command::Tfidf(args) => train::tfidf(&args, &out),
        Command::Embed(args) => embed::run(&args, &out),
        Command::Fetch(args) => fetch::run(&args, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(hint) = e.hint() {
                eprintln!("hint: {hint}");
            }
            // One rank failing alone would leave the others waiting in a collective: end
            // the whole job now.
            if let Some(group) = ProcessGroup::get().filter(|g| g.world_size() > 1) {
                group.abort(i32::from(e.code()));
            }
            ExitCode::from(e.code())
        }
    }
}

/// The default folder of a command's output: `./kiln-<command>`.
fn default_out(command: &str) -> PathBuf {
    PathBuf::from(format!("kiln-{command}"))
}
