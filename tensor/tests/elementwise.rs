//! Elementwise ops: broadcasting, type promotion, scalar variants, operators.

use kiln_tensor::{DType, Tensor, tensor};
use proptest::prelude::*;

fn close(a: &[f32], b: &[f32], tol: f32) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= tol * (1.0 + y.abs()) || (x.is_nan() && y.is_nan()))
}

#[test]
fn operators_and_scalars() {
    let a = tensor![[1.0, 2.0], [3.0, 4.0]];
    let b = tensor![10.0, 20.0];
    assert_eq!((&a + &b).to_vec::<f32>(), vec![11.0, 22.0, 13.0, 24.0]);
    assert_eq!((&a - &b).to_vec::<f32>(), vec![-9.0, -18.0, -7.0, -16.0]);
    assert_eq!((&a * 2.0).to_vec::<f32>(), vec![2.0, 4.0, 6.0, 8.0]);
    assert_eq!((1.0 - &a).to_vec::<f32>(), vec![0.0, -1.0, -2.0, -3.0]);
    assert_eq!((12.0 / &a).to_vec::<f32>(), vec![12.0, 6.0, 4.0, 3.0]);
    assert_eq!((-&a).to_vec::<f32>(), vec![-1.0, -2.0, -3.0, -4.0]);
    assert_eq!(a.pow_scalar(2).to_vec::<f32>(), vec![1.0, 4.0, 9.0, 16.0]);
}

#[test]
fn type_promotion_matches_pytorch() {
    let i = tensor![1, 2, 3];
    let f = tensor![0.5, 0.5, 0.5];
    // int + int stays int; int / int is float; int * python float is float.
    assert_eq!((&i + &i).dtype(), DType::I64);
    assert_eq!((&i / &i).dtype(), DType::F32);
    assert_eq!((&i * 2).dtype(), DType::I64);
    assert_eq!((&i * 2.5).dtype(), DType::F32);
    assert_eq!((&i + &f).dtype(), DType::F32);
    let h = f.to_dtype(DType::F16);
    assert_eq!((&h * 0.1).dtype(), DType::F16);
    assert_eq!((&h + &f).dtype(), DType::F32);
    assert_eq!((&h + &f.to_dtype(DType::BF16)).dtype(), DType::F32);
    assert_eq!(i.exp().dtype(), DType::F32);
    assert_eq!(i.neg().dtype(), DType::I64);
    assert_eq!((&i / &i).to_vec::<f32>(), vec![1.0; 3]);
}

#[test]
fn unary_values_match_pytorch() {
    // torch.tensor([-2., -0.5, 0., 0.5, 2.]) through each function (torch 2.x, float32).
    let x = tensor![-2.0, -0.5, 0.0, 0.5, 2.0];
    let cases: [(&str, Tensor, [f32; 5]); 6] = [
        (
            "sigmoid",
            x.sigmoid(),
            [0.11920292, 0.37754068, 0.5, 0.62245935, 0.8807971],
        ),
        (
            "gelu",
            x.gelu(),
            [-0.04550027, -0.15426877, 0.0, 0.34573123, 1.9544997],
        ),
        (
            "gelu_tanh",
            x.gelu_tanh(),
            [-0.04540231, -0.15428598, 0.0, 0.34571403, 1.9545977],
        ),
        (
            "silu",
            x.silu(),
            [-0.23840584, -0.18877034, 0.0, 0.31122968, 1.7615942],
        ),
        (
            "tanh",
            x.tanh(),
            [-0.9640276, -0.46211717, 0.0, 0.46211717, 0.9640276],
        ),
        ("relu", x.relu(), [0.0, 0.0, 0.0, 0.5, 2.0]),
    ];
    for (name, got, want) in cases {
        assert!(
            close(&got.to_vec::<f32>(), &want, 1e-6),
            "{name}: {:?}",
            got.to_vec::<f32>()
        );
    }
    assert!(close(
        &tensor![1.0, 4.0].rsqrt().to_vec::<f32>(),
        &[1.0, 0.5],
        1e-7
    ));
    assert!(close(&tensor![1e-8].log1p().to_vec::<f32>(), &[1e-8], 1e-6));
}

