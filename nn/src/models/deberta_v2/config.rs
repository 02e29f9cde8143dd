//! `DebertaV2Config`: the keys of a Hugging Face DeBERTa-v2/v3 `config.json` (transformers'
//! `DebertaV2Config`, `model_type` `"deberta-v2"`), with its defaults and the attributes the
//! modeling code reads with `getattr` (`position_buckets`, `share_att_key`, `norm_rel_ebd`,
//! `embedding_size`, `conv_*`, `pooler_*`, `cls_dropout`).

use serde::{Deserialize, Deserializer, Serialize};

use crate::models::activation::HiddenAct;
use crate::models::classification::ClassificationConfig;
use crate::models::config_check::ConfigCheck;
use crate::models::error::PretrainedError;

/// The architecture of a DeBERTa-v2 (and v3) encoder, read from and written to `config.json`.
///
/// The five sizes (`vocab_size`, `hidden_size`, `num_hidden_layers`, `num_attention_heads`,
/// `intermediate_size`) are required when reading a file, so a config that lacks one is an
/// error naming it; every other key defaults to transformers' default. Unknown keys are ignored.
///
/// `max_relative_positions` and `position_buckets` follow transformers: a value below 1 means
/// unset (`-1` is what transformers writes); an unset `max_relative_positions` is
/// `max_position_embeddings`, and without buckets the relative-embedding table has
/// `2 · max_relative_positions` rows, with them `2 · position_buckets`. See
/// [`DebertaV2Config::validate`] for when the two are inconsistent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DebertaV2Config {
    /// Rows of the word-embedding table (128100 for deberta-v3).
    pub vocab_size: usize,
    /// Width of every hidden state, `H`.
    pub hidden_size: usize,
    /// Number of encoder layers.
    pub num_hidden_layers: usize,
    /// Attention heads per layer; must divide `hidden_size`.
    pub num_attention_heads: usize,
    /// Width of the feed-forward layer inside each encoder layer.
    pub intermediate_size: usize,
    /// Feed-forward activation (`"gelu"`: exact erf GELU).
    #[serde(default)]
    pub hidden_act: HiddenAct,
    /// Dropout on embeddings, relative embeddings and every sub-layer output.
    #[serde(default = "default_dropout")]
    pub hidden_dropout_prob: f64,
    /// Dropout on the attention probabilities.
    #[serde(default = "default_dropout")]
    pub attention_probs_dropout_prob: f64,
    /// Rows of the absolute position table (when `position_biased_input`), and the default of
    /// `max_relative_positions`.
    #[serde(default = "default_max_positions")]
    pub max_position_embeddings: usize,
    /// Rows of the token-type table; 0 (the default, deberta-v3's) builds none and ignores
    /// `token_type_ids`.
    #[serde(default)]
    pub type_vocab_size: usize,
    /// Standard deviation of the normal initialisation of weights.
    #[serde(default = "default_initializer_range")]
    pub initializer_range: f64,
    /// Epsilon of every LayerNorm (1e-7).
    #[serde(default = "default_layer_norm_eps")]
    pub layer_norm_eps: f64,
    /// Disentangled attention over relative positions (true for every released v2/v3).
    #[serde(default)]
    pub relative_attention: bool,
    /// Largest relative distance told apart; below 1 means `max_position_embeddings`.
    #[serde(default = "minus_one")]
    pub max_relative_positions: i64,
    /// Log-bucketed relative positions (256 in deberta-v3); below 1 means no buckets.
    #[serde(default = "minus_one")]
    pub position_buckets: i64,
    /// Id of the padding token, whose word embedding gets no gradient; `null` for none.
    #[serde(default = "default_pad_token_id")]
    pub pad_token_id: Option<usize>,
    /// Add absolute position embeddings to the word embeddings (false in v3).
    #[serde(default = "default_true")]
    pub position_biased_input: bool,
    /// The relative terms of the attention: `"c2p"` (content to position), `"p2c"`
    /// (position to content). Read from a list or a `"p2c|c2p"` string, written as a list.
    #[serde(default, deserialize_with = "pos_att_type_from_json")]
    pub pos_att_type: Vec<String>,
    /// Project relative embeddings with the content query/key projections (v3) instead of
    /// separate `pos_query_proj` / `pos_key_proj`.
    #[serde(default)]
    pub share_att_key: bool,
    /// `"layer_norm"` normalises the relative embeddings; `"none"` (the default) does not.
    #[serde(default = "default_norm_rel_ebd")]
    pub norm_rel_ebd: String,
    /// Width of the embedding tables; `None` is `hidden_size`, otherwise `embed_proj` maps it
    /// to `hidden_size`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding_size: Option<usize>,
    /// Kernel of the convolution after the first layer (v2 xlarge); 0 builds none.
    #[serde(default)]
    pub conv_kernel_size: usize,
    /// Groups of that convolution.
    #[serde(default = "default_one")]
    pub conv_groups: usize,
    /// Activation of that convolution.
    #[serde(default = "default_conv_act")]
    pub conv_act: HiddenAct,
    /// Width of the `ContextPooler`; `None` is `hidden_size`, the only width transformers'
    /// head works with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooler_hidden_size: Option<usize>,
    /// Dropout in the `ContextPooler`, before its dense layer.
    #[serde(default)]
    pub pooler_dropout: f64,
    /// Activation of the `ContextPooler`.
    #[serde(default)]
    pub pooler_hidden_act: HiddenAct,
    /// Dropout before the classifier; `None` uses `hidden_dropout_prob`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cls_dropout: Option<f64>,
    /// Labels and problem type for sequence classification.
    #[serde(flatten)]
    pub classification: ClassificationConfig,
    /// Always `"deberta-v2"` (v3 checkpoints use it too).
    #[serde(default = "default_model_type")]
    pub model_type: String,
    /// The model classes the checkpoint was saved from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub architectures: Vec<String>,
}

