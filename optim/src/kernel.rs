//! The update of parameters on the CPU: a fused elementwise kernel over a parameter, its
//! gradient and its state buffers, run in parallel pieces for large parameters.
//!
//! When the optimizer is the only holder of a parameter's contiguous buffer in the compute type
//! (the usual case between steps), the update is written into it in place, so a step is one
//! pass over memory with no allocation; otherwise (f16/bf16 parameters, or a value shared with
//! a live graph or a clone) the new values go into a fresh tensor.

use kiln_autograd::Var;
use kiln_tensor::{Element, Tensor};
use rayon::prelude::*;

use crate::buffer::{Buf, Real};

/// Parameters with fewer elements than this are updated on the calling thread.
pub(crate) const PAR_THRESHOLD: usize = 1 << 15;
/// Elements per rayon task for large parameters.
pub(crate) const CHUNK: usize = 1 << 14;

/// Updates `param` in one fused pass: `kernel(bufs, grad)` sees `bufs[0]` holding the
/// parameter's current values (to be overwritten with the new ones), `bufs[1..]` the buffers of
/// `state` in order (`None`, an unused optional state such as `max_exp_avg_sq` without amsgrad,
/// reaches it as an empty slice) and `grad` the gradient, all in the number type `T`. The new
/// values replace the parameter's value in its own dtype and shape.
///
/// On the CPU the slices are matching pieces of the parameter; on a GPU each slice holds one
/// [`crate::traced::Traced`] standing for the whole tensor, so the same rule runs as tensor ops.
///
/// Panics if the parameter has no gradient or its gradient's shape differs.
pub(crate) fn update_param<T, K>(param: &Var, state: Vec<Option<&mut Buf>>, kernel: K)
where
    T: Real,
    K: Fn(&mut [&mut [T]], &[T]) + Sync + Send,
{
    T::update(param, state, kernel)
}

macro_rules! impl_real {
    ($t:ty, $variant:ident) => {
        impl Real for $t {
            #[inline(always)]
            fn constant(value: f64) -> Self {
                value as $t
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn maximum(self, other: Self) -> Self {
                if self.is_nan() || other.is_nan() {
                    <$t>::NAN
                } else if self > other {
                    self
                } else {
                    other
                }
            }
            fn update<K>(param: &Var, state: Vec<Option<&mut Buf>>, kernel: K)
            where
                K: Fn(&mut [&mut [Self]], &[Self]) + Sync + Send,
            {
                let slices = state
                    .into_iter()
                    .map(|buf| match buf {
                        Some(Buf::$variant(v)) => &mut v[..],
                        None => &mut [],
                        Some(_) => panic!(
                            "optimizer step: the state of a parameter now on the CPU does not \
                             match its dtype or device (the parameter was moved or cast after \
                             the optimizer created it); move the model before creating the \
                             optimizer, or reload its state_dict"
                        ),
                    })
                    .collect();
                update_host(param, slices, kernel)
            }
        }
    };
}
impl_real!(f32, F32);
impl_real!(f64, F64);

/// The gradient of `param`. Panics if it has none or its shape differs from the parameter's.
pub(crate) fn checked_grad(param: &Var) -> Tensor {
    let grad = param
        .grad()
        .expect("optimizer step: parameter has no gradient");
    let shape = param.value().shape().clone();
    assert_eq!(
        grad.shape(),
        &shape,
        "optimizer step: gradient shape {} differs from parameter shape {shape}",
        grad.shape(),
    );
    grad
}

/// [`update_param`] for a parameter on the CPU, with the state as host slices.
fn update_host<T, K>(param: &Var, state: Vec<&mut [T]>, kernel: K)
where
    T: Real + Element,
    K: Fn(&mut [&mut [T]], &[T]) + Sync + Send,
{
    let _guard = kiln_autograd::no_grad();
    let grad = checked_grad(param).to_dtype(T::DTYPE).contiguous();
    let g = grad
        .as_slice::<T>()
        .expect("contiguous gradient in the compute type");
    param.update_value(|value| {
        debug_assert!(state.iter().all(|b| b.is_empty() || b.len() == g.len()));
        if let Some(values) = value.as_mut_slice::<T>() {
            // Sole owner of a contiguous buffer in the compute type: update it in place.
            run_pieces(values, state, g, &kernel);
        } else {
            let mut out = value.to_dtype(T::DTYPE).contiguous().to_vec::<T>();
            run_pieces(&mut out, state, g, &kernel);
            *value = Tensor::from_vec(out, value.shape().clone()).to_dtype(value.dtype());
        }
    });
}

/// Splits `values`, each state buffer and `grad` into matching pieces and runs `kernel` on
/// each, in parallel for large parameters.
fn run_pieces<T, K>(values: &mut [T], state: Vec<&mut [T]>, grad: &[T], kernel: &K)
where
    T: Real + Element,
    K: Fn(&mut [&mut [T]], &[T]) + Sync + Send,
{
    let n = values.len();
    let chunk = if n < PAR_THRESHOLD { n.max(1) } else { CHUNK };
    let n_chunks = n.div_ceil(chunk);
    let mut pieces: Vec<(&[T], Vec<&mut [T]>)> = grad
        .chunks(chunk)
        .map(|g| (g, Vec::with_capacity(state.len() + 1)))
        .collect();
    for (piece, part) in pieces.iter_mut().zip(values.chunks_mut(chunk)) {
        piece.1.push(part);
    }
    for buf in state {
        if buf.is_empty() {
            pieces.iter_mut().for_each(|p| p.1.push(Default::default()));
        } else {
            for (piece, part) in pieces.iter_mut().zip(buf.chunks_mut(chunk)) {
                piece.1.push(part);
            }
        }
    }
    let run = |(g, mut bufs): (&[T], Vec<&mut [T]>)| run_piece(kernel, &mut bufs, g);
    if n_chunks > 1 {
        pieces.into_par_iter().for_each(run);
    } else {
        pieces.into_iter().for_each(run);
    }
}

/// Runs `kernel` on one piece, compiled for AVX2 when the CPU has it (std caches the CPUID
/// check): the update rules are plain loops, which LLVM vectorises 8 floats wide there instead
/// of 4. Only the vector width changes; Rust never fuses a multiply and an add, so both builds
/// round identically. The step functions mark their kernels `#[inline(always)]` so that the
/// loop is compiled inside the AVX2 function.
#[inline(always)]
fn run_piece<T, K>(kernel: &K, bufs: &mut [&mut [T]], grad: &[T])
where
    K: Fn(&mut [&mut [T]], &[T]),
{
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2")]
        fn wide<T, K: Fn(&mut [&mut [T]], &[T])>(kernel: &K, bufs: &mut [&mut [T]], grad: &[T]) {
            kernel(bufs, grad)
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { wide(kernel, bufs, grad) };
        }
    }
    kernel(bufs, grad)
}

