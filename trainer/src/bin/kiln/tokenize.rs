//! `kiln tokenize` (tokens, ids and offsets of texts as JSON Lines) and `kiln
//! train-tokenizer` (a BERT WordPiece or a byte-level BPE tokenizer trained on text files,
//! written as `tokenizer.json`).

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use kiln_text::Tokenizer;
use kiln_text::decoders::Decoder;
use kiln_text::models::{Bpe, BpeConfig, BpeTrainer, Model, Trainer, Vocab};
use kiln_text::pre_tokenizers::{ByteLevel, PreTokenizer, bytes_to_chars};
use kiln_text::processors::PostProcessor;
use kiln_trainer::recipes::bert_wordpiece_setup;
use serde_json::json;

use crate::error::CliError;
use crate::output::Output;

/// `kiln tokenize`.
#[derive(Args)]
pub struct TokenizeArgs {
    /// A tokenizer.json file, or a model folder holding tokenizer.json or vocab.txt.
    tokenizer: PathBuf,
    /// Texts to tokenize; without any, lines are read from stdin.
    texts: Vec<String>,
    /// Leave out the special tokens ([CLS], [SEP], …).
    #[arg(long)]
    no_special_tokens: bool,
}

/// The tokenizer model `kiln train-tokenizer` learns.
#[derive(Clone, Copy, ValueEnum)]
pub enum TokenizerKind {
    /// BERT's: BertNormalizer, BertPreTokenizer, WordPiece with `##`, [CLS] … [SEP].
    Wordpiece,
    /// GPT-2 / RoBERTa's byte-level BPE.
    Bpe,
}

/// `kiln train-tokenizer`.
#[derive(Args)]
pub struct TrainTokenizerArgs {
    /// Text files to learn from, read line by line.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The model to train.
    #[arg(long, value_enum, default_value_t = TokenizerKind::Wordpiece)]
    model: TokenizerKind,
    /// Vocabulary size, special tokens included.
    #[arg(long, default_value_t = 30000)]
    vocab_size: usize,
    /// Pairs seen fewer times are not merged.
    #[arg(long, default_value_t = 2)]
    min_frequency: u64,
    /// Keep case and accents (WordPiece only; BERT's uncased tokenizer lowercases).
    #[arg(long)]
    cased: bool,
    /// Where to write tokenizer.json.
    #[arg(long, default_value = "tokenizer.json")]
    out: PathBuf,
}

/// A tokenizer from a `tokenizer.json` file or a model folder.
pub fn load_tokenizer(path: &Path) -> Result<Tokenizer, CliError> {
    let loaded = if path.is_dir() {
        Tokenizer::from_pretrained(path)
    } else {
        Tokenizer::from_file(path)
    };
    loaded.map_err(|e| {
        CliError::new(format!("{}: not a tokenizer: {e}", path.display()))
            .with_hint("give a tokenizer.json file or a folder holding tokenizer.json or vocab.txt")
    })
}

/// Runs `kiln tokenize`.
pub fn run(args: &TokenizeArgs, out: &Output) -> Result<(), CliError> {
    let tokenizer = load_tokenizer(&args.tokenizer)?;
    let print = |text: &str| -> Result<(), CliError> {
        let encoding = tokenizer
            .encode(text, !args.no_special_tokens)
            .map_err(|e| CliError::new(format!("tokenizing: {e}")))?;
        out.result(
            &json!({
                "tokens": encoding.tokens(),
                "ids": encoding.ids(),
                "offsets": encoding.offsets(),
            })
            .to_string(),
        );
        Ok(())
    };
    if args.texts.is_empty() {
        for line in std::io::stdin().lines() {
            print(&line.map_err(|e| CliError::new(format!("reading stdin: {e}")))?)?;
        }
    } else {
        for text in &args.texts {
            print(text)?;
        }
    }
    Ok(())
}

/// Runs `kiln train-tokenizer`.
pub fn train(args: &TrainTokenizerArgs, out: &Output) -> Result<(), CliError> {
    let (mut tokenizer, trainer) = match args.model {
        TokenizerKind::Wordpiece => {
            bert_wordpiece_setup(args.vocab_size, args.min_frequency, !args.cased)?
        }
        TokenizerKind::Bpe => {
            let empty = Bpe::new(
                Vocab::from_tokens(Vec::new()),
                Vec::new(),
                BpeConfig::default(),
            )
            .map_err(|e| CliError::new(e.to_string()))?;
            let byte_level = ByteLevel::default();
            let tokenizer = Tokenizer::new(Model::Bpe(empty))
                .with_pre_tokenizer(Some(PreTokenizer::ByteLevel(byte_level)))
                .with_post_processor(Some(PostProcessor::ByteLevel(byte_level)))
                .with_decoder(Some(Decoder::ByteLevel(byte_level)));
            let trainer = BpeTrainer {
                vocab_size: args.vocab_size,
                min_frequency: args.min_frequency,
                special_tokens: ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
                    .map(String::from)
                    .to_vec(),
                initial_alphabet: bytes_to_chars().to_vec(),
                ..BpeTrainer::default()
            };
            (tokenizer, Trainer::Bpe(trainer))
        }
    };
    out.say(&format!("training on {} file(s)", args.files.len()));
    tokenizer
        .train_from_files(&trainer, &args.files)
        .map_err(|e| CliError::new(format!("training the tokenizer: {e}")))?;
    tokenizer
        .save(&args.out, true)
        .map_err(|e| CliError::new(format!("{}: {e}", args.out.display())))?;
    out.result(&format!(
        "{} tokens; written to {}",
        tokenizer.get_vocab_size(true),
        args.out.display()
    ));
    Ok(())
}
