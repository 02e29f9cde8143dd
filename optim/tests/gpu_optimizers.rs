//! Every optimizer updates GPU parameters as it updates CPU ones: the same configuration run
//! for four steps over the same gradients on a CPU copy and a GPU copy of a parameter agrees
//! within 2e-6 relative + 1e-7 absolute after every step (WGSL's `/` and `sqrt` are not
//! correctly rounded, so a few ulp are allowed), the state stays on the device, and a state
//! dict saved from a GPU optimizer resumes a CPU optimizer (and back) on the same trajectory.
#![cfg(feature = "gpu")]

use std::io::Write;

use kiln_autograd::Var;
use kiln_optim::{
    Adadelta, AdadeltaConfig, Adagrad, AdagradConfig, Adam, AdamConfig, AdamW, Optimizer, Rmsprop,
    RmspropConfig, Sgd, SgdConfig,
};
use kiln_tensor::{DType, Device, Generator, Tensor};

/// Builds one optimizer over the given parameters.
type Build = fn(Vec<Var>) -> Box<dyn Optimizer>;

/// Every optimizer with settings that reach each branch of its update rule.
fn configurations() -> Vec<(&'static str, Build)> {
    vec![
        ("sgd", |p| Box::new(Sgd::new(p, SgdConfig::new(0.1)))),
        ("sgd momentum nesterov wd", |p| {
            Box::new(Sgd::new(
                p,
                SgdConfig::new(0.05)
                    .with_momentum(0.9)
                    .with_nesterov(true)
                    .with_weight_decay(0.01),
            ))
        }),
        ("sgd dampening maximize", |p| {
            Box::new(Sgd::new(
                p,
                SgdConfig::new(0.05)
                    .with_momentum(0.8)
                    .with_dampening(0.3)
                    .with_maximize(true),
            ))
        }),
        ("adam", |p| Box::new(Adam::new(p, AdamConfig::new(0.01)))),
        ("adam amsgrad wd", |p| {
            Box::new(Adam::new(
                p,
                AdamConfig::new(0.01)
                    .with_amsgrad(true)
                    .with_weight_decay(0.1),
            ))
        }),
        ("adamw maximize", |p| {
            Box::new(AdamW::new(p, AdamConfig::adamw(0.01).with_maximize(true)))
        }),
        ("rmsprop centered momentum", |p| {
            Box::new(Rmsprop::new(
                p,
                RmspropConfig::new(0.01)
                    .with_centered(true)
                    .with_momentum(0.5)
                    .with_weight_decay(0.01),
            ))
        }),
        ("adagrad lr_decay", |p| {
            Box::new(Adagrad::new(
                p,
                AdagradConfig::new(0.1)
                    .with_lr_decay(0.01)
                    .with_initial_accumulator_value(0.1),
            ))
        }),
        ("adadelta wd", |p| {
            Box::new(Adadelta::new(
                p,
                AdadeltaConfig::new(1.0).with_weight_decay(0.05),
            ))
        }),
    ]
}

/// The first GPU adapter, or `None` (with a note) where there is none and none is required.
fn gpu() -> Option<Device> {
    match Device::try_gpu(0) {
        Ok(d) => Some(d),
        Err(e) => {
            assert!(
                !std::env::var("KILN_REQUIRE_GPU").is_ok_and(|v| v == "1"),
                "KILN_REQUIRE_GPU=1 but no GPU adapter: {e}"
            );
            let _ = writeln!(std::io::stderr(), "skipped: no GPU adapter ({e})");
            None
        }
    }
}

/// Asserts `|gpu − cpu| ≤ 2e-6·|cpu| + 1e-7` elementwise.
fn assert_close(what: &str, gpu: &Tensor, cpu: &Tensor) {
    assert_eq!(gpu.dims(), cpu.dims(), "{what}: shape");
    for (a, b) in gpu.to_vec::<f32>().iter().zip(cpu.to_vec::<f32>()) {
        assert!(
            (a - b).abs() <= 2e-6 * b.abs() + 1e-7,
            "{what}: gpu {a} vs cpu {b}"
        );
    }
}

/// Runs `steps` steps of `opt` over `param`, with gradients drawn from `rng`.
fn run(opt: &mut dyn Optimizer, param: &Var, rng: &mut Generator, steps: usize) {
    let device = param.value().device();
    for _ in 0..steps {
        let grad = Tensor::randn_from(param.dims(), DType::F32, &Device::Cpu, rng);
        param.set_grad(Some(
            grad.to_dtype(param.value().dtype()).to_device(&device),
        ));
        opt.step();
    }
}

