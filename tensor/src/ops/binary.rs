//! Elementwise binary ops with PyTorch broadcasting and type promotion.

use crate::cpu::strided::map2;
use crate::dtype::{DType, Element};
use crate::layout::Layout;
use crate::ops::scalar::Scalar;
use crate::shape::Shape;
use crate::storage::with_dtype;
use crate::tensor::Tensor;

/// An arithmetic function of two tensors; the result has the promoted dtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `a + b` (`torch.add`)
    Add,
    /// `a - b` (`torch.sub`)
    Sub,
    /// `a * b` (`torch.mul`)
    Mul,
    /// true division `a / b` (`torch.div`); integers divide as f32
    Div,
    /// `a ^ b` (`torch.pow`)
    Pow,
    /// larger of the two, NaN-propagating (`torch.maximum`)
    Maximum,
    /// smaller of the two, NaN-propagating (`torch.minimum`)
    Minimum,
}

/// A comparison of two tensors; the result is bool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `a == b` (`torch.eq`)
    Eq,
    /// `a != b` (`torch.ne`)
    Ne,
    /// `a < b` (`torch.lt`)
    Lt,
    /// `a <= b` (`torch.le`)
    Le,
    /// `a > b` (`torch.gt`)
    Gt,
    /// `a >= b` (`torch.ge`)
    Ge,
}

/// A logical function of two tensors' truth values (`!= 0`); the result is bool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogicalOp {
    /// `torch.logical_and`
    And,
    /// `torch.logical_or`
    Or,
    /// `torch.logical_xor`
    Xor,
}

impl BinaryOp {
    fn name(self) -> &'static str {
        match self {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
            BinaryOp::Pow => "pow",
            BinaryOp::Maximum => "maximum",
            BinaryOp::Minimum => "minimum",
        }
    }
}

/// Element arithmetic for the dtypes binary kernels compute in (f32, f64, i64, u8). Integers wrap
/// on overflow, as PyTorch's do.
trait Arith: Element {
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    fn pow(self, o: Self) -> Self;
    fn maximum(self, o: Self) -> Self;
    fn minimum(self, o: Self) -> Self;
}

macro_rules! float_arith {
    ($t:ty) => {
        impl Arith for $t {
            fn add(self, o: Self) -> Self {
                self + o
            }
            fn sub(self, o: Self) -> Self {
                self - o
            }
            fn mul(self, o: Self) -> Self {
                self * o
            }
            fn div(self, o: Self) -> Self {
                self / o
            }
            fn pow(self, o: Self) -> Self {
                self.powf(o)
            }
            fn maximum(self, o: Self) -> Self {
                if self.is_nan() || o.is_nan() {
                    <$t>::NAN
                } else {
                    self.max(o)
                }
            }
            fn minimum(self, o: Self) -> Self {
                if self.is_nan() || o.is_nan() {
                    <$t>::NAN
                } else {
                    self.min(o)
                }
            }
        }
    };
}
float_arith!(f32);
float_arith!(f64);