fn default_dropout() -> f64 {
    0.1
}
fn default_max_positions() -> usize {
    512
}
fn default_initializer_range() -> f64 {
    0.02
}
fn default_layer_norm_eps() -> f64 {
    1e-7
}
fn minus_one() -> i64 {
    -1
}
fn default_pad_token_id() -> Option<usize> {
    Some(0)
}
fn default_true() -> bool {
    true
}
fn default_one() -> usize {
    1
}
fn default_norm_rel_ebd() -> String {
    "none".into()
}
fn default_conv_act() -> HiddenAct {
    HiddenAct::Tanh
}
fn default_model_type() -> String {
    "deberta-v2".into()
}

/// Reads `pos_att_type` as transformers' `__post_init__` does: `null`, a list of names, or a
/// `"|"`-separated string, lower-cased and trimmed.
fn pos_att_type_from_json<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        One(String),
        Many(Vec<String>),
    }
    let raw = Option::<Raw>::deserialize(d).map_err(|_| {
        serde::de::Error::custom(
            "pos_att_type must be null, a list of strings or a \"p2c|c2p\" string",
        )
    })?;
    let names = match raw {
        None => Vec::new(),
        Some(Raw::One(s)) => s.split('|').map(str::to_string).collect(),
        Some(Raw::Many(v)) => v,
    };
    Ok(names
        .into_iter()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect())
}

/// Values of `pos_att_type` Kiln reads: the two terms transformers computes, and `"p2p"`,
/// which DeBERTa-v1 configs list and transformers ignores.
const POS_ATT_TYPES: [&str; 3] = ["c2p", "p2c", "p2p"];

