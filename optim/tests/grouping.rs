//! `param_groups_from_named` reproduces the seeds' `get_optimizer_params` split.

use kiln_autograd::Var;
use kiln_optim::{AdamConfig, AdamW, GroupingConfig, Optimizer, param_groups_from_named};
use kiln_tensor::Tensor;

fn named(names: &[&str]) -> Vec<(String, Var)> {
    names
        .iter()
        .map(|n| (n.to_string(), Var::parameter(Tensor::zeros([1]))))
        .collect()
}

#[test]
fn decay_and_no_decay_split() {
    let params = named(&[
        "encoder.layer.0.attention.self.query.weight",
        "encoder.layer.0.attention.self.query.bias",
        "encoder.layer.0.attention.output.LayerNorm.weight",
        "encoder.layer.0.attention.output.LayerNorm.bias",
        "embeddings.layer_norm.weight",
    ]);
    let groups = param_groups_from_named(params, &GroupingConfig::new(0.01));
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].params.len(), 1);
    assert_eq!(groups[0].weight_decay, Some(0.01));
    assert_eq!(groups[1].params.len(), 4);
    assert_eq!(groups[1].weight_decay, Some(0.0));
}

#[test]
fn encoder_and_head_like_the_seed() {
    let params = named(&[
        "model.encoder.dense.weight",
        "model.encoder.dense.bias",
        "model.LayerNorm.weight",
        "fc.weight",
        "fc.bias",
    ]);
    let config = GroupingConfig::new(0.01)
        .with_encoder("model.", 1e-5, 1e-4)
        .with_head_weight_decay(0.0);
    let groups = param_groups_from_named(params, &config);
    let summary: Vec<(usize, Option<f64>, Option<f64>)> = groups
        .iter()
        .map(|g| (g.params.len(), g.lr, g.weight_decay))
        .collect();
    assert_eq!(
        summary,
        vec![
            (1, Some(1e-5), Some(0.01)),
            (2, Some(1e-5), Some(0.0)),
            (1, Some(1e-4), Some(0.0)),
            (1, Some(1e-4), Some(0.0)),
        ]
    );
    let opt = AdamW::new(groups, AdamConfig::adamw(2e-5));
    assert_eq!(opt.num_param_groups(), 4);
    assert_eq!(opt.lrs(), vec![1e-5, 1e-5, 1e-4, 1e-4]);
    assert_eq!(opt.param_groups()[0].weight_decay, 0.01);
}

#[test]
fn custom_no_decay_rules() {
    let config = GroupingConfig::new(0.1).with_no_decay(&["bias", "norm.scale"], &[]);
    assert!(config.is_no_decay("block.norm.scale"));
    assert!(!config.is_no_decay("LayerNorm.weight"));
}
