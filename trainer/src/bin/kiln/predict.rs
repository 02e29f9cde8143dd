//! `kiln predict MODEL_DIR [TEXT…]`: labels and probabilities as JSON Lines, for texts given
//! as arguments or streamed from stdin (plain lines, or JSON Lines with `--jsonl`) in
//! batches, so memory stays bounded however many lines come in.

use std::io::{BufRead, Read, Write};
use std::path::PathBuf;

use clap::Args;
use kiln_trainer::Predictor;
use kiln_trainer::recipes::argmax;
use serde_json::{Map, Value, json};

use crate::error::CliError;
use crate::output::Output;

/// A stdin line longer than this (bytes) is refused, so one line cannot exhaust memory.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// `kiln predict`.
#[derive(Args)]
pub struct PredictArgs {
    /// A model folder written by `kiln train` (or `Predictor::save`).
    model: PathBuf,
    /// Texts to classify; without any, lines are read from stdin.
    texts: Vec<String>,
    /// Stdin holds JSON Lines: one object per line with the text under --field.
    #[arg(long)]
    jsonl: bool,
    /// The key holding the text in --jsonl input.
    #[arg(long, default_value = "text")]
    field: String,
    /// Texts per forward pass (and per chunk read from stdin).
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
}

/// One input: its 1-based line number and its text, or why the line could not be read.
struct Input {
    line: usize,
    text: Result<String, String>,
}

/// Runs `kiln predict`.
pub fn run(args: &PredictArgs, out: &Output) -> Result<(), CliError> {
    if args.batch_size == 0 {
        return Err(CliError::new("--batch-size must be at least 1"));
    }
    let predictor = Predictor::load(&args.model)
        .map_err(|e| {
            CliError::new(format!("{} is not a model folder: {e}", args.model.display()))
                .with_hint("give the `model` folder that `kiln train` writes (config.json, model.safetensors, tokenizer.json, predictor.json)")
        })?
        .with_batch_size(args.batch_size)
        .map_err(|e| CliError::new(e.to_string()))?;
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed = 0usize;
    let mut total = 0usize;
    let mut answer = |chunk: &[Input]| -> Result<(), CliError> {
        total += chunk.len();
        failed += answer_chunk(&predictor, chunk, &mut stdout)?;
        Ok(())
    };
    if args.texts.is_empty() {
        out.say("reading texts from stdin, one per line");
        let stdin = std::io::stdin();
        let mut reader = stdin.lock();
        let mut chunk = Vec::with_capacity(args.batch_size);
        let mut line = 0usize;
        while let Some(raw) =
            read_line(&mut reader).map_err(|e| CliError::new(format!("reading stdin: {e}")))?
        {
            line += 1;
            chunk.push(Input {
                line,
                text: raw.and_then(|text| parse_input(text, args.jsonl, &args.field)),
            });
            if chunk.len() == args.batch_size {
                answer(&chunk)?;
                chunk.clear();
            }
        }
        answer(&chunk)?;
    } else {
        let inputs: Vec<Input> = args
            .texts
            .iter()
            .enumerate()
            .map(|(i, t)| Input {
                line: i + 1,
                text: Ok(t.clone()),
            })
            .collect();
        for chunk in inputs.chunks(args.batch_size) {
            answer(chunk)?;
        }
    }
    stdout
        .flush()
        .map_err(|e| CliError::new(format!("writing stdout: {e}")))?;
    if failed > 0 {
        return Err(CliError::new(format!(
            "{failed} of {total} input lines could not be read (see the messages above); the \
             others were answered"
        )));
    }
    Ok(())
}

/// The next line of `reader` without its line ending; `Ok(None)` at the end; an inner `Err`
/// for a line that is too long or not UTF-8 (the line is consumed either way).
fn read_line(reader: &mut impl BufRead) -> std::io::Result<Option<Result<String, String>>> {
    let mut bytes = Vec::new();
    let n = reader
        .by_ref()
        .take(MAX_LINE_BYTES as u64 + 1)
        .read_until(b'\n', &mut bytes)?;
    if n == 0 {
        return Ok(None);
    }
    if bytes.last() != Some(&b'\n') && bytes.len() > MAX_LINE_BYTES {
        // Skip the rest of the line.
        let mut rest = Vec::new();
        loop {
            rest.clear();
            let m = reader
                .by_ref()
                .take(MAX_LINE_BYTES as u64)
                .read_until(b'\n', &mut rest)?;
            if m == 0 || rest.last() == Some(&b'\n') {
                break;
            }
        }
        return Ok(Some(Err(format!(
            "line longer than {MAX_LINE_BYTES} bytes"
        ))));
    }
    while matches!(bytes.last(), Some(b'\n' | b'\r')) {
        bytes.pop();
    }
    Ok(Some(
        String::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}")),
    ))
}

/// The text of one input line: the line itself, or with `jsonl` the string under `field`.
fn parse_input(line: String, jsonl: bool, field: &str) -> Result<String, String> {
    if !jsonl {
        return Ok(line);
    }
    let value: Value = serde_json::from_str(&line).map_err(|e| format!("not valid JSON: {e}"))?;
    match value.get(field) {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(_) => Err(format!("`{field}` is not a string")),
        None => Err(format!("no `{field}` key (use --field to name it)")),
    }
}

/// Predicts the readable inputs of `chunk` and writes one JSON line per input, in order;
/// returns how many could not be read.
fn answer_chunk(
    predictor: &Predictor,
    chunk: &[Input],
    stdout: &mut impl Write,
) -> Result<usize, CliError> {
    let texts: Vec<&str> = chunk
        .iter()
        .filter_map(|i| i.text.as_deref().ok())
        .collect();
    let proba = predictor
        .predict_proba(&texts)
        .map_err(|e| CliError::new(format!("predicting: {e}")))?;
    let mut proba = proba.into_iter();
    let mut failed = 0;
    for input in chunk {
        let value = match &input.text {
            Ok(_) => {
                let p = proba.next().expect("one result per readable text");
                let names = predictor.label_names();
                let probabilities: Map<String, Value> = names
                    .iter()
                    .zip(&p)
                    .map(|(n, &v)| (n.clone(), json!(v)))
                    .collect();
                json!({
                    "line": input.line,
                    "label": names[argmax(&p)],
                    "probabilities": probabilities,
                })
            }
            Err(message) => {
                failed += 1;
                eprintln!("error: line {}: {message}", input.line);
                json!({ "line": input.line, "error": message })
            }
        };
        writeln!(stdout, "{value}").map_err(|e| CliError::new(format!("writing stdout: {e}")))?;
    }
    Ok(failed)
}
