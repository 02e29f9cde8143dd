//! Indexing ops: torch parity on fixed inputs (`fixtures/index.json`), naive references over
//! random shapes (size-0/size-1 dims, transposed/narrowed/expanded views), every dtype, and the
//! panics for bad shapes, indices and dtypes.

mod index_support;

use index_support::{assert_same, at, cases, lcg, number, strides, unravel, view_of};
use kiln_tensor::{DType, Device, Shape, Tensor, tensor};
use proptest::prelude::*;

const ALL_DTYPES: [DType; 7] = DType::ALL;

#[test]
fn indexing_ops_match_torch() {
    let ops = [
        "index_select",
        "gather",
        "scatter",
        "scatter_add",
        "masked_fill",
        "where",
        "one_hot",
        "triu",
        "tril",
    ];
    for case in cases(&ops) {
        let x = &case.inputs;
        let arg = |k: &str| {
            case.args[k]
                .as_i64()
                .unwrap_or_else(|| panic!("{}: arg {k}", case.name))
        };
        let out = match case.op.as_str() {
            "index_select" => x[0].index_select(arg("dim"), &x[1]),
            "gather" => x[0].gather(arg("dim"), &x[1]),
            "scatter" => x[0].scatter(arg("dim"), &x[1], &x[2]),
            "scatter_add" => x[0].scatter_add(arg("dim"), &x[1], &x[2]),
            "masked_fill" => x[0].masked_fill(&x[1], number(&case.args["value"])),
            "where" => Tensor::where_(&x[0], &x[1], &x[2]),
            "one_hot" => x[0].one_hot(arg("num_classes")),
            "triu" => x[0].triu(arg("diagonal")),
            "tril" => x[0].tril(arg("diagonal")),
            other => panic!("unexpected op {other}"),
        };
        assert_same(&out, &case.expected, &case.name);
    }
}

#[test]
fn every_dtype_is_supported() {
    let ids = tensor![1, 0, 1];
    for dtype in ALL_DTYPES {
        let x = tensor![[1, 0, 1], [0, 1, 1]].to_dtype(dtype);
        let rows = x.index_select(0usize, &ids);
        assert_eq!(
            (rows.dtype(), rows.to_vec::<f64>()),
            (dtype, vec![0., 1., 1., 1., 0., 1., 0., 1., 1.])
        );
        let g = x.gather(1usize, &tensor![[2, 2], [0, 1]]);
        assert_eq!(g.to_vec::<f64>(), vec![1., 1., 0., 1.], "{dtype}");
        let s = x.scatter(
            1usize,
            &tensor![[1], [0]],
            &tensor![[0], [1]].to_dtype(dtype),
        );
        assert_eq!(s.to_vec::<f64>(), vec![1., 0., 1., 1., 1., 1.], "{dtype}");
        let sa = x
            .zeros_like()
            .scatter_add(0usize, &tensor![[1, 1, 1]], &x.narrow(0usize, 0, 1));
        assert_eq!(sa.to_vec::<f64>(), vec![0., 0., 0., 1., 0., 1.], "{dtype}");
        let m = x.masked_fill(&tensor![true, false, false], 1.0);
        assert_eq!(m.to_vec::<f64>(), vec![1., 0., 1., 1., 1., 1.], "{dtype}");
        let w = Tensor::where_(&tensor![false, true, false], &x, &x.zeros_like());
        assert_eq!(
            (w.dtype(), w.to_vec::<f64>()),
            (dtype, vec![0., 0., 0., 0., 1., 0.])
        );
        assert_eq!(
            x.triu(1).to_vec::<f64>(),
            vec![0., 0., 1., 0., 0., 1.],
            "{dtype}"
        );
        assert_eq!(
            x.tril(0).to_vec::<f64>(),
            vec![1., 0., 0., 0., 1., 0.],
            "{dtype}"
        );
    }
}

