//! Reductions: values and dtypes against PyTorch, error messages, and properties against a
//! naive f64 reference over random shapes (size-0 and size-1 dims, non-contiguous views,
//! negative dims, keepdim both ways).

use kiln_tensor::{DType, Tensor, tensor};
use proptest::prelude::*;

fn close(got: &[f64], want: &[f64], tol: f64) -> bool {
    got.len() == want.len()
        && got.iter().zip(want).all(|(g, w)| {
            (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= tol * (1.0 + w.abs())
        })
}

// ---------- unit tests (expected values from torch 2.x, shown in the comments) ----------

#[test]
fn sum_and_mean_over_dims() {
    // x = torch.arange(6.).reshape(2, 3)
    let x = Tensor::arange(0f32, 6.0, 1.0).reshape(&[2, 3]);
    assert_eq!(x.sum().to_vec::<f32>(), vec![15.0]);
    assert_eq!(x.sum().dims(), &[] as &[usize]);
    assert_eq!(x.sum_dim(&[0], false).to_vec::<f32>(), vec![3.0, 5.0, 7.0]);
    assert_eq!(x.sum_dim(&[-1], true).dims(), &[2, 1]);
    assert_eq!(x.sum_dim(&[-1], true).to_vec::<f32>(), vec![3.0, 12.0]);
    assert_eq!(x.sum_dim(&[], false).to_vec::<f32>(), vec![15.0]);
    assert_eq!(x.sum_dim(&[0, 1], true).dims(), &[1, 1]);
    assert_eq!(x.mean().item::<f32>(), 2.5);
    assert_eq!(x.mean_dim(&[1], false).to_vec::<f32>(), vec![1.0, 4.0]);
    // Over a transposed view: x.t().sum(0) == x.sum(1)
    assert_eq!(x.t().sum_dim(&[0], false).to_vec::<f32>(), vec![3.0, 12.0]);
}

#[test]
fn reductions_of_empty_tensors() {
    let e = Tensor::zeros([0, 3]);
    assert_eq!(e.sum().item::<f32>(), 0.0);
    assert_eq!(e.sum_dim(&[0], false).to_vec::<f32>(), vec![0.0; 3]);
    assert_eq!(e.sum_dim(&[1], false).dims(), &[0]);
    assert!(e.mean().item::<f32>().is_nan());
    assert_eq!(e.prod().item::<f32>(), 1.0);
    assert!(e.all().item::<bool>());
    assert!(!e.any().item::<bool>());
    assert!(e.var(true).item::<f32>().is_nan());
    assert_eq!(
        e.logsumexp(&[0], false).to_vec::<f32>(),
        vec![f32::NEG_INFINITY; 3]
    );
    assert_eq!(e.norm().item::<f32>(), 0.0);
    assert_eq!(e.max_dim(1, false).0.dims(), &[0]);
    assert_eq!(e.cumsum(0).dims(), &[0, 3]);
}

#[test]
fn integer_and_bool_dtypes_follow_pytorch() {
    // torch.tensor([200, 100], dtype=torch.uint8).sum() -> tensor(300)
    let u = Tensor::from_vec(vec![200u8, 100], [2]);
    assert_eq!(u.sum().dtype(), DType::I64);
    assert_eq!(u.sum().item::<i64>(), 300);
    assert_eq!(u.cumsum(0).to_vec::<i64>(), vec![200, 300]);
    let b = Tensor::from_vec(vec![true, true, false], [3]);
    assert_eq!(b.sum().item::<i64>(), 2);
    assert_eq!(b.prod().dtype(), DType::I64);
    assert!(b.max().item::<bool>());
    let i = tensor![[1, 2], [3, 4]];
    assert_eq!(i.prod().item::<i64>(), 24);
    assert_eq!(i.sum_dim(&[0], false).to_vec::<i64>(), vec![4, 6]);
    assert_eq!(i.max().dtype(), DType::I64);
    assert_eq!(i.logsumexp(&[0], false).dtype(), DType::F32);
    // torch.tensor([[1,2],[3,4]]).logsumexp(0) -> tensor([3.1269, 4.1269])
    assert!(close(
        &i.logsumexp(&[0], false).to_vec::<f64>(),
        &[3.126_928, 4.126_928],
        1e-6
    ));
    // Wrapping overflow, like int64 in PyTorch.
    let big = Tensor::from_vec(vec![i64::MAX, 1], [2]);
    assert_eq!(big.sum().item::<i64>(), i64::MIN);
}

#[test]
fn half_precision_accumulates_in_f32() {
    // 4096 ones in f16: a naive f16 accumulator would stop at 2048.
    let h = Tensor::ones([4096]).to_dtype(DType::F16);
    assert_eq!(h.sum().dtype(), DType::F16);
    assert_eq!(h.sum().item::<f32>(), 4096.0);
    let b = Tensor::ones([4096]).to_dtype(DType::BF16);
    assert_eq!(b.mean().item::<f32>(), 1.0);
    assert_eq!(h.var(true).dtype(), DType::F16);
    assert_eq!(h.norm().item::<f32>(), 64.0);
    assert_eq!(h.cumsum(0).dtype(), DType::F16);
}

#[test]
fn long_f32_sums_stay_accurate() {
    // Sum of 2^24 + 1000 values of 1.0: sequential f32 addition would stall at 2^24.
    let n = (1 << 24) + 1000;
    let x = Tensor::ones([n]);
    assert_eq!(x.sum().item::<f32>(), n as f32);
    let x = Tensor::full([3, 1 << 20], 0.1);
    let want = 0.1f32 as f64 * (1 << 20) as f64;
    for v in x.sum_dim(&[1], false).to_vec::<f32>() {
        assert!(((v as f64) - want).abs() / want < 1e-6, "{v} vs {want}");
    }
    let col = Tensor::full([1 << 16, 3], 0.1).sum_dim(&[0], false);
    let want = 0.1f32 as f64 * (1 << 16) as f64;
    for v in col.to_vec::<f32>() {
        assert!(((v as f64) - want).abs() / want < 1e-6, "{v} vs {want}");
    }
}

#[test]
fn var_and_std() {
    // x = torch.tensor([[1., 2., 4.], [2., 3., 7.]])
    let x = tensor![[1.0, 2.0, 4.0], [2.0, 3.0, 7.0]];
    // x.var() -> 4.5666666, x.var(unbiased=False) -> 3.8055556
    assert!(close(&x.var(true).to_vec::<f64>(), &[4.566_666_6], 1e-6));
    assert!(close(&x.var(false).to_vec::<f64>(), &[3.805_555_6], 1e-6));
    // x.std(dim=1) -> [1.5275252, 2.6457512]
    assert!(close(
        &x.std_dim(&[1], true, false).to_vec::<f64>(),
        &[1.527_525_2, 2.645_751_2],
        1e-6
    ));
    assert_eq!(x.var_dim(&[0], false, true).dims(), &[1, 3]);
    assert!(close(
        &x.var_dim(&[0], false, true).to_vec::<f64>(),
        &[0.25, 0.25, 2.25],
        1e-7
    ));
    // A single value: the unbiased variance is NaN, the biased one 0.
    assert!(tensor![5.0].var(true).item::<f32>().is_nan());
    assert_eq!(tensor![5.0].var(false).item::<f32>(), 0.0);
    // A large offset does not destroy precision (two-pass in f64).
    let y = tensor![1e6, 1e6 + 1.0, 1e6 + 2.0];
    assert_eq!(y.var(true).item::<f32>(), 1.0);
}

#[test]
fn max_min_ties_and_nan() {
    // torch.tensor([3., 1., 3.]).max(0) -> values=3., indices=0
    let t = tensor![3.0, 1.0, 3.0];
    let (v, i) = t.max_dim(0, false);
    assert_eq!((v.item::<f32>(), i.item::<i64>()), (3.0, 0));
    assert_eq!(t.argmin().item::<i64>(), 1);
    // torch.tensor([1., nan, 3., nan]).max(0) -> values=nan, indices=1
    let n = tensor![1.0, f32::NAN, 3.0, f32::NAN];
    let (v, i) = n.max_dim(0, false);
    assert!(v.item::<f32>().is_nan());
    assert_eq!(i.item::<i64>(), 1);
    assert!(n.max().item::<f32>().is_nan());
    assert!(n.min().item::<f32>().is_nan());
    assert_eq!(n.argmin().item::<i64>(), 1);
    // torch.tensor([[1, 5], [7, 2]]).argmax() -> 2 (flattened)
    let m = tensor![[1, 5], [7, 2]];
    assert_eq!(m.argmax().item::<i64>(), 2);
    assert_eq!(m.t().argmax().item::<i64>(), 1);
    assert_eq!(m.argmax_dim(1, false).to_vec::<i64>(), vec![1, 0]);
    assert_eq!(m.argmin_dim(0, true).dims(), &[1, 2]);
    assert_eq!(m.argmin_dim(0, true).to_vec::<i64>(), vec![0, 1]);
    let (v, i) = m.min_dim(-1, true);
    assert_eq!(
        (v.to_vec::<i64>(), i.to_vec::<i64>()),
        (vec![1, 2], vec![0, 1])
    );
    assert_eq!(m.max().item::<i64>(), 7);
    assert_eq!(m.min().item::<i64>(), 1);
    // 0-d input: torch.tensor(3.).max(0) -> (3., 0)
    let (v, i) = Tensor::scalar(3.0f32).max_dim(0, false);
    assert_eq!((v.item::<f32>(), i.item::<i64>()), (3.0, 0));
}

#[test]
fn logsumexp_is_stable() {
    // torch.tensor([1000., 1000.]).logsumexp(0) -> 1000.6931
    assert!(close(
        &tensor![1000.0, 1000.0]
            .logsumexp(&[0], false)
            .to_vec::<f64>(),
        &[1_000.693_147],
        1e-7
    ));
    assert_eq!(
        tensor![f32::INFINITY, 1.0]
            .logsumexp(&[0], false)
            .item::<f32>(),
        f32::INFINITY
    );
    let ninf = tensor![f32::NEG_INFINITY, f32::NEG_INFINITY];
    assert_eq!(ninf.logsumexp(&[0], false).item::<f32>(), f32::NEG_INFINITY);
    assert!(
        tensor![1.0, f32::NAN]
            .logsumexp(&[0], false)
            .item::<f32>()
            .is_nan()
    );
}

#[test]
fn norms() {
    let x = tensor![[3.0, -4.0], [0.0, 12.0]];
    assert_eq!(x.norm().item::<f32>(), 13.0);
    assert_eq!(x.norm_p(1.0, &[], false).item::<f32>(), 19.0);
    assert_eq!(x.norm_p(f64::INFINITY, &[], false).item::<f32>(), 12.0);
    assert_eq!(x.norm_p(f64::NEG_INFINITY, &[], false).item::<f32>(), 0.0);
    assert_eq!(x.norm_p(0.0, &[], false).item::<f32>(), 3.0);
    assert_eq!(x.norm_p(2.0, &[1], false).to_vec::<f32>(), vec![5.0, 12.0]);
    assert_eq!(x.norm_p(2.0, &[0], true).dims(), &[1, 2]);
    // torch.ones(2, 3).norm(3) -> 1.8171
    assert!(close(
        &Tensor::ones([2, 3]).norm_p(3.0, &[], false).to_vec::<f64>(),
        &[1.817_120_6],
        1e-6
    ));
    assert!(
        tensor![1.0, f32::NAN]
            .norm_p(f64::INFINITY, &[], false)
            .item::<f32>()
            .is_nan()
    );
}

#[test]
fn all_any_and_cumsum() {
    let x = tensor![[1.0, 0.0], [2.0, 3.0]];
    assert!(!x.all().item::<bool>());
    assert!(x.any().item::<bool>());
    assert_eq!(x.all_dim(&[1], false).to_vec::<bool>(), vec![false, true]);
    assert_eq!(x.any_dim(&[0], true).to_vec::<bool>(), vec![true, true]);
    assert_eq!(x.all().dtype(), DType::Bool);
    // NaN is truthy: torch.tensor([1., nan]).all() -> True
    assert!(tensor![1.0, f32::NAN].all().item::<bool>());
    assert_eq!(x.cumsum(0).to_vec::<f32>(), vec![1.0, 0.0, 3.0, 3.0]);
    assert_eq!(x.cumsum(-1).to_vec::<f32>(), vec![1.0, 1.0, 2.0, 5.0]);
    assert_eq!(x.t().cumsum(1).to_vec::<f32>(), vec![1.0, 3.0, 0.0, 3.0]);
    assert_eq!(
        tensor![true, false, true].cumsum(0).to_vec::<i64>(),
        vec![1, 1, 2]
    );
    assert_eq!(Tensor::scalar(3.0f32).cumsum(0).item::<f32>(), 3.0);
}

#[test]
#[should_panic(
    expected = "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long"
)]
fn mean_of_integers_panics() {
    tensor![1, 2].mean();
}

