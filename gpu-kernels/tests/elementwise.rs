//! Unary and binary elementwise kernels against f64 CPU references on strided views.
//!
//! Tolerances (|err| <= atol + rtol |want|): exact IEEE ops (neg, abs, relu, square, floor,
//! ceil, round, sign, clamp, scalar add/mul, leaky_relu, add, sub, mul, maximum, minimum,
//! comparisons) must match the f32 result bit for bit; division, sqrt, rsqrt, reciprocal
//! rtol 1e-6; transcendental functions atol 1e-5, rtol 1e-5, except sin/cos atol 5e-4
//! (Vulkan's required precision is 2^-11 absolute).

mod common;

use common::{Rng, assert_close, gather_view, gpu, test_views};
use kiln_gpu_kernels::{BinaryOp, StridedLayout, UnaryOp, binary, unary};

fn erf(x: f64) -> f64 {
    // Series / continued fraction free reference: integrate exp(-t^2) with Simpson's rule.
    let n = 2000;
    let h = x / n as f64;
    let f = |t: f64| (-t * t).exp();
    let mut s = f(0.0) + f(x);
    for i in 1..n {
        s += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0 * 2.0 / std::f64::consts::PI.sqrt()
}

fn sigmoid(v: f64) -> f64 {
    1.0 / (1.0 + (-v).exp())
}

/// A CPU reference function.
type RefFn = fn(f64, UnaryOp) -> f64;
/// (low, high) input range or (atol, rtol).
type Pair = (f32, f32);

/// CPU reference, the input domain, and (atol, rtol).
fn reference(op: UnaryOp) -> (RefFn, Pair, Pair) {
    use UnaryOp::*;
    let f: RefFn = |v, op| match op {
        Neg => -v,
        Abs => v.abs(),
        Exp => v.exp(),
        Log => v.ln(),
        Sqrt => v.sqrt(),
        Rsqrt => 1.0 / v.sqrt(),
        Sin => v.sin(),
        Cos => v.cos(),
        Tanh => v.tanh(),
        Sigmoid => sigmoid(v),
        Relu => v.max(0.0),
        Gelu => 0.5 * v * (1.0 + erf(v / 2f64.sqrt())),
        GeluTanh => {
            0.5 * v
                * (1.0 + ((2.0 / std::f64::consts::PI).sqrt() * (v + 0.044715 * v.powi(3))).tanh())
        }
        Silu => v * sigmoid(v),
        Square => v * v,
        Recip => 1.0 / v,
        Floor => v.floor(),
        Ceil => v.ceil(),
        Round => v.round_ties_even(),
        Sign => {
            if v == 0.0 {
                0.0
            } else {
                v.signum()
            }
        }
        Log1p => v.ln_1p(),
        Expm1 => v.exp_m1(),
        Softplus => v.exp().ln_1p(),
        Erf => erf(v),
        LeakyRelu(s) => {
            if v >= 0.0 {
                v
            } else {
                v * f64::from(s)
            }
        }
        Elu(a) => {
            if v > 0.0 {
                v
            } else {
                f64::from(a) * v.exp_m1()
            }
        }
        AddScalar(s) => v + f64::from(s),
        MulScalar(s) => v * f64::from(s),
        PowScalar(e) => v.powf(f64::from(e)),
        Clamp(lo, hi) => v.clamp(f64::from(lo), f64::from(hi)),
    };
    let exact = (0.0, 0.0);
    let trans = (1e-5, 1e-5);
    let (domain, tol) = match op {
        Neg | Abs | Relu | Square | Floor | Ceil | Sign | LeakyRelu(_) | AddScalar(_)
        | MulScalar(_) | Clamp(..) => ((-4.0, 4.0), exact),
        Round => ((-4.0, 4.0), exact),
        Log | Log1p => ((0.01, 8.0), trans),
        Sqrt | Rsqrt => ((0.01, 8.0), (0.0, 1e-6)),
        Recip => ((0.1, 4.0), (0.0, 1e-6)),
        Sin | Cos => ((-4.0, 4.0), (5e-4, 0.0)),
        PowScalar(e) if e.fract() != 0.0 => ((0.01, 4.0), trans),
        _ => ((-4.0, 4.0), trans),
    };
    (f, domain, tol)
}

const ALL_UNARY: [UnaryOp; 31] = [
    UnaryOp::Neg,
    UnaryOp::Abs,
    UnaryOp::Exp,
    UnaryOp::Log,
    UnaryOp::Sqrt,
    UnaryOp::Rsqrt,
    UnaryOp::Sin,
    UnaryOp::Cos,
    UnaryOp::Tanh,
    UnaryOp::Sigmoid,
    UnaryOp::Relu,
    UnaryOp::Gelu,
    UnaryOp::GeluTanh,
    UnaryOp::Silu,
    UnaryOp::Square,
    UnaryOp::Recip,
    UnaryOp::Floor,
    UnaryOp::Ceil,
    UnaryOp::Round,
    UnaryOp::Sign,
    UnaryOp::Log1p,
    UnaryOp::Expm1,
    UnaryOp::Softplus,
    UnaryOp::Erf,
    UnaryOp::LeakyRelu(0.01),
    UnaryOp::Elu(1.5),
    UnaryOp::AddScalar(0.25),
    UnaryOp::MulScalar(-3.0),
    UnaryOp::PowScalar(3.0),
    UnaryOp::PowScalar(0.5),
    UnaryOp::Clamp(-1.0, 0.5),
];

#[test]
fn unary_ops_match_cpu_on_strided_views() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(3);
    for op in ALL_UNARY {
        let (f, (lo, hi), (atol, rtol)) = reference(op);
        for (len, layout) in test_views() {
            let mut data = rng.vec(len, lo, hi);
            if matches!(op, UnaryOp::Round) {
                // exercise ties: half-integers round to even
                data.iter_mut()
                    .step_by(3)
                    .for_each(|v| *v = (*v * 2.0).round() / 2.0);
            }
            let x = ctx.upload(&data).unwrap();
            let got = ctx
                .to_vec::<f32>(&unary(ctx, op, &x, &layout).unwrap())
                .unwrap();
            let want: Vec<f32> = gather_view(&data, &layout)
                .iter()
                .map(|&v| f(f64::from(v), op) as f32)
                .collect();
            assert_close(
                &got,
                &want,
                atol,
                rtol,
                &format!("{op:?} {:?}/{:?}", layout.shape, layout.strides),
            );
        }
    }
}

