//! softmax / log_softmax and layer_norm: values, dtypes, errors, and properties against a naive
//! f64 reference over random shapes, dims and non-contiguous views.

use kiln_tensor::{DType, Tensor, tensor};
use proptest::prelude::*;

fn close(got: &[f64], want: &[f64], tol: f64) -> bool {
    got.len() == want.len()
        && got.iter().zip(want).all(|(g, w)| {
            (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= tol * (1.0 + w.abs())
        })
}

#[test]
fn softmax_values() {
    // torch.tensor([[1., 2., 3.], [1000., 1000., 1000.]]).softmax(-1)
    let x = tensor![[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]];
    let want = [
        0.090_030_57,
        0.244_728_48,
        0.665_240_94,
        1.0 / 3.0,
        1.0 / 3.0,
        1.0 / 3.0,
    ];
    assert!(close(&x.softmax(-1).to_vec::<f64>(), &want, 1e-6));
    // .log_softmax(-1) -> [-2.4076, -1.4076, -0.4076], [-1.0986] * 3
    let want_log = [
        -2.407_605_9,
        -1.407_605_9,
        -0.407_605_95,
        -1.098_612_3,
        -1.098_612_3,
        -1.098_612_3,
    ];
    assert!(close(&x.log_softmax(1).to_vec::<f64>(), &want_log, 1e-6));
    // Along dim 0 of the transpose equals along dim 1 of the original.
    assert!(close(&x.t().softmax(0).t().to_vec::<f64>(), &want, 1e-6));
    // 0-d: softmax is 1, log_softmax 0.
    assert_eq!(Tensor::scalar(3.0f32).softmax(0).item::<f32>(), 1.0);
    assert_eq!(Tensor::scalar(3.0f32).log_softmax(-1).item::<f32>(), 0.0);
    assert_eq!(Tensor::zeros([0, 3]).softmax(0).dims(), &[0, 3]);
    // -inf entries get probability 0; a NaN poisons its row only.
    let m = tensor![[0.0, f32::NEG_INFINITY], [f32::NAN, 1.0]];
    let s = m.softmax(-1).to_vec::<f32>();
    assert_eq!(&s[..2], &[1.0, 0.0]);
    assert!(s[2].is_nan() && s[3].is_nan());
}

#[test]
fn softmax_keeps_half_dtypes() {
    let x = tensor![[1.0, 2.0, 3.0]];
    for dtype in [DType::F16, DType::BF16] {
        let y = x.to_dtype(dtype).softmax(-1);
        assert_eq!(y.dtype(), dtype);
        assert!(close(
            &y.to_vec::<f64>(),
            &[0.090_030_57, 0.244_728_48, 0.665_240_94],
            1e-2
        ));
    }
    assert_eq!(x.to_dtype(DType::F64).log_softmax(-1).dtype(), DType::F64);
}

#[test]
fn layer_norm_values_and_stats() {
    // F.layer_norm(torch.tensor([[1., 2., 3.], [2., 4., 8.]]), (3,), w=[1, 2, 3], b=[0, 1, 0])
    let x = tensor![[1.0, 2.0, 3.0], [2.0, 4.0, 8.0]];
    let (w, b) = (tensor![1.0, 2.0, 3.0], tensor![0.0, 1.0, 0.0]);
    let y = x.layer_norm(&[3], Some(&w), Some(&b), 1e-5);
    let want = [
        -1.224_735_6,
        1.0,
        3.674_206_7,
        -1.069_044,
        0.465_478_06,
        4.008_915_9,
    ];
    assert!(
        close(&y.to_vec::<f64>(), &want, 1e-6),
        "{:?}",
        y.to_vec::<f32>()
    );
    let (_, mean, rstd) = x.layer_norm_with_stats(&[3], None, None, 1e-5);
    assert_eq!(mean.dims(), &[2, 1]);
    assert!(close(&mean.to_vec::<f64>(), &[2.0, 14.0 / 3.0], 1e-7));
    // rstd = 1 / sqrt(var + eps): var = 2/3 and 56/9
    let want_rstd = [
        1.0 / (2.0f64 / 3.0 + 1e-5).sqrt(),
        1.0 / (56.0f64 / 9.0 + 1e-5).sqrt(),
    ];
    assert!(close(&rstd.to_vec::<f64>(), &want_rstd, 1e-6));
    // Normalising over both dims.
    let (y2, m2, _) = x.layer_norm_with_stats(&[2, 3], None, None, 1e-5);
    assert_eq!(m2.dims(), &[1, 1]);
    assert!(y2.mean().item::<f32>().abs() < 1e-6);
    // f16 computes in f32 and keeps its dtype; statistics too (as torch.native_layer_norm).
    let (yh, mh, _) = x
        .to_dtype(DType::F16)
        .layer_norm_with_stats(&[3], Some(&w), Some(&b), 1e-5);
    assert_eq!((yh.dtype(), mh.dtype()), (DType::F16, DType::F16));
    assert!(close(&yh.to_vec::<f64>(), &want, 2e-3));
    assert_eq!(
        Tensor::zeros([0, 3])
            .layer_norm(&[3], None, None, 1e-5)
            .dims(),
        &[0, 3]
    );
}

#[test]
#[should_panic(
    expected = "layer_norm: Given normalized_shape=[4], expected input with shape [*, 4], but got input of size [2, 3]"
)]
fn layer_norm_shape_mismatch_panics() {
    Tensor::ones([2, 3]).layer_norm(&[4], None, None, 1e-5);
}

