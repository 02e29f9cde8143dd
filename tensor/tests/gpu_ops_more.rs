//! GPU tensors against the CPU implementation for the joining, masking, scanning, scatter and
//! random ops: `cat` / `stack`, `triu` / `tril`, `one_hot`, `cumsum`, `prod`, `all` / `any`,
//! `scatter` / `scatter_add`, `bernoulli` (dropout's mask) and saving GPU tensors as
//! safetensors. Shapes include 1, 7, 33 and 129 and non-contiguous inputs; tolerances are
//! stated per test (exact unless floats are accumulated in another order or precision).
#![cfg(feature = "gpu")]

mod gpu_common;

use gpu_common::{assert_close, assert_same, gpu, panic_message, randn};
use kiln_tensor::{DType, Device, Generator, Tensor, safetensors};

/// Seeded int64 values in `[low, high)` of `shape` on the CPU.
fn ints(shape: &[usize], low: i64, high: i64, seed: u64) -> Tensor {
    let mut g = Generator::new(seed);
    let n: usize = shape.iter().product();
    let data: Vec<i64> = (0..n).map(|_| g.int_in(low, high)).collect();
    Tensor::from_vec(data, shape.to_vec())
}

/// `cat` and `stack` copy bits, so results are exact, for views, mixed dtypes (promotion),
/// int64 index results and skipped empty 1-D parts.
#[test]
fn cat_and_stack_match_the_cpu() {
    let Some(dev) = gpu() else { return };
    let cases: Vec<(Vec<Tensor>, i64)> = vec![
        (
            vec![randn(&[7, 33], 1), randn(&[33, 5], 2).transpose(0, 1)],
            0,
        ),
        (
            vec![randn(&[7, 33], 3), randn(&[7, 129], 4).narrow(1, 1, 96)],
            -1,
        ),
        (vec![randn(&[1], 5), randn(&[129], 6), randn(&[7], 7)], 0),
        (
            vec![
                randn(&[2, 7, 3], 8),
                randn(&[2, 3, 1], 9).permute(&[0, 2, 1]),
                randn(&[2, 33, 3], 10),
            ],
            1,
        ),
        (
            vec![
                randn(&[3, 7], 11).to_dtype(DType::F16),
                randn(&[3, 1], 12),
                Tensor::zeros_with([0], DType::F32, &Device::Cpu),
            ],
            1,
        ),
        (
            vec![
                ints(&[4, 7], -50, 50, 13),
                randn(&[4, 33, 5], 14).argmax_dim(2, false),
            ],
            1,
        ),
    ];
    for (i, (parts, dim)) in cases.iter().enumerate() {
        let on_gpu: Vec<Tensor> = parts.iter().map(|t| t.to_device(&dev)).collect();
        assert_same(
            &Tensor::cat(&on_gpu, *dim),
            &Tensor::cat(parts, *dim),
            &format!("cat case {i}"),
        );
    }
    let rows = [randn(&[7, 33], 20), randn(&[33, 7], 21).transpose(0, 1)];
    let rows_gpu: Vec<Tensor> = rows.iter().map(|t| t.to_device(&dev)).collect();
    for dim in [0i64, 1, 2, -1] {
        assert_same(
            &Tensor::stack(&rows_gpu, dim),
            &Tensor::stack(&rows, dim),
            &format!("stack dim {dim}"),
        );
    }
    let bools = [
        ints(&[129], 0, 2, 22).to_dtype(DType::Bool),
        ints(&[129], 0, 2, 23).to_dtype(DType::Bool),
    ];
    let bools_gpu: Vec<Tensor> = bools.iter().map(|t| t.to_device(&dev)).collect();
    assert_same(
        &Tensor::stack(&bools_gpu, 0),
        &Tensor::stack(&bools, 0),
        "stack bool",
    );
}

/// `triu` / `tril` move bits, so they are exact for every dtype, diagonal and view.
#[test]
fn triu_and_tril_match_the_cpu() {
    let Some(dev) = gpu() else { return };
    let cases = [
        randn(&[7, 33], 1),
        randn(&[33, 7], 2),
        randn(&[129, 1], 3),
        randn(&[1, 129], 4),
        randn(&[2, 7, 33], 5).transpose(1, 2),
        randn(&[7, 7], 6).to_dtype(DType::F16),
        ints(&[7, 33], -9, 9, 7),
        ints(&[33, 7], 0, 2, 8).to_dtype(DType::Bool),
    ];
    for (i, x) in cases.iter().enumerate() {
        let g = x.to_device(&dev);
        for diagonal in [-100, -2, 0, 1, 5, 100] {
            let what = format!("case {i} diagonal {diagonal}");
            assert_same(
                &g.triu(diagonal),
                &x.triu(diagonal),
                &format!("triu {what}"),
            );
            assert_same(
                &g.tril(diagonal),
                &x.tril(diagonal),
                &format!("tril {what}"),
            );
        }
    }
}

