//! `matmul` and friends against a naive f64 triple loop: every rank combination PyTorch
//! allows, broadcast batch dims, size-0/size-1 dims, strided operands, every dtype.

use half::{bf16, f16};
use kiln_tensor::{DType, Generator, Tensor};
use proptest::prelude::*;

/// PyTorch's `matmul` written out with index arithmetic: returns the result's shape, its
/// elements, and for each element `Σ |a·b|` (the scale of its rounding error).
fn naive(a: &[f64], sa: &[usize], b: &[f64], sb: &[usize]) -> (Vec<usize>, Vec<f64>, Vec<f64>) {
    let pa: Vec<usize> = if sa.len() == 1 {
        vec![1, sa[0]]
    } else {
        sa.to_vec()
    };
    let pb: Vec<usize> = if sb.len() == 1 {
        vec![sb[0], 1]
    } else {
        sb.to_vec()
    };
    let (ra, rb) = (pa.len(), pb.len());
    let (m, k, n) = (pa[ra - 2], pa[ra - 1], pb[rb - 1]);
    assert_eq!(k, pb[rb - 2]);
    let nb = (ra - 2).max(rb - 2);
    // Batch dims right-aligned; a missing dim counts as size 1.
    let bdim = |s: &[usize], r: usize, i: usize| {
        if i + r - 2 >= nb {
            s[i + r - 2 - nb]
        } else {
            1
        }
    };
    let batch: Vec<usize> = (0..nb)
        .map(|i| {
            if bdim(&pa, ra, i) == 1 {
                bdim(&pb, rb, i)
            } else {
                bdim(&pa, ra, i)
            }
        })
        .collect();
    let total: usize = batch.iter().product();
    let (mut out, mut scale) = (Vec::new(), Vec::new());
    for t in 0..total {
        // Unravel t, then map into each operand (size-1 dims repeat).
        let (mut rem, mut ia, mut ib, mut sta, mut stb) = (t, 0, 0, m * k, k * n);
        for i in (0..nb).rev() {
            let idx = rem % batch[i];
            rem /= batch[i];
            let (da, db) = (bdim(&pa, ra, i), bdim(&pb, rb, i));
            ia += if da == 1 { 0 } else { idx * sta };
            ib += if db == 1 { 0 } else { idx * stb };
            sta *= da;
            stb *= db;
        }
        for i in 0..m {
            for j in 0..n {
                let (mut s, mut abs) = (0.0, 0.0);
                for p in 0..k {
                    let x = a[ia + i * k + p] * b[ib + p * n + j];
                    s += x;
                    abs += x.abs();
                }
                out.push(s);
                scale.push(abs);
            }
        }
    }
    let mut shape = batch;
    if sa.len() > 1 {
        shape.push(m);
    }
    if sb.len() > 1 {
        shape.push(n);
    }
    (shape, out, scale)
}

/// A random tensor of `shape` with small integer values (so products are exact in every
/// dtype), laid out as: 0 contiguous, 1 the last two dims stored transposed, 2 narrowed out of
/// a wider tensor, 3 dim 0 expanded from size 1 (stride 0). The reference reads the values back
/// through `to_vec`, so each layout may hold different values.
fn operand(shape: &[usize], how: u8, dtype: DType, g: &mut Generator) -> Tensor {
    let fill = |s: &[usize], g: &mut Generator| {
        let n: usize = s.iter().product();
        Tensor::from_vec(
            (0..n).map(|_| g.int_in(-3, 4) as f64).collect::<Vec<f64>>(),
            s,
        )
        .to_dtype(dtype)
    };
    let r = shape.len();
    let mut base = shape.to_vec();
    match how {
        1 if r >= 2 => {
            base.swap(r - 2, r - 1);
            fill(&base, g).transpose(-1, -2)
        }
        2 => {
            base[r - 1] += 2;
            fill(&base, g).narrow(-1, 1, shape[r - 1])
        }
        3 => {
            base[0] = 1;
            fill(&base, g).broadcast_to(shape)
        }
        _ => fill(shape, g),
    }
}

/// Shapes for `matmul`: the full batch shape, each operand's rank (1..=4), with some batch
/// dims dropped to 1 so they broadcast.
fn shapes() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    (
        1usize..=4,
        1usize..=4,
        0usize..=4,
        0usize..=4,
        0usize..=4,
        prop::collection::vec(0usize..=3, 2),
        any::<[bool; 4]>(),
    )
        .prop_map(|(ra, rb, m, n, k, batch, ones)| {
            let mk = |r: usize, last: [usize; 2], ones: &[bool]| -> Vec<usize> {
                let nb = r.saturating_sub(2);
                let mut s: Vec<usize> = batch[2 - nb..]
                    .iter()
                    .zip(ones)
                    .map(|(&d, &one)| if one { 1 } else { d })
                    .collect();
                if r == 1 {
                    s.push(k);
                } else {
                    s.extend(last);
                }
                s
            };
            (mk(ra, [m, k], &ones[..2]), mk(rb, [k, n], &ones[2..]))
        })
}

