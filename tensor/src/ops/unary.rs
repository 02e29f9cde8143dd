//! Elementwise unary math: `exp`, `log`, activations, `clamp`, …

use crate::cpu::erf::{self, ErfKernel};
use crate::cpu::strided::map1;
use crate::dtype::{DType, Element};
use crate::ops::real::Real;
use crate::tensor::Tensor;

/// A pointwise function of one tensor. The names mirror `torch.*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `|x|`
    Abs,
    /// `e^x`
    Exp,
    /// natural log
    Log,
    /// `ln(1 + x)`, accurate near 0
    Log1p,
    /// `√x`
    Sqrt,
    /// `1 / √x`
    Rsqrt,
    /// `1 / x`
    Reciprocal,
    /// sine (radians)
    Sin,
    /// cosine (radians)
    Cos,
    /// hyperbolic tangent
    Tanh,
    /// `1 / (1 + e^-x)`
    Sigmoid,
    /// `max(x, 0)`
    Relu,
    /// exact GELU `x·Φ(x)` (`F.gelu(x)`)
    Gelu,
    /// tanh-approximated GELU (`F.gelu(x, approximate='tanh')`)
    GeluTanh,
    /// `x · sigmoid(x)` (`F.silu`)
    Silu,
    /// the error function (`torch.erf`)
    Erf,
}

impl UnaryOp {
    /// True for ops that keep an integer tensor's dtype (others promote integers to f32).
    fn keeps_integers(self) -> bool {
        matches!(self, UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Relu)
    }

    /// The vectorised f32 kernel for the erf family, if `self` is one of it.
    fn erf_kernel(self) -> Option<ErfKernel> {
        match self {
            UnaryOp::Erf => Some(ErfKernel::Erf),
            UnaryOp::Gelu => Some(ErfKernel::Gelu),
            UnaryOp::GeluTanh => Some(ErfKernel::GeluTanh),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            UnaryOp::Neg => "neg",
            UnaryOp::Abs => "abs",
            UnaryOp::Exp => "exp",
            UnaryOp::Log => "log",
            UnaryOp::Log1p => "log1p",
            UnaryOp::Sqrt => "sqrt",
            UnaryOp::Rsqrt => "rsqrt",
            UnaryOp::Reciprocal => "reciprocal",
            UnaryOp::Sin => "sin",
            UnaryOp::Cos => "cos",
            UnaryOp::Tanh => "tanh",
            UnaryOp::Sigmoid => "sigmoid",
            UnaryOp::Relu => "relu",
            UnaryOp::Gelu => "gelu",
            UnaryOp::GeluTanh => "gelu_tanh",
            UnaryOp::Silu => "silu",
            UnaryOp::Erf => "erf",
        }
    }
}

fn float_kernel<T: Real>(t: &Tensor, op: UnaryOp) -> Vec<T> {
    let (src, layout) = t.typed::<T>(op.name());
    let half = T::c(0.5);
    let one = T::one();
    macro_rules! run {
        ($f:expr) => {
            map1(src, layout, $f)
        };
    }
    match op {
        UnaryOp::Neg => run!(|x: T| -x),
        UnaryOp::Abs => run!(|x: T| x.abs()),
        UnaryOp::Exp => run!(|x: T| x.exp_vectorised()),
        UnaryOp::Log => run!(|x: T| x.ln()),
        UnaryOp::Log1p => run!(|x: T| x.ln_1p()),
        UnaryOp::Sqrt => run!(|x: T| x.sqrt()),
        UnaryOp::Rsqrt => run!(|x: T| one / x.sqrt()),
        UnaryOp::Reciprocal => run!(|x: T| one / x),
        UnaryOp::Sin => run!(|x: T| x.sin()),
        UnaryOp::Cos => run!(|x: T| x.cos()),
        UnaryOp::Tanh => run!(|x: T| x.tanh()),
        UnaryOp::Sigmoid => run!(|x: T| one / (one + (-x).exp_vectorised())),
        UnaryOp::Relu => run!(|x: T| if x > T::zero() || x.is_nan() {
            x
        } else {
            T::zero()
        }),
        UnaryOp::Gelu => {
            let inv_sqrt2 = T::c(std::f64::consts::FRAC_1_SQRT_2);
            run!(|x: T| half * x * (one + (x * inv_sqrt2).erf()))
        }
        UnaryOp::GeluTanh => {
            let k = T::c((2.0 / std::f64::consts::PI).sqrt());
            let c = T::c(0.044715);
            run!(|x: T| half * x * (one + (k * (x + c * x * x * x)).tanh()))
        }
        UnaryOp::Silu => run!(|x: T| x / (one + (-x).exp_vectorised())),
        UnaryOp::Erf => run!(|x: T| x.erf()),
    }
}

fn int_kernel(t: &Tensor, op: UnaryOp) -> Vec<i64> {
    let (src, layout) = t.typed::<i64>(op.name());
    match op {
        UnaryOp::Neg => map1(src, layout, |x: i64| x.wrapping_neg()),
        UnaryOp::Abs => map1(src, layout, |x: i64| x.wrapping_abs()),
        UnaryOp::Relu => map1(src, layout, |x: i64| x.max(0)),
        _ => unreachable!("{} promotes integers to float", op.name()),
    }
}