/// `one_hot` is exact, with an explicit or inferred class count, on views and empty inputs,
/// and rejects ids outside the classes as the CPU does.
#[test]
fn one_hot_matches_the_cpu() {
    let Some(dev) = gpu() else { return };
    let cases = [
        (ints(&[33], 0, 7, 1), 7),
        (ints(&[129], 0, 33, 2), -1),
        (ints(&[7, 3], 0, 5, 3).transpose(0, 1), 5),
        (ints(&[1], 0, 1, 4), -1),
        (Tensor::zeros_with([0], DType::I64, &Device::Cpu), 4),
    ];
    for (i, (ids, classes)) in cases.iter().enumerate() {
        assert_same(
            &ids.to_device(&dev).one_hot(*classes),
            &ids.one_hot(*classes),
            &format!("one_hot case {i}"),
        );
    }
    let big = ints(&[7], 0, 7, 5).to_device(&dev);
    let msg = panic_message(|| {
        big.one_hot(3);
    });
    assert!(msg.contains("smaller than num_classes"), "{msg}");
}

/// `cumsum`: f32 within 1e-5 relative + 1e-4 absolute (f32 compensated sums against the CPU's
/// f64 accumulation), f16 within 1e-2 relative + 1e-2 absolute, integers and bools exactly.
#[test]
fn cumsum_matches_the_cpu() {
    let Some(dev) = gpu() else { return };
    let floats = [
        randn(&[129], 1),
        randn(&[7, 33], 2),
        randn(&[33, 7, 3], 3).transpose(0, 2),
        randn(&[1, 129], 4).narrow(1, 3, 100),
        randn(&[], 5),
    ];
    for (i, x) in floats.iter().enumerate() {
        let g = x.to_device(&dev);
        for d in 0..x.dim().max(1) as i64 {
            let what = format!("case {i} dim {d}");
            assert_close(&g.cumsum(d), &x.cumsum(d), 1e-5, 1e-4, &what);
        }
    }
    let h = randn(&[7, 33], 6).to_dtype(DType::F16);
    assert_close(
        &h.to_device(&dev).cumsum(1),
        &h.cumsum(1),
        1e-2,
        1e-2,
        "f16",
    );
    let n = ints(&[33, 7], -1000, 1000, 7).transpose(0, 1);
    for d in 0..2 {
        assert_same(&n.to_device(&dev).cumsum(d), &n.cumsum(d), "int64");
    }
    let b = ints(&[129, 7], 0, 2, 8).to_dtype(DType::Bool);
    assert_same(&b.to_device(&dev).cumsum(0), &b.cumsum(0), "bool");
    let u = ints(&[7, 33], 0, 256, 9).to_dtype(DType::U8);
    assert_same(&u.to_device(&dev).cumsum(-1), &u.cumsum(-1), "uint8");
}

/// `prod`: f32 values in about [0.5, 1.5] within 1e-5 relative (f32 against the CPU's
/// accumulation, in another order); small integers exactly.
#[test]
fn prod_matches_the_cpu() {
    let Some(dev) = gpu() else { return };
    let cases = [
        randn(&[129], 1).mul_scalar(0.25).add_scalar(1.0),
        randn(&[7, 33], 2).mul_scalar(0.25).add_scalar(1.0),
        randn(&[33, 7, 3], 3)
            .mul_scalar(0.25)
            .add_scalar(1.0)
            .transpose(0, 2),
        randn(&[1, 7], 4).mul_scalar(0.25).add_scalar(1.0),
    ];
    for (i, x) in cases.iter().enumerate() {
        let g = x.to_device(&dev);
        assert_close(&g.prod(), &x.prod(), 1e-5, 0.0, &format!("case {i}"));
        for d in 0..x.dim() as i64 {
            for keep in [false, true] {
                let what = format!("case {i} dim {d} keepdim {keep}");
                assert_close(&g.prod_dim(d, keep), &x.prod_dim(d, keep), 1e-5, 0.0, &what);
            }
        }
    }
    let n = ints(&[7, 20], -2, 3, 5).transpose(0, 1);
    assert_same(
        &n.to_device(&dev).prod_dim(0, false),
        &n.prod_dim(0, false),
        "int64 dim",
    );
    let small = ints(&[7], 1, 5, 6);
    assert_same(&small.to_device(&dev).prod(), &small.prod(), "int64");
    let empty = Tensor::zeros_with([3, 0], DType::F32, &Device::Cpu);
    assert_same(
        &empty.to_device(&dev).prod_dim(1, false),
        &empty.prod_dim(1, false),
        "empty",
    );
}