macro_rules! int_arith {
    ($t:ty) => {
        impl Arith for $t {
            fn add(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            fn sub(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
            fn mul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            fn div(self, o: Self) -> Self {
                self / o
            }
            fn pow(self, o: Self) -> Self {
                #[allow(unused_comparisons)]
                let negative = o < 0;
                assert!(
                    !negative,
                    "pow: integers to negative integer powers are not allowed"
                );
                self.wrapping_pow(o as u32)
            }
            fn maximum(self, o: Self) -> Self {
                self.max(o)
            }
            fn minimum(self, o: Self) -> Self {
                self.min(o)
            }
        }
    };
}
int_arith!(i64);
int_arith!(u8);

/// Broadcast layouts of both operands and the output shape; panics naming `op` and both shapes.
fn broadcast_layouts(a: &Tensor, b: &Tensor, op: &str) -> (Shape, Layout, Layout) {
    assert_eq!(
        a.device(),
        b.device(),
        "{op}: expected both tensors on the same device, got {} and {}",
        a.device(),
        b.device()
    );
    let shape = Shape::broadcast(a.shape(), b.shape()).unwrap_or_else(|| {
        panic!(
            "{op}: the shapes {} and {} cannot be broadcast together",
            a.shape(),
            b.shape()
        )
    });
    let la = a.layout().broadcast_to(&shape).expect("checked broadcast");
    let lb = b.layout().broadcast_to(&shape).expect("checked broadcast");
    (shape, la, lb)
}

fn arith_kernel<T: Arith>(a: &Tensor, b: &Tensor, op: BinaryOp) -> Tensor {
    let (shape, la, lb) = broadcast_layouts(a, b, op.name());
    let (sa, _) = a.typed::<T>(op.name());
    let (sb, _) = b.typed::<T>(op.name());
    macro_rules! run {
        ($f:expr) => {
            map2(sa, &la, sb, &lb, $f)
        };
    }
    let out: Vec<T> = match op {
        BinaryOp::Add => run!(|x: T, y: T| x.add(y)),
        BinaryOp::Sub => run!(|x: T, y: T| x.sub(y)),
        BinaryOp::Mul => run!(|x: T, y: T| x.mul(y)),
        BinaryOp::Div => run!(|x: T, y: T| x.div(y)),
        BinaryOp::Pow => run!(|x: T, y: T| x.pow(y)),
        BinaryOp::Maximum => run!(|x: T, y: T| x.maximum(y)),
        BinaryOp::Minimum => run!(|x: T, y: T| x.minimum(y)),
    };
    Tensor::from_vec(out, shape)
}

fn compare_kernel<T: Element>(a: &Tensor, b: &Tensor, op: CompareOp) -> Tensor {
    let (shape, la, lb) = broadcast_layouts(a, b, "compare");
    let (sa, _) = a.typed::<T>("compare");
    let (sb, _) = b.typed::<T>("compare");
    macro_rules! run {
        ($f:expr) => {
            map2(sa, &la, sb, &lb, $f)
        };
    }
    let out: Vec<bool> = match op {
        CompareOp::Eq => run!(|x: T, y: T| x == y),
        CompareOp::Ne => run!(|x: T, y: T| x != y),
        CompareOp::Lt => run!(|x: T, y: T| x < y),
        CompareOp::Le => run!(|x: T, y: T| x <= y),
        CompareOp::Gt => run!(|x: T, y: T| x > y),
        CompareOp::Ge => run!(|x: T, y: T| x >= y),
    };
    Tensor::from_vec(out, shape)
}

impl Tensor {
    /// `self op other` with broadcasting, computed in `out_dtype` (f16/bf16 via f32).
    fn arith_in(&self, other: &Tensor, op: BinaryOp, out_dtype: DType) -> Tensor {
        let compute = out_dtype.compute_dtype();
        let (a, b) = (self.to_dtype(compute), other.to_dtype(compute));
        let out = match compute {
            DType::F32 => arith_kernel::<f32>(&a, &b, op),
            DType::F64 => arith_kernel::<f64>(&a, &b, op),
            DType::I64 => arith_kernel::<i64>(&a, &b, op),
            DType::U8 => arith_kernel::<u8>(&a, &b, op),
            _ => panic!("{}: not supported for {} tensors", op.name(), compute),
        };
        out.to_dtype(out_dtype)
    }

    /// The dtype of `a op b` for two tensor operands.
    fn arith_dtype(&self, other: &Tensor, op: BinaryOp) -> DType {
        let d = DType::promote(self.dtype(), other.dtype());
        if op == BinaryOp::Div && !d.is_float() {
            DType::F32
        } else {
            d
        }
    }

    /// Applies an arithmetic op with broadcasting and PyTorch's type promotion.
    pub fn binary(&self, other: &Tensor, op: BinaryOp) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::binary(self, other, op) {
            return out;
        }
        self.arith_in(other, op, self.arith_dtype(other, op))
    }

    /// Applies an arithmetic op between the tensor and a scalar; `scalar_first` computes
    /// `scalar op self` (e.g. `1 - x`).
    pub fn binary_scalar(
        &self,
        scalar: impl Into<Scalar>,
        op: BinaryOp,
        scalar_first: bool,
    ) -> Tensor {
        let scalar = scalar.into();
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::binary_scalar(self, scalar, op, scalar_first) {
            return out;
        }
        let mut dtype = scalar.result_dtype(self.dtype());
        if op == BinaryOp::Div && !dtype.is_float() {
            dtype = DType::F32;
        }
        let s = scalar.to_tensor(dtype.compute_dtype());
        if scalar_first {
            s.arith_in(self, op, dtype)
        } else {
            self.arith_in(&s, op, dtype)
        }
    }

    /// Compares elementwise with broadcasting, in the promoted dtype; returns bool.
    pub fn compare(&self, other: &Tensor, op: CompareOp) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::compare(self, other, op) {
            return out;
        }
        let compute = DType::promote(self.dtype(), other.dtype()).compute_dtype();
        let (a, b) = (self.to_dtype(compute), other.to_dtype(compute));
        with_dtype!(compute, T, { compare_kernel::<T>(&a, &b, op) })
    }

    /// Compares every element with a scalar; returns bool.
    pub fn compare_scalar(&self, scalar: impl Into<Scalar>, op: CompareOp) -> Tensor {
        let scalar = scalar.into();
        let s = scalar.to_tensor(scalar.result_dtype(self.dtype()));
        self.compare(&s, op)
    }

    /// Combines truth values elementwise with broadcasting; returns bool.
    pub fn logical(&self, other: &Tensor, op: LogicalOp) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::logical(self, other, op) {
            return out;
        }
        let (a, b) = (self.to_dtype(DType::Bool), other.to_dtype(DType::Bool));
        let (shape, la, lb) = broadcast_layouts(&a, &b, "logical");
        let (sa, _) = a.typed::<bool>("logical");
        let (sb, _) = b.typed::<bool>("logical");
        let out: Vec<bool> = match op {
            LogicalOp::And => map2(sa, &la, sb, &lb, |x, y| x && y),
            LogicalOp::Or => map2(sa, &la, sb, &lb, |x, y| x || y),
            LogicalOp::Xor => map2(sa, &la, sb, &lb, |x, y| x != y),
        };
        Tensor::from_vec(out, shape)
    }
}

