//! `copy_into`, `triangle`, `cumsum`, `scatter` and `bernoulli` against CPU references on
//! strided views, and their argument errors.
//!
//! Tolerances: copies, triangles, integer scans and scatters without repeated targets are
//! exact; f32 `cumsum` within `1e-5 + 1e-5 |want|` of an f64 reference; f32 scatter-add with
//! repeated targets within `1e-5 + 1e-5 |want|` (additions in another order).

mod common;

use common::{Rng, assert_close, gather_view, gpu, test_views};
use kiln_gpu_kernels::{
    DType, ScatterMode, StridedLayout, bernoulli, copy_into, cumsum, scatter, triangle,
};

#[test]
fn copy_into_places_each_view_in_its_region() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(1);
    // cat of a transposed [33, 7] view and a contiguous [33, 5] along dim 1 -> [33, 12].
    let a = rng.vec(7 * 33, -1.0, 1.0);
    let b = rng.vec(33 * 5, -1.0, 1.0);
    let a_view = StridedLayout::new(&[33, 7], &[1, 33], 0);
    let b_view = StridedLayout::contiguous(&[33, 5]);
    let out = ctx.alloc(33 * 12, DType::F32).unwrap();
    let whole = StridedLayout::contiguous(&[33, 12]);
    let left = StridedLayout::new(&[33, 7], &whole.strides, 0);
    let right = StridedLayout::new(&[33, 5], &whole.strides, 7);
    let (ga, gb) = (ctx.upload(&a).unwrap(), ctx.upload(&b).unwrap());
    copy_into(ctx, &ga, &a_view, &out, &left).unwrap();
    copy_into(ctx, &gb, &b_view, &out, &right).unwrap();
    let got = ctx.to_vec::<f32>(&out).unwrap();
    let (av, bv) = (gather_view(&a, &a_view), gather_view(&b, &b_view));
    let want: Vec<f32> = (0..33)
        .flat_map(|r| {
            let row: Vec<f32> = av[r * 7..][..7]
                .iter()
                .chain(&bv[r * 5..][..5])
                .copied()
                .collect();
            row
        })
        .collect();
    assert_eq!(got, want);
    // Shapes must agree, elements be 32-bit and views stay inside their buffers.
    assert!(copy_into(ctx, &ga, &a_view, &out, &right).is_err());
    let half = ctx.upload(&[half::f16::ONE; 4]).unwrap();
    let four = StridedLayout::contiguous(&[4]);
    assert!(copy_into(ctx, &half, &four, &out, &four).is_err());
    assert!(
        copy_into(
            ctx,
            &ga,
            &StridedLayout::contiguous(&[7 * 33 + 1]),
            &out,
            &four
        )
        .is_err()
    );
}

#[test]
fn triangle_keeps_one_side_of_the_diagonal() {
    let Some(ctx) = gpu() else { return };
    let data: Vec<f32> = (1..=7 * 33).map(|v| v as f32).collect();
    let x = ctx.upload(&data).unwrap();
    // The transpose of a [7, 33] matrix: 33 rows, 7 columns.
    let view = StridedLayout::new(&[33, 7], &[1, 33], 0);
    let values = gather_view(&data, &view);
    for diagonal in [-40, -3, 0, 2, 40] {
        for upper in [true, false] {
            let out = triangle(ctx, &x, &view, diagonal, upper).unwrap();
            let want: Vec<f32> = (0..33 * 7)
                .map(|i| {
                    let (r, c) = ((i / 7) as i64, (i % 7) as i64);
                    let keep = if upper {
                        c - r >= diagonal
                    } else {
                        c - r <= diagonal
                    };
                    if keep { values[i] } else { 0.0 }
                })
                .collect();
            assert_eq!(ctx.to_vec::<f32>(&out).unwrap(), want, "{diagonal} {upper}");
        }
    }
    assert!(triangle(ctx, &x, &StridedLayout::contiguous(&[7]), 0, true).is_err());
}

