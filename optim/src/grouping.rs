//! Building parameter groups from named parameters, as Hugging Face fine-tuning recipes do:
//! no weight decay for biases and LayerNorm weights, and a separate lr for the pretrained
//! encoder and the new head.

use kiln_autograd::Var;

use crate::param_group::GroupSpec;

/// How [`param_groups_from_named`] splits parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupingConfig {
    /// Weight decay of the decayed groups.
    pub weight_decay: f64,
    /// A name ending in one of these gets no weight decay (default `["bias"]`).
    pub no_decay_suffixes: Vec<String>,
    /// A name containing one of these gets no weight decay (default `["LayerNorm.weight",
    /// "layer_norm.weight"]`).
    pub no_decay_contains: Vec<String>,
    /// Names starting with this prefix form the encoder (e.g. `"bert."` or `"model."`); `None`
    /// puts every parameter in the encoder.
    pub encoder_prefix: Option<String>,
    /// Learning rate of the encoder groups; the optimizer's default when `None`.
    pub encoder_lr: Option<f64>,
    /// Learning rate of the head groups (names without the prefix); the optimizer's default
    /// when `None`.
    pub head_lr: Option<f64>,
    /// Weight decay of the head's decayed parameters; `weight_decay` when `None`. The seeds'
    /// `get_optimizer_params` uses 0 for the head.
    pub head_weight_decay: Option<f64>,
}

impl GroupingConfig {
    /// Decay `weight_decay` for every parameter but biases and LayerNorm weights; one lr.
    pub fn new(weight_decay: f64) -> Self {
        GroupingConfig {
            weight_decay,
            no_decay_suffixes: vec!["bias".into()],
            no_decay_contains: vec!["LayerNorm.weight".into(), "layer_norm.weight".into()],
            encoder_prefix: None,
            encoder_lr: None,
            head_lr: None,
            head_weight_decay: None,
        }
    }

    /// Splits encoder (`prefix`) and head parameters with their own learning rates.
    pub fn with_encoder(
        mut self,
        prefix: impl Into<String>,
        encoder_lr: f64,
        head_lr: f64,
    ) -> Self {
        self.encoder_prefix = Some(prefix.into());
        self.encoder_lr = Some(encoder_lr);
        self.head_lr = Some(head_lr);
        self
    }

    /// Sets the head's weight decay.
    pub fn with_head_weight_decay(mut self, weight_decay: f64) -> Self {
        self.head_weight_decay = Some(weight_decay);
        self
    }

    /// Replaces the no-decay rules: names ending in a suffix or containing a pattern.
    pub fn with_no_decay(mut self, suffixes: &[&str], contains: &[&str]) -> Self {
        self.no_decay_suffixes = suffixes.iter().map(|s| s.to_string()).collect();
        self.no_decay_contains = contains.iter().map(|s| s.to_string()).collect();
        self
    }

    /// True when the parameter called `name` gets no weight decay.
    pub fn is_no_decay(&self, name: &str) -> bool {
        self.no_decay_suffixes
            .iter()
            .any(|s| name.ends_with(s.as_str()))
            || self
                .no_decay_contains
                .iter()
                .any(|s| name.contains(s.as_str()))
    }

    fn is_encoder(&self, name: &str) -> bool {
        self.encoder_prefix
            .as_deref()
            .is_none_or(|p| name.starts_with(p))
    }
}

/// Splits named parameters (`model.named_parameters()`) into up to four groups, in this
/// order, leaving out empty ones: encoder with decay, encoder without decay, head with decay,
/// head without decay. Each group carries its lr and weight decay; pass the result to any
/// optimizer constructor.
pub fn param_groups_from_named(
    named: impl IntoIterator<Item = (String, Var)>,
    config: &GroupingConfig,
) -> Vec<GroupSpec> {
    // [encoder decay, encoder no-decay, head decay, head no-decay]
    let mut buckets: [Vec<Var>; 4] = Default::default();
    for (name, var) in named {
        let slot =
            2 * usize::from(!config.is_encoder(&name)) + usize::from(config.is_no_decay(&name));
        buckets[slot].push(var);
    }
    let head_wd = config.head_weight_decay.unwrap_or(config.weight_decay);
    let settings = [
        (config.encoder_lr, config.weight_decay),
        (config.encoder_lr, 0.0),
        (config.head_lr, head_wd),
        (config.head_lr, 0.0),
    ];
    buckets
        .into_iter()
        .zip(settings)
        .filter(|(params, _)| !params.is_empty())
        .map(|(params, (lr, wd))| GroupSpec {
            params,
            lr,
            weight_decay: Some(wd),
        })
        .collect()
}
