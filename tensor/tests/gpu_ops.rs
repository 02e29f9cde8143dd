//! GPU tensors against the CPU implementation: reductions, matmul with PyTorch's rank rules,
//! softmax / log_softmax and their backward, layer_norm forward and backward, and the index
//! ops (index_select / embedding, gather, where, masked_fill). Shapes include 1, 7, 33 and 129
//! and non-contiguous inputs; total work stays small for software Vulkan (lavapipe).
#![cfg(feature = "gpu")]

mod gpu_common;

use gpu_common::{assert_close, assert_same, gpu, randn};
use kiln_tensor::{DType, Tensor};

/// Sums and means within 1e-5 relative + 1e-5 absolute (f32 accumulation in another order);
/// max / min / argmax / argmin exactly.
#[test]
fn reductions_match_the_cpu() {
    let Some(dev) = gpu() else { return };
    let cases = [
        randn(&[129], 1),
        randn(&[1, 7], 2),
        randn(&[7, 33, 5], 3),
        randn(&[33, 7, 5], 4).transpose(0, 1),
        randn(&[3, 129], 5).narrow(1, 2, 120),
    ];
    for (i, x) in cases.iter().enumerate() {
        let g = x.to_device(&dev);
        let rank = x.dim() as i64;
        let mut dim_sets: Vec<Vec<i64>> = (0..rank).map(|d| vec![d]).collect();
        dim_sets.push(vec![]);
        if rank == 3 {
            dim_sets.push(vec![0, 2]);
            dim_sets.push(vec![-1, 0, 1]);
        }
        for dims in &dim_sets {
            for keep in [false, true] {
                let what = format!("case {i} dims {dims:?} keepdim {keep}");
                assert_close(
                    &g.sum_dim(dims, keep),
                    &x.sum_dim(dims, keep),
                    1e-5,
                    1e-5,
                    &what,
                );
                assert_close(
                    &g.mean_dim(dims, keep),
                    &x.mean_dim(dims, keep),
                    1e-5,
                    1e-5,
                    &what,
                );
            }
        }
        assert_close(&g.sum(), &x.sum(), 1e-5, 1e-5, "sum");
        assert_close(&g.mean(), &x.mean(), 1e-5, 1e-5, "mean");
        assert_same(&g.max(), &x.max(), "max");
        assert_same(&g.min(), &x.min(), "min");
        assert_same(&g.argmax(), &x.argmax(), "argmax");
        assert_same(&g.argmin(), &x.argmin(), "argmin");
        for d in 0..rank {
            for keep in [false, true] {
                let what = format!("case {i} dim {d} keepdim {keep}");
                let (gv, gi) = g.max_dim(d, keep);
                let (cv, ci) = x.max_dim(d, keep);
                assert_same(&gv, &cv, &what);
                assert_same(&gi, &ci, &what);
                let (gv, gi) = g.min_dim(d, keep);
                let (cv, ci) = x.min_dim(d, keep);
                assert_same(&gv, &cv, &what);
                assert_same(&gi, &ci, &what);
                assert_same(&g.argmax_dim(d, keep), &x.argmax_dim(d, keep), &what);
                assert_same(&g.argmin_dim(d, keep), &x.argmin_dim(d, keep), &what);
            }
        }
    }
    // Integer and bool sums give int64; f16 keeps its dtype.
    let n = Tensor::arange(0i64, 33, 1).reshape(&[3, 11]);
    assert_same(
        &n.to_device(&dev).sum_dim(&[1], false),
        &n.sum_dim(&[1], false),
        "int64 sum",
    );
    let b = randn(&[7, 33], 6).gt_scalar(0.0);
    assert_same(&b.to_device(&dev).sum(), &b.sum(), "bool sum");
    let h = randn(&[7, 33], 7).to_dtype(DType::F16);
    assert_close(
        &h.to_device(&dev).sum_dim(&[1], false),
        &h.sum_dim(&[1], false),
        2e-3,
        2e-3,
        "f16 sum",
    );
}