#[test]
fn index_select_is_an_embedding_lookup() {
    // Large enough to take the parallel path.
    let table = view_of(&[1000, 64], 0, 0.0);
    let ids: Vec<i64> = (0..600).map(|i| (i * 7919 % 1000) as i64).collect();
    let out = table.index_select(0usize, &Tensor::from_vec(ids.clone(), [600]));
    assert_eq!(out.dims(), &[600, 64]);
    let (t, o) = (table.to_vec::<f32>(), out.to_vec::<f32>());
    for (j, &id) in ids.iter().enumerate() {
        assert_eq!(&o[j * 64..(j + 1) * 64], &t[id as usize * 64..][..64]);
    }
}

/// `embedding_dense_backward` is the scatter-add of the gradient rows into a zero table, bit
/// for bit, with repeated ids summed in order and the padding row left at zero; serial and
/// parallel sizes, every float dtype.
#[test]
fn embedding_dense_backward_is_a_scatter_add_of_rows() {
    let mut next = lcg(5);
    let mut g = kiln_tensor::Generator::new(9);
    for (n, width, vocab) in [(6usize, 3usize, 4usize), (700, 128, 300)] {
        let ids: Vec<i64> = (0..n).map(|_| next(vocab as u64) as i64).collect();
        let ids = Tensor::from_vec(ids, [n]);
        // Transposed, so the kernel's own contiguous copy is exercised too.
        let grad32 = Tensor::randn_from([width, n], DType::F32, &Device::Cpu, &mut g).t();
        for dtype in [DType::F32, DType::F64, DType::F16, DType::BF16] {
            let grad = grad32.to_dtype(dtype);
            let index = ids
                .reshape(&[n as isize, 1])
                .broadcast_to([n, width])
                .contiguous();
            let zeros = Tensor::zeros_with([vocab, width], dtype, &Device::Cpu);
            let expected = zeros.scatter_add(0usize, &index, &grad);
            let got = grad.embedding_dense_backward(&ids, vocab, None);
            assert_same(&got, &expected, &format!("{n} ids, {dtype}"));

            let pad = ids.to_vec::<i64>()[0];
            let is_pad = ids.reshape(&[n as isize, 1]).eq_scalar(pad);
            let expected = zeros.scatter_add(0usize, &index, &grad.masked_fill(&is_pad, 0.0));
            let got = grad.embedding_dense_backward(&ids, vocab, Some(pad as usize));
            assert_same(&got, &expected, &format!("{n} ids, {dtype}, padding {pad}"));
        }
    }
    // The ids may have any shape; the gradient is theirs plus the width.
    let ids = Tensor::from_vec(vec![1i64, 0, 1, 2], [2, 2]);
    let grad = Tensor::from_vec((0..8).map(|v| v as f32).collect::<Vec<_>>(), [2, 2, 2]);
    let got = grad.embedding_dense_backward(&ids, 3, None);
    assert_eq!(got.to_vec::<f32>(), vec![2.0, 3.0, 4.0, 6.0, 6.0, 7.0]);
}

#[test]
#[should_panic(expected = "embedding_dense_backward: index 3 is out of bounds")]
fn embedding_dense_backward_rejects_an_id_past_the_table() {
    let grad = Tensor::zeros([2, 4]);
    grad.embedding_dense_backward(&Tensor::from_vec(vec![0i64, 3], [2]), 3, None);
}

#[test]
fn scalar_tensors_act_as_vectors() {
    let s = Tensor::scalar(5.0f32);
    assert_eq!(s.index_select(0usize, &tensor![0]).dims(), &[] as &[usize]);
    assert_eq!(s.gather(0usize, &Tensor::scalar(0i64)).item::<f32>(), 5.0);
    let written = s.scatter(0usize, &Tensor::scalar(0i64), &Tensor::scalar(2.0f32));
    assert_eq!((written.dims().len(), written.item::<f32>()), (0, 2.0));
    assert_eq!(
        Tensor::scalar(2i64).one_hot(4).to_vec::<i64>(),
        vec![0, 0, 1, 0]
    );
    let w = Tensor::where_(
        &Tensor::scalar(true),
        &Tensor::scalar(1i64),
        &tensor![0.5, 0.25],
    );
    assert_eq!((w.dtype(), w.to_vec::<f32>()), (DType::F32, vec![1.0, 1.0]));
}

