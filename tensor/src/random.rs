//! Seeded random numbers: the global generator (`torch.manual_seed`) and random tensors.

use std::sync::Mutex;

use crate::device::Device;
use crate::dtype::{DType, Element};
use crate::shape::Shape;
use crate::storage::with_dtype;
use crate::tensor::Tensor;

/// A seedable pseudo-random generator (xoshiro256++ seeded through splitmix64), PyTorch's
/// `torch.Generator`. Kiln's streams differ from PyTorch's; one seed makes a run repeatable.
#[derive(Clone, Debug)]
pub struct Generator {
    state: [u64; 4],
}

/// The seed the global generator starts from before any [`manual_seed`] call.
const DEFAULT_SEED: u64 = 0x4B69_6C6E_5345_4544;

impl Generator {
    /// A generator whose whole stream is determined by `seed`.
    pub fn new(seed: u64) -> Self {
        let mut sm = seed;
        let mut next = || {
            sm = sm.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = sm;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Generator {
            state: [next(), next(), next(), next()],
        }
    }

    /// The generator's whole state (`torch.Generator.get_state()`): four words that
    /// [`Generator::from_state`] turns back into a generator continuing the same stream.
    pub fn state(&self) -> [u64; 4] {
        self.state
    }

    /// A generator continuing from a [`Generator::state`] snapshot
    /// (`torch.Generator.set_state`). The all-zero state, which xoshiro never reaches and
    /// cannot leave, is replaced by the stream of seed 0.
    pub fn from_state(state: [u64; 4]) -> Self {
        if state == [0; 4] {
            return Generator::new(0);
        }
        Generator { state }
    }

    /// The next 64 uniformly random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform f64 in `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal f64 (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]: ln is finite
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// A uniform integer in `[low, high)`; panics when the range is empty.
    pub fn int_in(&mut self, low: i64, high: i64) -> i64 {
        assert!(high > low, "randint: empty range [{low}, {high})");
        let span = (high as i128 - low as i128) as u128;
        // Multiply-shift maps 64 random bits onto the span with negligible bias.
        let r = ((self.next_u64() as u128 * span) >> 64) as i128;
        (low as i128 + r) as i64
    }
}

static GLOBAL: Mutex<Option<Generator>> = Mutex::new(None);

/// Seeds the global generator (`torch.manual_seed`): every later random op repeats exactly.
pub fn manual_seed(seed: u64) {
    *GLOBAL.lock().unwrap_or_else(|e| e.into_inner()) = Some(Generator::new(seed));
}

/// The global generator's state (`torch.get_rng_state()`), for checkpoints that resume
/// dropout and every other global draw exactly.
pub fn get_rng_state() -> [u64; 4] {
    with_global_generator(|g| g.state())
}

/// Restores the global generator from a [`get_rng_state`] snapshot (`torch.set_rng_state`).
pub fn set_rng_state(state: [u64; 4]) {
    *GLOBAL.lock().unwrap_or_else(|e| e.into_inner()) = Some(Generator::from_state(state));
}

/// Runs `f` with the global generator locked.
pub fn with_global_generator<R>(f: impl FnOnce(&mut Generator) -> R) -> R {
    let mut guard = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    f(guard.get_or_insert_with(|| Generator::new(DEFAULT_SEED)))
}

fn sample(shape: Shape, dtype: DType, mut draw: impl FnMut() -> f64) -> Tensor {
    with_dtype!(dtype, T, {
        let data: Vec<T> = (0..shape.numel()).map(|_| T::from_f64(draw())).collect();
        Tensor::from_vec(data, shape)
    })
}

impl Tensor {
    /// Uniform `[0, 1)` values of `dtype` from `gen` (`torch.rand(shape, generator=gen)`).
    pub fn rand_from(
        shape: impl Into<Shape>,
        dtype: DType,
        device: &Device,
        generator: &mut Generator,
    ) -> Tensor {
        sample(shape.into(), dtype, || generator.uniform()).to_device(device)
    }

