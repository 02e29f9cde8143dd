//! The seeds' Approach 2: frozen sentence embeddings of a pretrained encoder (mean pooling
//! and L2 normalisation) as features for scikit-learn's `LogisticRegression`.

use std::path::{Path, PathBuf};

use kiln_nn::models::BertModel;
use kiln_text::Tokenizer;
use serde::{Deserialize, Serialize};

use super::classifier::{TextClassifier, probability_rows};
use super::encode::{mean_pooled_embeddings, token_ids, truncating};
use super::error::RecipeError;
use super::text_data::TextDataset;
use crate::classic::LogisticRegression;

/// Settings of the frozen-embeddings recipe (`[model]` with `method = "embeddings"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmbeddingsSettings {
    /// The Hugging Face BERT folder whose encoder embeds the texts, or the name of one
    /// `kiln fetch` knows (`"minilm"`).
    pub pretrained: PathBuf,
    /// Tokens kept per text, special tokens included.
    pub max_length: usize,
    /// Texts per encoder forward.
    pub batch_size: usize,
    /// Inverse regularisation strength of the logistic regression (`C`).
    pub c: f64,
    /// L-BFGS iterations at most (`max_iter`).
    pub max_iter: usize,
}

impl Default for EmbeddingsSettings {
    fn default() -> Self {
        EmbeddingsSettings {
            pretrained: PathBuf::from("minilm"),
            max_length: 256,
            batch_size: 32,
            c: 1.0,
            max_iter: 100,
        }
    }
}

/// A frozen encoder, its tokenizer, and a logistic regression on its sentence embeddings.
pub struct EmbeddingsClassifier {
    tokenizer: Tokenizer,
    encoder: BertModel,
    settings: EmbeddingsSettings,
    regression: LogisticRegression,
    label_names: Vec<String>,
}

/// The encoder (without pooler) and tokenizer of a Hugging Face folder.
pub fn load_encoder(dir: &Path) -> Result<(BertModel, Tokenizer), RecipeError> {
    let model = BertModel::from_pretrained(dir)
        .map_err(|e| RecipeError::model(dir, e))?
        .without_pooler();
    let tokenizer = Tokenizer::from_pretrained(dir).map_err(|e| RecipeError::model(dir, e))?;
    Ok((model, tokenizer))
}

impl EmbeddingsClassifier {
    /// Embeds `train` with the encoder in `dir` (the resolved `pretrained`) and fits `LogisticRegression(C=c)` on it.
    pub fn fit(
        dir: &Path,
        train: &TextDataset,
        settings: &EmbeddingsSettings,
    ) -> Result<EmbeddingsClassifier, RecipeError> {
        let (encoder, tokenizer) = load_encoder(dir)?;
        let tokenizer = truncating(&tokenizer, settings.max_length)?;
        let x = embed(
            &encoder,
            &tokenizer,
            &train.text_refs(),
            settings.batch_size,
            true,
        )?;
        let mut regression = LogisticRegression::new()
            .with_c(settings.c)
            .with_max_iter(settings.max_iter);
        regression
            .fit(&x, &train.labels)
            .map_err(|e| RecipeError::run(format!("LogisticRegression: {e}")))?;
        Ok(EmbeddingsClassifier {
            tokenizer,
            encoder,
            settings: settings.clone(),
            regression,
            label_names: train.label_names.clone(),
        })
    }
}

/// Sentence embeddings `[texts, hidden]` of `texts`.
pub fn embed(
    encoder: &BertModel,
    tokenizer: &Tokenizer,
    texts: &[&str],
    batch_size: usize,
    normalize: bool,
) -> Result<kiln_tensor::Tensor, RecipeError> {
    let ids = token_ids(tokenizer, texts)?;
    Ok(mean_pooled_embeddings(encoder, &ids, batch_size, normalize))
}

impl TextClassifier for EmbeddingsClassifier {
    fn label_names(&self) -> &[String] {
        &self.label_names
    }

    fn predict_proba(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, RecipeError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let x = embed(
            &self.encoder,
            &self.tokenizer,
            texts,
            self.settings.batch_size,
            true,
        )?;
        let proba = self.regression.predict_proba(&x);
        Ok(probability_rows(&proba))
    }
}