#[test]
fn masked_fill_checks_overflow_like_torch() {
    let mask = tensor![true];
    assert_eq!(
        Tensor::zeros_with([1], DType::U8, &Device::Cpu)
            .masked_fill(&mask, 255.9)
            .to_vec::<u8>(),
        vec![255]
    );
    assert_eq!(tensor![3].masked_fill(&mask, -0.5).to_vec::<i64>(), vec![0]);
    let h = Tensor::zeros([1])
        .to_dtype(DType::F16)
        .masked_fill(&mask, f64::INFINITY);
    assert_eq!(h.to_vec::<f32>(), vec![f32::INFINITY]);
    let b = Tensor::zeros([1])
        .to_dtype(DType::BF16)
        .masked_fill(&mask, 1e6);
    assert_eq!(b.to_vec::<f32>(), vec![999424.0]);
}

#[test]
#[should_panic(expected = "masked_fill: value -1 cannot be converted to uint8 without overflow")]
fn masked_fill_rejects_negative_for_uint8() {
    tensor![1u8].masked_fill(&tensor![true], -1.0);
}

#[test]
#[should_panic(
    expected = "masked_fill: value 1000000 cannot be converted to float16 without overflow"
)]
fn masked_fill_rejects_overflowing_half() {
    Tensor::zeros([1])
        .to_dtype(DType::F16)
        .masked_fill(&tensor![true], 1e6);
}

#[test]
#[should_panic(
    expected = "masked_fill: only boolean masks are supported, got a mask with dtype uint8"
)]
fn masked_fill_rejects_uint8_mask() {
    Tensor::zeros([3]).masked_fill(&tensor![1u8, 0u8, 1u8], 1.0);
}

#[test]
#[should_panic(
    expected = "masked_fill: the shapes [2, 3] (self) and [4] (mask) cannot be broadcast together"
)]
fn masked_fill_rejects_bad_broadcast() {
    Tensor::zeros([2, 3]).masked_fill(&Tensor::zeros([4]).to_dtype(DType::Bool), 1.0);
}

#[test]
#[should_panic(expected = "index_select: index 2 is out of bounds for dimension 0 with size 2")]
fn index_select_rejects_large_index() {
    Tensor::zeros([2, 3]).index_select(0usize, &tensor![0, 2]);
}

#[test]
#[should_panic(expected = "index_select: index -1 is out of bounds for dimension 1 with size 3")]
fn index_select_rejects_negative_index() {
    Tensor::zeros([2, 3]).index_select(1usize, &tensor![-1]);
}

#[test]
#[should_panic(expected = "index_select: expected an int64 index tensor, got float32 (shape [1])")]
fn index_select_rejects_float_index() {
    Tensor::zeros([2, 3]).index_select(0usize, &tensor![1.0]);
}

#[test]
#[should_panic(expected = "index_select: index is supposed to be a vector, got shape [1, 1]")]
fn index_select_rejects_matrix_index() {
    Tensor::zeros([2, 3]).index_select(0usize, &tensor![[0]]);
}

#[test]
#[should_panic(expected = "gather: index 5 is out of bounds for dimension 0 with size 2")]
fn gather_rejects_large_index() {
    Tensor::zeros([2, 3]).gather(0usize, &tensor![[5]]);
}

#[test]
#[should_panic(expected = "gather: index -1 is out of bounds for dimension 1 with size 3")]
fn gather_rejects_negative_index() {
    Tensor::zeros([2, 3]).gather(1usize, &tensor![[-1]]);
}