#[test]
#[should_panic(expected = "max(): Expected reduction dim to be specified for input.numel() == 0")]
fn max_of_empty_panics() {
    Tensor::zeros([0, 3]).max();
}

#[test]
#[should_panic(expected = "max(): Expected reduction dim 0 to have non-zero size")]
fn max_dim_over_empty_dim_panics() {
    Tensor::zeros([0, 3]).max_dim(0, false);
}

#[test]
#[should_panic(
    expected = "argmax(): Expected reduction dim to be specified for input.numel() == 0"
)]
fn argmax_of_empty_panics() {
    Tensor::zeros([0]).argmax();
}

#[test]
#[should_panic(expected = "sum: dim 1 appears multiple times in the list of dims")]
fn repeated_dims_panic() {
    Tensor::ones([2, 3]).sum_dim(&[1, -1], false);
}

#[test]
#[should_panic(expected = "sum: dimension 2 out of range")]
fn out_of_range_dim_panics() {
    Tensor::ones([2, 3]).sum_dim(&[2], false);
}

#[test]
#[should_panic(expected = "std and var only support floating point and complex dtypes")]
fn var_of_integers_panics() {
    tensor![1, 2].var(true);
}

#[test]
#[should_panic(
    expected = "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"
)]
fn norm_of_integers_panics() {
    tensor![1, 2].norm();
}

