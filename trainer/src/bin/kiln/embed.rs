//! `kiln embed MODEL_DIR`: mean-pooled, L2-normalised sentence embeddings of texts
//! (sentence-transformers' `model.encode`) written to `.safetensors` (tensor
//! `embeddings`) or `.npy`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use kiln_tensor::Tensor;
use kiln_trainer::recipes::{TextDataset, embed, load_encoder, resolve_pretrained, truncating};

use crate::error::CliError;
use crate::output::Output;

/// `kiln embed`.
#[derive(Args)]
pub struct EmbedArgs {
    /// A Hugging Face BERT folder, or a name `kiln fetch` knows (minilm).
    model: PathBuf,
    /// Texts to embed; without any (and without --data), lines are read from stdin.
    texts: Vec<String>,
    /// Take the texts from this table's --text-column instead.
    #[arg(long)]
    data: Option<PathBuf>,
    /// The column with the texts in --data.
    #[arg(long, default_value = "text")]
    text_column: String,
    /// Where to write: FILE.safetensors or FILE.npy.
    #[arg(long, short)]
    out: PathBuf,
    /// Tokens kept per text, special tokens included.
    #[arg(long, default_value_t = 256)]
    max_length: usize,
    /// Texts per forward pass.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Keep the mean-pooled vectors unnormalised.
    #[arg(long)]
    no_normalize: bool,
}

/// Runs `kiln embed`.
pub fn run(args: &EmbedArgs, out: &Output) -> Result<(), CliError> {
    let format = match args.out.extension().and_then(|e| e.to_str()) {
        Some("safetensors") => Format::Safetensors,
        Some("npy") => Format::Npy,
        _ => {
            return Err(CliError::new(format!(
                "--out {}: write a .safetensors or a .npy file",
                args.out.display()
            )));
        }
    };
    let texts = texts(args)?;
    let dir = resolve_pretrained(&args.model, &mut out.sayer())?;
    let (encoder, tokenizer) = load_encoder(&dir)?;
    let tokenizer = truncating(&tokenizer, args.max_length)?;
    out.say(&format!("embedding {} texts", texts.len()));
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let embeddings = embed(
        &encoder,
        &tokenizer,
        &refs,
        args.batch_size.max(1),
        !args.no_normalize,
    )?;
    match format {
        Format::Safetensors => {
            kiln_tensor::safetensors::save(&args.out, [("embeddings", &embeddings)], None)
                .map_err(|e| CliError::new(e.to_string()))?
        }
        Format::Npy => write_npy(&args.out, &embeddings)?,
    }
    let dims = embeddings.dims();
    out.result(&format!(
        "{} × {} embeddings written to {}",
        dims[0],
        dims[1],
        args.out.display()
    ));
    Ok(())
}

enum Format {
    Safetensors,
    Npy,
}

fn texts(args: &EmbedArgs) -> Result<Vec<String>, CliError> {
    if let Some(path) = &args.data {
        let table = TextDataset::read_texts(path, &args.text_column)?;
        return Ok(table);
    }
    if !args.texts.is_empty() {
        return Ok(args.texts.clone());
    }
    std::io::stdin()
        .lines()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::new(format!("reading stdin: {e}")))
}

/// Writes a 2-D f32 tensor as a NumPy `.npy` file (format 1.0, little-endian `<f4`, C order).
fn write_npy(path: &Path, tensor: &Tensor) -> Result<(), CliError> {
    let dims = tensor.dims();
    let mut header = format!(
        "{{'descr': '<f4', 'fortran_order': False, 'shape': ({}, {}), }}",
        dims[0], dims[1]
    );
    // Magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let io = |e: std::io::Error| CliError::new(format!("{}: {e}", path.display()));
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    file.write_all(b"\x93NUMPY\x01\x00").map_err(io)?;
    file.write_all(&(header.len() as u16).to_le_bytes())
        .map_err(io)?;
    file.write_all(header.as_bytes()).map_err(io)?;
    for v in tensor.to_vec::<f32>() {
        file.write_all(&v.to_le_bytes()).map_err(io)?;
    }
    file.flush().map_err(io)
}