fn check_against_naive(a: &Tensor, b: &Tensor, tol: impl Fn(f64) -> f64) {
    let c = a.matmul(b);
    let (shape, want, scale) = naive(&a.to_vec::<f64>(), a.dims(), &b.to_vec::<f64>(), b.dims());
    assert_eq!(
        c.dims(),
        &shape[..],
        "shape of {:?} @ {:?}",
        a.dims(),
        b.dims()
    );
    assert_eq!(c.dtype(), a.dtype());
    for (i, ((got, want), scale)) in c
        .to_vec::<f64>()
        .into_iter()
        .zip(want)
        .zip(scale)
        .enumerate()
    {
        assert!(
            (got - want).abs() <= tol(scale),
            "{:?} @ {:?}: element {i}: {got} vs {want}",
            a.dims(),
            b.dims()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn matches_naive_for_every_rank_and_layout(
        (sa, sb) in shapes(), how_a in 0u8..4, how_b in 0u8..4, seed in any::<u64>(),
        dtype in prop::sample::select(vec![DType::F32, DType::F64, DType::I64]),
    ) {
        let mut g = Generator::new(seed);
        let a = operand(&sa, how_a, dtype, &mut g);
        let b = operand(&sb, how_b, dtype, &mut g);
        // Small integers: every dtype computes these exactly.
        check_against_naive(&a, &b, |_| 0.0);
    }

    #[test]
    fn random_floats_within_rounding(
        m in 1usize..40, n in 1usize..40, k in 1usize..80, transpose in any::<(bool, bool)>(), seed in any::<u64>(),
    ) {
        let mut g = Generator::new(seed);
        let a = Tensor::rand_from(if transpose.0 { [k, m] } else { [m, k] }, DType::F32, &kiln_tensor::Device::Cpu, &mut g);
        let b = Tensor::randn_from(if transpose.1 { [n, k] } else { [k, n] }, DType::F32, &kiln_tensor::Device::Cpu, &mut g);
        let a = if transpose.0 { a.t() } else { a };
        let b = if transpose.1 { b.t() } else { b };
        check_against_naive(&a, &b, |scale| 4.0 * k as f64 * f32::EPSILON as f64 * scale + 1e-30);
        let a64 = a.to_dtype(DType::F64);
        let b64 = b.to_dtype(DType::F64);
        check_against_naive(&a64, &b64, |scale| 4.0 * k as f64 * f64::EPSILON * scale + 1e-300);
    }

    #[test]
    fn half_precision_accumulates_in_f32(m in 1usize..12, n in 1usize..12, k in 1usize..300, seed in any::<u64>()) {
        let mut g = Generator::new(seed);
        let cpu = kiln_tensor::Device::Cpu;
        for (dtype, unit) in [(DType::F16, f16::EPSILON.to_f64()), (DType::BF16, bf16::EPSILON.to_f64())] {
            let a = Tensor::randn_from([m, k], DType::F32, &cpu, &mut g).to_dtype(dtype);
            let b = Tensor::randn_from([n, k], DType::F32, &cpu, &mut g).to_dtype(dtype).t();
            let c = a.matmul(&b);
            let (_, want, scale) = naive(&a.to_vec::<f64>(), a.dims(), &b.to_vec::<f64>(), b.dims());
            prop_assert_eq!(c.dtype(), dtype);
            for (got, (want, scale)) in c.to_vec::<f64>().into_iter().zip(want.into_iter().zip(scale)) {
                // One rounding to the half type (unit/2 relative) after an f32 sum; a half-type
                // accumulator would be off by about k·unit·scale instead.
                let tol = unit / 2.0 * want.abs() + 2.0 * k as f64 * f32::EPSILON as f64 * scale + 6e-8;
                prop_assert!((got - want).abs() <= tol, "{:?} {} vs {}", dtype, got, want);
            }
        }
    }
}

#[test]
fn result_shapes_follow_pytorch() {
    let z = |s: &[usize]| Tensor::zeros(s);
    let cases: [(&[usize], &[usize], &[usize]); 8] = [
        (&[3], &[3], &[]),
        (&[2, 3], &[3], &[2]),
        (&[3], &[3, 4], &[4]),
        (&[10, 3, 4], &[4], &[10, 3]),
        (&[4], &[10, 4, 5], &[10, 5]),
        (&[10, 3, 4], &[10, 4, 5], &[10, 3, 5]),
        (&[10, 3, 4], &[4, 5], &[10, 3, 5]),
        (&[7, 1, 3, 4], &[5, 4, 2], &[7, 5, 3, 2]),
    ];
    for (a, b, out) in cases {
        assert_eq!(z(a).matmul(&z(b)).dims(), out, "{a:?} @ {b:?}");
    }
}

#[test]
fn dot_outer_mm_bmm() {
    let a = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], [3]);
    let b = Tensor::from_vec(vec![4.0f32, 5.0, 6.0], [3]);
    let d = a.dot(&b);
    assert_eq!(d.dim(), 0);
    assert_eq!(d.item::<f32>(), 32.0);
    let o = a.outer(&Tensor::from_vec(vec![1i64, -1], [2]));
    assert_eq!((o.dims(), o.dtype()), (&[3, 2][..], DType::F32));
    assert_eq!(o.to_vec::<f32>(), vec![1.0, -1.0, 2.0, -2.0, 3.0, -3.0]);
    let m = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]);
    assert_eq!(m.mm(&m.t()).to_vec::<f32>(), vec![14.0, 32.0, 32.0, 77.0]);
    let batch = m.unsqueeze(0).expand(&[4, 2, 3]);
    let bb = batch.bmm(&batch.transpose(1, 2));
    assert_eq!(bb.dims(), &[4, 2, 2]);
    assert_eq!(
        bb.select(0, 3).to_vec::<f32>(),
        vec![14.0, 32.0, 32.0, 77.0]
    );
}

