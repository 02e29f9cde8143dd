//! GPU tensors against the CPU implementation: moves between devices, dtype casts, strided
//! copies, elementwise unary / binary / comparison / logical ops with broadcasting and
//! scalars, and the device errors. Shapes include 1, 7, 33 and 129, and transposed / narrowed
//! (non-contiguous) inputs.
#![cfg(feature = "gpu")]

mod gpu_common;

use gpu_common::{assert_close, assert_same, gpu, panic_message, randn};
use kiln_tensor::{BinaryOp, CompareOp, DType, Device, LogicalOp, Tensor, UnaryOp};

/// Inputs: contiguous vectors and matrices of the sizes, plus non-contiguous views.
fn inputs() -> Vec<(String, Tensor)> {
    let mut v: Vec<(String, Tensor)> = [1usize, 7, 33, 129]
        .iter()
        .map(|&n| (format!("[{n}]"), randn(&[n], n as u64)))
        .collect();
    v.push(("[7, 33]".into(), randn(&[7, 33], 2)));
    v.push(("[33, 7]ᵀ".into(), randn(&[33, 7], 3).t()));
    v.push((
        "[3, 129] narrowed".into(),
        randn(&[3, 129], 4).narrow(1, 5, 100),
    ));
    v
}

#[test]
fn to_device_round_trips_every_dtype_and_views() {
    let Some(dev) = gpu() else { return };
    let x = randn(&[7, 33], 1);
    for dtype in [
        DType::F32,
        DType::F16,
        DType::BF16,
        DType::I64,
        DType::U8,
        DType::Bool,
    ] {
        let t = (&x * 10.0).abs().to_dtype(dtype);
        let g = t.to_device(&dev);
        assert_eq!(g.device(), dev);
        assert_eq!(g.dtype(), dtype);
        assert_eq!(
            g.to_device(&Device::Cpu).to_vec::<f64>(),
            t.to_vec::<f64>(),
            "{dtype}"
        );
        assert_eq!(
            g.to_vec::<f64>(),
            t.to_vec::<f64>(),
            "to_vec reads back {dtype}"
        );
    }
    // Views stay views of one buffer on the GPU and read back as the view.
    let g = x.to_device(&dev);
    let view = g.t().narrow(0, 3, 20);
    assert!(view.shares_storage_with(&g));
    assert_eq!(view.to_vec::<f32>(), x.t().narrow(0, 3, 20).to_vec::<f32>());
    assert_eq!(
        format!(
            "{}",
            Tensor::from_vec(vec![1.5f32, 2.0], [2]).to_device(&dev)
        ),
        "tensor([1.5000, 2.0000], device='gpu:0')"
    );
    assert_eq!(dev.to_string(), "gpu:0");
    let msg = panic_message(|| {
        Tensor::ones([2])
            .to_dtype(DType::F64)
            .to_device(&Device::gpu(0));
    });
    assert!(msg.contains("float64") && msg.contains("gpu:0"), "{msg}");
}

#[test]
fn casts_and_contiguous_copies_match_the_cpu() {
    let Some(dev) = gpu() else { return };
    for (name, x) in inputs() {
        let t = &x * 50.0;
        let g = t.to_device(&dev);
        assert!(!g.contiguous().device().is_cpu());
        assert_same(
            &g.contiguous(),
            &t.contiguous(),
            &format!("contiguous {name}"),
        );
        for dtype in [DType::F16, DType::BF16, DType::I64, DType::U8, DType::Bool] {
            let want = t.to_dtype(dtype);
            assert_same(&g.to_dtype(dtype), &want, &format!("f32→{dtype} {name}"));
            let back = want.to_device(&dev).to_dtype(DType::F32);
            assert_same(
                &back,
                &want.to_dtype(DType::F32),
                &format!("{dtype}→f32 {name}"),
            );
        }
    }
}

const UNARY: [UnaryOp; 17] = [
    UnaryOp::Neg,
    UnaryOp::Abs,
    UnaryOp::Exp,
    UnaryOp::Log,
    UnaryOp::Log1p,
    UnaryOp::Sqrt,
    UnaryOp::Rsqrt,
    UnaryOp::Reciprocal,
    UnaryOp::Sin,
    UnaryOp::Cos,
    UnaryOp::Tanh,
    UnaryOp::Sigmoid,
    UnaryOp::Relu,
    UnaryOp::Gelu,
    UnaryOp::GeluTanh,
    UnaryOp::Silu,
    UnaryOp::Erf,
];

