//! Operator overloads on `&Var`: `&a + &b`, `&a * 2.0`, `-&a`.

use std::ops::{Add, Div, Mul, Neg, Sub};

use crate::var::Var;

macro_rules! var_operator {
    ($trait:ident, $method:ident, $scalar:expr) => {
        impl $trait<&Var> for &Var {
            type Output = Var;
            fn $method(self, rhs: &Var) -> Var {
                Var::$method(self, rhs)
            }
        }
        impl $trait<f64> for &Var {
            type Output = Var;
            fn $method(self, rhs: f64) -> Var {
                ($scalar)(self, rhs)
            }
        }
    };
}

var_operator!(Add, add, |v: &Var, s: f64| v.add_scalar(s));
var_operator!(Sub, sub, |v: &Var, s: f64| v.add_scalar(-s));
var_operator!(Mul, mul, |v: &Var, s: f64| v.mul_scalar(s));
var_operator!(Div, div, |v: &Var, s: f64| v.mul_scalar(1.0 / s));

impl Neg for &Var {
    type Output = Var;
    fn neg(self) -> Var {
        Var::neg(self)
    }
}