/// `all` / `any` are exact, including NaN (true), empty reductions and bool / int inputs.
#[test]
fn all_and_any_match_the_cpu() {
    let Some(dev) = gpu() else { return };
    let mut with_nan = ints(&[7, 33], 0, 3, 1).to_dtype(DType::F32).to_vec::<f32>();
    with_nan[5] = f32::NAN;
    let cases = [
        Tensor::from_vec(with_nan, [7, 33]),
        ints(&[33, 7], 0, 2, 2)
            .to_dtype(DType::Bool)
            .transpose(0, 1),
        ints(&[129], 1, 3, 3),
        ints(&[1, 129], 0, 129, 4).to_dtype(DType::U8),
        Tensor::zeros_with([2, 0], DType::F32, &Device::Cpu),
        Tensor::ones_with([7, 1], DType::F32, &Device::Cpu),
    ];
    for (i, x) in cases.iter().enumerate() {
        let g = x.to_device(&dev);
        assert_same(&g.all(), &x.all(), &format!("all case {i}"));
        assert_same(&g.any(), &x.any(), &format!("any case {i}"));
        let mut dim_sets: Vec<Vec<i64>> = (0..x.dim() as i64).map(|d| vec![d]).collect();
        dim_sets.push(vec![]);
        for dims in &dim_sets {
            for keep in [false, true] {
                let what = format!("case {i} dims {dims:?} keepdim {keep}");
                assert_same(&g.all_dim(dims, keep), &x.all_dim(dims, keep), &what);
                assert_same(&g.any_dim(dims, keep), &x.any_dim(dims, keep), &what);
            }
        }
    }
}

/// An index for `scatter` along dim 0 of a `[rows, cols]` destination whose entries are
/// distinct within each column (`(11i + 5j) mod rows` is a bijection in `i` when `rows` is
/// not a multiple of 11), so the result does not depend on the write order.
fn distinct_rows(rows: usize, index_rows: usize, cols: usize) -> Tensor {
    assert!(
        !rows.is_multiple_of(11) && index_rows <= rows,
        "indices would repeat"
    );
    let data: Vec<i64> = (0..index_rows)
        .flat_map(|i| (0..cols).map(move |j| ((11 * i + 5 * j) % rows) as i64))
        .collect();
    Tensor::from_vec(data, [index_rows, cols])
}