#[test]
#[should_panic(expected = "cannot compute the inf norm on an empty tensor")]
fn inf_norm_of_empty_dim_panics() {
    Tensor::zeros([0, 3]).norm_p(f64::INFINITY, &[0], false);
}

// ---------- properties against a naive f64 reference ----------

/// A deterministic pseudo-random stream (xorshift) for tensor values.
fn values(seed: u64, n: usize, lo: f64, hi: f64) -> Vec<f32> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (lo + (hi - lo) * ((s >> 11) as f64 / (1u64 << 53) as f64)) as f32
        })
        .collect()
}

/// Builds a tensor of `shape` and `dtype` that is contiguous (`view == 0`), a transposed view
/// (1), a narrowed view (2) or an expanded view (3). With `round` the values are integers, so
/// that ties occur.
fn build(
    shape: &[usize],
    view: u8,
    seed: u64,
    (lo, hi): (f64, f64),
    dtype: DType,
    round: bool,
) -> Tensor {
    let rank = shape.len();
    let base = |s: Vec<usize>| {
        let mut v = values(seed, s.iter().product(), lo, hi);
        if round {
            v.iter_mut().for_each(|x| *x = x.round());
        }
        Tensor::from_vec(v, s).to_dtype(dtype)
    };
    match view {
        1 if rank >= 2 => {
            let mut s = shape.to_vec();
            s.swap(0, rank - 1);
            base(s).transpose(0, -1)
        }
        2 if rank >= 1 => {
            let mut s = shape.to_vec();
            s[rank - 1] += 2;
            base(s).narrow(rank - 1, 1, shape[rank - 1])
        }
        3 if rank >= 1 => {
            let mut s = shape.to_vec();
            s[0] = 1;
            base(s).broadcast_to(shape)
        }
        _ => base(shape.to_vec()),
    }
}