/// Products within 1e-5 relative + 1e-5·√k absolute (f32, reordered sums); f16 1e-2.
#[test]
fn matmul_follows_pytorch_rank_rules() {
    let Some(dev) = gpu() else { return };
    let cases: Vec<(Tensor, Tensor)> = vec![
        (randn(&[1, 1], 1), randn(&[1, 1], 2)),
        (randn(&[7, 33], 3), randn(&[33, 129], 4)),
        (randn(&[129, 7], 5), randn(&[7, 33], 6)),
        (randn(&[33, 7], 7).t(), randn(&[33, 7], 8)),
        (randn(&[33], 9), randn(&[33], 10)),
        (randn(&[33], 11), randn(&[33, 7], 12)),
        (randn(&[7, 33], 13), randn(&[33], 14)),
        (randn(&[2, 3, 7, 33], 15), randn(&[33, 5], 16)),
        (randn(&[3, 1, 7, 4], 17), randn(&[2, 4, 5], 18)),
        (
            randn(&[2, 7, 33], 19),
            randn(&[2, 5, 33], 20).transpose(1, 2),
        ),
        // Three batch dims that cannot fold: the operands are copied first.
        (
            randn(&[2, 3, 2, 4, 5], 21).transpose(0, 2),
            randn(&[2, 5, 4], 22),
        ),
    ];
    for (i, (a, b)) in cases.iter().enumerate() {
        let (ga, gb) = (a.to_device(&dev), b.to_device(&dev));
        let k = a.dims().last().copied().unwrap_or(1) as f64;
        let what = format!("case {i}: {} @ {}", a.shape(), b.shape());
        assert_close(&ga.matmul(&gb), &a.matmul(b), 1e-5, 1e-5 * k.sqrt(), &what);
        let (ha, hb) = (a.to_dtype(DType::F16), b.to_dtype(DType::F16));
        let want = ha.matmul(&hb);
        let got = ha.to_device(&dev).matmul(&hb.to_device(&dev));
        assert_close(&got, &want, 1e-2, 1e-2 * k.sqrt(), &format!("f16 {what}"));
    }
    let a = randn(&[3, 7, 33], 23);
    let b = randn(&[3, 33, 7], 24);
    assert_close(
        &a.to_device(&dev).bmm(&b.to_device(&dev)),
        &a.bmm(&b),
        1e-5,
        1e-4,
        "bmm",
    );
}

/// Softmax / log_softmax and their backward within 1e-5 relative + 1e-6 absolute.
#[test]
fn softmax_and_backward_match_the_cpu() {
    let Some(dev) = gpu() else { return };
    let cases = [
        randn(&[1], 1),
        randn(&[7, 129], 2).mul_scalar(5.0),
        randn(&[3, 33, 7], 3),
        randn(&[33, 7], 4).t(),
    ];
    for (i, x) in cases.iter().enumerate() {
        let g = x.to_device(&dev);
        let grad = randn(x.dims(), 10 + i as u64);
        let gg = grad.to_device(&dev);
        for d in 0..x.dim() as i64 {
            let what = format!("case {i} dim {d}");
            let (ys, yl) = (x.softmax(d), x.log_softmax(d));
            let (gs, gl) = (g.softmax(d), g.log_softmax(d));
            assert_close(&gs, &ys, 1e-5, 1e-6, &format!("softmax {what}"));
            assert_close(&gl, &yl, 1e-5, 1e-6, &format!("log_softmax {what}"));
            let want = ys.softmax_backward(&grad, d);
            assert_close(
                &gs.softmax_backward(&gg, d),
                &want,
                1e-5,
                1e-6,
                &format!("softmax_backward {what}"),
            );
            let want = yl.log_softmax_backward(&grad, d);
            assert_close(
                &gl.log_softmax_backward(&gg, d),
                &want,
                1e-5,
                1e-6,
                &format!("log_softmax_backward {what}"),
            );
        }
    }
}