impl DebertaV2Config {
    /// A config with the given sizes and transformers' defaults for everything else
    /// (`DebertaV2Config(vocab_size=…, hidden_size=…, …)`): note that transformers' defaults
    /// have no relative attention; [`DebertaV2Config::deberta_v3`] sets v3's.
    pub fn new(
        vocab_size: usize,
        hidden_size: usize,
        num_hidden_layers: usize,
        num_attention_heads: usize,
        intermediate_size: usize,
    ) -> DebertaV2Config {
        DebertaV2Config {
            vocab_size,
            hidden_size,
            num_hidden_layers,
            num_attention_heads,
            intermediate_size,
            hidden_act: HiddenAct::Gelu,
            hidden_dropout_prob: default_dropout(),
            attention_probs_dropout_prob: default_dropout(),
            max_position_embeddings: default_max_positions(),
            type_vocab_size: 0,
            initializer_range: default_initializer_range(),
            layer_norm_eps: default_layer_norm_eps(),
            relative_attention: false,
            max_relative_positions: -1,
            position_buckets: -1,
            pad_token_id: Some(0),
            position_biased_input: true,
            pos_att_type: Vec::new(),
            share_att_key: false,
            norm_rel_ebd: default_norm_rel_ebd(),
            embedding_size: None,
            conv_kernel_size: 0,
            conv_groups: 1,
            conv_act: HiddenAct::Tanh,
            pooler_hidden_size: None,
            pooler_dropout: 0.0,
            pooler_hidden_act: HiddenAct::Gelu,
            cls_dropout: None,
            classification: ClassificationConfig::default(),
            model_type: default_model_type(),
            architectures: Vec::new(),
        }
    }

    /// The given sizes with deberta-v3's attention settings (its `config.json`):
    /// relative attention, 256 position buckets, `pos_att_type` `p2c|c2p`, shared keys,
    /// LayerNorm on the relative embeddings, no absolute positions.
    pub fn deberta_v3(
        vocab_size: usize,
        hidden_size: usize,
        num_hidden_layers: usize,
        num_attention_heads: usize,
        intermediate_size: usize,
    ) -> DebertaV2Config {
        DebertaV2Config {
            relative_attention: true,
            position_buckets: 256,
            pos_att_type: vec!["p2c".into(), "c2p".into()],
            share_att_key: true,
            norm_rel_ebd: "layer_norm".into(),
            position_biased_input: false,
            ..DebertaV2Config::new(
                vocab_size,
                hidden_size,
                num_hidden_layers,
                num_attention_heads,
                intermediate_size,
            )
        }
    }

    /// microsoft/deberta-v3-xsmall's architecture: hidden 384, 12 layers, 6 heads,
    /// intermediate 1536, vocabulary 128100.
    pub fn deberta_v3_xsmall() -> DebertaV2Config {
        DebertaV2Config::deberta_v3(128100, 384, 12, 6, 1536)
    }

    /// Width of one attention head, `hidden_size / num_attention_heads`.
    pub fn head_dim(&self) -> usize {
        self.hidden_size / self.num_attention_heads
    }

    /// Width of the embedding tables (`embedding_size`, or `hidden_size`).
    pub fn embedding_width(&self) -> usize {
        self.embedding_size.unwrap_or(self.hidden_size)
    }

    /// The relative distance past which positions are not told apart: `max_relative_positions`,
    /// or `max_position_embeddings` when that is below 1 (transformers' rule).
    pub fn effective_max_relative_positions(&self) -> usize {
        if self.max_relative_positions < 1 {
            self.max_position_embeddings
        } else {
            self.max_relative_positions as usize
        }
    }

    /// `position_buckets` when set (at least 1), else `None`.
    pub fn buckets(&self) -> Option<usize> {
        (self.position_buckets > 0).then_some(self.position_buckets as usize)
    }

    /// The attention span `att_span` (transformers' `pos_ebd_size`): `position_buckets` when
    /// set, else the effective `max_relative_positions`. The relative-embedding table has
    /// `2 · att_span` rows.
    pub fn att_span(&self) -> usize {
        self.buckets()
            .unwrap_or_else(|| self.effective_max_relative_positions())
    }

    /// Whether the attention has the content-to-position term.
    pub fn has_c2p(&self) -> bool {
        self.pos_att_type.iter().any(|t| t == "c2p")
    }

