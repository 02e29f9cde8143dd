//! Differentiable softmax, log-softmax, layer norm and dropout.

use kiln_tensor::{DType, Device, Dim, Generator, Tensor, with_global_generator};

use crate::graph::record;
use crate::var::Var;

impl Var {
    /// Softmax along `dim` (`F.softmax`): `dx = y·(g − Σ g·y)`.
    /// Under [`autocast`](crate::autocast) a half-precision input is computed in f32.
    pub fn softmax(&self, dim: impl Dim) -> Var {
        if let Some(wide) = self.autocast_f32() {
            return wide.softmax(dim);
        }
        let x = self.value();
        let d = dim.resolve(x.dim(), "softmax") as i64;
        let y = x.softmax(d);
        let saved = y.clone();
        record("SoftmaxBackward0", y, &[self], move |g| {
            vec![Some(saved.softmax_backward(g, d))]
        })
    }

    /// Log-softmax along `dim` (`F.log_softmax`): `dx = g − softmax·Σ g`.
    /// Under [`autocast`](crate::autocast) a half-precision input is computed in f32.
    pub fn log_softmax(&self, dim: impl Dim) -> Var {
        if let Some(wide) = self.autocast_f32() {
            return wide.log_softmax(dim);
        }
        let x = self.value();
        let d = dim.resolve(x.dim(), "log_softmax") as i64;
        let y = x.log_softmax(d);
        let saved = y.clone();
        record("LogSoftmaxBackward0", y, &[self], move |g| {
            vec![Some(saved.log_softmax_backward(g, d))]
        })
    }

    /// Layer normalisation over the last `normalized_shape.len()` dims with optional affine
    /// `weight` and `bias` of shape `normalized_shape` (`F.layer_norm`). Under
    /// [`autocast`](crate::autocast) a half-precision input is computed in f32.
    pub fn layer_norm(
        &self,
        normalized_shape: &[usize],
        weight: Option<&Var>,
        bias: Option<&Var>,
        eps: f64,
    ) -> Var {
        if let Some(wide) = self.autocast_f32() {
            return wide.layer_norm(normalized_shape, weight, bias, eps);
        }
        let x = self.value();
        let (w, b) = (weight.map(Var::value), bias.map(Var::value));
        let (y, mean, rstd) =
            x.layer_norm_with_stats(normalized_shape, w.as_ref(), b.as_ref(), eps);
        let mut inputs = vec![self];
        inputs.extend(weight);
        inputs.extend(bias);
        let has_b = bias.is_some();
        let normalized_shape = normalized_shape.to_vec();
        record("NativeLayerNormBackward0", y, &inputs, move |g| {
            let (dx, dw, db) =
                x.layer_norm_backward(g, &mean, &rstd, &normalized_shape, w.as_ref());
            let mut grads = vec![Some(dx)];
            if let Some(w) = &w {
                grads.push(Some(dw.to_dtype(w.dtype())));
            }
            if has_b {
                let dtype = b.as_ref().map_or(x.dtype(), Tensor::dtype);
                grads.push(Some(db.to_dtype(dtype)));
            }
            grads
        })
    }

    /// Zeroes each element with probability `p` and scales the rest by `1/(1−p)` when
    /// `training` (`F.dropout`); the identity otherwise. Draws from `generator`.
    pub fn dropout_with(&self, p: f64, training: bool, generator: &mut Generator) -> Var {
        assert!(
            (0.0..=1.0).contains(&p),
            "dropout: probability has to be between 0 and 1, but got {p}"
        );
        if !training || p == 0.0 {
            return self.clone();
        }
        let x = self.value();
        let mask = if x.dtype() == DType::F32 && x.device().is_cpu() && p < 1.0 {
            f32_dropout_mask(&x, p, generator)
        } else {
            let keep = Tensor::full_with(x.shape(), 1.0 - p, x.dtype(), &x.device())
                .bernoulli_from(generator);
            let scale = if p < 1.0 { 1.0 / (1.0 - p) } else { 0.0 };
            keep.mul_scalar(scale)
        };
        let saved = mask.clone();
        record("MulBackward0", &x * &mask, &[self], move |g| {
            vec![Some(g * &saved)]
        })
    }

    /// [`Var::dropout_with`] using the global generator (`torch.manual_seed` controls it).
    pub fn dropout(&self, p: f64, training: bool) -> Var {
        with_global_generator(|g| self.dropout_with(p, training, g))
    }
}

/// The scaled keep-mask `{0, 1/(1−p)}` of an f32 CPU tensor in one pass over a pooled buffer,
/// with exactly the draws and values of the general path (`bernoulli_from` on a tensor of
/// `1 − p`, then the scaling), which fills a tensor, copies it out as f64, draws into a fresh
/// vector and scales that: four passes and fresh, page-faulting memory for attention-sized
/// tensors. An element is kept when its draw `(bits >> 11)·2⁻⁵³` is below `1 − p` rounded to
/// f32; both sides times 2⁵³ are exact, so that is `bits >> 11 < ⌈keep·2⁵³⌉` on integers.
fn f32_dropout_mask(x: &Tensor, p: f64, generator: &mut Generator) -> Tensor {
    let keep = f64::from((1.0 - p) as f32);
    let below = (keep * (1u64 << 53) as f64).ceil() as u64;
    let scale = (1.0 / (1.0 - p)) as f32;
    let mut mask = Tensor::zeros_with(x.shape(), DType::F32, &Device::Cpu);
    let slots = mask
        .as_mut_slice::<f32>()
        .expect("a fresh CPU tensor is contiguous and unshared");
    for slot in slots {
        *slot = if generator.next_u64() >> 11 < below {
            scale
        } else {
            0.0
        };
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_f32_mask_equals_the_general_path() {
        for (p, n) in [(0.1, 204), (0.5, 1000), (0.9, 63), (0.999_999, 100)] {
            let x = Tensor::zeros([n]);
            let fast = f32_dropout_mask(&x, p, &mut Generator::new(11));
            let general = Tensor::full_with(x.shape(), 1.0 - p, DType::F32, &Device::Cpu)
                .bernoulli_from(&mut Generator::new(11))
                .mul_scalar(1.0 / (1.0 - p));
            assert_eq!(fast.to_vec::<f32>(), general.to_vec::<f32>(), "p = {p}");
        }
    }
}