#[test]
#[should_panic(
    expected = "gather: index tensor must have the same number of dimensions as input tensor, got index [1] and input [2, 3]"
)]
fn gather_rejects_rank_mismatch() {
    Tensor::zeros([2, 3]).gather(0usize, &tensor![0]);
}

#[test]
#[should_panic(
    expected = "gather: size does not match at dimension 1: expected index [1, 4] to be no larger than input [2, 3] apart from dimension 0"
)]
fn gather_rejects_large_index_tensor() {
    Tensor::zeros([2, 3]).gather(0usize, &tensor![[0, 0, 0, 0]]);
}

#[test]
#[should_panic(
    expected = "scatter: expected self.dtype to be equal to src.dtype, got float32 and int64"
)]
fn scatter_rejects_dtype_mismatch() {
    Tensor::zeros([2, 3]).scatter(0usize, &tensor![[1, 0]], &tensor![[1, 1]]);
}

#[test]
#[should_panic(
    expected = "scatter_add: expected index [1, 2] to be no larger than self [2, 3] apart from dimension 0 and no larger than src [1, 1]"
)]
fn scatter_add_rejects_small_src() {
    Tensor::zeros([2, 3]).scatter_add(0usize, &tensor![[1, 0]], &Tensor::ones([1, 1]));
}

#[test]
#[should_panic(expected = "scatter_add: index 3 is out of bounds for dimension 0 with size 2")]
fn scatter_add_rejects_large_index() {
    Tensor::zeros([2, 3]).scatter_add(0usize, &tensor![[3, 0]], &Tensor::ones([1, 2]));
}

#[test]
#[should_panic(
    expected = "where: expected condition to be a boolean tensor, but got a tensor with dtype float32"
)]
fn where_rejects_float_condition() {
    Tensor::where_(&Tensor::ones([3]), &Tensor::ones([3]), &Tensor::zeros([3]));
}

#[test]
#[should_panic(
    expected = "where: the shapes [3] (condition), [2, 1] (input) and [4] (other) cannot be broadcast together"
)]
fn where_rejects_bad_broadcast() {
    Tensor::where_(
        &Tensor::ones([3]).to_dtype(DType::Bool),
        &Tensor::ones([2, 1]),
        &Tensor::zeros([4]),
    );
}

#[test]
#[should_panic(expected = "one_hot: class values must be smaller than num_classes (2), got 2")]
fn one_hot_rejects_large_class() {
    tensor![0, 2, 1].one_hot(2);
}

#[test]
#[should_panic(expected = "one_hot: class values must be non-negative, got -2")]
fn one_hot_rejects_negative_class() {
    tensor![0, -2, 1].one_hot(3);
}

#[test]
#[should_panic(expected = "one_hot: can not infer the number of classes from an empty tensor")]
fn one_hot_rejects_inferring_from_empty() {
    Tensor::zeros([0]).to_dtype(DType::I64).one_hot(-1);
}

#[test]
#[should_panic(expected = "one_hot: only applicable to int64 index tensors, got float32")]
fn one_hot_rejects_floats() {
    tensor![1.0].one_hot(3);
}

#[test]
#[should_panic(expected = "triu: input tensor must have at least 2 dimensions, got shape [3]")]
fn triu_rejects_vectors() {
    Tensor::ones([3]).triu(0);
}

// ---- naive references over random shapes and views ----

/// Random int64 indices in `[0, bound)` of the given shape.
fn random_index(dims: &[usize], bound: usize, seed: u64) -> Tensor {
    let mut rng = lcg(seed);
    let n: usize = dims.iter().product();
    Tensor::from_vec(
        (0..n).map(|_| rng(bound as u64) as i64).collect::<Vec<_>>(),
        dims.to_vec(),
    )
}

/// `dims` with every size at most `cap` (per dim), from random fractions in `seed`.
fn shrink(dims: &[usize], cap: &[usize], seed: u64) -> Vec<usize> {
    let mut rng = lcg(seed);
    dims.iter()
        .zip(cap)
        .map(|(_, &c)| rng(c as u64 + 1) as usize)
        .collect()
}

