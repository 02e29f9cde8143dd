//! `cat` and `stack`: torch parity on fixed inputs (`fixtures/index.json`), a naive reference
//! over random shapes and strided views, and the panics for bad input.

mod index_support;

use index_support::{assert_same, cases, lcg, unravel, view_of};
use kiln_tensor::{DType, Tensor, tensor};
use proptest::prelude::*;

#[test]
fn cat_and_stack_match_torch() {
    for case in cases(&["cat", "stack"]) {
        let dim = case.args["dim"].as_i64().expect("dim");
        let out = match case.op.as_str() {
            "cat" => Tensor::cat(&case.inputs, dim),
            _ => Tensor::stack(&case.inputs, dim),
        };
        assert_same(&out, &case.expected, &case.name);
    }
}

#[test]
fn cat_takes_owned_or_borrowed_tensors() {
    let a = tensor![[1, 2], [3, 4]];
    let b = tensor![[5, 6]];
    let owned = Tensor::cat(&[a.clone(), b.clone()], 0usize);
    let borrowed = Tensor::cat(&[&a, &b], 0usize);
    assert_eq!(owned.dims(), &[3, 2]);
    assert_eq!(owned.to_vec::<i64>(), vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(borrowed.to_vec::<i64>(), owned.to_vec::<i64>());
    let along1 = Tensor::cat(&[&a, &a], -1i64);
    assert_eq!(along1.to_vec::<i64>(), vec![1, 2, 1, 2, 3, 4, 3, 4]);
}

#[test]
fn cat_keeps_every_dtype() {
    for dtype in DType::ALL {
        let a = tensor![[1, 0], [1, 1]].to_dtype(dtype);
        let b = tensor![[0, 1]].to_dtype(dtype);
        let out = Tensor::cat(&[&a, &b], 0usize);
        assert_eq!(out.dtype(), dtype);
        assert_eq!(
            out.to_vec::<f64>(),
            vec![1.0, 0.0, 1.0, 1.0, 0.0, 1.0],
            "{dtype}"
        );
        let s = Tensor::stack(&[&a, &a], 2usize);
        assert_eq!(s.dims(), &[2, 2, 2]);
        assert_eq!(
            s.to_vec::<f64>(),
            vec![1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0],
            "{dtype}"
        );
    }
}

#[test]
fn cat_of_only_empty_vectors_is_empty() {
    let e = Tensor::zeros([0]);
    let out = Tensor::cat(&[&e, &e.to_dtype(DType::F64)], 1usize);
    assert_eq!(out.dims(), &[0]);
    assert_eq!(out.dtype(), DType::F64);
}

#[test]
fn cat_large_runs_in_parallel_and_matches_small_pieces() {
    // Above the parallel threshold, for both dims, checked against per-row assembly.
    let a = view_of(&[64, 300], 0, 0.0);
    let b = view_of(&[64, 700], 1, 1.0e5);
    let out = Tensor::cat(&[&a, &b], 1usize);
    let (va, vb, vo) = (a.to_vec::<f32>(), b.to_vec::<f32>(), out.to_vec::<f32>());
    for r in 0..64 {
        assert_eq!(&vo[r * 1000..r * 1000 + 300], &va[r * 300..(r + 1) * 300]);
        assert_eq!(
            &vo[r * 1000 + 300..(r + 1) * 1000],
            &vb[r * 700..(r + 1) * 700]
        );
    }
    let rows = Tensor::cat(&[&a.t(), &b.t()], 0usize);
    assert_eq!(rows.dims(), &[1000, 64]);
    assert_eq!(rows.t().contiguous().to_vec::<f32>(), vo);
}

#[test]
#[should_panic(expected = "cat: expected a non-empty list of tensors")]
fn cat_rejects_empty_list() {
    Tensor::cat(&Vec::<Tensor>::new(), 0usize);
}

#[test]
#[should_panic(
    expected = "cat: sizes of tensors must match except in dimension 0: expected size 3 but got size 4 for tensor number 1 in the list (shapes [2, 3] and [2, 4])"
)]
fn cat_rejects_mismatched_sizes() {
    Tensor::cat(&[Tensor::zeros([2, 3]), Tensor::zeros([2, 4])], 0usize);
}

#[test]
#[should_panic(expected = "cat: tensors must have the same number of dimensions: got 2 and 1")]
fn cat_rejects_mismatched_ranks() {
    Tensor::cat(&[Tensor::zeros([2, 3]), Tensor::zeros([3])], 0usize);
}