/// Groups the row-major `data` of `shape` by output position for the reduced `mask`; each
/// group lists its values in row-major order. Also returns the output shape.
fn groups(
    shape: &[usize],
    data: &[f64],
    mask: &[bool],
    keepdim: bool,
) -> (Vec<usize>, Vec<Vec<f64>>) {
    let out_dims: Vec<usize> = shape
        .iter()
        .zip(mask)
        .map(|(&d, &m)| if m { 1 } else { d })
        .collect();
    let n_out: usize = out_dims.iter().product();
    let mut out = vec![Vec::new(); n_out];
    for (flat, &v) in data.iter().enumerate() {
        let (mut rem, mut o, mut stride) = (flat, 0, 1);
        for d in (0..shape.len()).rev() {
            let i = rem % shape[d];
            rem /= shape[d];
            if !mask[d] {
                o += i * stride;
            }
            stride *= out_dims[d];
        }
        out[o].push(v);
    }
    let shape_out = if keepdim {
        out_dims
    } else {
        shape
            .iter()
            .zip(mask)
            .filter(|(_, m)| !**m)
            .map(|(d, _)| *d)
            .collect()
    };
    (shape_out, out)
}

/// Random reduced dims for a tensor of rank `rank` from `bits`: bit `i` picks dim `i`, bit
/// `i + 4` spells it negatively. No dim at all means "all dims", as PyTorch's `dim=[]`.
fn pick_dims(rank: usize, bits: u8) -> (Vec<i64>, Vec<bool>) {
    let mut dims = Vec::new();
    let mut mask = vec![false; rank];
    for (i, m) in mask.iter_mut().enumerate() {
        if bits >> i & 1 == 1 {
            *m = true;
            dims.push(if bits >> (i + 4) & 1 == 1 {
                i as i64 - rank as i64
            } else {
                i as i64
            });
        }
    }
    if dims.is_empty() {
        mask = vec![true; rank];
    }
    (dims, mask)
}

