//! Softmax / log-softmax against an f64 CPU reference.
//!
//! Tolerance: `|err| <= 1e-6 + 1e-5 |want|` for softmax, `1e-5 + 1e-5 |want|` for
//! log-softmax.

mod common;

use common::{Rng, assert_close, gpu};
use kiln_gpu_kernels::{RowsLayout, softmax};

fn reference(x: &[f32], cols: usize, log: bool) -> Vec<f32> {
    x.chunks(cols)
        .flat_map(|row| {
            let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
            let s: f64 = row.iter().map(|&v| (f64::from(v) - m).exp()).sum();
            row.iter()
                .map(move |&v| {
                    let d = f64::from(v) - m;
                    (if log { d - s.ln() } else { d.exp() / s }) as f32
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn rows_of_every_size_including_long_ones() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(21);
    for &(rows, cols) in &[(1, 1), (7, 33), (33, 129), (129, 7), (3, 5000)] {
        // large logits check stability: exp(80) alone would overflow f32 sums without the max shift
        let x = rng.vec(rows * cols, -80.0, 80.0);
        let gx = ctx.upload(&x).unwrap();
        for log in [false, true] {
            let got = ctx
                .to_vec::<f32>(
                    &softmax(ctx, &gx, &RowsLayout::contiguous(rows, cols), log).unwrap(),
                )
                .unwrap();
            let atol = if log { 1e-5 } else { 1e-6 };
            assert_close(
                &got,
                &reference(&x, cols, log),
                atol,
                1e-5,
                &format!("softmax log={log} [{rows}, {cols}]"),
            );
        }
    }
}

#[test]
fn masked_rows_follow_torch() {
    let Some(ctx) = gpu() else { return };
    let inf = f32::INFINITY;
    let x = ctx
        .upload(&[0.0f32, -inf, 1.0, -inf, -inf, -inf, 1.0, f32::NAN, 2.0])
        .unwrap();
    let got = ctx
        .to_vec::<f32>(&softmax(ctx, &x, &RowsLayout::contiguous(3, 3), false).unwrap())
        .unwrap();
    let e = std::f32::consts::E;
    assert!((got[0] - 1.0 / (1.0 + e)).abs() < 1e-6 && got[1] == 0.0);
    assert!(
        got[3..].iter().all(|v| v.is_nan()),
        "all -inf row and NaN row give NaN: {got:?}"
    );
    assert!(softmax(ctx, &x, &RowsLayout::contiguous(4, 3), false).is_err());
}

#[test]
fn strided_rows_with_offset() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(23);
    // [33, 129] taken from a [33, 200] buffer at column 7, plus a 2-element prefix
    let (rows, cols, stride, offset) = (33, 129, 200, 2 + 7);
    let buf = rng.vec(2 + rows * stride, -5.0, 5.0);
    let dense: Vec<f32> = (0..rows)
        .flat_map(|r| buf[offset + r * stride..offset + r * stride + cols].to_vec())
        .collect();
    let layout = RowsLayout {
        rows,
        cols,
        offset,
        row_stride: stride,
    };
    let gx = ctx.upload(&buf).unwrap();
    for log in [false, true] {
        let got = ctx
            .to_vec::<f32>(&softmax(ctx, &gx, &layout, log).unwrap())
            .unwrap();
        assert_close(
            &got,
            &reference(&dense, cols, log),
            1e-5,
            1e-5,
            &format!("strided softmax log={log}"),
        );
    }
    let too_far = RowsLayout {
        offset: 100,
        ..layout
    };
    assert!(softmax(ctx, &gx, &too_far, false).is_err());
}