#[test]
#[should_panic(expected = "cat: zero-dimensional tensor (at position 1) cannot be concatenated")]
fn cat_rejects_scalars() {
    Tensor::cat(&[Tensor::zeros([1]), Tensor::scalar(1.0f32)], 0usize);
}

#[test]
#[should_panic(expected = "cat: dimension 2 out of range")]
fn cat_rejects_bad_dim() {
    Tensor::cat(&[Tensor::zeros([0]), Tensor::zeros([2, 3])], 2usize);
}

#[test]
#[should_panic(
    expected = "stack: expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1"
)]
fn stack_rejects_different_shapes() {
    Tensor::stack(&[Tensor::zeros([2, 3]), Tensor::zeros([3, 2])], 0usize);
}

#[test]
#[should_panic(expected = "stack: expected a non-empty list of tensors")]
fn stack_rejects_empty_list() {
    Tensor::stack(&Vec::<&Tensor>::new(), 0usize);
}

#[test]
#[should_panic(expected = "stack: dimension 3 out of range")]
fn stack_rejects_bad_dim() {
    Tensor::stack(&[Tensor::zeros([2, 3])], 3usize);
}

/// Naive `cat`: each output element found by walking the inputs' extents along `dim`.
fn naive_cat(parts: &[Tensor], dim: usize) -> (Vec<usize>, Vec<f64>) {
    let mut dims = parts[0].dims().to_vec();
    dims[dim] = parts.iter().map(|p| p.dims()[dim]).sum();
    let values: Vec<Vec<f64>> = parts.iter().map(|p| p.to_vec::<f64>()).collect();
    let n: usize = dims.iter().product();
    let out = (0..n)
        .map(|flat| {
            let mut idx = unravel(flat, &dims);
            let mut k = 0;
            while idx[dim] >= parts[k].dims()[dim] {
                idx[dim] -= parts[k].dims()[dim];
                k += 1;
            }
            let pd = parts[k].dims();
            let f: usize = idx
                .iter()
                .zip(index_support::strides(pd))
                .map(|(i, s)| i * s)
                .sum();
            values[k][f]
        })
        .collect();
    (dims, out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn cat_matches_naive(
        dims in prop::collection::vec(0usize..4, 1..4),
        extents in prop::collection::vec(0usize..4, 1..4),
        kinds in prop::collection::vec(0u8..4, 4),
        seed in any::<u64>(),
    ) {
        let mut rng = lcg(seed);
        let dim = rng(dims.len() as u64) as usize;
        let parts: Vec<Tensor> = extents
            .iter()
            .enumerate()
            .map(|(i, &e)| {
                let mut d = dims.clone();
                d[dim] = e;
                view_of(&d, kinds[i], 100.0 * i as f64)
            })
            .collect();
        let out = Tensor::cat(&parts, dim);
        let (want_dims, want) = naive_cat(&parts, dim);
        prop_assert_eq!(out.dims(), &want_dims[..]);
        prop_assert_eq!(out.to_vec::<f64>(), want);
        let negative = Tensor::cat(&parts, dim as i64 - dims.len() as i64);
        prop_assert_eq!(negative.to_vec::<f64>(), out.to_vec::<f64>());
    }

    #[test]
    fn stack_is_cat_of_unsqueezed(
        dims in prop::collection::vec(0usize..4, 0..4),
        count in 1usize..4,
        kind in 0u8..4,
        seed in any::<u64>(),
    ) {
        let dim = lcg(seed)(dims.len() as u64 + 1) as usize;
        let parts: Vec<Tensor> = (0..count).map(|i| view_of(&dims, kind, 10.0 * i as f64)).collect();
        let out = Tensor::stack(&parts, dim);
        let mut want_dims = dims.clone();
        want_dims.insert(dim, count);
        prop_assert_eq!(out.dims(), &want_dims[..]);
        // Naive: out[.., k, ..] is part k.
        let values: Vec<Vec<f64>> = parts.iter().map(|p| p.to_vec::<f64>()).collect();
        let got = out.to_vec::<f64>();
        for (flat, &g) in got.iter().enumerate() {
            let mut idx = unravel(flat, &want_dims);
            let k = idx.remove(dim);
            let f: usize = idx.iter().zip(index_support::strides(&dims)).map(|(i, s)| i * s).sum();
            prop_assert_eq!(g, values[k][f]);
        }
    }
}