#[test]
fn every_optimizer_updates_gpu_parameters_like_cpu_ones() {
    let Some(device) = gpu() else { return };
    let mut rng = Generator::new(7);
    let start = Tensor::randn_from([7, 33], DType::F32, &Device::Cpu, &mut rng);
    for (name, build) in configurations() {
        let cpu = Var::parameter(start.clone());
        let gpu = Var::parameter(start.to_device(&device));
        let mut cpu_opt = build(vec![cpu.clone()]);
        let mut gpu_opt = build(vec![gpu.clone()]);
        let mut rng = Generator::new(11);
        for step in 0..4 {
            let grad = Tensor::randn_from([7, 33], DType::F32, &Device::Cpu, &mut rng);
            cpu.set_grad(Some(grad.clone()));
            gpu.set_grad(Some(grad.to_device(&device)));
            cpu_opt.step();
            gpu_opt.step();
            assert_eq!(
                gpu.value().device(),
                device,
                "{name}: parameter left the GPU"
            );
            assert_close(&format!("{name}, step {step}"), &gpu.value(), &cpu.value());
        }
        let (gpu_state, cpu_state) = (gpu_opt.state_dict(), cpu_opt.state_dict());
        for (key, cpu_tensor) in &cpu_state.state[&0].tensors {
            let gpu_tensor = &gpu_state.state[&0].tensors[key];
            assert!(
                gpu_tensor.device().is_cpu(),
                "{name}: state dicts hold host tensors"
            );
            assert_close(&format!("{name}, state {key}"), gpu_tensor, cpu_tensor);
        }
    }
}

#[test]
fn state_dicts_move_between_cpu_and_gpu_optimizers() {
    let Some(device) = gpu() else { return };
    let mut rng = Generator::new(3);
    let start = Tensor::randn_from([5, 9], DType::F32, &Device::Cpu, &mut rng);
    for (name, build) in configurations() {
        // Two steps on the GPU, then resume on the CPU; the reference runs all four on the CPU.
        let reference = Var::parameter(start.clone());
        let mut reference_opt = build(vec![reference.clone()]);
        run(
            reference_opt.as_mut(),
            &reference,
            &mut Generator::new(5),
            4,
        );

        let gpu = Var::parameter(start.to_device(&device));
        let mut gpu_opt = build(vec![gpu.clone()]);
        let mut rng = Generator::new(5);
        run(gpu_opt.as_mut(), &gpu, &mut rng, 2);
        let resumed = Var::parameter(gpu.value().to_device(&Device::Cpu));
        let mut resumed_opt = build(vec![resumed.clone()]);
        resumed_opt
            .load_state_dict(&gpu_opt.state_dict())
            .expect("a GPU optimizer's state loads into a CPU one");
        run(resumed_opt.as_mut(), &resumed, &mut rng, 2);
        assert_close(
            &format!("{name}, GPU → CPU"),
            &resumed.value(),
            &reference.value(),
        );

        // And back: a CPU state loaded into a GPU optimizer continues on the device.
        let back = Var::parameter(resumed.value().to_device(&device));
        let mut back_opt = build(vec![back.clone()]);
        back_opt
            .load_state_dict(&resumed_opt.state_dict())
            .expect("a CPU optimizer's state loads into a GPU one");
        let mut cpu_next = build(vec![resumed.clone()]);
        cpu_next
            .load_state_dict(&resumed_opt.state_dict())
            .expect("same optimizer");
        run(back_opt.as_mut(), &back, &mut Generator::new(9), 1);
        run(cpu_next.as_mut(), &resumed, &mut Generator::new(9), 1);
        assert_close(
            &format!("{name}, CPU → GPU"),
            &back.value(),
            &resumed.value(),
        );
    }
}

#[test]
fn half_precision_gpu_parameters_keep_their_dtype() {
    let Some(device) = gpu() else { return };
    let mut rng = Generator::new(1);
    let start =
        Tensor::randn_from([4, 16], DType::F32, &Device::Cpu, &mut rng).to_dtype(DType::F16);
    let cpu = Var::parameter(start.clone());
    let gpu = Var::parameter(start.to_device(&device));
    let mut cpu_opt = Adam::new(vec![cpu.clone()], AdamConfig::new(0.01));
    let mut gpu_opt = Adam::new(vec![gpu.clone()], AdamConfig::new(0.01));
    run(&mut cpu_opt, &cpu, &mut Generator::new(2), 3);
    run(&mut gpu_opt, &gpu, &mut Generator::new(2), 3);
    assert_eq!(gpu.value().dtype(), DType::F16);
    assert_eq!(gpu.value().device(), device);
    // Both round the same f32 update to f16; a one-ulp difference in f32 can flip a rounding.
    let (g, c) = (gpu.value().to_vec::<f32>(), cpu.value().to_vec::<f32>());
    for (a, b) in g.iter().zip(&c) {
        assert!(
            (a - b).abs() <= b.abs() * 2f32.powi(-10),
            "f16: gpu {a} vs cpu {b}"
        );
    }
}
