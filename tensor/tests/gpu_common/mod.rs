//! Shared helpers of the GPU tensor tests: the device (or a counted skip) and CPU/GPU
//! comparisons.
#![allow(dead_code)]

use std::io::Write;
use std::sync::Mutex;

use kiln_tensor::{Device, Tensor};

/// Names of the tests (test threads) that skipped.
static SKIPPED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// `Device::Gpu(0)`, or `None` after printing a skip line (with the running count of skipped
/// GPU tests) when there is no adapter. With `KILN_REQUIRE_GPU=1` a missing adapter fails.
pub fn gpu() -> Option<Device> {
    match Device::try_gpu(0) {
        Ok(d) => Some(d),
        Err(e) => {
            if std::env::var("KILN_REQUIRE_GPU").is_ok_and(|v| v == "1") {
                panic!("KILN_REQUIRE_GPU=1 but no GPU adapter: {e}");
            }
            let test = std::thread::current().name().unwrap_or("?").to_string();
            let mut skipped = SKIPPED.lock().unwrap_or_else(|p| p.into_inner());
            if !skipped.contains(&test) {
                skipped.push(test);
            }
            // The real stderr: the harness captures `eprintln!` of passing tests.
            let _ = writeln!(
                std::io::stderr(),
                "skipped: no GPU adapter ({e}); {} GPU test(s) skipped so far in this binary; \
                 install `libvulkan1 mesa-vulkan-drivers` and set WGPU_BACKEND=vulkan",
                skipped.len()
            );
            None
        }
    }
}

/// Asserts that the GPU result `got` equals the CPU result `want` in device, shape and dtype,
/// and elementwise within `|g - w| <= atol + rtol·|w|` (NaNs must match, infinities equal).
#[track_caller]
pub fn assert_close(got: &Tensor, want: &Tensor, rtol: f64, atol: f64, what: &str) {
    assert!(!got.device().is_cpu(), "{what}: result left the GPU");
    assert_eq!(got.dims(), want.dims(), "{what}: shape");
    assert_eq!(got.dtype(), want.dtype(), "{what}: dtype");
    let g = got.to_device(&Device::Cpu).to_vec::<f64>();
    let w = want.to_vec::<f64>();
    for (i, (a, b)) in g.iter().zip(&w).enumerate() {
        let ok = if b.is_nan() {
            a.is_nan()
        } else if b.is_infinite() {
            a == b
        } else {
            (a - b).abs() <= atol + rtol * b.abs()
        };
        assert!(ok, "{what}: element {i}: gpu {a} vs cpu {b}");
    }
}

/// Asserts exact equality (after the device/shape/dtype checks of [`assert_close`]).
#[track_caller]
pub fn assert_same(got: &Tensor, want: &Tensor, what: &str) {
    assert_close(got, want, 0.0, 0.0, what);
}

/// The panic message of `f`, which must panic.
pub fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let err = std::panic::catch_unwind(f).expect_err("expected a panic");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Seeded standard-normal f32 values of `shape` on the CPU.
pub fn randn(shape: &[usize], seed: u64) -> Tensor {
    let mut g = kiln_tensor::Generator::new(seed);
    Tensor::randn_from(
        shape.to_vec(),
        kiln_tensor::DType::F32,
        &Device::Cpu,
        &mut g,
    )
}