/// `exp`, `sigmoid` and `silu` of f32 tensors run a vectorised `exp`: within 2 ulp of the f64
/// functions over the whole finite range (subnormal results of `exp` within two subnormal
/// steps), with
/// PyTorch's special values, on the serial and the parallel path and on a strided view.
#[test]
fn exp_family_within_two_ulp_of_f64() {
    let n = 1 << 16;
    let xs: Vec<f32> = (0..n)
        .map(|i| -104.0 + 194.0 * i as f32 / n as f32)
        .chain([0.0, -0.0, 1e-30, -1e-30, 88.72, 88.73, -103.9, -104.5])
        .collect();
    let x = Tensor::from_vec(xs.clone(), [xs.len()]);
    // As in PyTorch, `1 / (1 + e^-x)` is 0 once e^-x overflows f32 (x < -88.7).
    let sigmoid = |v: f64| {
        let e = (-v).exp();
        if e > f32::MAX as f64 {
            0.0
        } else {
            1.0 / (1.0 + e)
        }
    };
    type Reference<'a> = &'a dyn Fn(f64) -> f64;
    let cases: [(&str, Tensor, Reference); 3] = [
        ("exp", x.exp(), &f64::exp),
        ("sigmoid", x.sigmoid(), &sigmoid),
        ("silu", x.silu(), &|v: f64| v * sigmoid(v)),
    ];
    for (name, got, want) in cases {
        for (&g, &v) in got.to_vec::<f32>().iter().zip(&xs) {
            let want = want(v as f64);
            let g = g as f64;
            if want.abs() > f32::MAX as f64 {
                assert_eq!(g, f64::INFINITY.copysign(want), "{name}({v})");
            } else if want.abs() < f32::MIN_POSITIVE as f64 {
                assert!((g - want).abs() <= 3e-45, "{name}({v}) = {g}, want {want}");
            } else {
                let ulp = f32::EPSILON as f64 * want.abs();
                assert!(
                    (g - want).abs() <= 2.0 * ulp,
                    "{name}({v}) = {g}, want {want}"
                );
            }
        }
    }
    let special = tensor![f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e30, -1e30];
    // Bit patterns, any NaN counted as the same one.
    let canonical = |v: &f32| if v.is_nan() { f32::NAN } else { *v }.to_bits();
    let bits = |t: Tensor| t.to_vec::<f32>().iter().map(canonical).collect::<Vec<_>>();
    let want = |v: [f32; 5]| v.iter().map(canonical).collect::<Vec<_>>();
    assert_eq!(
        bits(special.exp()),
        want([f32::NAN, f32::INFINITY, 0.0, f32::INFINITY, 0.0])
    );
    assert_eq!(
        bits(special.sigmoid()),
        want([f32::NAN, 1.0, 0.0, 1.0, 0.0])
    );
    // A transposed view takes the strided kernel and gives the same values.
    let square = Tensor::from_vec(xs[..n].to_vec(), [256, 256]);
    let strided = square.t().exp().t().contiguous();
    assert_eq!(strided.to_vec::<f32>(), square.exp().to_vec::<f32>());
}

#[test]
fn clamp_keeps_dtype_and_nan() {
    let x = tensor![-3.0, 0.5, f32::NAN, 9.0];
    let c = x.clamp(Some(-1.0), Some(1.0)).to_vec::<f32>();
    assert_eq!(c[..2], [-1.0, 0.5]);
    assert!(c[2].is_nan());
    assert_eq!(c[3], 1.0);
    let i = tensor![-3, 5].clamp(Some(0.0), None);
    assert_eq!((i.dtype(), i.to_vec::<i64>()), (DType::I64, vec![0, 5]));
    // The seeds' mean pooling uses clamp(min=1e-9).
    assert_eq!(
        tensor![0.0, 2.0].clamp(Some(1e-9), None).to_vec::<f32>(),
        vec![1e-9, 2.0]
    );
}

#[test]
fn comparisons_and_logical_ops() {
    let a = tensor![1, 5, 3];
    let b = tensor![2, 5, 1];
    assert_eq!(a.lt(&b).to_vec::<bool>(), vec![true, false, false]);
    assert_eq!(a.ge(&b).to_vec::<bool>(), vec![false, true, true]);
    assert_eq!(a.eq_scalar(5).to_vec::<bool>(), vec![false, true, false]);
    assert_eq!(a.gt_scalar(2.5).to_vec::<bool>(), vec![false, true, true]);
    let m = a.gt_scalar(2);
    assert_eq!(m.logical_not().to_vec::<bool>(), vec![true, false, false]);
    assert_eq!(
        m.logical_and(&b.gt_scalar(1)).to_vec::<bool>(),
        vec![false, true, false]
    );
    assert_eq!(
        m.logical_xor(&tensor![true, true, true]).to_vec::<bool>(),
        vec![true, false, false]
    );
}

#[test]
fn maximum_minimum_propagate_nan() {
    let a = tensor![1.0, f32::NAN, 3.0];
    let b = tensor![2.0, 0.0, f32::NAN];
    let mx = a.maximum(&b).to_vec::<f32>();
    assert_eq!(mx[0], 2.0);
    assert!(mx[1].is_nan() && mx[2].is_nan());
    assert_eq!(a.minimum_scalar(1.5).to_vec::<f32>()[0], 1.0);
}

