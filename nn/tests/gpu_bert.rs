//! `BertModel` on `Device::Gpu` (lavapipe in CI) gives the CPU's outputs within 1e-3: a small
//! random config, a padded batch, every hidden state, the pooler, and the gradient of one
//! weight after a backward pass on the device.
#![cfg(feature = "gpu")]

use std::io::Write;

use kiln_nn::Module;
use kiln_nn::models::{BertConfig, BertModel, EncoderInput};
use kiln_tensor::{Device, Tensor, manual_seed, tensor};

fn max_abs_diff(a: &Tensor, b: &Tensor) -> f32 {
    assert_eq!(a.dims(), b.dims());
    a.to_vec::<f32>()
        .iter()
        .zip(b.to_vec::<f32>())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn bert_on_the_gpu_equals_the_cpu() {
    let device = match Device::try_gpu(0) {
        Ok(d) => d,
        Err(e) => {
            assert!(
                !std::env::var("KILN_REQUIRE_GPU").is_ok_and(|v| v == "1"),
                "KILN_REQUIRE_GPU=1 but no GPU adapter: {e}"
            );
            let _ = writeln!(std::io::stderr(), "skipped: no GPU adapter ({e})");
            return;
        }
    };
    manual_seed(5);
    let mut config = BertConfig::new(64, 32, 2, 4, 48);
    config.max_position_embeddings = 16;
    let cpu = BertModel::new(&config);
    let gpu = BertModel::new(&config);
    gpu.load_state_dict(&cpu.state_dict(), true).unwrap();
    gpu.to_device(&device);
    cpu.eval();
    gpu.eval();
    let ids = tensor![[2i64, 9, 17, 33, 5, 3], [2, 40, 3, 0, 0, 0]];
    let mask = tensor![[1i64, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]];
    let input = |d: &Device| {
        EncoderInput::new(ids.to_device(d))
            .with_attention_mask(mask.to_device(d))
            .with_output_hidden_states(true)
    };
    let on_cpu = cpu.forward(&input(&Device::Cpu));
    let on_gpu = gpu.forward(&input(&device));
    assert_eq!(on_gpu.last_hidden_state.value().device(), device);
    let mut worst = 0f32;
    for (g, c) in on_gpu
        .hidden_states
        .as_ref()
        .unwrap()
        .iter()
        .zip(on_cpu.hidden_states.as_ref().unwrap())
    {
        worst = worst.max(max_abs_diff(&g.value().to_device(&Device::Cpu), &c.value()));
    }
    let pooled = |o: &kiln_nn::models::BaseModelOutput| {
        o.pooler_output
            .as_ref()
            .unwrap()
            .value()
            .to_device(&Device::Cpu)
    };
    worst = worst.max(max_abs_diff(&pooled(&on_gpu), &pooled(&on_cpu)));
    assert!(worst <= 1e-3, "largest |gpu - cpu| = {worst}");

    on_cpu.last_hidden_state.pow_scalar(2.0).mean().backward();
    on_gpu.last_hidden_state.pow_scalar(2.0).mean().backward();
    let grad = |m: &BertModel| {
        m.encoder.layer[0]
            .attention
            .self_attention
            .query
            .weight
            .grad()
            .unwrap()
            .to_device(&Device::Cpu)
    };
    let g = max_abs_diff(&grad(&gpu), &grad(&cpu));
    assert!(g <= 1e-3, "query weight gradient differs by {g}");
    let _ = writeln!(
        std::io::stderr(),
        "BERT gpu vs cpu: outputs within {worst:e}, query gradient within {g:e}"
    );
}
