//! Autocast (`torch.autocast`): matmuls run in the half dtype, softmax / log-softmax /
//! layer norm in f32, gradients reach f32 leaves in f32, and guards nest.

use kiln_autograd::{Var, autocast, autocast_dtype};
use kiln_tensor::{DType, Tensor, manual_seed};

fn leaves() -> (Var, Var) {
    manual_seed(3);
    let x = Var::constant(Tensor::randn([4, 8]));
    let w = Var::parameter(Tensor::randn([8, 5]));
    (x, w)
}

#[test]
fn a_matmul_under_f16_autocast_is_the_f16_product_rounded_once() {
    for half in [DType::F16, DType::BF16] {
        let (x, w) = leaves();
        let y = {
            let _amp = autocast(Some(half));
            x.matmul(&w)
        };
        assert_eq!(y.value().dtype(), half);
        // Operands rounded to `half`, multiplied in f32, rounded once: the tensor-level rule.
        let expected = x
            .value()
            .to_dtype(half)
            .matmul(&w.value().to_dtype(half))
            .to_vec::<f32>();
        assert_eq!(y.value().to_vec::<f32>(), expected);
        // And close to the f32 product.
        let exact = x.value().matmul(&w.value()).to_vec::<f32>();
        let tolerance = if half == DType::F16 { 1e-2 } else { 6e-2 };
        for (a, b) in y.value().to_vec::<f32>().iter().zip(&exact) {
            assert!(
                (a - b).abs() <= tolerance * b.abs().max(1.0),
                "{half:?}: {a} vs {b}"
            );
        }
    }
}

#[test]
fn f32_leaves_get_f32_gradients_close_to_full_precision() {
    let (x, w) = leaves();
    let b = Var::parameter(Tensor::zeros([5]));
    {
        let _amp = autocast(Some(DType::F16));
        // Linear: the half product plus an f32 bias promotes to f32; the loss is f32.
        let out = x.matmul(&w).add(&b);
        assert_eq!(out.value().dtype(), DType::F32);
        out.log_softmax(1usize).sum().backward();
    }
    let amp_grad = w.grad().expect("w has a gradient");
    assert_eq!(amp_grad.dtype(), DType::F32);
    assert_eq!(b.grad().unwrap().dtype(), DType::F32);
    w.zero_grad();
    x.matmul(&w).add(&b).log_softmax(1usize).sum().backward();
    let full = w.grad().unwrap().to_vec::<f32>();
    for (a, e) in amp_grad.to_vec::<f32>().iter().zip(&full) {
        assert!((a - e).abs() <= 2e-2 * e.abs().max(1.0), "{a} vs {e}");
    }
}

#[test]
fn softmax_log_softmax_and_layer_norm_run_in_f32() {
    let x = Var::constant(Tensor::randn([3, 6]).to_dtype(DType::F16));
    let _amp = autocast(Some(DType::F16));
    assert_eq!(x.softmax(1usize).value().dtype(), DType::F32);
    assert_eq!(x.log_softmax(1usize).value().dtype(), DType::F32);
    assert_eq!(
        x.layer_norm(&[6], None, None, 1e-5).value().dtype(),
        DType::F32
    );
    // Outside autocast a half input stays half.
    drop(_amp);
    assert_eq!(x.softmax(1usize).value().dtype(), DType::F16);
}

#[test]
fn guards_nest_and_restore() {
    assert_eq!(autocast_dtype(), None);
    {
        let _outer = autocast(Some(DType::BF16));
        {
            let _off = autocast(None);
            assert_eq!(autocast_dtype(), None);
            let (x, w) = leaves();
            assert_eq!(x.matmul(&w).value().dtype(), DType::F32);
        }
        assert_eq!(autocast_dtype(), Some(DType::BF16));
    }
    assert_eq!(autocast_dtype(), None);
}

#[test]
fn a_cast_passes_the_gradient_back_in_the_source_dtype() {
    let w = Var::parameter(Tensor::from_vec(vec![1.5f32, -2.0, 0.25], [3]));
    let h = w.to_dtype(DType::F16);
    assert_eq!(h.value().dtype(), DType::F16);
    h.mul_scalar(2.0).sum().backward();
    let g = w.grad().unwrap();
    assert_eq!(g.dtype(), DType::F32);
    assert_eq!(g.to_vec::<f32>(), vec![2.0, 2.0, 2.0]);
}