#[test]
fn large_tensors_take_the_parallel_path_with_same_results() {
    let n = 1 << 17;
    let a = Tensor::arange(0f32, n as f32, 1.0);
    let b = a.reshape(&[512, 256]).t(); // non-contiguous and big
    let s = (&b + &b.transpose(0usize, 1usize).t()).to_vec::<f32>();
    let want: Vec<f32> = b
        .contiguous()
        .to_vec::<f32>()
        .iter()
        .map(|x| x * 2.0)
        .collect();
    assert_eq!(s, want);
}

/// Contiguous operands above the parallel threshold, with a length that no task size divides:
/// every element of the output is written, by the same formula as the scalar loop.
#[test]
fn large_contiguous_outputs_are_written_completely() {
    let n = 100_003;
    let a = Tensor::arange(0f32, n as f32, 1.0);
    let b = a.sin();
    let (va, vb) = (a.to_vec::<f32>(), b.to_vec::<f32>());
    let sum: Vec<f32> = va.iter().zip(&vb).map(|(x, y)| x + y).collect();
    assert_eq!((&a + &b).to_vec::<f32>(), sum);
    let sines: Vec<f32> = va.iter().map(|x| x.sin()).collect();
    assert_eq!(vb, sines);
}

#[test]
#[should_panic(expected = "add: the shapes [2, 3] and [4] cannot be broadcast together")]
fn mismatched_shapes_panic() {
    let _ = &Tensor::zeros([2, 3]) + &Tensor::zeros([4]);
}

#[test]
#[should_panic(expected = "exp: not supported for bool tensors")]
fn float_math_on_bool_panics() {
    tensor![true].exp();
}

#[test]
#[should_panic(expected = "pow: integers to negative integer powers are not allowed")]
fn negative_integer_power_panics() {
    tensor![2].pow_scalar(-1);
}

/// A shape and a second shape that broadcasts with it (dims set to 1 or dropped at random).
fn broadcast_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    proptest::collection::vec(0usize..4, 0..4).prop_flat_map(|a| {
        let n = a.len();
        (Just(a), proptest::collection::vec(any::<bool>(), n), 0..=n).prop_map(|(a, ones, drop)| {
            let b: Vec<usize> = a
                .iter()
                .zip(&ones)
                .map(|(&d, &one)| if one { 1 } else { d })
                .collect();
            (a, b[drop..].to_vec())
        })
    })
}

fn naive_broadcast_add(a: &Tensor, b: &Tensor) -> Vec<f32> {
    let shape = kiln_tensor::Shape::broadcast(a.shape(), b.shape()).unwrap();
    let (av, bv) = (
        a.contiguous().to_vec::<f32>(),
        b.contiguous().to_vec::<f32>(),
    );
    let dims = shape.dims();
    let index_of = |t: &Tensor, idx: &[usize]| -> usize {
        let off = dims.len() - t.dim();
        t.dims().iter().enumerate().fold(0, |acc, (i, &d)| {
            acc * d + if d == 1 { 0 } else { idx[off + i] }
        })
    };
    (0..shape.numel())
        .map(|k| {
            let mut rem = k;
            let mut idx = vec![0; dims.len()];
            for d in (0..dims.len()).rev() {
                idx[d] = rem % dims[d];
                rem /= dims[d];
            }
            av[index_of(a, &idx)] + bv[index_of(b, &idx)]
        })
        .collect()
}

proptest! {
    #[test]
    fn broadcasting_matches_naive((sa, sb) in broadcast_pair(), swap in any::<bool>(), transpose in any::<bool>()) {
        let (sa, sb) = if swap { (sb, sa) } else { (sa, sb) };
        let n = |s: &[usize]| s.iter().product::<usize>();
        let mut a = Tensor::arange(0f32, n(&sa) as f32, 1.0).reshape_to(sa.clone());
        let b = Tensor::arange(100f32, 100.0 + n(&sb) as f32, 1.0).reshape_to(sb.clone());
        if transpose && a.dim() >= 2 {
            // Same logical shape, non-contiguous strides.
            a = a.transpose(0usize, 1usize).contiguous().transpose(0usize, 1usize);
        }
        let got = (&a + &b).to_vec::<f32>();
        prop_assert_eq!(got, naive_broadcast_add(&a, &b));
    }

    #[test]
    fn f16_and_bf16_compute_in_f32(vals in proptest::collection::vec(-100f32..100.0, 1..40)) {
        let n = vals.len();
        let x = Tensor::from_vec(vals, [n]);
        for dt in [DType::F16, DType::BF16] {
            let h = x.to_dtype(dt);
            let got = (&h * 1.5).to_dtype(DType::F32).to_vec::<f32>();
            let want = (&h.to_dtype(DType::F32) * 1.5).to_dtype(dt).to_dtype(DType::F32).to_vec::<f32>();
            prop_assert_eq!(got, want);
        }
    }
}