    /// Whether the attention has the position-to-content term.
    pub fn has_p2c(&self) -> bool {
        self.pos_att_type.iter().any(|t| t == "p2c")
    }

    /// Whether `norm_rel_ebd` lists `layer_norm`.
    pub fn norm_rel_embeddings(&self) -> bool {
        self.norm_rel_ebd
            .split('|')
            .any(|s| s.trim().eq_ignore_ascii_case("layer_norm"))
    }

    /// Number of parameters of a `DebertaV2Model` (and of the pooler and a classifier of
    /// `num_labels` when `with_head`) for this config; `None` if it overflows.
    pub fn parameter_count(&self, with_head: bool) -> Option<u128> {
        let [v, h, l, i, p, t, c, e] = [
            self.vocab_size,
            self.hidden_size,
            self.num_hidden_layers,
            self.intermediate_size,
            self.max_position_embeddings,
            self.type_vocab_size,
            self.classification.num_labels(),
            self.embedding_width(),
        ]
        .map(|n| n as u128);
        let positions = if self.position_biased_input { p } else { 0 };
        let mut embeddings = (v.checked_add(positions)?.checked_add(t)?).checked_mul(e)? + 2 * h;
        if e != h {
            embeddings = embeddings.checked_add(e.checked_mul(h)?)?;
        }
        let projections = if !self.relative_attention || self.share_att_key {
            3
        } else {
            3 + u128::from(self.has_c2p()) + u128::from(self.has_p2c())
        };
        let attention = (projections + 1) * (h.checked_mul(h)? + h) + 2 * h;
        let feed_forward = 2 * h.checked_mul(i)? + i + h + 2 * h;
        let layers = l.checked_mul(attention.checked_add(feed_forward)?)?;
        let mut encoder = layers;
        if self.relative_attention {
            let rows = 2 * self.att_span() as u128;
            encoder = encoder.checked_add(rows.checked_mul(h)?)?;
            if self.norm_rel_embeddings() {
                encoder += 2 * h;
            }
        }
        if self.conv_kernel_size > 0 {
            let k = self.conv_kernel_size as u128;
            let g = self.conv_groups.max(1) as u128;
            encoder = encoder.checked_add(h.checked_mul(h / g)?.checked_mul(k)? + 3 * h)?;
        }
        let head = if with_head { h * h + h + c * h + c } else { 0 };
        embeddings.checked_add(encoder)?.checked_add(head)
    }

    /// Reads `config.json` text; `source` names the file in errors.
    pub fn from_json(text: &str, source: &str) -> Result<DebertaV2Config, PretrainedError> {
        let config: DebertaV2Config =
            serde_json::from_str(text).map_err(|e| PretrainedError::Config {
                path: source.into(),
                message: e.to_string(),
            })?;
        config.validate(source)?;
        Ok(config)
    }

