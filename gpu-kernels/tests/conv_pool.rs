//! The window kernels on their own: `im2col` against a direct loop (exact), `col2im` as its
//! adjoint (⟨im2col x, c⟩ = ⟨x, col2im c⟩ within 1e-4 relative), `max_pool2d_backward` on
//! arbitrary indices (repeats, -1, out of range) against a direct scatter (exact, values that
//! are multiples of 1/8), and invalid arguments as errors.

mod common;

use common::{Rng, gpu};
use kiln_gpu_kernels::{
    DType, GpuError, Window2d, avg_pool2d, col2im, im2col, max_pool2d, max_pool2d_backward,
};

fn window(
    batch: usize,
    channels: usize,
    input: [usize; 2],
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    dilation: [usize; 2],
) -> Window2d {
    let out =
        |a: usize| (input[a] + 2 * padding[a] - dilation[a] * (kernel[a] - 1) - 1) / stride[a] + 1;
    Window2d {
        batch,
        channels,
        input,
        output: [out(0), out(1)],
        kernel,
        stride,
        padding,
        dilation,
    }
}

/// `F.unfold` written out directly.
fn unfold(x: &[f32], w: &Window2d) -> Vec<f32> {
    let [h, wd] = w.input;
    let [kh, kw] = w.kernel;
    let mut out = Vec::new();
    for n in 0..w.batch {
        for c in 0..w.channels {
            for i in 0..kh {
                for j in 0..kw {
                    for oy in 0..w.output[0] {
                        for ox in 0..w.output[1] {
                            let py = (oy * w.stride[0] + i * w.dilation[0]) as isize;
                            let px = (ox * w.stride[1] + j * w.dilation[1]) as isize;
                            let (iy, ix) = (py - w.padding[0] as isize, px - w.padding[1] as isize);
                            let inside =
                                (0..h as isize).contains(&iy) && (0..wd as isize).contains(&ix);
                            out.push(if inside {
                                x[((n * w.channels + c) * h + iy as usize) * wd + ix as usize]
                            } else {
                                0.0
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| f64::from(x) * f64::from(y))
        .sum()
}

#[test]
fn im2col_matches_a_direct_loop_and_col2im_is_its_adjoint() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(5);
    let windows = [
        window(1, 1, [1, 1], [1, 1], [1, 1], [0, 0], [1, 1]),
        window(2, 3, [7, 5], [3, 3], [1, 1], [1, 1], [1, 1]),
        window(1, 2, [9, 11], [3, 5], [2, 3], [2, 1], [2, 1]),
        window(2, 1, [1, 33], [1, 5], [1, 2], [0, 2], [1, 3]),
    ];
    for w in &windows {
        let x = rng.vec(w.input_len(), -1.0, 1.0);
        let cols = im2col(ctx, &ctx.upload(&x).unwrap(), w).unwrap();
        let got = ctx.to_vec::<f32>(&cols).unwrap();
        assert_eq!(got, unfold(&x, w), "im2col {w:?}");

        let c = rng.vec(got.len(), -1.0, 1.0);
        let folded = col2im(ctx, &ctx.upload(&c).unwrap(), w).unwrap();
        let folded = ctx.to_vec::<f32>(&folded).unwrap();
        assert_eq!(folded.len(), x.len());
        let (lhs, rhs) = (dot(&got, &c), dot(&x, &folded));
        assert!(
            (lhs - rhs).abs() <= 1e-4 * lhs.abs().max(1.0),
            "adjoint {w:?}: {lhs} vs {rhs}"
        );
    }
}

#[test]
fn max_pool_backward_routes_arbitrary_indices() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(9);
    // Planes of 5×6 inputs, 3×4 outputs; only the sizes matter to the backward pass.
    let w = window(3, 1, [5, 6], [2, 2], [2, 2], [1, 1], [1, 1]);
    let (planes, in_len, out_len) = (3, 30, w.out_len());
    assert_eq!(out_len, 12);
    let grad: Vec<f32> = (0..planes * out_len)
        .map(|_| (rng.below(64) as f32 - 32.0) / 8.0)
        .collect();
    let idx: Vec<i32> = (0..planes * out_len)
        .map(|_| rng.below(36) as i32 - 3)
        .collect();
    let mut want = vec![0.0f32; planes * in_len];
    for (o, (&g, &i)) in grad.iter().zip(&idx).enumerate() {
        if (0..in_len as i32).contains(&i) {
            want[(o / out_len) * in_len + i as usize] += g;
        }
    }
    let got = max_pool2d_backward(
        ctx,
        &ctx.upload(&grad).unwrap(),
        &ctx.upload(&idx).unwrap(),
        &w,
    )
    .unwrap();
    assert_eq!(ctx.to_vec::<f32>(&got).unwrap(), want);
}

#[test]
fn bad_arguments_are_errors() {
    let Some(ctx) = gpu() else { return };
    let w = window(1, 1, [4, 4], [2, 2], [2, 2], [0, 0], [1, 1]);
    let x = ctx.upload(&[0.0f32; 16]).unwrap();
    let zero_stride = Window2d {
        stride: [0, 1],
        ..w
    };
    assert!(matches!(
        im2col(ctx, &x, &zero_stride),
        Err(GpuError::InvalidArgument { .. })
    ));
    let short = ctx.upload(&[0.0f32; 15]).unwrap();
    assert!(matches!(
        max_pool2d(ctx, &short, &w),
        Err(GpuError::InvalidArgument { .. })
    ));
    let ints = ctx.upload(&[0u32; 16]).unwrap();
    assert!(matches!(
        col2im(ctx, &ints, &w),
        Err(GpuError::DTypeMismatch {
            found: DType::U32,
            ..
        })
    ));
    let dilated = Window2d {
        dilation: [2, 2],
        ..w
    };
    assert!(matches!(
        avg_pool2d(ctx, &x, &dilated, true),
        Err(GpuError::InvalidArgument { .. })
    ));
    let two_channels = Window2d { channels: 2, ..w };
    assert!(matches!(
        max_pool2d(ctx, &x, &two_channels),
        Err(GpuError::InvalidArgument { .. })
    ));
}