macro_rules! named_binary {
    ($($(#[$doc:meta])* $name:ident, $scalar_name:ident => $op:ident;)*) => {
        impl Tensor {$(
            $(#[$doc])*
            pub fn $name(&self, other: &Tensor) -> Tensor {
                self.binary(other, BinaryOp::$op)
            }
            $(#[$doc])*
            ///
            /// Scalar variant: `self op scalar`.
            pub fn $scalar_name(&self, scalar: impl Into<Scalar>) -> Tensor {
                self.binary_scalar(scalar, BinaryOp::$op, false)
            }
        )*}
    };
}

named_binary! {
    /// `self + other` with broadcasting (`torch.add`).
    add, add_scalar => Add;
    /// `self - other` with broadcasting (`torch.sub`).
    sub, sub_scalar => Sub;
    /// `self * other` with broadcasting (`torch.mul`).
    mul, mul_scalar => Mul;
    /// True division with broadcasting (`torch.div`); integer inputs give f32.
    div, div_scalar => Div;
    /// `self ^ other` with broadcasting (`torch.pow`).
    pow, pow_scalar => Pow;
    /// Elementwise maximum, NaN-propagating (`torch.maximum`).
    maximum, maximum_scalar => Maximum;
    /// Elementwise minimum, NaN-propagating (`torch.minimum`).
    minimum, minimum_scalar => Minimum;
}

macro_rules! named_compare {
    ($($(#[$doc:meta])* $name:ident, $scalar_name:ident => $op:ident;)*) => {
        impl Tensor {$(
            $(#[$doc])*
            pub fn $name(&self, other: &Tensor) -> Tensor {
                self.compare(other, CompareOp::$op)
            }
            $(#[$doc])*
            ///
            /// Scalar variant.
            pub fn $scalar_name(&self, scalar: impl Into<Scalar>) -> Tensor {
                self.compare_scalar(scalar, CompareOp::$op)
            }
        )*}
    };
}

named_compare! {
    /// `self == other` elementwise, as bool (`torch.eq`).
    eq, eq_scalar => Eq;
    /// `self != other` elementwise, as bool (`torch.ne`).
    ne, ne_scalar => Ne;
    /// `self < other` elementwise, as bool (`torch.lt`).
    lt, lt_scalar => Lt;
    /// `self <= other` elementwise, as bool (`torch.le`).
    le, le_scalar => Le;
    /// `self > other` elementwise, as bool (`torch.gt`).
    gt, gt_scalar => Gt;
    /// `self >= other` elementwise, as bool (`torch.ge`).
    ge, ge_scalar => Ge;
}

impl Tensor {
    /// Logical AND of truth values (`torch.logical_and`).
    pub fn logical_and(&self, other: &Tensor) -> Tensor {
        self.logical(other, LogicalOp::And)
    }
    /// Logical OR of truth values (`torch.logical_or`).
    pub fn logical_or(&self, other: &Tensor) -> Tensor {
        self.logical(other, LogicalOp::Or)
    }
    /// Logical XOR of truth values (`torch.logical_xor`).
    pub fn logical_xor(&self, other: &Tensor) -> Tensor {
        self.logical(other, LogicalOp::Xor)
    }
}