/// `scatter` is exact; `scatter_add` within 1e-5 relative + 1e-5 absolute for f32 (additions
/// in another order), 1e-2 for f16, exact for int64 (wrapping at 32 bits on the GPU), uint8
/// (wrapping at 8 bits) and bool (OR). Covers repeated indices, strided sources and indices
/// (including the stride-0 index autograd's `index_select` backward builds) and 0-d tensors.
#[test]
fn scatter_and_scatter_add_match_the_cpu() {
    let Some(dev) = gpu() else { return };
    let to = |t: &Tensor| t.to_device(&dev);
    // scatter with distinct targets.
    let dst = randn(&[7, 33], 1);
    let index = distinct_rows(7, 5, 33);
    let src = randn(&[33, 7], 2).transpose(0, 1);
    assert_same(
        &to(&dst).scatter(0, &to(&index), &to(&src)),
        &dst.scatter(0, &index, &src),
        "scatter dim 0",
    );
    let dst = randn(&[33, 129], 3);
    let index = distinct_rows(129, 129, 33).transpose(0, 1);
    let src = randn(&[33, 129], 4);
    assert_same(
        &to(&dst).scatter(1, &to(&index), &to(&src)),
        &dst.scatter(1, &index, &src),
        "scatter dim 1 (strided index)",
    );
    let n = ints(&[7, 33], -9, 9, 5);
    assert_same(
        &to(&n).scatter(0, &to(&distinct_rows(7, 7, 33)), &to(&n.neg())),
        &n.scatter(0, &distinct_rows(7, 7, 33), &n.neg()),
        "scatter int64",
    );
    // scatter_add with repeated targets.
    for (i, (dst_shape, index_shape, d)) in [
        (vec![7, 33], vec![129, 33], 0),
        (vec![33, 7], vec![33, 129], 1),
        (vec![1, 7], vec![1, 7], 1),
        (vec![7, 3, 33], vec![7, 3, 33], 2),
    ]
    .into_iter()
    .enumerate()
    {
        let dst = randn(&dst_shape, 10 + i as u64);
        let index = ints(&index_shape, 0, dst_shape[d] as i64, 20 + i as u64);
        let src = randn(&index_shape, 30 + i as u64);
        let what = format!("scatter_add case {i}");
        assert_close(
            &to(&dst).scatter_add(d as i64, &to(&index), &to(&src)),
            &dst.scatter_add(d as i64, &index, &src),
            1e-5,
            1e-5,
            &what,
        );
        let h = |t: &Tensor| t.to_dtype(DType::F16);
        assert_close(
            &to(&h(&dst)).scatter_add(d as i64, &to(&index), &to(&h(&src))),
            &h(&dst).scatter_add(d as i64, &index, &h(&src)),
            1e-2,
            1e-2,
            &format!("{what} f16"),
        );
    }
    // A 1-D index broadcast along the other dim (stride 0), as index_select's backward uses.
    let picks = ints(&[33], 0, 7, 40);
    let grad = randn(&[33, 129], 41);
    let spread = picks.reshape(&[33, 1]).broadcast_to([33, 129]);
    let zeros = Tensor::zeros_with([7, 129], DType::F32, &Device::Cpu);
    assert_close(
        &to(&zeros).scatter_add(0, &to(&spread), &to(&grad)),
        &zeros.scatter_add(0, &spread, &grad),
        1e-5,
        1e-5,
        "broadcast index",
    );
    let counts = ints(&[7, 33], 0, 1000, 42);
    let index = ints(&[129, 33], 0, 7, 43);
    let ones = ints(&[129, 33], -5, 6, 44);
    assert_same(
        &to(&counts).scatter_add(0, &to(&index), &to(&ones)),
        &counts.scatter_add(0, &index, &ones),
        "scatter_add int64",
    );
    let bytes = ints(&[7, 33], 200, 256, 45).to_dtype(DType::U8);
    let more = ints(&[129, 33], 0, 256, 46).to_dtype(DType::U8);
    assert_same(
        &to(&bytes).scatter_add(0, &to(&index), &to(&more)),
        &bytes.scatter_add(0, &index, &more),
        "scatter_add uint8",
    );
    let flags = ints(&[7, 33], 0, 2, 47).to_dtype(DType::Bool);
    let set = ints(&[129, 33], 0, 2, 48).to_dtype(DType::Bool);
    assert_same(
        &to(&flags).scatter_add(0, &to(&index), &to(&set)),
        &flags.scatter_add(0, &index, &set),
        "scatter_add bool",
    );
    let scalar = randn(&[], 49);
    let zero = Tensor::zeros_with([], DType::I64, &Device::Cpu);
    assert_same(
        &to(&scalar).scatter_add(0, &to(&zero), &to(&scalar)),
        &scalar.scatter_add(0, &zero, &scalar),
        "0-d",
    );
    let bad = ints(&[2, 33], 7, 8, 50);
    let msg = panic_message(|| {
        to(&dst_for_bad()).scatter(0, &to(&bad), &to(&randn(&[2, 33], 51)));
    });
    assert!(msg.contains("out of bounds"), "{msg}");
}

/// A `[7, 33]` destination for the out-of-range index check.
fn dst_for_bad() -> Tensor {
    randn(&[7, 33], 52)
}

