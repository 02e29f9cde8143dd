//! One training step of the seeds' MLP (`Linear(10, 64)`–ReLU–`Linear(64, 2)`, MSE loss, plain
//! SGD) on the GPU equals the same step on the CPU: loss, every gradient and every parameter
//! after the update agree within 1e-5 relative + 1e-6 absolute.
#![cfg(feature = "gpu")]

use std::io::Write;

use kiln_autograd::Var;
use kiln_nn::functional::{Reduction, mse_loss};
use kiln_nn::{Forward, Linear, Module, ReLU};
use kiln_optim::{Optimizer, Sgd, SgdConfig};
use kiln_tensor::{DType, Device, Generator, Tensor};

/// The seeds' `MLP(input_size=10)`.
#[allow(clippy::upper_case_acronyms)] // the seeds' class name
#[derive(Module)]
struct MLP {
    hidden_layer: Linear,
    output_layer: Linear,
    activation: ReLU,
}

impl MLP {
    fn new() -> MLP {
        MLP {
            hidden_layer: Linear::new(10, 64, true),
            output_layer: Linear::new(64, 2, true),
            activation: ReLU,
        }
    }

    fn forward(&self, x: &Var) -> Var {
        let h = self.activation.forward(&self.hidden_layer.forward(x));
        self.output_layer.forward(&h)
    }
}

/// One step of kiln-optim's SGD (`torch.optim.SGD(lr=0.1)`: `p ← p − lr·∇p`), which updates the
/// parameters on their own device; returns the loss, the gradients and the updated parameters,
/// all read back to the host.
fn step(model: &MLP, x: &Tensor, y: &Tensor) -> (f32, Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let device = model.parameters()[0].value().device();
    let (x, y) = (
        Var::constant(x.to_device(&device)),
        Var::constant(y.to_device(&device)),
    );
    let loss = mse_loss(&model.forward(&x), &y, Reduction::Mean);
    loss.backward();
    let mut grads = Vec::new();
    for p in model.parameters() {
        let g = p.grad().expect("every parameter gets a gradient");
        assert_eq!(
            g.device(),
            device,
            "the gradient stays on the parameter's device"
        );
        grads.push(g.to_vec::<f32>());
    }
    Sgd::new(model.parameters(), SgdConfig::new(0.1)).step();
    assert!(
        model
            .parameters()
            .iter()
            .all(|p| p.value().device() == device),
        "the update keeps every parameter on its device"
    );
    let params = model
        .parameters()
        .iter()
        .map(|p| p.value().to_vec::<f32>())
        .collect();
    (loss.value().item::<f32>(), grads, params)
}

/// Largest `|a − b|` over matching lists, after checking `|a − b| ≤ 1e-5·|b| + 1e-6`.
fn max_diff(what: &str, gpu: &[Vec<f32>], cpu: &[Vec<f32>]) -> f32 {
    let mut worst = 0.0f32;
    for (i, (g, c)) in gpu.iter().zip(cpu).enumerate() {
        assert_eq!(g.len(), c.len());
        for (a, b) in g.iter().zip(c) {
            let d = (a - b).abs();
            assert!(d <= 1e-5 * b.abs() + 1e-6, "{what} {i}: gpu {a} vs cpu {b}");
            worst = worst.max(d);
        }
    }
    worst
}

#[test]
fn one_sgd_step_on_the_gpu_equals_the_cpu_step() {
    let device = match Device::try_gpu(0) {
        Ok(d) => d,
        Err(e) => {
            assert!(
                !std::env::var("KILN_REQUIRE_GPU").is_ok_and(|v| v == "1"),
                "KILN_REQUIRE_GPU=1 but no GPU adapter: {e}"
            );
            let _ = writeln!(
                std::io::stderr(),
                "skipped: no GPU adapter ({e}); 1 GPU test skipped"
            );
            return;
        }
    };
    kiln_tensor::manual_seed(0);
    let cpu_model = MLP::new();
    let gpu_model = MLP::new();
    gpu_model
        .load_state_dict(&cpu_model.state_dict(), true)
        .expect("same architecture");
    gpu_model.to_device(&device);
    assert!(
        gpu_model
            .parameters()
            .iter()
            .all(|p| p.value().device() == device)
    );

    let mut rng = Generator::new(7);
    let x = Tensor::randn_from([16, 10], DType::F32, &Device::Cpu, &mut rng);
    let y = Tensor::randn_from([16, 2], DType::F32, &Device::Cpu, &mut rng);
    let (cpu_loss, cpu_grads, cpu_params) = step(&cpu_model, &x, &y);
    let (gpu_loss, gpu_grads, gpu_params) = step(&gpu_model, &x, &y);

    assert!(
        (gpu_loss - cpu_loss).abs() <= 1e-5 * cpu_loss.abs(),
        "loss {gpu_loss} vs {cpu_loss}"
    );
    let dg = max_diff("gradient", &gpu_grads, &cpu_grads);
    let dp = max_diff("parameter", &gpu_params, &cpu_params);
    let _ = writeln!(
        std::io::stderr(),
        "MLP step: loss cpu {cpu_loss} gpu {gpu_loss}; max |Δgrad| {dg:e}, max |Δparam| {dp:e}"
    );
}