#[test]
fn seeds_matrix_powers_stay_integer() {
    // torch.matrix_power(torch.tensor([[1, 1], [1, 0]]), k) for k = 0..=4
    let a = Tensor::from_vec(vec![1i64, 1, 1, 0], [2, 2]);
    let expected: [[i64; 4]; 5] = [
        [1, 0, 0, 1],
        [1, 1, 1, 0],
        [2, 1, 1, 1],
        [3, 2, 2, 1],
        [5, 3, 3, 2],
    ];
    for (k, want) in expected.iter().enumerate() {
        let p = a.matrix_power(k as u32);
        assert_eq!(p.dtype(), DType::I64);
        assert_eq!(p.to_vec::<i64>(), want.to_vec(), "power {k}");
    }
    // Fibonacci: [[1,1],[1,0]]^n = [[F(n+1), F(n)], [F(n), F(n-1)]].
    assert_eq!(a.matrix_power(50).to_vec::<i64>()[1], 12_586_269_025);
}

#[test]
fn matrix_power_batched_and_float() {
    let a = Tensor::from_vec(vec![0.5f64, 0.0, 0.0, 2.0, 1.0, 1.0, 0.0, 1.0], [2, 2, 2]);
    assert_eq!(
        a.matrix_power(0).to_vec::<f64>(),
        vec![1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0]
    );
    assert_eq!(
        a.matrix_power(3).to_vec::<f64>(),
        vec![0.125, 0.0, 0.0, 8.0, 1.0, 3.0, 0.0, 1.0]
    );
    let big = Tensor::rand([5, 5]).to_dtype(DType::F64);
    let by_hand = big
        .matmul(&big)
        .matmul(&big)
        .matmul(&big)
        .matmul(&big)
        .matmul(&big)
        .matmul(&big);
    let fast = big.matrix_power(7);
    for (x, y) in fast
        .to_vec::<f64>()
        .into_iter()
        .zip(by_hand.to_vec::<f64>())
    {
        assert!((x - y).abs() <= 1e-12 * y.abs().max(1.0), "{x} vs {y}");
    }
}

