//! Checkpoints cross between Kiln and PyTorch through safetensors, both ways
//! (`fixtures/gen_layers.py`, torch 2.15): a file PyTorch saved loads into the same Kiln
//! architecture and gives PyTorch's outputs; a file Kiln saved loads into PyTorch (the gen script
//! records PyTorch's outputs on it) and Kiln reproduces those outputs.
//! Tolerance: |kiln − torch| ≤ 1e-5 + 1e-5·|torch| in f32.

mod support;

use kiln_autograd::Var;
use kiln_nn::{BatchNorm1d, Forward, LayerNorm, Linear, Module, StateDict};
use kiln_tensor::{DType, Tensor, manual_seed, safetensors};
use support::{assert_close, fixture_path, read_json, tensor};

/// `Net` of gen_layers.py: parameters, float buffers and an int64 buffer.
#[derive(Module)]
struct Net {
    hidden: Linear,
    norm: BatchNorm1d,
    ln: LayerNorm,
    out: Linear,
}

impl Net {
    fn new() -> Net {
        Net {
            hidden: Linear::new(10, 16, true),
            norm: BatchNorm1d::new(16),
            ln: LayerNorm::new(&[16]),
            out: Linear::new(16, 2, true),
        }
    }

    fn forward(&self, x: &Var) -> Var {
        let h = self.norm.forward(&self.hidden.forward(x)).relu();
        self.out.forward(&self.ln.forward(&h))
    }
}

fn eval_output(net: &Net) -> Tensor {
    let fixture = read_json("layers.json");
    let x = Var::constant(tensor(&fixture["checkpoint"]["input"], DType::F32));
    net.eval();
    net.forward(&x).value()
}

#[test]
fn pytorch_checkpoint_loads_into_kiln_with_the_same_outputs() {
    let net = Net::new();
    let state = StateDict::load(fixture_path("torch_net.safetensors")).expect("torch file");
    net.load_state_dict(&state, true).expect("strict load");
    assert_eq!(
        net.norm
            .num_batches_tracked
            .as_ref()
            .expect("buffer")
            .value()
            .item::<i64>(),
        3
    );
    let fixture = read_json("layers.json");
    let worst = assert_close(
        "Kiln on PyTorch's checkpoint",
        &eval_output(&net),
        &tensor(&fixture["checkpoint"]["torch_output"], DType::F32),
        1e-5,
        1e-5,
    );
    println!("worst abs diff {worst:e}");
}

#[test]
fn kiln_checkpoint_loads_into_pytorch_with_the_same_outputs() {
    let path = fixture_path("kiln_net.safetensors");
    if std::env::var("KILN_WRITE_FIXTURES").as_deref() == Ok("1") {
        // Regenerate the Kiln-written file; then rerun gen_layers.py so PyTorch records its
        // outputs on it.
        manual_seed(7);
        let net = Net::new();
        net.train(true);
        for _ in 0..3 {
            net.forward(&Var::constant(Tensor::randn([8, 10])));
        }
        net.state_dict().save(&path).expect("write fixture");
        return;
    }
    let committed = std::fs::read(&path).expect("kiln_net.safetensors is committed");
    let net = Net::new();
    net.load_state_dict(&StateDict::load(&path).expect("load"), true)
        .expect("strict load");
    // The committed file is byte for byte what Kiln writes for this state dict.
    let sd = net.state_dict();
    let rewritten = safetensors::save_to_bytes(sd.iter(), None).expect("serialise");
    assert_eq!(rewritten, committed);
    let fixture = read_json("layers.json");
    assert_close(
        "Kiln vs PyTorch on Kiln's checkpoint",
        &eval_output(&net),
        &tensor(
            &fixture["checkpoint"]["kiln_file_output_in_torch"],
            DType::F32,
        ),
        1e-5,
        1e-5,
    );
}