impl Tensor {
    /// Applies a pointwise function. Float tensors keep their dtype (f16/bf16 compute in f32);
    /// integer tensors keep theirs for `neg`/`abs`/`relu` and become f32 otherwise, like PyTorch.
    pub fn unary(&self, op: UnaryOp) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::unary(self, op) {
            return out;
        }
        let dtype = self.dtype();
        if let (DType::F32, Some(kernel)) = (dtype, op.erf_kernel()) {
            let (src, layout) = self.typed::<f32>(op.name());
            return Tensor::from_vec(erf::apply(kernel, src, layout), self.shape().clone());
        }
        match dtype {
            DType::F32 => Tensor::from_vec(float_kernel::<f32>(self, op), self.shape().clone()),
            DType::F64 => Tensor::from_vec(float_kernel::<f64>(self, op), self.shape().clone()),
            DType::F16 | DType::BF16 => self.to_dtype(DType::F32).unary(op).to_dtype(dtype),
            DType::I64 if op.keeps_integers() => {
                Tensor::from_vec(int_kernel(self, op), self.shape().clone())
            }
            DType::Bool => panic!("{}: not supported for bool tensors", op.name()),
            _ if op.keeps_integers() => self.to_dtype(DType::I64).unary(op).to_dtype(dtype),
            _ => self.to_dtype(DType::F32).unary(op),
        }
    }

    /// `-x` (`torch.neg`).
    pub fn neg(&self) -> Tensor {
        self.unary(UnaryOp::Neg)
    }
    /// `|x|` (`torch.abs`).
    pub fn abs(&self) -> Tensor {
        self.unary(UnaryOp::Abs)
    }
    /// `e^x` (`torch.exp`).
    pub fn exp(&self) -> Tensor {
        self.unary(UnaryOp::Exp)
    }
    /// Natural logarithm (`torch.log`).
    pub fn log(&self) -> Tensor {
        self.unary(UnaryOp::Log)
    }
    /// `ln(1 + x)` (`torch.log1p`).
    pub fn log1p(&self) -> Tensor {
        self.unary(UnaryOp::Log1p)
    }
    /// Square root (`torch.sqrt`).
    pub fn sqrt(&self) -> Tensor {
        self.unary(UnaryOp::Sqrt)
    }
    /// `1 / √x` (`torch.rsqrt`).
    pub fn rsqrt(&self) -> Tensor {
        self.unary(UnaryOp::Rsqrt)
    }
    /// `1 / x` (`torch.reciprocal`).
    pub fn reciprocal(&self) -> Tensor {
        self.unary(UnaryOp::Reciprocal)
    }
    /// Sine (`torch.sin`).
    pub fn sin(&self) -> Tensor {
        self.unary(UnaryOp::Sin)
    }
    /// Cosine (`torch.cos`).
    pub fn cos(&self) -> Tensor {
        self.unary(UnaryOp::Cos)
    }
    /// Hyperbolic tangent (`torch.tanh`).
    pub fn tanh(&self) -> Tensor {
        self.unary(UnaryOp::Tanh)
    }
    /// Logistic sigmoid (`torch.sigmoid`).
    pub fn sigmoid(&self) -> Tensor {
        self.unary(UnaryOp::Sigmoid)
    }
    /// `max(x, 0)` (`torch.relu`).
    pub fn relu(&self) -> Tensor {
        self.unary(UnaryOp::Relu)
    }
    /// Exact GELU with erf (`F.gelu(x)`).
    pub fn gelu(&self) -> Tensor {
        self.unary(UnaryOp::Gelu)
    }
    /// Tanh-approximated GELU (`F.gelu(x, approximate='tanh')`).
    pub fn gelu_tanh(&self) -> Tensor {
        self.unary(UnaryOp::GeluTanh)
    }
    /// The error function (`torch.erf`).
    pub fn erf(&self) -> Tensor {
        self.unary(UnaryOp::Erf)
    }
    /// SiLU / swish `x·σ(x)` (`F.silu`).
    pub fn silu(&self) -> Tensor {
        self.unary(UnaryOp::Silu)
    }

    /// Limits every element to `[min, max]` (`torch.clamp`); either bound may be absent. NaN
    /// stays NaN. Keeps the dtype.
    pub fn clamp(&self, min: Option<f64>, max: Option<f64>) -> Tensor {
        assert!(
            min.is_some() || max.is_some(),
            "clamp: at least one of 'min' or 'max' must not be None"
        );
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::clamp(self, min, max) {
            return out;
        }
        let dtype = self.dtype();
        fn run<T: Element>(t: &Tensor, min: Option<f64>, max: Option<f64>) -> Tensor {
            let (src, layout) = t.typed::<T>("clamp");
            let (lo, hi) = (min.map(T::from_f64), max.map(T::from_f64));
            let out = map1(src, layout, |x: T| {
                let x = match lo {
                    Some(lo) if x < lo => lo,
                    _ => x,
                };
                match hi {
                    Some(hi) if x > hi => hi,
                    _ => x,
                }
            });
            Tensor::from_vec(out, t.shape().clone())
        }
        match dtype {
            DType::F32 => run::<f32>(self, min, max),
            DType::F64 => run::<f64>(self, min, max),
            DType::I64 => run::<i64>(self, min, max),
            DType::U8 => run::<u8>(self, min, max),
            DType::F16 | DType::BF16 => self.to_dtype(DType::F32).clamp(min, max).to_dtype(dtype),
            DType::Bool => panic!("clamp: not supported for bool tensors"),
        }
    }

    /// Elementwise logical NOT of the truth values (`torch.logical_not`); returns bool.
    pub fn logical_not(&self) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::logical_not(self) {
            return out;
        }
        let b = self.to_dtype(DType::Bool);
        let (src, layout) = b.typed::<bool>("logical_not");
        Tensor::from_vec(map1(src, layout, |x: bool| !x), self.shape().clone())
    }
}
