//! A small CNN (`Conv2d(3, 4, 3, padding=1)`–ReLU–`MaxPool2d(2)`–Flatten–`Linear(64, 3)`, MSE
//! loss) run forward and backward on the GPU equals the same pass on the CPU: the loss within
//! 1e-5 relative, every parameter gradient within 1e-4 relative + 1e-5 absolute (the GPU
//! matmul under the convolution sums in another order).
#![cfg(feature = "gpu")]

use std::io::Write;

use kiln_autograd::Var;
use kiln_nn::functional::{Reduction, mse_loss};
use kiln_nn::{Conv2d, Flatten, Forward, Linear, MaxPool2d, Module, ReLU};
use kiln_tensor::{Conv2dOptions, DType, Device, Generator, Tensor};

#[derive(Module)]
struct SmallCnn {
    conv: Conv2d,
    activation: ReLU,
    pool: MaxPool2d,
    flatten: Flatten,
    head: Linear,
}

impl SmallCnn {
    fn new() -> SmallCnn {
        SmallCnn {
            conv: Conv2d::new(3, 4, [3, 3], Conv2dOptions::new().padding([1, 1]), true),
            activation: ReLU,
            pool: MaxPool2d::new(2),
            flatten: Flatten::default(),
            head: Linear::new(4 * 4 * 4, 3, true),
        }
    }

    fn forward(&self, x: &Var) -> Var {
        let h = self.activation.forward(&self.conv.forward(x));
        let h = self.flatten.forward(&self.pool.forward(&h));
        self.head.forward(&h)
    }
}

/// Loss and parameter gradients (read back to the host) of one forward + backward pass.
fn pass(model: &SmallCnn, x: &Tensor, y: &Tensor) -> (f32, Vec<Vec<f32>>) {
    let device = model.parameters()[0].value().device();
    let (x, y) = (
        Var::constant(x.to_device(&device)),
        Var::constant(y.to_device(&device)),
    );
    let loss = mse_loss(&model.forward(&x), &y, Reduction::Mean);
    loss.backward();
    let grads = model
        .parameters()
        .iter()
        .map(|p| {
            let g = p.grad().expect("every parameter gets a gradient");
            assert_eq!(g.device(), device, "the gradient stays on the device");
            g.to_vec::<f32>()
        })
        .collect();
    (loss.value().item::<f32>(), grads)
}

#[test]
fn cnn_forward_backward_on_the_gpu_equals_the_cpu() {
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
    let cpu_model = SmallCnn::new();
    let gpu_model = SmallCnn::new();
    gpu_model
        .load_state_dict(&cpu_model.state_dict(), true)
        .expect("same architecture");
    gpu_model.to_device(&device);

    let mut rng = Generator::new(3);
    let x = Tensor::randn_from([2, 3, 8, 8], DType::F32, &Device::Cpu, &mut rng);
    let y = Tensor::randn_from([2, 3], DType::F32, &Device::Cpu, &mut rng);
    let (cpu_loss, cpu_grads) = pass(&cpu_model, &x, &y);
    let (gpu_loss, gpu_grads) = pass(&gpu_model, &x, &y);

    assert!(
        (gpu_loss - cpu_loss).abs() <= 1e-5 * cpu_loss.abs(),
        "loss {gpu_loss} vs {cpu_loss}"
    );
    let mut worst = 0.0f32;
    for (i, (g, c)) in gpu_grads.iter().zip(&cpu_grads).enumerate() {
        assert_eq!(g.len(), c.len(), "gradient {i} length");
        for (a, b) in g.iter().zip(c) {
            let d = (a - b).abs();
            assert!(
                d <= 1e-4 * b.abs() + 1e-5,
                "gradient {i}: gpu {a} vs cpu {b}"
            );
            worst = worst.max(d);
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "CNN pass: loss cpu {cpu_loss} gpu {gpu_loss}; max |Δgrad| {worst:e}"
    );
}
