//! Writing and reading a predictor folder.

use std::path::{Path, PathBuf};

use kiln_nn::models::BertForSequenceClassification;
use kiln_nn::models::pretrained::{CONFIG_FILE, WEIGHTS_FILE};
use kiln_text::Tokenizer;

use super::{FORMAT_VERSION, PREDICTOR_FILE, PredictorConfig, PredictorError};

/// The file that holds the tokenizer (Hugging Face tokenizers' `tokenizer.json`).
pub const TOKENIZER_FILE: &str = "tokenizer.json";

/// Largest `predictor.json` read, in bytes: label names for any real task fit many times
/// over, and a corrupt file cannot make the loader allocate without bound.
const MAX_PREDICTOR_BYTES: u64 = 16 << 20;

/// Writes the model, the tokenizer, then `predictor.json` (through a temporary file and a
/// rename, so it appears only once the rest is written).
pub(super) fn save(
    dir: &Path,
    model: &BertForSequenceClassification,
    tokenizer: &Tokenizer,
    config: &PredictorConfig,
) -> Result<(), PredictorError> {
    let io = |path: PathBuf| move |source| PredictorError::Io { path, source };
    std::fs::create_dir_all(dir).map_err(io(dir.to_path_buf()))?;
    model.save_pretrained(dir).map_err(PredictorError::Model)?;
    let tokenizer_path = dir.join(TOKENIZER_FILE);
    tokenizer
        .save(&tokenizer_path, true)
        .map_err(|source| PredictorError::Tokenizer {
            path: tokenizer_path.clone(),
            source,
        })?;
    let path = dir.join(PREDICTOR_FILE);
    let tmp = dir.join(format!("{PREDICTOR_FILE}.tmp"));
    let text = serde_json::to_string_pretty(config).map_err(|e| PredictorError::Corrupt {
        path: path.clone(),
        message: e.to_string(),
    })?;
    std::fs::write(&tmp, format!("{text}\n")).map_err(io(tmp.clone()))?;
    std::fs::rename(&tmp, &path).map_err(io(path.clone()))
}

/// Reads the three parts of a folder, each error naming its file.
pub(super) fn load(
    dir: &Path,
) -> Result<(BertForSequenceClassification, Tokenizer, PredictorConfig), PredictorError> {
    for name in [PREDICTOR_FILE, TOKENIZER_FILE, CONFIG_FILE, WEIGHTS_FILE] {
        let path = dir.join(name);
        if !path.is_file() {
            return Err(PredictorError::MissingFile { path });
        }
    }
    let config = read_config(&dir.join(PREDICTOR_FILE))?;
    let tokenizer_path = dir.join(TOKENIZER_FILE);
    let tokenizer =
        Tokenizer::from_file(&tokenizer_path).map_err(|source| PredictorError::Tokenizer {
            path: tokenizer_path,
            source,
        })?;
    let model =
        BertForSequenceClassification::from_pretrained(dir).map_err(PredictorError::Model)?;
    Ok((model, tokenizer, config))
}

/// Parses `predictor.json`, refusing an oversized file, unknown keys and other versions.
fn read_config(path: &Path) -> Result<PredictorConfig, PredictorError> {
    let corrupt = |message: String| PredictorError::Corrupt {
        path: path.to_path_buf(),
        message,
    };
    let io = |source| PredictorError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_PREDICTOR_BYTES {
        return Err(corrupt(format!(
            "{size} bytes is more than the {MAX_PREDICTOR_BYTES} a predictor file may hold"
        )));
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    let config: PredictorConfig =
        serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
    if config.format_version != FORMAT_VERSION {
        return Err(corrupt(format!(
            "format_version {} is not the supported {FORMAT_VERSION}",
            config.format_version
        )));
    }
    Ok(config)
}