/// `bernoulli` on the GPU: results stay on the GPU in the input's dtype, probabilities 0 and
/// 1 are exact, the kept fraction of p = 0.3 over 129·33 draws is within 0.03 (over 4
/// standard deviations) of 0.3 on a non-contiguous input, a dropout mask scaled by 1/(1-p)
/// holds only 0 and 1/(1-p) with mean within 0.05 of 1, the same seed repeats the draws and
/// another seed changes them.
#[test]
fn bernoulli_is_seeded_and_has_the_right_rate() {
    let Some(dev) = gpu() else { return };
    let p = Tensor::full_with([33, 129], 0.3, DType::F32, &dev).transpose(0, 1);
    let draw = |seed: u64| p.bernoulli_from(&mut Generator::new(seed));
    let a = draw(7);
    assert!(!a.device().is_cpu(), "result left the GPU");
    assert_eq!(a.dims(), &[129, 33]);
    assert_eq!(a.dtype(), DType::F32);
    let values = a.to_vec::<f32>();
    assert!(values.iter().all(|&v| v == 0.0 || v == 1.0));
    let rate = values.iter().sum::<f32>() / values.len() as f32;
    assert!((rate - 0.3).abs() < 0.03, "rate {rate}");
    assert_eq!(draw(7).to_vec::<f32>(), values, "same seed");
    assert_ne!(draw(8).to_vec::<f32>(), values, "other seed");
    // Rows of probability 0 and 1 in f16 are exact.
    let edges = Tensor::stack(
        &[
            Tensor::zeros_with([129], DType::F16, &dev),
            Tensor::ones_with([129], DType::F16, &dev),
        ],
        0,
    );
    let e = edges.bernoulli_from(&mut Generator::new(1));
    assert_same(&e, &edges.to_device(&Device::Cpu), "p in {0, 1}");
    // Dropout's mask: keep with 1 - p, scale by 1 / (1 - p).
    let drop = 0.25;
    let keep = Tensor::full_with([129, 33], 1.0 - drop, DType::F32, &dev)
        .bernoulli_from(&mut Generator::new(3))
        .mul_scalar(1.0 / (1.0 - drop));
    let scaled = keep.to_vec::<f32>();
    let kept = 1.0 / (1.0 - drop) as f32;
    assert!(scaled.iter().all(|&v| v == 0.0 || v == kept));
    let mean = scaled.iter().sum::<f32>() / scaled.len() as f32;
    assert!((mean - 1.0).abs() < 0.05, "mean {mean}");
    let msg = panic_message(|| {
        Tensor::full_with([7], 1.5, DType::F32, &dev).bernoulli_from(&mut Generator::new(0));
    });
    assert!(msg.contains("not in [0, 1]"), "{msg}");
}

/// Saving GPU tensors (views and int64 included) writes the same file as saving their CPU
/// copies: reading back to the host for a file is explicit I/O.
#[test]
fn safetensors_save_reads_gpu_tensors_back() {
    let Some(dev) = gpu() else { return };
    let w = randn(&[33, 7], 1);
    let ids = ints(&[129], -5, 5, 2);
    let view = randn(&[7, 33], 3).transpose(0, 1);
    let cpu = [("w", &w), ("ids", &ids), ("view", &view)];
    let (wg, ig, vg) = (w.to_device(&dev), ids.to_device(&dev), view.to_device(&dev));
    let gpu_tensors = [("w", &wg), ("ids", &ig), ("view", &vg)];
    let from_gpu = safetensors::save_to_bytes(gpu_tensors, None).expect("save gpu tensors");
    let from_cpu = safetensors::save_to_bytes(cpu, None).expect("save cpu tensors");
    assert_eq!(from_gpu, from_cpu);
    let loaded = safetensors::load_from_bytes(&from_gpu).expect("load");
    assert_eq!(loaded[2].1.to_vec::<f32>(), view.to_vec::<f32>());
}

/// `var` / `std` (two f32 passes on the GPU against the CPU's f64) within 2e-5 relative +
/// 1e-6 absolute, biased and unbiased, over single dims, several dims and everything; a
/// single-element unbiased variance is NaN on both.
#[test]
fn var_and_std_match_the_cpu() {
    let Some(dev) = gpu() else { return };
    let cases = [
        randn(&[129], 1).add_scalar(3.0),
        randn(&[7, 33], 2),
        randn(&[33, 7, 3], 3).transpose(0, 2),
        randn(&[1, 7], 4).to_dtype(DType::F16),
    ];
    for (i, x) in cases.iter().enumerate() {
        let g = x.to_device(&dev);
        let tol = if x.dtype() == DType::F16 { 1e-3 } else { 2e-5 };
        let mut dim_sets: Vec<Vec<i64>> = (0..x.dim() as i64).map(|d| vec![d]).collect();
        dim_sets.push(vec![]);
        if x.dim() == 3 {
            dim_sets.push(vec![0, 2]);
        }
        for dims in &dim_sets {
            for (unbiased, keep) in [(true, false), (false, true)] {
                let what = format!("case {i} dims {dims:?} unbiased {unbiased} keepdim {keep}");
                assert_close(
                    &g.var_dim(dims, unbiased, keep),
                    &x.var_dim(dims, unbiased, keep),
                    tol,
                    1e-6,
                    &what,
                );
                assert_close(
                    &g.std_dim(dims, unbiased, keep),
                    &x.std_dim(dims, unbiased, keep),
                    tol,
                    1e-6,
                    &what,
                );
            }
        }
        assert_close(&g.var(true), &x.var(true), tol, 1e-6, "var");
        assert_close(&g.std(false), &x.std(false), tol, 1e-6, "std");
    }
}