#[test]
fn pow_handles_negative_bases_like_torch() {
    let Some(ctx) = gpu() else { return };
    let x = ctx.upload(&[-2.0f32, -2.0, 0.0, 0.0, 2.0]).unwrap();
    let e = ctx.upload(&[3.0f32, 0.5, 2.0, 0.0, -1.0]).unwrap();
    let l = StridedLayout::contiguous(&[5]);
    let (out, _) = binary(ctx, BinaryOp::Pow, &x, &l, &e, &l).unwrap();
    let got = ctx.to_vec::<f32>(&out).unwrap();
    assert_eq!(got[0], -8.0);
    assert!(got[1].is_nan());
    assert_eq!(&got[2..], &[0.0, 1.0, 0.5]);
}

fn binary_ref(op: BinaryOp, a: f32, b: f32) -> f32 {
    use BinaryOp::*;
    let t = |c: bool| if c { 1.0 } else { 0.0 };
    match op {
        Add => a + b,
        Sub => a - b,
        Mul => a * b,
        Div => a / b,
        Pow => (f64::from(a).powf(f64::from(b))) as f32,
        Maximum => a.max(b),
        Minimum => a.min(b),
        Remainder => (f64::from(a) - (f64::from(a) / f64::from(b)).floor() * f64::from(b)) as f32,
        Eq => t(a == b),
        Ne => t(a != b),
        Lt => t(a < b),
        Le => t(a <= b),
        Gt => t(a > b),
        Ge => t(a >= b),
    }
}