fn flat(idx: &[usize], dims: &[usize]) -> usize {
    idx.iter().zip(strides(dims)).map(|(i, s)| i * s).sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn index_select_matches_naive(dims in prop::collection::vec(0usize..4, 1..4), kind in 0u8..4, n in 0usize..5, seed in any::<u64>()) {
        let d = lcg(seed)(dims.len() as u64) as usize;
        let x = view_of(&dims, kind, 1.0);
        prop_assume!(dims[d] > 0 || n == 0);
        let ids = random_index(&[n], dims[d], seed ^ 1);
        let out = x.index_select(d, &ids);
        let (xv, iv) = (x.to_vec::<f64>(), ids.to_vec::<i64>());
        let mut want_dims = dims.clone();
        want_dims[d] = n;
        prop_assert_eq!(out.dims(), &want_dims[..]);
        for (f, &g) in out.to_vec::<f64>().iter().enumerate() {
            let mut idx = unravel(f, &want_dims);
            idx[d] = iv[idx[d]] as usize;
            prop_assert_eq!(g, xv[flat(&idx, &dims)]);
        }
    }

    #[test]
    fn gather_matches_naive(dims in prop::collection::vec(1usize..4, 1..4), kind in 0u8..4, seed in any::<u64>(), extra in 0usize..3) {
        let d = lcg(seed)(dims.len() as u64) as usize;
        let x = view_of(&dims, kind, 1.0);
        let mut idims = shrink(&dims, &dims, seed ^ 2);
        idims[d] = extra + 1;
        let index = random_index(&idims, dims[d], seed ^ 3);
        let index = if kind == 1 && idims.len() >= 2 { strided_copy(&index) } else { index };
        let out = x.gather(d, &index);
        let (xv, iv, id) = (x.to_vec::<f64>(), index.to_vec::<i64>(), index.dims().to_vec());
        prop_assert_eq!(out.dims(), &id[..]);
        for (f, &g) in out.to_vec::<f64>().iter().enumerate() {
            let mut idx = unravel(f, &id);
            idx[d] = iv[f] as usize;
            prop_assert_eq!(g, xv[flat(&idx, &dims)]);
        }
    }

    #[test]
    fn scatter_and_scatter_add_match_naive(dims in prop::collection::vec(1usize..4, 1..4), kind in 0u8..4, seed in any::<u64>()) {
        let d = lcg(seed)(dims.len() as u64) as usize;
        let x = view_of(&dims, kind, 1.0);
        let idims = shrink(&dims, &dims, seed ^ 4);
        let src = view_of(&idims, (kind + 1) % 4, 50.0);
        let index = random_index(&idims, dims[d], seed ^ 5);
        let (xv, iv, sv) = (x.to_vec::<f64>(), index.to_vec::<i64>(), src.to_vec::<f64>());
        let (mut set, mut add) = (xv.clone(), xv.clone());
        for (f, &i) in iv.iter().enumerate() {
            let mut idx = unravel(f, &idims);
            idx[d] = i as usize;
            set[flat(&idx, &dims)] = sv[f];
            add[flat(&idx, &dims)] += sv[f];
        }
        prop_assert_eq!(x.scatter(d, &index, &src).to_vec::<f64>(), set);
        let got = x.scatter_add(d, &index, &src).to_vec::<f64>();
        // f32 accumulation vs f64 reference: values are multiples of 0.5 below 2^10, so exact.
        prop_assert_eq!(got, add);
    }

    #[test]
    fn masked_fill_and_where_match_naive(
        dims in prop::collection::vec(0usize..4, 0..4),
        cut in prop::collection::vec(any::<bool>(), 4),
        kind in 0u8..4,
        seed in any::<u64>(),
    ) {
        // Operand shapes are `dims` with some dims set to 1 (and leading dims dropped).
        let shape_of = |salt: u64| -> Vec<usize> {
            let mut rng = lcg(seed ^ salt);
            let lead = rng(dims.len() as u64 + 1) as usize;
            dims[lead..].iter().enumerate().map(|(k, &s)| if cut[k % 4] && rng(2) == 0 { 1 } else { s }).collect()
        };
        let (cs, as_, bs) = (shape_of(7), shape_of(8), shape_of(9));
        let mut rng = lcg(seed ^ 10);
        let cond_len: usize = cs.iter().product();
        let cond = Tensor::from_vec((0..cond_len).map(|_| rng(2) == 1).collect::<Vec<_>>(), cs.clone());
        let a = view_of(&as_, kind, 1.0);
        let b = view_of(&bs, (kind + 2) % 4, -40.0).to_dtype(DType::I64);
        let (cv, av, bv) = (cond.to_vec::<f64>(), a.to_vec::<f64>(), b.to_vec::<f64>());
        let w = Tensor::where_(&cond, &a, &b);
        prop_assert_eq!(w.dtype(), DType::F32);
        let m = a.masked_fill(&cond, -7.0);
        let out_dims = w.dims().to_vec();
        let mask_shape = Shape::broadcast(&Shape::from(&cs), &Shape::from(&as_)).expect("broadcast");
        prop_assert_eq!(m.dims(), mask_shape.dims());
        for (f, &g) in w.to_vec::<f64>().iter().enumerate() {
            let idx = unravel(f, &out_dims);
            let want = if at(&cv, &cs, &idx) != 0.0 { at(&av, &as_, &idx) } else { at(&bv, &bs, &idx) };
            prop_assert_eq!(g, want);
        }
        let mdims = m.dims().to_vec();
        for (f, &g) in m.to_vec::<f64>().iter().enumerate() {
            let idx = unravel(f, &mdims);
            let want = if at(&cv, &cs, &idx) != 0.0 { -7.0 } else { at(&av, &as_, &idx) };
            prop_assert_eq!(g, want);
        }
    }

    #[test]
    fn triu_tril_match_naive(dims in prop::collection::vec(0usize..5, 2..4), kind in 0u8..4, diagonal in -5i64..6) {
        let x = view_of(&dims, kind, 1.0);
        let xv = x.to_vec::<f64>();
        let r = dims.len();
        for (upper, out) in [(true, x.triu(diagonal)), (false, x.tril(diagonal))] {
            prop_assert_eq!(out.dims(), &dims[..]);
            for (f, &g) in out.to_vec::<f64>().iter().enumerate() {
                let idx = unravel(f, &dims);
                let off = idx[r - 1] as i64 - idx[r - 2] as i64;
                let keep = if upper { off >= diagonal } else { off <= diagonal };
                prop_assert_eq!(g, if keep { xv[f] } else { 0.0 });
            }
        }
    }

    #[test]
    fn one_hot_matches_naive(dims in prop::collection::vec(0usize..4, 0..3), classes in 1usize..6, seed in any::<u64>()) {
        let ids = random_index(&dims, classes, seed);
        let out = ids.one_hot(classes as i64);
        let iv = ids.to_vec::<i64>();
        let mut want = vec![0i64; iv.len() * classes];
        for (k, &i) in iv.iter().enumerate() {
            want[k * classes + i as usize] = 1;
        }
        prop_assert_eq!(out.to_vec::<i64>(), want);
        prop_assert_eq!(out.dims().len(), dims.len() + 1);
        if let Some(&max) = iv.iter().max() {
            prop_assert_eq!(ids.one_hot(-1).dims().last().copied(), Some(max as usize + 1));
        }
    }
}

/// The same values in a non-contiguous (transposed-storage) layout.
fn strided_copy(t: &Tensor) -> Tensor {
    t.transpose(-2i64, -1i64)
        .contiguous()
        .transpose(-2i64, -1i64)
}