/// `logsumexp` within 1e-5 relative + 1e-5 absolute, including rows of `-inf`, `+inf` and NaN,
/// an empty reduction (`-inf`) and int64 input (f32 result).
#[test]
fn logsumexp_matches_the_cpu() {
    let Some(dev) = gpu() else { return };
    let mut special = randn(&[4, 33], 1).mul_scalar(10.0).to_vec::<f32>();
    special[..33].fill(f32::NEG_INFINITY);
    special[40] = f32::INFINITY;
    special[70] = f32::NAN;
    let cases = [
        randn(&[129], 2).mul_scalar(30.0),
        randn(&[7, 33], 3),
        randn(&[33, 7, 3], 4).transpose(0, 2),
        Tensor::from_vec(special, [4, 33]),
        ints(&[7, 5], -3, 3, 5),
        Tensor::zeros_with([3, 0], DType::F32, &Device::Cpu),
    ];
    for (i, x) in cases.iter().enumerate() {
        let g = x.to_device(&dev);
        let mut dim_sets: Vec<Vec<i64>> = (0..x.dim() as i64).map(|d| vec![d]).collect();
        dim_sets.push(vec![]);
        for dims in &dim_sets {
            for keep in [false, true] {
                let what = format!("case {i} dims {dims:?} keepdim {keep}");
                assert_close(
                    &g.logsumexp(dims, keep),
                    &x.logsumexp(dims, keep),
                    1e-5,
                    1e-5,
                    &what,
                );
            }
        }
    }
}

/// `norm` / `norm_p` for p in {2, 1, 0, 3, 0.5, ±∞} within 2e-5 relative + 1e-6 absolute
/// (f16 1e-3), over single dims, several dims, all dims, with and without keepdim, on a
/// transposed view, and an empty dim (sum-based norms give 0; the ∞-norm panics like the CPU).
#[test]
fn norm_matches_the_cpu() {
    let Some(dev) = gpu() else { return };
    let cases = [
        randn(&[129], 1),
        randn(&[7, 33], 2).sub_scalar(0.5),
        randn(&[33, 7, 3], 3).transpose(0, 2),
        randn(&[1, 7], 4).to_dtype(DType::F16),
    ];
    for (i, x) in cases.iter().enumerate() {
        let g = x.to_device(&dev);
        let tol = if x.dtype() == DType::F16 { 1e-3 } else { 2e-5 };
        assert_close(&g.norm(), &x.norm(), tol, 1e-6, &format!("case {i} norm()"));
        let mut dim_sets: Vec<Vec<i64>> = (0..x.dim() as i64).map(|d| vec![d]).collect();
        dim_sets.push(vec![]);
        if x.dim() == 3 {
            dim_sets.push(vec![0, -1]);
        }
        for dims in &dim_sets {
            for p in [2.0, 1.0, 0.0, 3.0, 0.5, f64::INFINITY, f64::NEG_INFINITY] {
                for keep in [false, true] {
                    let what = format!("case {i} p {p} dims {dims:?} keepdim {keep}");
                    assert_close(
                        &g.norm_p(p, dims, keep),
                        &x.norm_p(p, dims, keep),
                        tol,
                        1e-6,
                        &what,
                    );
                }
            }
        }
    }
    let empty = Tensor::zeros_with([3, 0], DType::F32, &Device::Cpu);
    let g = empty.to_device(&dev);
    assert_close(
        &g.norm_p(2.0, &[1], false),
        &empty.norm_p(2.0, &[1], false),
        0.0,
        0.0,
        "empty",
    );
    let msg = panic_message(|| drop(g.norm_p(f64::INFINITY, &[1], false)));
    assert!(msg.contains("inf norm on an empty tensor"), "{msg}");
}
