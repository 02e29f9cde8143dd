//! Running an optimizer's per-element update rule as whole-tensor ops, for parameters on a GPU.
//!
//! The update rules are written once, over a number type ([`Real`]). On the CPU that type is
//! `f32` or `f64` and the rule runs as a fused loop. On a GPU it is [`Traced`]: a copyable
//! handle to either a constant or a tensor held on a per-thread tape, whose arithmetic launches
//! the matching tensor op on the parameter's device. A step therefore runs the same formula, in
//! the same order of operations, as the CPU path (PyTorch's `foreach=False` form), one tensor op
//! per arithmetic operation, and the tape is cleared when the step ends.

use std::cell::RefCell;
use std::ops::{Add, Div, Mul, Neg, Sub};

use kiln_autograd::Var;
use kiln_tensor::{BinaryOp, DType, Tensor};

use crate::buffer::{Buf, Real};
use crate::kernel::checked_grad;

thread_local! {
    /// The tensors of the update running on this thread; [`Traced::Node`] indexes into it.
    static TAPE: RefCell<Vec<Tensor>> = const { RefCell::new(Vec::new()) };
}

/// A value in an update traced over whole tensors: an f32 constant or a tensor on the tape.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Traced {
    /// A constant of the update (a learning rate, a decay), rounded to f32 like the CPU path's.
    Constant(f32),
    /// Entry `i` of this thread's tape.
    Node(usize),
}

impl Traced {
    /// Puts `tensor` on the tape.
    fn push(tensor: Tensor) -> Traced {
        TAPE.with(|tape| {
            let mut tape = tape.borrow_mut();
            tape.push(tensor);
            Traced::Node(tape.len() - 1)
        })
    }

    /// The tensor of a node.
    fn tensor(index: usize) -> Tensor {
        TAPE.with(|tape| tape.borrow()[index].clone())
    }

    /// The value as a tensor; a constant becomes an f32 tensor shaped and placed like `like`.
    fn resolve(self, like: &Tensor) -> Tensor {
        match self {
            Traced::Constant(c) => {
                Tensor::full_with(like.shape(), f64::from(c), DType::F32, &like.device())
            }
            Traced::Node(i) => Traced::tensor(i),
        }
    }

    /// `self op other`, as a constant when both are constants.
    fn binary(self, other: Traced, op: BinaryOp, on_constants: fn(f32, f32) -> f32) -> Traced {
        match (self, other) {
            (Traced::Constant(a), Traced::Constant(b)) => Traced::Constant(on_constants(a, b)),
            (Traced::Node(a), Traced::Constant(b)) => {
                Traced::push(Traced::tensor(a).binary_scalar(f64::from(b), op, false))
            }
            (Traced::Constant(a), Traced::Node(b)) => {
                Traced::push(Traced::tensor(b).binary_scalar(f64::from(a), op, true))
            }
            (Traced::Node(a), Traced::Node(b)) => {
                Traced::push(Traced::tensor(a).binary(&Traced::tensor(b), op))
            }
        }
    }

    /// `f(self)`, as a constant for a constant.
    fn unary(self, on_tensor: fn(&Tensor) -> Tensor, on_constant: fn(f32) -> f32) -> Traced {
        match self {
            Traced::Constant(c) => Traced::Constant(on_constant(c)),
            Traced::Node(i) => Traced::push(on_tensor(&Traced::tensor(i))),
        }
    }
}

macro_rules! traced_binary {
    ($($trait:ident::$method:ident => $op:ident;)*) => {$(
        impl $trait for Traced {
            type Output = Traced;
            fn $method(self, other: Traced) -> Traced {
                self.binary(other, BinaryOp::$op, |a, b| $trait::$method(a, b))
            }
        }
    )*};
}
traced_binary! {
    Add::add => Add;
    Sub::sub => Sub;
    Mul::mul => Mul;
    Div::div => Div;
}

impl Neg for Traced {
    type Output = Traced;
    fn neg(self) -> Traced {
        self.unary(Tensor::neg, |c| -c)
    }
}

impl Real for Traced {
    fn constant(value: f64) -> Self {
        Traced::Constant(value as f32)
    }

    fn sqrt(self) -> Self {
        self.unary(Tensor::sqrt, f32::sqrt)
    }

    fn maximum(self, other: Self) -> Self {
        self.binary(other, BinaryOp::Maximum, |a, b| {
            if a.is_nan() || b.is_nan() {
                f32::NAN
            } else {
                a.max(b)
            }
        })
    }

    fn update<K>(param: &Var, mut state: Vec<Option<&mut Buf>>, kernel: K)
    where
        K: Fn(&mut [&mut [Self]], &[Self]) + Sync + Send,
    {
        let _guard = kiln_autograd::no_grad();
        let _tape = ClearTapeOnDrop;
        let grad = [Traced::push(checked_grad(param).to_dtype(DType::F32))];
        let value = param.value();
        let mut slots: Vec<Vec<Traced>> = Vec::with_capacity(state.len() + 1);
        slots.push(vec![Traced::push(value.to_dtype(DType::F32))]);
        for buf in &state {
            slots.push(match buf {
                Some(Buf::Device(t)) => vec![Traced::push(t.clone())],
                None => Vec::new(),
                Some(_) => panic!(
                    "optimizer step: the state of a parameter now on {} was created on the CPU; \
                     move the model before creating the optimizer, or reload its state_dict",
                    value.device()
                ),
            });
        }
        let mut views: Vec<&mut [Traced]> = slots.iter_mut().map(|s| &mut s[..]).collect();
        kernel(&mut views, &grad);
        let new_value = slots[0][0].resolve(&value).to_dtype(value.dtype());
        param.update_value(|v| *v = new_value);
        for (buf, slot) in state.iter_mut().zip(&slots[1..]) {
            if let (Some(buf), Some(result)) = (buf, slot.first()) {
                **buf = Buf::Device(result.resolve(&value));
            }
        }
    }
}

/// Empties this thread's tape when an update ends, normally or by a panic.
struct ClearTapeOnDrop;

impl Drop for ClearTapeOnDrop {
    fn drop(&mut self) {
        TAPE.with(|tape| tape.borrow_mut().clear());
    }
}