/// Large enough for the threaded paths: one big product, a batch of small products run in
/// parallel, and a batch folded into one tall product (`[b, s, d] @ [d, e]`).
#[test]
fn threaded_and_folded_paths() {
    let mut g = Generator::new(7);
    let cpu = kiln_tensor::Device::Cpu;
    let tol = |s: f64| 1e-5 * s + 1e-30;
    let a = Tensor::randn_from([97, 70], DType::F32, &cpu, &mut g);
    let b = Tensor::randn_from([70, 81], DType::F32, &cpu, &mut g);
    check_against_naive(&a, &b, tol);
    check_against_naive(&a.t().contiguous().t(), &b.t().contiguous().t(), tol);
    let a = Tensor::randn_from([600, 8, 9], DType::F32, &cpu, &mut g);
    let b = Tensor::randn_from([600, 9, 7], DType::F32, &cpu, &mut g);
    check_against_naive(&a, &b.transpose(1, 2).contiguous().transpose(1, 2), tol);
    let x = Tensor::randn_from([3, 40, 64], DType::F32, &cpu, &mut g);
    let w = Tensor::randn_from([48, 64], DType::F32, &cpu, &mut g);
    check_against_naive(&x, &w.t(), tol);
    check_against_naive(&x.narrow(1, 5, 30), &w.t(), tol);
    // Batches of products above the threading threshold (64³ multiply-adds each): a batch the
    // threads share evenly runs one product per thread, an uneven small batch splits each
    // product across the threads, a long uneven batch runs one product per thread again.
    for batch in [2, 3, 9] {
        let a = Tensor::randn_from([batch, 70, 66], DType::F32, &cpu, &mut g);
        let b = Tensor::randn_from([1, 66, 61], DType::F32, &cpu, &mut g);
        check_against_naive(&a, &b, tol);
        check_against_naive(&a.transpose(1, 2).contiguous().transpose(1, 2), &b, tol);
    }
}

#[test]
fn integer_products_wrap_like_pytorch() {
    let big = Tensor::from_vec(vec![i64::MAX, 2], [1, 2]);
    let two = Tensor::from_vec(vec![2i64, 1], [2, 1]);
    assert_eq!(
        big.matmul(&two).to_vec::<i64>(),
        vec![i64::MAX.wrapping_mul(2).wrapping_add(2)]
    );
    let u = Tensor::from_vec(vec![200u8, 100], [2]);
    assert_eq!(u.dot(&u).item::<u8>(), (40000u32 + 10000) as u8);
}

#[test]
#[should_panic(expected = "matmul: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)")]
fn inner_dims_must_agree() {
    Tensor::zeros([2, 3]).matmul(&Tensor::zeros([4, 5]));
}

#[test]
#[should_panic(expected = "matmul: shapes [3] and [4] cannot be multiplied (3 != 4)")]
fn vector_lengths_must_agree() {
    Tensor::zeros([3]).matmul(&Tensor::zeros([4]));
}

#[test]
#[should_panic(
    expected = "matmul: both arguments need to be at least 1-D, got shapes [] and [2, 3]"
)]
fn zero_dim_operands_are_rejected() {
    Tensor::scalar(1.0f32).matmul(&Tensor::zeros([2, 3]));
}

#[test]
#[should_panic(
    expected = "matmul: shapes [2, 2, 3] and [3, 3, 4] cannot be multiplied (batch dims [2] and [3] cannot be broadcast together)"
)]
fn batch_dims_must_broadcast() {
    Tensor::zeros([2, 2, 3]).matmul(&Tensor::zeros([3, 3, 4]));
}

#[test]
#[should_panic(
    expected = "matmul: expected both tensors to have the same dtype, got float32 and float64"
)]
fn dtypes_must_match() {
    Tensor::zeros([2, 2]).matmul(&Tensor::zeros([2, 2]).to_dtype(DType::F64));
}

#[test]
#[should_panic(expected = "matmul: not supported for bool tensors")]
fn bool_is_rejected() {
    let t = Tensor::zeros([2, 2]).to_dtype(DType::Bool);
    t.matmul(&t);
}

#[test]
#[should_panic(expected = "mm: expected 2-D tensors, got shapes [3] and [3, 2]")]
fn mm_wants_matrices() {
    Tensor::zeros([3]).mm(&Tensor::zeros([3, 2]));
}

#[test]
#[should_panic(
    expected = "bmm: expected 3-D tensors with the same batch size, got shapes [2, 2, 3] and [1, 3, 4]"
)]
fn bmm_does_not_broadcast() {
    Tensor::zeros([2, 2, 3]).bmm(&Tensor::zeros([1, 3, 4]));
}

#[test]
#[should_panic(
    expected = "dot: expected two 1-D tensors of the same length, got shapes [3] and [4]"
)]
fn dot_wants_equal_lengths() {
    Tensor::zeros([3]).dot(&Tensor::zeros([4]));
}

#[test]
#[should_panic(expected = "outer: expected 1-D tensors, got shapes [2, 3] and [4]")]
fn outer_wants_vectors() {
    Tensor::zeros([2, 3]).outer(&Tensor::zeros([4]));
}

#[test]
#[should_panic(
    expected = "matrix_power: expected a square matrix or a batch of square matrices, got shape [2, 3]"
)]
fn matrix_power_wants_square() {
    Tensor::zeros([2, 3]).matrix_power(2);
}
