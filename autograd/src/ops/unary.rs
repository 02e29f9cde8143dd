//! Differentiable elementwise functions of one variable.

use kiln_tensor::Tensor;

use crate::graph::record;
use crate::var::Var;

/// Records `y = f(x)` whose gradient is `g * dydx(x, y)`.
fn pointwise(
    x: &Var,
    name: &'static str,
    y: Tensor,
    dydx: impl Fn(&Tensor, &Tensor) -> Tensor + Send + Sync + 'static,
) -> Var {
    let xv = x.value();
    let saved_y = y.clone();
    record(name, y, &[x], move |g| {
        vec![Some((g * &dydx(&xv, &saved_y)).to_dtype(xv.dtype()))]
    })
}

/// A 0/1 mask in `like`'s dtype.
fn mask(b: &Tensor, like: &Tensor) -> Tensor {
    b.to_dtype(like.dtype())
}

impl Var {
    /// `-x` (`torch.neg`).
    pub fn neg(&self) -> Var {
        self.mul_scalar(-1.0)
    }
    /// `e^x` (`torch.exp`).
    pub fn exp(&self) -> Var {
        pointwise(self, "ExpBackward0", self.value().exp(), |_, y| y.clone())
    }
    /// Natural log (`torch.log`).
    pub fn log(&self) -> Var {
        pointwise(self, "LogBackward0", self.value().log(), |x, _| {
            x.reciprocal()
        })
    }
    /// `ln(1 + x)` (`torch.log1p`).
    pub fn log1p(&self) -> Var {
        pointwise(self, "Log1PBackward0", self.value().log1p(), |x, _| {
            x.add_scalar(1.0).reciprocal()
        })
    }
    /// `√x` (`torch.sqrt`).
    pub fn sqrt(&self) -> Var {
        pointwise(self, "SqrtBackward0", self.value().sqrt(), |_, y| {
            y.reciprocal().mul_scalar(0.5)
        })
    }
    /// `1/√x` (`torch.rsqrt`).
    pub fn rsqrt(&self) -> Var {
        pointwise(self, "RsqrtBackward0", self.value().rsqrt(), |_, y| {
            y.pow_scalar(3).mul_scalar(-0.5)
        })
    }
    /// `|x|` (`torch.abs`); the gradient at 0 is 0, as PyTorch's.
    pub fn abs(&self) -> Var {
        pointwise(self, "AbsBackward0", self.value().abs(), |x, _| {
            &mask(&x.gt_scalar(0.0), x) - &mask(&x.lt_scalar(0.0), x)
        })
    }
    /// Sine (`torch.sin`).
    pub fn sin(&self) -> Var {
        pointwise(self, "SinBackward0", self.value().sin(), |x, _| x.cos())
    }
    /// Cosine (`torch.cos`).
    pub fn cos(&self) -> Var {
        pointwise(self, "CosBackward0", self.value().cos(), |x, _| {
            x.sin().neg()
        })
    }
    /// Hyperbolic tangent (`torch.tanh`).
    pub fn tanh(&self) -> Var {
        pointwise(self, "TanhBackward0", self.value().tanh(), |_, y| {
            1.0 - &(y * y)
        })
    }
    /// Logistic sigmoid (`torch.sigmoid`).
    pub fn sigmoid(&self) -> Var {
        pointwise(self, "SigmoidBackward0", self.value().sigmoid(), |_, y| {
            y * &(1.0 - y)
        })
    }
    /// `max(x, 0)` (`torch.relu`); the gradient at 0 is 0.
    pub fn relu(&self) -> Var {
        pointwise(self, "ReluBackward0", self.value().relu(), |x, _| {
            mask(&x.gt_scalar(0.0), x)
        })
    }
    /// Exact GELU (`F.gelu`): `d/dx = Φ(x) + x·φ(x)`.
    pub fn gelu(&self) -> Var {
        pointwise(self, "GeluBackward0", self.value().gelu(), |x, _| {
            let cdf = x
                .mul_scalar(std::f64::consts::FRAC_1_SQRT_2)
                .erf()
                .add_scalar(1.0)
                .mul_scalar(0.5);
            let pdf = (&(x * x) * -0.5)
                .exp()
                .mul_scalar(1.0 / (2.0 * std::f64::consts::PI).sqrt());
            &cdf + &(x * &pdf)
        })
    }
    /// Tanh-approximated GELU (`F.gelu(approximate='tanh')`).
    pub fn gelu_tanh(&self) -> Var {
        pointwise(self, "GeluBackward0", self.value().gelu_tanh(), |x, _| {
            let k = (2.0 / std::f64::consts::PI).sqrt();
            let inner = &(x + &x.pow_scalar(3).mul_scalar(0.044715)) * k;
            let t = inner.tanh();
            let dinner = (&(x * x) * (3.0 * 0.044715)).add_scalar(1.0).mul_scalar(k);
            let left = t.add_scalar(1.0).mul_scalar(0.5);
            let right = &(&(x * 0.5) * &(1.0 - &(&t * &t))) * &dinner;
            &left + &right
        })
    }
    /// SiLU `x·σ(x)` (`F.silu`): `d/dx = σ(x)(1 + x(1 − σ(x)))`.
    pub fn silu(&self) -> Var {
        pointwise(self, "SiluBackward0", self.value().silu(), |x, _| {
            let s = x.sigmoid();
            &s * &(&(x * &(1.0 - &s)) + 1.0)
        })
    }
    /// Clamps to `[min, max]` (`torch.clamp`); the gradient passes where the input is inside the
    /// bounds (inclusive), as PyTorch's.
    pub fn clamp(&self, min: Option<f64>, max: Option<f64>) -> Var {
        pointwise(
            self,
            "ClampBackward1",
            self.value().clamp(min, max),
            move |x, _| {
                let mut inside = x.ge_scalar(min.unwrap_or(f64::NEG_INFINITY));
                if let Some(hi) = max {
                    inside = inside.logical_and(&x.le_scalar(hi));
                }
                mask(&inside, x)
            },
        )
    }
}