    /// Checks what serde cannot, each failure naming the key:
    /// - sizes that are zero, heads that do not divide `hidden_size`, `pad_token_id` outside
    ///   the vocabulary, probabilities outside `[0, 1]`, a `model_type` other than
    ///   `"deberta-v2"`;
    /// - `max_relative_positions` or `position_buckets` below `-1` (transformers reads any
    ///   value below 1 as unset and writes `-1`; anything lower is a corrupt file);
    /// - with `relative_attention` and `position_buckets` set, the buckets against the
    ///   effective `max_relative_positions` (`m`): transformers' `make_log_bucket_position`
    ///   maps a distance `d ≥ b/2` (`b = position_buckets`) to
    ///   `ceil(log(d / (b/2)) / log((m − 1) / (b/2)) · (b/2 − 1)) + b/2`, which needs
    ///   `b/2 ≥ 1` and `m − 1 > b/2` (a positive logarithm below); otherwise the buckets are
    ///   NaN or run backwards. So `position_buckets` must be at least 2 and
    ///   `max_relative_positions − 1` must exceed `position_buckets / 2`;
    /// - `pos_att_type` entries other than `c2p`, `p2c` (and the ignored `p2p`), `norm_rel_ebd`
    ///   entries other than `layer_norm` and `none`;
    /// - an even `conv_kernel_size` (its `(k − 1) / 2` padding would shorten the sequence),
    ///   `conv_groups` not dividing `hidden_size`;
    /// - a `pooler_hidden_size` other than `hidden_size` (transformers' head feeds the
    ///   `hidden_size` first-token state to it).
    pub fn validate(&self, source: &str) -> Result<(), PretrainedError> {
        let check = ConfigCheck::new(source);
        let fail = |message: String| {
            Err(PretrainedError::Config {
                path: source.into(),
                message,
            })
        };
        check.model_type(&self.model_type, "deberta-v2", "DebertaV2Config")?;
        check.sizes(&[
            ("vocab_size", self.vocab_size),
            ("hidden_size", self.hidden_size),
            ("num_attention_heads", self.num_attention_heads),
            ("intermediate_size", self.intermediate_size),
            ("max_position_embeddings", self.max_position_embeddings),
            ("embedding_size", self.embedding_width()),
            ("conv_groups", self.conv_groups),
        ])?;
        check.multiple_of(
            ("hidden_size", self.hidden_size),
            ("num_attention_heads", self.num_attention_heads),
        )?;
        if let Some(pad) = self.pad_token_id {
            check.below(("pad_token_id", pad), ("vocab_size", self.vocab_size))?;
        }
        check.probabilities(&[
            ("hidden_dropout_prob", self.hidden_dropout_prob),
            (
                "attention_probs_dropout_prob",
                self.attention_probs_dropout_prob,
            ),
            ("pooler_dropout", self.pooler_dropout),
            ("cls_dropout", self.cls_dropout.unwrap_or(0.0)),
        ])?;
        for (key, value) in [
            ("max_relative_positions", self.max_relative_positions),
            ("position_buckets", self.position_buckets),
        ] {
            if value < -1 {
                return fail(format!(
                    "{key} {value} is negative; use -1 (or leave the key out) for unset"
                ));
            }
        }
        if self.relative_attention
            && let Some(b) = self.buckets()
        {
            let m = self.effective_max_relative_positions();
            let mid = b / 2;
            if mid < 1 || m <= mid + 1 {
                let m_desc = if self.max_relative_positions < 1 {
                    format!("{m} (from max_position_embeddings)")
                } else {
                    m.to_string()
                };
                return fail(format!(
                    "position_buckets {b} and max_relative_positions {m_desc} are inconsistent: \
                     log buckets need position_buckets >= 2 and max_relative_positions - 1 > \
                     position_buckets / 2"
                ));
            }
        }
        if let Some(bad) = self
            .pos_att_type
            .iter()
            .find(|t| !POS_ATT_TYPES.contains(&t.as_str()))
        {
            return fail(format!(
                "pos_att_type entry \"{bad}\" is not one of \"c2p\", \"p2c\""
            ));
        }
        if let Some(bad) = self
            .norm_rel_ebd
            .split('|')
            .map(|s| s.trim().to_lowercase())
            .find(|s| s != "layer_norm" && s != "none")
        {
            return fail(format!(
                "norm_rel_ebd entry \"{bad}\" is not \"layer_norm\" or \"none\""
            ));
        }
        if self.conv_kernel_size > 0 {
            if self.conv_kernel_size.is_multiple_of(2) {
                return fail(format!(
                    "conv_kernel_size {} must be odd",
                    self.conv_kernel_size
                ));
            }
            check.multiple_of(
                ("hidden_size", self.hidden_size),
                ("conv_groups", self.conv_groups),
            )?;
        }
        if let Some(p) = self.pooler_hidden_size
            && p != self.hidden_size
        {
            return fail(format!(
                "pooler_hidden_size {p} differs from hidden_size {}; the pooler reads \
                 hidden_size-wide states",
                self.hidden_size
            ));
        }
        self.classification.validate(source)
    }
}