#[test]
fn cumsum_over_every_dim_of_strided_views() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(2);
    for (len, layout) in test_views() {
        let data = rng.vec(len, -2.0, 2.0);
        let x = ctx.upload(&data).unwrap();
        let values = gather_view(&data, &layout);
        let shape = &layout.shape;
        for dim in 0..shape.len() {
            let inner: usize = shape[dim + 1..].iter().product();
            let n = shape[dim];
            let mut want = vec![0f32; values.len()];
            for start in (0..values.len()).filter(|i| (i / inner).is_multiple_of(n)) {
                let mut acc = 0f64;
                for k in 0..n {
                    acc += f64::from(values[start + k * inner]);
                    want[start + k * inner] = acc as f32;
                }
            }
            let got = ctx
                .to_vec::<f32>(&cumsum(ctx, &x, &layout, dim).unwrap())
                .unwrap();
            assert_close(&got, &want, 1e-5, 1e-5, &format!("dim {dim} of {shape:?}"));
        }
    }
    // 32-bit integers wrap around.
    let ints = ctx.upload(&[i32::MAX, 1, 5]).unwrap();
    let out = cumsum(ctx, &ints, &StridedLayout::contiguous(&[3]), 0).unwrap();
    assert_eq!(
        ctx.to_vec::<i32>(&out).unwrap(),
        vec![i32::MAX, i32::MIN, i32::MIN + 5]
    );
    assert!(cumsum(ctx, &ints, &StridedLayout::contiguous(&[3]), 1).is_err());
}

#[test]
fn scatter_adds_repeated_targets_and_checks_arguments() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(3);
    // dst [7, 33]; index and src [129, 33] along dim 0, src read through a transposed view.
    let dst = rng.vec(7 * 33, -1.0, 1.0);
    let src = rng.vec(129 * 33, -1.0, 1.0);
    let idx: Vec<i32> = (0..129 * 33).map(|_| (rng.next_u32() % 7) as i32).collect();
    let src_view = StridedLayout::new(&[129, 33], &[1, 129], 0);
    let index_view = StridedLayout::contiguous(&[129, 33]);
    let (gd, gs, gi) = (
        ctx.upload(&dst).unwrap(),
        ctx.upload(&src).unwrap(),
        ctx.upload(&idx).unwrap(),
    );
    let run = |mode| {
        scatter(
            ctx,
            &gd,
            &[7, 33],
            0,
            &gi,
            &index_view,
            &gs,
            &src_view,
            mode,
        )
    };
    let mut want: Vec<f64> = dst.iter().map(|&v| f64::from(v)).collect();
    let values = gather_view(&src, &src_view);
    for (i, &t) in idx.iter().enumerate() {
        want[t as usize * 33 + i % 33] += f64::from(values[i]);
    }
    let want: Vec<f32> = want.iter().map(|&v| v as f32).collect();
    let got = ctx
        .to_vec::<f32>(&run(ScatterMode::AddF32).unwrap())
        .unwrap();
    assert_close(&got, &want, 1e-5, 1e-5, "scatter add");
    // The destination is copied, not modified.
    assert_eq!(ctx.to_vec::<f32>(&gd).unwrap(), dst);
    // Index dtype, view shapes and the destination length are checked.
    let bad_index = ctx.upload(&[0.0f32; 129 * 33]).unwrap();
    let r = scatter(
        ctx,
        &gd,
        &[7, 33],
        0,
        &bad_index,
        &index_view,
        &gs,
        &src_view,
        ScatterMode::AddF32,
    );
    assert!(r.is_err());
    assert!(
        scatter(
            ctx,
            &gd,
            &[33, 7],
            0,
            &gi,
            &index_view,
            &gs,
            &src_view,
            ScatterMode::Assign
        )
        .is_err()
    );
    assert!(
        scatter(
            ctx,
            &gd,
            &[7, 34],
            0,
            &gi,
            &index_view,
            &gs,
            &src_view,
            ScatterMode::Assign
        )
        .is_err()
    );
}

#[test]
fn bernoulli_is_a_function_of_the_seed() {
    let Some(ctx) = gpu() else { return };
    let p: Vec<f32> = (0..129 * 7).map(|i| [0.0, 1.0, 0.5][i % 3]).collect();
    let gp = ctx.upload(&p).unwrap();
    let a = ctx.to_vec::<f32>(&bernoulli(ctx, &gp, 9).unwrap()).unwrap();
    assert_eq!(
        a,
        ctx.to_vec::<f32>(&bernoulli(ctx, &gp, 9).unwrap()).unwrap()
    );
    assert_ne!(
        a,
        ctx.to_vec::<f32>(&bernoulli(ctx, &gp, 10).unwrap())
            .unwrap()
    );
    for (i, &v) in a.iter().enumerate() {
        match i % 3 {
            0 => assert_eq!(v, 0.0),
            1 => assert_eq!(v, 1.0),
            _ => assert!(v == 0.0 || v == 1.0),
        }
    }
    let halves = a.iter().skip(2).step_by(3).filter(|&&v| v == 1.0).count();
    // 301 fair draws: within 0.5 ± 0.1 is over 3 standard deviations.
    assert!((halves as f32 / 301.0 - 0.5).abs() < 0.1, "{halves} of 301");
    let ints = ctx.upload(&[1i32]).unwrap();
    assert!(bernoulli(ctx, &ints, 0).is_err());
}
