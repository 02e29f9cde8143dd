//! "Training from scratch" (the seeds' Approach 3 variant): a BERT WordPiece tokenizer
//! trained on the training texts and the sizes of a small, randomly initialised encoder.

use kiln_nn::models::BertConfig;
use kiln_text::Tokenizer;
use kiln_text::models::{Trainer, Vocab, WordPieceTrainer};
use serde::{Deserialize, Serialize};

use super::error::RecipeError;
use super::transformer::{TransformerSettings, labels_config};

/// BERT's special tokens, in the ids BERT gives them (`[PAD]` = 0, …, `[MASK]` = 4).
pub const SPECIAL_TOKENS: [&str; 5] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

/// Sizes of a from-scratch encoder and its tokenizer (`[model.from_scratch]`); the defaults
/// are a small encoder that trains in minutes on two cores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScratchSettings {
    /// WordPiece vocabulary size, special tokens included (`WordPieceTrainer(vocab_size=…)`).
    pub vocab_size: usize,
    /// Words seen fewer times are not merged (`min_frequency`).
    pub min_frequency: u64,
    /// Lowercase and strip accents before tokenizing (an uncased BERT tokenizer).
    pub lowercase: bool,
    /// Width of every hidden state (`hidden_size`).
    pub hidden_size: usize,
    /// Encoder layers (`num_hidden_layers`).
    pub num_hidden_layers: usize,
    /// Attention heads per layer (`num_attention_heads`); must divide `hidden_size`.
    pub num_attention_heads: usize,
    /// Width of each feed-forward layer (`intermediate_size`).
    pub intermediate_size: usize,
    /// Dropout on embeddings, sub-layer outputs and attention probabilities.
    pub dropout: f64,
}

impl Default for ScratchSettings {
    fn default() -> Self {
        ScratchSettings {
            vocab_size: 8000,
            min_frequency: 2,
            lowercase: true,
            hidden_size: 128,
            num_hidden_layers: 2,
            num_attention_heads: 2,
            intermediate_size: 256,
            dropout: 0.1,
        }
    }
}

/// An empty BERT tokenizer (BertNormalizer, BertPreTokenizer, `[CLS] $A [SEP]`, the
/// WordPiece decoder; `lowercase` also strips accents) and the `WordPieceTrainer` that fills
/// its vocabulary with `vocab_size` tokens, BERT's special tokens first
/// (`BertWordPieceTokenizer()` and its `train`).
pub fn bert_wordpiece_setup(
    vocab_size: usize,
    min_frequency: u64,
    lowercase: bool,
) -> Result<(Tokenizer, Trainer), RecipeError> {
    let specials = Vocab::from_tokens(SPECIAL_TOKENS.iter().map(|s| s.to_string()));
    let tokenizer = Tokenizer::bert_wordpiece(specials, lowercase).map_err(RecipeError::run)?;
    let mut trainer = WordPieceTrainer::default();
    trainer.bpe.vocab_size = vocab_size;
    trainer.bpe.min_frequency = min_frequency;
    trainer.bpe.special_tokens = SPECIAL_TOKENS.iter().map(|s| s.to_string()).collect();
    Ok((tokenizer, Trainer::WordPiece(trainer)))
}

/// A BERT WordPiece tokenizer trained on `texts` ([`bert_wordpiece_setup`] with the
/// settings' size, frequency and case).
pub fn train_wordpiece(
    texts: &[String],
    settings: &ScratchSettings,
) -> Result<Tokenizer, RecipeError> {
    let (mut tokenizer, trainer) = bert_wordpiece_setup(
        settings.vocab_size,
        settings.min_frequency,
        settings.lowercase,
    )?;
    tokenizer
        .train(&trainer, texts)
        .map_err(|e| RecipeError::run(format!("training the WordPiece tokenizer: {e}")))?;
    Ok(tokenizer)
}

impl ScratchSettings {
    /// The BERT config of this encoder for `tokenizer`'s vocabulary, `settings`' length and
    /// pooling, and a head for `label_names`.
    pub fn bert_config(
        &self,
        tokenizer: &Tokenizer,
        settings: &TransformerSettings,
        label_names: Vec<String>,
    ) -> Result<BertConfig, RecipeError> {
        let mut config = BertConfig::new(
            tokenizer.get_vocab_size(true),
            self.hidden_size,
            self.num_hidden_layers,
            self.num_attention_heads,
            self.intermediate_size,
        );
        config.max_position_embeddings = settings.max_length.max(1);
        config.hidden_dropout_prob = self.dropout;
        config.attention_probs_dropout_prob = self.dropout;
        config.pad_token_id = tokenizer.token_to_id("[PAD]").unwrap_or(0) as usize;
        config.classification = labels_config(label_names);
        config.classifier_pooling = settings.pooling;
        config.architectures = vec!["BertForSequenceClassification".into()];
        config
            .validate("[model.from_scratch]")
            .map_err(|e| RecipeError::Config {
                path: None,
                message: e.to_string(),
            })?;
        Ok(config)
    }
}