/// Calls `$f::<$G…, B₁, B₂, …>($args)` with each runtime bool of `[$b…]` turned into a const
/// generic argument (`true` or `false`): every combination of a step's loop-invariant flags then
/// gets its own branch-free loop, which LLVM vectorises (it does not unswitch loops this large).
macro_rules! with_const_flags {
    ($f:ident::<$($g:tt),*>[] ($($arg:expr),* $(,)?)) => {
        $f::<$($g),*>($($arg),*)
    };
    ($f:ident::<$($g:tt),*>[$b:expr $(, $rest:expr)*] ($($arg:expr),* $(,)?)) => {
        if $b {
            $crate::kernel::with_const_flags!($f::<$($g,)* true>[$($rest),*] ($($arg),*))
        } else {
            $crate::kernel::with_const_flags!($f::<$($g,)* false>[$($rest),*] ($($arg),*))
        }
    };
}
pub(crate) use with_const_flags;

/// The gradient an update rule works with: negated to `maximize`, plus `wd·p` for L2 weight
/// decay (PyTorch's `grad = grad.add(param, alpha=weight_decay)`).
#[inline(always)]
pub(crate) fn effective_grad<T: Real, const MAXIMIZE: bool, const WEIGHT_DECAY: bool>(
    g: T,
    p: T,
    wd: T,
) -> T {
    let g = if MAXIMIZE { -g } else { g };
    if WEIGHT_DECAY { g + wd * p } else { g }
}

/// PyTorch's `lerp_(end, weight)`: `start + weight * (end - start)` for `weight < 0.5`, else
/// `end - (end - start) * (1 - weight)`, the form that keeps both ends exact.
#[inline(always)]
pub(crate) fn lerp<T: Real>(start: T, end: T, weight: T, one_minus_weight: T, small: bool) -> T {
    if small {
        start + weight * (end - start)
    } else {
        end - (end - start) * one_minus_weight
    }
}
