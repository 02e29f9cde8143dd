//! Operator overloads: `&a + &b`, `&a * 2.0`, `1.0 - &a`, `-&a`.

use std::ops::{Add, Div, Mul, Neg, Sub};

use crate::ops::binary::BinaryOp;
use crate::tensor::Tensor;

macro_rules! tensor_operator {
    ($trait:ident, $method:ident, $op:ident) => {
        impl $trait<&Tensor> for &Tensor {
            type Output = Tensor;
            fn $method(self, rhs: &Tensor) -> Tensor {
                self.binary(rhs, BinaryOp::$op)
            }
        }
        impl $trait<Tensor> for Tensor {
            type Output = Tensor;
            fn $method(self, rhs: Tensor) -> Tensor {
                self.binary(&rhs, BinaryOp::$op)
            }
        }
        impl $trait<&Tensor> for Tensor {
            type Output = Tensor;
            fn $method(self, rhs: &Tensor) -> Tensor {
                self.binary(rhs, BinaryOp::$op)
            }
        }
        impl $trait<Tensor> for &Tensor {
            type Output = Tensor;
            fn $method(self, rhs: Tensor) -> Tensor {
                self.binary(&rhs, BinaryOp::$op)
            }
        }
        tensor_operator!(@scalars $trait, $method, $op, f64, i64);
    };
    (@scalars $trait:ident, $method:ident, $op:ident, $($s:ty),*) => {$(
        impl $trait<$s> for &Tensor {
            type Output = Tensor;
            fn $method(self, rhs: $s) -> Tensor {
                self.binary_scalar(rhs, BinaryOp::$op, false)
            }
        }
        impl $trait<$s> for Tensor {
            type Output = Tensor;
            fn $method(self, rhs: $s) -> Tensor {
                self.binary_scalar(rhs, BinaryOp::$op, false)
            }
        }
        impl $trait<&Tensor> for $s {
            type Output = Tensor;
            fn $method(self, rhs: &Tensor) -> Tensor {
                rhs.binary_scalar(self, BinaryOp::$op, true)
            }
        }
        impl $trait<Tensor> for $s {
            type Output = Tensor;
            fn $method(self, rhs: Tensor) -> Tensor {
                rhs.binary_scalar(self, BinaryOp::$op, true)
            }
        }
    )*};
}

tensor_operator!(Add, add, Add);
tensor_operator!(Sub, sub, Sub);
tensor_operator!(Mul, mul, Mul);
tensor_operator!(Div, div, Div);

impl Neg for &Tensor {
    type Output = Tensor;
    fn neg(self) -> Tensor {
        Tensor::neg(self)
    }
}

impl Neg for Tensor {
    type Output = Tensor;
    fn neg(self) -> Tensor {
        Tensor::neg(&self)
    }
}
