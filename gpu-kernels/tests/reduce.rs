//! Reductions over one dimension against CPU references on strided views.
//!
//! Tolerances: sum / mean `|err| <= 1e-5 + 1e-5 |want|` (f64 reference; the GPU sums in f32
//! in a different order); max / min / argmax / argmin exact.

mod common;

use common::{Rng, assert_close, at, gpu, test_views};
use kiln_gpu_kernels::{ReduceOp, StridedLayout, reduce};

/// CPU reduction of `dim` of the view; argmax/argmin give the first extreme index.
fn reference(data: &[f32], l: &StridedLayout, dim: usize, op: ReduceOp) -> Vec<f32> {
    let mut outer = l.clone();
    outer.shape.remove(dim);
    outer.strides.remove(dim);
    let len = l.shape[dim];
    (0..outer.numel())
        .map(|o| {
            let vals: Vec<f32> = (0..len)
                .map(|j| {
                    let base = at(
                        &(0..data.len()).map(|i| i as f32).collect::<Vec<_>>(),
                        &outer.shape,
                        &outer.strides,
                        outer.offset,
                        o,
                    ) as usize;
                    data[base + j * l.strides[dim]]
                })
                .collect();
            let sum: f64 = vals.iter().map(|&v| f64::from(v)).sum();
            let first = |better: fn(f32, f32) -> bool| {
                let mut bi = 0;
                for (i, &v) in vals.iter().enumerate() {
                    if better(v, vals[bi]) {
                        bi = i;
                    }
                }
                bi
            };
            match op {
                ReduceOp::Sum => sum as f32,
                ReduceOp::Mean => (sum / len as f64) as f32,
                ReduceOp::Max => vals.iter().copied().fold(f32::NEG_INFINITY, f32::max),
                ReduceOp::Min => vals.iter().copied().fold(f32::INFINITY, f32::min),
                ReduceOp::Argmax => first(|v, b| v > b) as f32,
                ReduceOp::Argmin => first(|v, b| v < b) as f32,
                ReduceOp::Prod => vals.iter().map(|&v| f64::from(v)).product::<f64>() as f32,
            }
        })
        .collect()
}

#[test]
fn every_reduction_over_every_dim_of_strided_views() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(11);
    let ops = [
        ReduceOp::Sum,
        ReduceOp::Mean,
        ReduceOp::Max,
        ReduceOp::Min,
        ReduceOp::Argmax,
        ReduceOp::Argmin,
    ];
    let mut views = test_views();
    // a long reduced dimension (more elements than threads per workgroup)
    views.push((3 * 1000, StridedLayout::contiguous(&[3, 1000])));
    for (len, layout) in views {
        // quantised values create ties, so "first index" is exercised
        let data: Vec<f32> = rng
            .vec(len, -4.0, 4.0)
            .iter()
            .map(|v| (v * 4.0).round() / 4.0)
            .collect();
        let x = ctx.upload(&data).unwrap();
        for dim in 0..layout.shape.len() {
            for op in ops {
                let out = reduce(ctx, op, &x, &layout, dim).unwrap();
                let got: Vec<f32> = match op {
                    ReduceOp::Argmax | ReduceOp::Argmin => ctx
                        .to_vec::<u32>(&out)
                        .unwrap()
                        .into_iter()
                        .map(|v| v as f32)
                        .collect(),
                    _ => ctx.to_vec::<f32>(&out).unwrap(),
                };
                let want = reference(&data, &layout, dim, op);
                let tol = if matches!(op, ReduceOp::Sum | ReduceOp::Mean) {
                    (1e-5, 1e-5)
                } else {
                    (0.0, 0.0)
                };
                assert_close(
                    &got,
                    &want,
                    tol.0,
                    tol.1,
                    &format!(
                        "{op:?} dim {dim} of {:?}/{:?}",
                        layout.shape, layout.strides
                    ),
                );
            }
        }
    }
}

#[test]
fn max_propagates_nan_and_argmax_points_at_it() {
    let Some(ctx) = gpu() else { return };
    let x = ctx.upload(&[1.0f32, f32::NAN, 3.0, 2.0]).unwrap();
    let l = StridedLayout::contiguous(&[4]);
    assert!(
        ctx.to_vec::<f32>(&reduce(ctx, ReduceOp::Max, &x, &l, 0).unwrap())
            .unwrap()[0]
            .is_nan()
    );
    assert_eq!(
        ctx.to_vec::<u32>(&reduce(ctx, ReduceOp::Argmax, &x, &l, 0).unwrap())
            .unwrap(),
        vec![1]
    );
    assert!(reduce(ctx, ReduceOp::Sum, &x, &l, 1).is_err());
    let empty = StridedLayout::contiguous(&[2, 0]);
    assert!(reduce(ctx, ReduceOp::Max, &x, &empty, 1).is_err());
    assert_eq!(
        ctx.to_vec::<f32>(&reduce(ctx, ReduceOp::Sum, &x, &empty, 1).unwrap())
            .unwrap(),
        vec![0.0, 0.0]
    );
}

/// Products over every dim of strided views, values in [0.5, 1.5] so nothing overflows:
/// within 1e-5 relative of the f64 reference; an empty dimension gives 1.
#[test]
fn prod_over_every_dim_of_strided_views() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(12);
    for (len, layout) in test_views() {
        let data = rng.vec(len, 0.5, 1.5);
        let x = ctx.upload(&data).unwrap();
        for dim in 0..layout.shape.len() {
            let out = reduce(ctx, ReduceOp::Prod, &x, &layout, dim).unwrap();
            assert_close(
                &ctx.to_vec::<f32>(&out).unwrap(),
                &reference(&data, &layout, dim, ReduceOp::Prod),
                0.0,
                1e-5,
                &format!("prod dim {dim} of {:?}", layout.shape),
            );
        }
    }
    let x = ctx.upload(&[1.0f32]).unwrap();
    let empty = StridedLayout::contiguous(&[2, 0]);
    assert_eq!(
        ctx.to_vec::<f32>(&reduce(ctx, ReduceOp::Prod, &x, &empty, 1).unwrap())
            .unwrap(),
        vec![1.0, 1.0]
    );
}