/// Unary ops agree within 2e-6 relative + 2e-6 absolute (1e-2 relative for f16).
#[test]
fn unary_ops_match_the_cpu() {
    let Some(dev) = gpu() else { return };
    for (name, x) in inputs() {
        // Positive inputs for the logs and roots.
        for (label, t) in [("signed", x.clone()), ("positive", &x.abs() + 0.1)] {
            let g = t.to_device(&dev);
            for op in UNARY {
                let what = format!("{op:?} {label} {name}");
                assert_close(&g.unary(op), &t.unary(op), 2e-6, 2e-6, &what);
            }
            let what = format!("clamp {label} {name}");
            assert_close(
                &g.clamp(Some(-0.5), Some(0.7)),
                &t.clamp(Some(-0.5), Some(0.7)),
                0.0,
                0.0,
                &what,
            );
            assert_close(
                &g.clamp(None, Some(0.2)),
                &t.clamp(None, Some(0.2)),
                0.0,
                0.0,
                &what,
            );
            let h = t.to_dtype(DType::F16);
            let what = format!("f16 tanh {label} {name}");
            assert_close(&h.to_device(&dev).tanh(), &h.tanh(), 1e-2, 1e-3, &what);
        }
    }
    let ints = Tensor::from_vec(vec![-3i64, 0, 5], [3]);
    let gi = ints.to_device(&dev);
    assert_same(&gi.neg(), &ints.neg(), "int64 neg");
    assert_same(&gi.relu(), &ints.relu(), "int64 relu");
    assert_close(&gi.exp(), &ints.exp(), 1e-6, 0.0, "int64 exp gives f32");
}

const ARITH: [BinaryOp; 7] = [
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::Div,
    BinaryOp::Pow,
    BinaryOp::Maximum,
    BinaryOp::Minimum,
];

/// Arithmetic with broadcasting (including a transposed operand) within 1e-6 relative
/// (pow: 1e-5, as the GPU's `pow` is exp2·log2).
#[test]
fn binary_ops_with_broadcasting_match_the_cpu() {
    let Some(dev) = gpu() else { return };
    let pairs = [
        (randn(&[7, 33], 10), randn(&[7, 33], 11)),
        (randn(&[7, 1], 12), randn(&[33], 13)),
        (randn(&[129], 14), randn(&[1], 15)),
        (randn(&[33, 7], 16).t(), randn(&[7, 1], 17)),
        (randn(&[2, 7, 33], 18).narrow(2, 1, 30), randn(&[30], 19)),
    ];
    for (i, (a, b)) in pairs.iter().enumerate() {
        let (a, b) = (a.abs() + 0.5, b.clone());
        let (ga, gb) = (a.to_device(&dev), b.to_device(&dev));
        for op in ARITH {
            let tol = if op == BinaryOp::Pow { 1e-5 } else { 1e-6 };
            let what = format!("{op:?} pair {i}");
            assert_close(&ga.binary(&gb, op), &a.binary(&b, op), tol, 1e-7, &what);
            assert_close(&gb.binary(&ga, op), &b.binary(&a, op), tol, 1e-7, &what);
            for s in [2.5, -1.0] {
                let what = format!("{op:?} scalar {s} pair {i}");
                assert_close(
                    &ga.binary_scalar(s, op, false),
                    &a.binary_scalar(s, op, false),
                    tol,
                    1e-7,
                    &what,
                );
                assert_close(
                    &ga.binary_scalar(s, op, true),
                    &a.binary_scalar(s, op, true),
                    tol,
                    1e-7,
                    &what,
                );
            }
        }
        for op in [
            CompareOp::Eq,
            CompareOp::Ne,
            CompareOp::Lt,
            CompareOp::Le,
            CompareOp::Gt,
            CompareOp::Ge,
        ] {
            let b = b.maximum_scalar(0.9); // some ties with a ≥ 0.5 after rounding below
            let (a, gb) = (a.clamp(None, Some(0.9)), b.to_device(&dev));
            let ga = a.to_device(&dev);
            assert_same(
                &ga.compare(&gb, op),
                &a.compare(&b, op),
                &format!("{op:?} pair {i}"),
            );
            assert_same(
                &ga.compare_scalar(0.9, op),
                &a.compare_scalar(0.9, op),
                &format!("{op:?} scalar"),
            );
        }
    }
    // Mixed dtypes promote as on the CPU; f16 rounds from f32.
    let (x, n) = (randn(&[7, 33], 20), Tensor::arange(0i64, 33, 1));
    let (gx, gn) = (x.to_device(&dev), n.to_device(&dev));
    assert_close(&gx.add(&gn), &x.add(&n), 1e-6, 1e-6, "f32 + int64");
    assert_same(&gn.mul(&gn), &n.mul(&n), "int64 * int64");
    assert_close(
        &gn.div(&gn.add_scalar(1)),
        &n.div(&n.add_scalar(1)),
        1e-6,
        0.0,
        "int64 / int64 → f32",
    );
    let h = x.to_dtype(DType::F16);
    assert_close(
        &h.to_device(&dev).mul(&h.to_device(&dev)),
        &h.mul(&h),
        1e-3,
        1e-3,
        "f16 mul",
    );
    // A CPU 0-d tensor may join a GPU op, as in PyTorch.
    assert_close(
        &gx.mul(&Tensor::scalar(3.0f32)),
        &x.mul_scalar(3.0),
        1e-6,
        0.0,
        "cpu scalar",
    );
}