    /// Uniform `[0, 1)` f32 values from the global generator (`torch.rand(shape)`).
    pub fn rand(shape: impl Into<Shape>) -> Tensor {
        with_global_generator(|g| Tensor::rand_from(shape, DType::F32, &Device::Cpu, g))
    }

    /// Standard-normal values of `dtype` from `gen` (`torch.randn(shape, generator=gen)`).
    pub fn randn_from(
        shape: impl Into<Shape>,
        dtype: DType,
        device: &Device,
        generator: &mut Generator,
    ) -> Tensor {
        sample(shape.into(), dtype, || generator.normal()).to_device(device)
    }

    /// Standard-normal f32 values from the global generator (`torch.randn(shape)`).
    pub fn randn(shape: impl Into<Shape>) -> Tensor {
        with_global_generator(|g| Tensor::randn_from(shape, DType::F32, &Device::Cpu, g))
    }

    /// Uniform int64 values in `[low, high)` from the global generator (`torch.randint`).
    pub fn randint(low: i64, high: i64, shape: impl Into<Shape>) -> Tensor {
        let shape = shape.into();
        with_global_generator(|g| {
            let data: Vec<i64> = (0..shape.numel()).map(|_| g.int_in(low, high)).collect();
            Tensor::from_vec(data, shape)
        })
    }

    /// Uniform values with this tensor's shape, dtype and device (`torch.rand_like`).
    pub fn rand_like(&self) -> Tensor {
        with_global_generator(|g| Tensor::rand_from(self.shape(), self.dtype(), &self.device(), g))
    }

    /// Normal values with this tensor's shape, dtype and device (`torch.randn_like`).
    pub fn randn_like(&self) -> Tensor {
        with_global_generator(|g| Tensor::randn_from(self.shape(), self.dtype(), &self.device(), g))
    }

    /// 1 with probability `p` (each element of `self`), else 0, in `self`'s dtype
    /// (`torch.bernoulli(p)`), drawn from `gen`. On a GPU the draws come from a counter-based
    /// generator keyed by one `u64` taken from `gen`: seeded runs repeat, but the values differ
    /// from the CPU's for the same seed.
    pub fn bernoulli_from(&self, generator: &mut Generator) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::bernoulli(self, generator) {
            return out;
        }
        let p = self.to_vec::<f64>();
        with_dtype!(self.dtype(), T, {
            let data: Vec<T> = p
                .iter()
                .map(|&p| {
                    assert!(
                        (0.0..=1.0).contains(&p),
                        "bernoulli: probability {p} not in [0, 1]"
                    );
                    T::from_f64(if generator.uniform() < p { 1.0 } else { 0.0 })
                })
                .collect();
            Tensor::from_vec(data, self.shape().clone()).to_device(&self.device())
        })
    }

    /// [`Tensor::bernoulli_from`] with the global generator (`torch.bernoulli(p)`).
    pub fn bernoulli(&self) -> Tensor {
        with_global_generator(|g| self.bernoulli_from(g))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restored_state_continues_the_same_stream() {
        let mut g = Generator::new(7);
        g.next_u64();
        let mut resumed = Generator::from_state(g.state());
        let expected: Vec<u64> = (0..4).map(|_| g.next_u64()).collect();
        let got: Vec<u64> = (0..4).map(|_| resumed.next_u64()).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn the_global_state_round_trips_through_get_and_set() {
        manual_seed(3);
        let saved = get_rng_state();
        let first = Tensor::rand([5]).to_vec::<f32>();
        set_rng_state(saved);
        assert_eq!(Tensor::rand([5]).to_vec::<f32>(), first);
    }

    #[test]
    fn the_all_zero_state_does_not_stick_at_zero() {
        let mut g = Generator::from_state([0; 4]);
        assert_ne!(g.next_u64(), 0);
    }
}