/// layer_norm outputs and statistics within 1e-5 relative + 1e-5 absolute; its backward within
/// 1e-4 relative + 1e-4 absolute (parameter gradients sum over rows).
#[test]
fn layer_norm_and_backward_match_the_cpu() {
    let Some(dev) = gpu() else { return };
    let cases: [(Tensor, Vec<usize>); 4] = [
        (randn(&[7, 33], 1), vec![33]),
        (
            randn(&[2, 3, 129], 2).mul_scalar(3.0).add_scalar(1.0),
            vec![129],
        ),
        (randn(&[33, 7], 3).t(), vec![33]),
        (randn(&[4, 3, 7], 4), vec![3, 7]),
    ];
    for (i, (x, shape)) in cases.iter().enumerate() {
        let w = randn(shape, 20 + i as u64);
        let b = randn(shape, 30 + i as u64);
        let grad = randn(x.dims(), 40 + i as u64);
        let dev_of = |t: &Tensor| t.to_device(&dev);
        for affine in [true, false] {
            let what = format!("case {i} affine {affine}");
            let (wo, bo) = if affine {
                (Some(&w), Some(&b))
            } else {
                (None, None)
            };
            let (gw, gb) = (dev_of(&w), dev_of(&b));
            let (gwo, gbo) = if affine {
                (Some(&gw), Some(&gb))
            } else {
                (None, None)
            };
            let (y, m, r) = x.layer_norm_with_stats(shape, wo, bo, 1e-5);
            let (gy, gm, gr) = dev_of(x).layer_norm_with_stats(shape, gwo, gbo, 1e-5);
            assert_close(&gy, &y, 1e-5, 1e-5, &format!("y {what}"));
            assert_close(&gm, &m, 1e-5, 1e-5, &format!("mean {what}"));
            assert_close(&gr, &r, 1e-5, 1e-5, &format!("rstd {what}"));
            let (dx, dw, db) = x.layer_norm_backward(&grad, &m, &r, shape, wo);
            let (gdx, gdw, gdb) =
                dev_of(x).layer_norm_backward(&dev_of(&grad), &gm, &gr, shape, gwo);
            assert_close(&gdx, &dx, 1e-4, 1e-4, &format!("dx {what}"));
            assert_close(&gdw, &dw, 1e-4, 1e-4, &format!("dweight {what}"));
            assert_close(&gdb, &db, 1e-4, 1e-4, &format!("dbias {what}"));
        }
    }
}

/// Index ops move values, so they agree exactly.
#[test]
fn index_ops_match_the_cpu() {
    let Some(dev) = gpu() else { return };
    let table = randn(&[33, 7], 1);
    let gt = table.to_device(&dev);
    let ids = Tensor::from_vec(vec![0i64, 32, 5, 5, 17, 1, 0], [7]);
    let gi = ids.to_device(&dev);
    assert_same(
        &gt.index_select(0, &gi),
        &table.index_select(0, &ids),
        "embedding rows",
    );
    let cols = Tensor::from_vec(vec![6i64, 0, 3], [3]);
    assert_same(
        &gt.t().index_select(0, &cols.to_device(&dev)),
        &table.t().index_select(0, &cols),
        "index_select of a transposed view",
    );
    let h = table.to_dtype(DType::F16);
    assert_same(
        &h.to_device(&dev).index_select(0, &gi),
        &h.index_select(0, &ids),
        "f16 rows",
    );

    let x = randn(&[7, 129], 2);
    let idx = randn(&[7, 5], 3)
        .abs()
        .mul_scalar(40.0)
        .to_dtype(DType::I64)
        .clamp(None, Some(128.0));
    let gx = x.to_device(&dev);
    assert_same(
        &gx.gather(1, &idx.to_device(&dev)),
        &x.gather(1, &idx),
        "gather dim 1",
    );
    let idx0 = Tensor::from_vec(vec![6i64, 0, 3, 3], [1, 4]);
    assert_same(
        &gx.gather(0, &idx0.to_device(&dev)),
        &x.gather(0, &idx0),
        "gather dim 0",
    );

    let cond = randn(&[7, 1], 4).gt_scalar(0.0);
    let (a, b) = (randn(&[7, 33], 5), randn(&[33], 6).div_scalar(0.0)); // infinities pass through
    let (gc, ga, gb) = (cond.to_device(&dev), a.to_device(&dev), b.to_device(&dev));
    assert_same(
        &Tensor::where_(&gc, &ga, &gb),
        &Tensor::where_(&cond, &a, &b),
        "where",
    );
    let n = Tensor::arange(0i64, 33, 1);
    assert_same(
        &Tensor::where_(&gc, &ga, &n.to_device(&dev)),
        &Tensor::where_(&cond, &a, &n),
        "where promotes",
    );
    assert_same(
        &ga.masked_fill(&gc, -1e9),
        &a.masked_fill(&cond, -1e9),
        "masked_fill",
    );
    assert_same(
        &ga.t().masked_fill(&gc.t(), f64::NEG_INFINITY),
        &a.t().masked_fill(&cond.t(), f64::NEG_INFINITY),
        "masked_fill of views",
    );
}