#[test]
fn binary_ops_broadcast_through_strides() {
    let Some(ctx) = gpu() else { return };
    use BinaryOp::*;
    let mut rng = Rng::new(5);
    // (a buffer length, a view, b buffer length, b view)
    let cases = vec![
        (
            129,
            StridedLayout::contiguous(&[129]),
            1,
            StridedLayout::contiguous(&[1]),
        ),
        (
            7 * 33,
            StridedLayout::contiguous(&[7, 33]),
            33,
            StridedLayout::contiguous(&[33]),
        ),
        (
            33,
            StridedLayout::contiguous(&[33, 1]),
            7,
            StridedLayout::contiguous(&[1, 7]),
        ),
        // transposed a, offset + step-2 b
        (
            7 * 33,
            StridedLayout::new(&[33, 7], &[1, 33], 0),
            40,
            StridedLayout::new(&[7], &[3], 5),
        ),
        (
            2 * 3 * 5,
            StridedLayout::new(&[2, 1, 3, 5], &[15, 0, 5, 1], 0),
            7 * 5,
            StridedLayout::new(&[7, 1, 5], &[5, 0, 1], 0),
        ),
    ];
    for op in [
        Add, Sub, Mul, Div, Pow, Maximum, Minimum, Remainder, Eq, Ne, Lt, Le, Gt, Ge,
    ] {
        for (la_len, la, lb_len, lb) in &cases {
            let (lo, hi) = if op == Pow { (0.1, 3.0) } else { (-3.0, 3.0) };
            let mut a = rng.vec(*la_len, lo, hi);
            let b = rng.vec(*lb_len, lo, hi);
            // make some equal pairs so ==, <=, >= see ties
            if a.len() == b.len() {
                a[0] = b[0];
            }
            let (ga, gb) = (ctx.upload(&a).unwrap(), ctx.upload(&b).unwrap());
            let (out, shape) = binary(ctx, op, &ga, la, &gb, lb).unwrap();
            let shape_expected = kiln_gpu_kernels::broadcast_shapes(&la.shape, &lb.shape).unwrap();
            assert_eq!(shape, shape_expected);
            let va = gather_view(&a, &la.broadcast_to(&shape).unwrap());
            let vb = gather_view(&b, &lb.broadcast_to(&shape).unwrap());
            let want: Vec<f32> = va
                .iter()
                .zip(&vb)
                .map(|(&x, &y)| binary_ref(op, x, y))
                .collect();
            let got: Vec<f32> = if op.is_comparison() {
                ctx.to_vec::<u32>(&out)
                    .unwrap()
                    .into_iter()
                    .map(|v| v as f32)
                    .collect()
            } else {
                ctx.to_vec::<f32>(&out).unwrap()
            };
            let (atol, rtol) = match op {
                Div => (0.0, 1e-6),
                Pow => (1e-5, 1e-5),
                Remainder => (1e-5, 1e-6),
                _ => (0.0, 0.0),
            };
            assert_close(
                &got,
                &want,
                atol,
                rtol,
                &format!("{op:?} {:?} with {:?}", la.shape, lb.shape),
            );
        }
    }
}

#[test]
fn maximum_propagates_nan_and_bad_shapes_error() {
    let Some(ctx) = gpu() else { return };
    let a = ctx.upload(&[f32::NAN, 1.0]).unwrap();
    let b = ctx.upload(&[0.0f32, f32::NAN]).unwrap();
    let l = StridedLayout::contiguous(&[2]);
    let (out, _) = binary(ctx, BinaryOp::Maximum, &a, &l, &b, &l).unwrap();
    assert!(ctx.to_vec::<f32>(&out).unwrap().iter().all(|v| v.is_nan()));
    let l3 = StridedLayout::contiguous(&[3]);
    assert!(binary(ctx, BinaryOp::Add, &a, &l, &b, &l3).is_err());
    // a view reaching past its buffer is an error, not an out-of-bounds read
    assert!(unary(ctx, UnaryOp::Neg, &a, &l3).is_err());
}
