//! Shared test helpers: the GPU context (or a skip), a seeded RNG and comparisons.
#![allow(dead_code)]

use std::io::Write;
use std::sync::{Mutex, OnceLock};

use kiln_gpu_kernels::{GpuContext, GpuError};

static CTX: OnceLock<Result<GpuContext, GpuError>> = OnceLock::new();
/// Names of the tests (test threads) that skipped.
static SKIPPED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The shared context, or `None` after printing a skip line when no adapter exists.
/// With `KILN_REQUIRE_GPU=1` a missing adapter fails the test instead.
pub fn gpu() -> Option<&'static GpuContext> {
    match CTX.get_or_init(GpuContext::new) {
        Ok(ctx) => Some(ctx),
        Err(e) => {
            if std::env::var("KILN_REQUIRE_GPU").is_ok_and(|v| v == "1") {
                panic!("KILN_REQUIRE_GPU=1 but no GPU adapter: {e}");
            }
            let test = std::thread::current().name().unwrap_or("?").to_string();
            let mut skipped = SKIPPED.lock().unwrap_or_else(|p| p.into_inner());
            if skipped.contains(&test) {
                return None;
            }
            skipped.push(test);
            let n = skipped.len();
            // Written to the real stderr (not `eprintln!`, which the test harness captures) so
            // the skip count is visible in a passing run.
            let _ = writeln!(
                std::io::stderr(),
                "skipped: no GPU adapter ({e}); {n} GPU test(s) skipped so far in this binary; \
                 install `libvulkan1 mesa-vulkan-drivers` and set WGPU_BACKEND=vulkan"
            );
            None
        }
    }
}

/// A small deterministic generator (PCG-XSH-RR 64/32).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407))
    }

    pub fn next_u32(&mut self) -> u32 {
        let old = self.0;
        self.0 = old
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let xorshifted = (((old >> 18) ^ old) >> 27) as u32;
        let rot = (old >> 59) as u32;
        xorshifted.rotate_right(rot)
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * (self.next_u32() >> 8) as f32 / (1u32 << 24) as f32
    }

    pub fn vec(&mut self, n: usize, lo: f32, hi: f32) -> Vec<f32> {
        (0..n).map(|_| self.uniform(lo, hi)).collect()
    }

    pub fn below(&mut self, n: u32) -> u32 {
        self.next_u32() % n
    }
}

/// Asserts `|got - want| <= atol + rtol * |want|` elementwise (NaN must match NaN).
#[track_caller]
pub fn assert_close(got: &[f32], want: &[f32], atol: f32, rtol: f32, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let mut worst = 0.0f32;
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        if w.is_nan() {
            assert!(g.is_nan(), "{what}[{i}]: got {g}, want NaN");
            continue;
        }
        if w.is_infinite() {
            assert_eq!(g, w, "{what}[{i}]");
            continue;
        }
        let err = (g - w).abs();
        assert!(
            err <= atol + rtol * w.abs(),
            "{what}[{i}]: got {g}, want {w} (|err| {err} > atol {atol} + rtol {rtol})"
        );
        worst = worst.max(err);
    }
    eprintln!("{what}: max abs error {worst:e} over {} values", got.len());
}

/// Sizes every kernel is checked on (the brief's 1, 7, 33, 129).
pub const SIZES: [usize; 4] = [1, 7, 33, 129];

/// Element number `lin` (row-major) of a strided view.
pub fn at(data: &[f32], shape: &[usize], strides: &[usize], offset: usize, lin: usize) -> f32 {
    let mut rem = lin;
    let mut idx = offset;
    for d in (0..shape.len()).rev() {
        idx += (rem % shape[d]) * strides[d];
        rem /= shape[d];
    }
    data[idx]
}

/// Strided views every elementwise kernel is checked on: each is (buffer length, layout).
/// They cover the sizes 1, 7, 33 and 129, an offset, a transpose, a step of 2, a broadcast
/// (stride 0) and a rank-4 permutation.
pub fn test_views() -> Vec<(usize, kiln_gpu_kernels::StridedLayout)> {
    use kiln_gpu_kernels::StridedLayout as L;
    vec![
        (1, L::contiguous(&[1])),
        (7, L::contiguous(&[7])),
        (129, L::contiguous(&[129])),
        (33 * 7, L::contiguous(&[33, 7])),
        // transpose of a [7, 33] matrix
        (7 * 33, L::new(&[33, 7], &[1, 33], 0)),
        // every other column of a [7, 258] matrix, from offset 3 (129 columns)
        (7 * 258 + 3, L::new(&[7, 129], &[258, 2], 3)),
        // one row of 33 repeated 7 times (expand)
        (33, L::new(&[7, 33], &[0, 1], 0)),
        // [2, 3, 7, 5] permuted from a contiguous [5, 7, 3, 2]
        (5 * 7 * 3 * 2, L::new(&[2, 3, 7, 5], &[1, 2, 6, 42], 0)),
    ]
}

/// The view's elements in row-major order.
pub fn gather_view(data: &[f32], l: &kiln_gpu_kernels::StridedLayout) -> Vec<f32> {
    (0..l.numel())
        .map(|i| at(data, &l.shape, &l.strides, l.offset, i))
        .collect()
}