fn case() -> impl Strategy<Value = (Vec<usize>, u8, u64, u8, bool)> {
    (
        prop::collection::vec(0usize..5, 0..=4),
        0u8..4,
        any::<u64>(),
        any::<u8>(),
        any::<bool>(),
    )
}

fn sum_ref(g: &[f64]) -> f64 {
    g.iter().sum()
}

fn var_ref(g: &[f64], correction: f64) -> f64 {
    let mean = sum_ref(g) / g.len() as f64;
    g.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (g.len() as f64 - correction).max(0.0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn dim_reductions_match_reference((shape, view, seed, bits, keepdim) in case()) {
        let x = build(&shape, view, seed, (-3.0, 3.0), DType::F32, false);
        let data = x.to_vec::<f64>();
        let (dims, mask) = pick_dims(shape.len(), bits);
        let (out_shape, g) = groups(&shape, &data, &mask, keepdim);
        let scale = 1.0 + data.iter().map(|v| v.abs()).sum::<f64>();
        let checks: Vec<(&str, Tensor, Vec<f64>, f64)> = vec![
            ("sum", x.sum_dim(&dims, keepdim), g.iter().map(|g| sum_ref(g)).collect(), 1e-6 * scale),
            ("mean", x.mean_dim(&dims, keepdim), g.iter().map(|g| sum_ref(g) / g.len() as f64).collect(), 1e-5),
            ("var", x.var_dim(&dims, true, keepdim), g.iter().map(|g| var_ref(g, 1.0)).collect(), 1e-5),
            ("std0", x.std_dim(&dims, false, keepdim), g.iter().map(|g| var_ref(g, 0.0).sqrt()).collect(), 1e-5),
            ("logsumexp", x.logsumexp(&dims, keepdim),
                g.iter().map(|g| g.iter().map(|v| v.exp()).sum::<f64>().ln()).collect(), 1e-5),
            ("norm2", x.norm_p(2.0, &dims, keepdim), g.iter().map(|g| g.iter().map(|v| v * v).sum::<f64>().sqrt()).collect(), 1e-5),
            ("norm1", x.norm_p(1.0, &dims, keepdim), g.iter().map(|g| g.iter().map(|v| v.abs()).sum::<f64>()).collect(), 1e-5),
            ("norm3", x.norm_p(3.0, &dims, keepdim), g.iter().map(|g| g.iter().map(|v| v.abs().powi(3)).sum::<f64>().cbrt()).collect(), 1e-5),
            ("any", x.gt_scalar(2.5).any_dim(&dims, keepdim), g.iter().map(|g| f64::from(u8::from(g.iter().any(|v| *v > 2.5)))).collect(), 0.0),
            ("all", x.gt_scalar(-2.5).all_dim(&dims, keepdim), g.iter().map(|g| f64::from(u8::from(g.iter().all(|v| *v > -2.5)))).collect(), 0.0),
        ];
        for (name, got, want, tol) in checks {
            prop_assert_eq!(got.dims(), &out_shape[..], "{}", name);
            prop_assert!(close(&got.to_vec::<f64>(), &want, tol), "{}: {:?} vs {:?}", name, got.to_vec::<f64>(), want);
        }
        if g.iter().all(|g| !g.is_empty()) && !data.is_empty() {
            let inf = x.norm_p(f64::INFINITY, &dims, keepdim);
            let want: Vec<f64> = g.iter().map(|g| g.iter().fold(0.0, |a: f64, v| a.max(v.abs()))).collect();
            prop_assert!(close(&inf.to_vec::<f64>(), &want, 0.0));
        }
    }

    #[test]
    fn products_and_integer_sums_match_reference((shape, view, seed, bits, keepdim) in case()) {
        let x = build(&shape, view, seed, (0.5, 1.5), DType::F32, false);
        let data = x.to_vec::<f64>();
        let (dims, mask) = pick_dims(shape.len(), bits);
        let (_, g) = groups(&shape, &data, &mask, keepdim);
        if !shape.is_empty() {
            let d = dims.first().copied().unwrap_or(0);
            let m1: Vec<bool> = (0..shape.len()).map(|i| i as i64 == d.rem_euclid(shape.len() as i64)).collect();
            let (_, g1) = groups(&shape, &data, &m1, keepdim);
            let want: Vec<f64> = g1.iter().map(|g| g.iter().product()).collect();
            prop_assert!(close(&x.prod_dim(d, keepdim).to_vec::<f64>(), &want, 1e-5));
        }
        let ints = build(&shape, view, seed, (-50.0, 50.0), DType::I64, true);
        let idata = ints.to_vec::<f64>();
        let (_, gi) = groups(&shape, &idata, &mask, keepdim);
        let got = ints.sum_dim(&dims, keepdim);
        prop_assert_eq!(got.dtype(), DType::I64);
        prop_assert_eq!(got.to_vec::<f64>(), gi.iter().map(|g| sum_ref(g)).collect::<Vec<_>>());
        prop_assert!(close(&x.prod().to_vec::<f64>(), &[g.iter().flatten().product()], 1e-5));
    }

    #[test]
    fn max_min_and_args_match_reference((shape, view, seed, bits, keepdim) in case()) {
        // Values rounded to a grid so that ties happen.
        let x = build(&shape, view, seed, (-6.0, 6.0), DType::F32, true);
        let data = x.to_vec::<f64>();
        let rank = shape.len();
        let d = if rank == 0 { 0 } else { (bits as usize % rank) as i64 - if bits & 0x80 != 0 { rank as i64 } else { 0 } };
        let m1: Vec<bool> = (0..rank).map(|i| i as i64 == d.rem_euclid(rank.max(1) as i64)).collect();
        if rank > 0 && shape[d.rem_euclid(rank as i64) as usize] == 0 {
            return Ok(());
        }
        let (out_shape, g) = groups(&shape, &data, &m1, keepdim);
        let first_max: Vec<(f64, f64)> = g.iter().map(|g| {
            let i = (0..g.len()).fold(0, |b, i| if g[i] > g[b] { i } else { b });
            (g[i], i as f64)
        }).collect();
        let first_min: Vec<(f64, f64)> = g.iter().map(|g| {
            let i = (0..g.len()).fold(0, |b, i| if g[i] < g[b] { i } else { b });
            (g[i], i as f64)
        }).collect();
        let (v, i) = x.max_dim(d, keepdim);
        prop_assert_eq!(v.dims(), &out_shape[..]);
        prop_assert_eq!(v.to_vec::<f64>(), first_max.iter().map(|p| p.0).collect::<Vec<_>>());
        prop_assert_eq!(i.to_vec::<f64>(), first_max.iter().map(|p| p.1).collect::<Vec<_>>());
        let (v, i) = x.min_dim(d, keepdim);
        prop_assert_eq!(v.to_vec::<f64>(), first_min.iter().map(|p| p.0).collect::<Vec<_>>());
        prop_assert_eq!(i.to_vec::<f64>(), first_min.iter().map(|p| p.1).collect::<Vec<_>>());
        prop_assert_eq!(x.argmax_dim(d, keepdim).to_vec::<f64>(), first_max.iter().map(|p| p.1).collect::<Vec<_>>());
        if !data.is_empty() {
            let best = (0..data.len()).fold(0, |b, i| if data[i] > data[b] { i } else { b });
            prop_assert_eq!(x.argmax().item::<i64>(), best as i64);
            prop_assert_eq!(x.max().item::<f64>(), data[best]);
            let least = (0..data.len()).fold(0, |b, i| if data[i] < data[b] { i } else { b });
            prop_assert_eq!(x.argmin().item::<i64>(), least as i64);
            prop_assert_eq!(x.min().item::<f64>(), data[least]);
        }
    }

    #[test]
    fn cumsum_matches_reference((shape, view, seed, bits, _keepdim) in case()) {
        let x = build(&shape, view, seed, (-3.0, 3.0), DType::F32, false);
        let rank = shape.len();
        let d = if rank == 0 { 0 } else { bits as usize % rank };
        let data = x.to_vec::<f64>();
        let inner: usize = shape.get(d + 1..).map_or(1, |s| s.iter().product());
        let len = shape.get(d).copied().unwrap_or(1);
        let mut want = data.clone();
        for (i, w) in want.iter_mut().enumerate() {
            let pos = (i / inner.max(1)) % len.max(1);
            *w = (0..=pos).map(|k| data[i - (pos - k) * inner]).sum();
        }
        let got = x.cumsum(d as i64 - rank as i64 * i64::from(bits & 0x80 != 0 && rank > 0));
        prop_assert_eq!(got.dims(), &shape[..]);
        prop_assert!(close(&got.to_vec::<f64>(), &want, 1e-6));
    }
}