#[test]
#[should_panic(
    expected = "layer_norm: Expected weight to be of same shape as normalized_shape, but got weight of shape [4]"
)]
fn layer_norm_weight_mismatch_panics() {
    Tensor::ones([2, 3]).layer_norm(&[3], Some(&Tensor::ones([4])), None, 1e-5);
}

#[test]
#[should_panic(expected = "softmax: not implemented for int64 tensors")]
fn softmax_of_integers_panics() {
    tensor![1, 2].softmax(0);
}

#[test]
#[should_panic(expected = "log_softmax: dimension 2 out of range")]
fn softmax_bad_dim_panics() {
    Tensor::ones([2, 3]).log_softmax(2);
}

/// Pseudo-random values in `[-scale, scale]` (xorshift).
fn values(seed: u64, n: usize, scale: f64) -> Vec<f32> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (scale * (2.0 * (s >> 11) as f64 / (1u64 << 53) as f64 - 1.0)) as f32
        })
        .collect()
}

/// A tensor of `shape`, contiguous or (for rank >= 2 and `transposed`) a transposed view.
fn build(shape: &[usize], transposed: bool, seed: u64, scale: f64) -> Tensor {
    let n = shape.iter().product();
    if transposed && shape.len() >= 2 {
        let mut s = shape.to_vec();
        let r = s.len();
        s.swap(0, r - 1);
        Tensor::from_vec(values(seed, n, scale), s).transpose(0, -1)
    } else {
        Tensor::from_vec(values(seed, n, scale), shape)
    }
}

/// Naive softmax/log-softmax of row-major `data` of `shape` along `dim`, in f64.
fn softmax_ref(shape: &[usize], data: &[f64], dim: usize, log: bool) -> Vec<f64> {
    let inner: usize = shape[dim + 1..].iter().product();
    let len = shape[dim];
    let mut out = vec![0.0; data.len()];
    for (i, o) in out.iter_mut().enumerate() {
        let pos = (i / inner) % len;
        let start = i - pos * inner;
        let row: Vec<f64> = (0..len).map(|k| data[start + k * inner]).collect();
        let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let s: f64 = row.iter().map(|v| (v - m).exp()).sum();
        *o = if log {
            data[i] - m - s.ln()
        } else {
            (data[i] - m).exp() / s
        };
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn softmax_matches_reference(
        shape in prop::collection::vec(0usize..6, 1..=4),
        transposed in any::<bool>(),
        seed in any::<u64>(),
        pick in any::<u8>(),
        scale in prop::sample::select(vec![1.0, 30.0]),
    ) {
        let x = build(&shape, transposed, seed, scale);
        let data = x.to_vec::<f64>();
        let rank = shape.len();
        let dim = pick as usize % rank;
        let neg = pick & 0x80 != 0;
        let d = if neg { dim as i64 - rank as i64 } else { dim as i64 };
        let got = x.softmax(d);
        prop_assert_eq!(got.dims(), &shape[..]);
        prop_assert!(close(&got.to_vec::<f64>(), &softmax_ref(&shape, &data, dim, false), 2e-6));
        let got = x.log_softmax(d);
        prop_assert!(close(&got.to_vec::<f64>(), &softmax_ref(&shape, &data, dim, true), 2e-6));
    }

    #[test]
    fn layer_norm_matches_reference(
        shape in prop::collection::vec(1usize..6, 1..=4),
        transposed in any::<bool>(),
        seed in any::<u64>(),
        k in 1usize..3,
        affine in any::<bool>(),
    ) {
        let x = build(&shape, transposed, seed, 3.0);
        let k = k.min(shape.len());
        let norm = &shape[shape.len() - k..];
        let n: usize = norm.iter().product();
        let w = Tensor::from_vec(values(seed ^ 1, n, 2.0), norm);
        let b = Tensor::from_vec(values(seed ^ 2, n, 2.0), norm);
        let (wv, bv) = (w.to_vec::<f64>(), b.to_vec::<f64>());
        let (got, mean, rstd) = if affine {
            x.layer_norm_with_stats(norm, Some(&w), Some(&b), 1e-5)
        } else {
            x.layer_norm_with_stats(norm, None, None, 1e-5)
        };
        let data = x.to_vec::<f64>();
        let mut want = vec![0.0; data.len()];
        let (mut want_mean, mut want_rstd) = (Vec::new(), Vec::new());
        for (row, out) in data.chunks(n).zip(want.chunks_mut(n)) {
            let m = row.iter().sum::<f64>() / n as f64;
            let var = row.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n as f64;
            let r = 1.0 / (var + 1e-5).sqrt();
            for (j, (o, v)) in out.iter_mut().zip(row).enumerate() {
                *o = if affine { (v - m) * r * wv[j] + bv[j] } else { (v - m) * r };
            }
            want_mean.push(m);
            want_rstd.push(r);
        }
        prop_assert_eq!(got.dims(), &shape[..]);
        prop_assert!(close(&got.to_vec::<f64>(), &want, 1e-4));
        prop_assert!(close(&mean.to_vec::<f64>(), &want_mean, 1e-5));
        prop_assert!(close(&rstd.to_vec::<f64>(), &want_rstd, 1e-4));
        prop_assert_eq!(mean.dim(), shape.len());
    }
}