#[test]
fn logical_ops_match_the_cpu() {
    let Some(dev) = gpu() else { return };
    let a = randn(&[7, 33], 30).gt_scalar(0.0);
    let b = randn(&[33], 31).to_dtype(DType::F32).lt_scalar(0.3);
    let (ga, gb) = (a.to_device(&dev), b.to_device(&dev));
    for op in [LogicalOp::And, LogicalOp::Or, LogicalOp::Xor] {
        assert_same(&ga.logical(&gb, op), &a.logical(&b, op), &format!("{op:?}"));
    }
    assert_same(&ga.logical_not(), &a.logical_not(), "logical_not");
    let x = randn(&[129], 32).mul_scalar(2.0).round_like_cpu();
    assert_same(
        &x.to_device(&dev).logical_not(),
        &x.logical_not(),
        "logical_not of floats",
    );
}

/// Rounds through int64, so some elements are exactly zero.
trait RoundLikeCpu {
    fn round_like_cpu(&self) -> Tensor;
}
impl RoundLikeCpu for Tensor {
    fn round_like_cpu(&self) -> Tensor {
        self.to_dtype(DType::I64).to_dtype(DType::F32)
    }
}

#[test]
fn mixing_devices_panics_naming_both() {
    let Some(dev) = gpu() else { return };
    let (a, b) = (randn(&[3, 4], 40), randn(&[4, 3], 41));
    let ga = a.to_device(&dev);
    let msg = panic_message(|| drop(ga.add(&Tensor::ones([3, 4]))));
    assert!(msg.contains("gpu:0") && msg.contains("cpu"), "{msg}");
    let msg = panic_message(|| drop(ga.matmul(&b)));
    assert!(msg.contains("gpu:0") && msg.contains("cpu"), "{msg}");
    let msg = panic_message(|| drop(Tensor::where_(&a.gt_scalar(0.0), &ga, &ga)));
    assert!(msg.contains("gpu:0") && msg.contains("cpu"), "{msg}");
}

#[test]
fn ops_without_a_gpu_path_panic_naming_op_and_device() {
    let Some(dev) = gpu() else { return };
    let g = randn(&[3, 4], 50).to_device(&dev);
    // CSR tensors live on the host: a GPU dense operand is refused, not copied back.
    let csr = randn(&[2, 3], 51).to_sparse_csr();
    let msg = panic_message(|| drop(kiln_tensor::sparse::sparse_matmul(&csr, &g)));
    assert!(
        msg.contains("sparse_matmul") && msg.contains("gpu:0"),
        "{msg}"
    );
    let msg = panic_message(|| {
        drop(kiln_tensor::sparse::sparse_t_matmul(
            &csr,
            &g.narrow(0, 0, 2),
        ))
    });
    assert!(
        msg.contains("sparse_t_matmul") && msg.contains("gpu:0"),
        "{msg}"
    );
    assert!(
        g.as_slice::<f32>().is_none(),
        "no host slice of a gpu tensor"
    );
}
