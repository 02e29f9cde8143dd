//! Matmul kernels against a naive CPU product.
//!
//! Tolerance: f32 `|err| <= 1e-5 + 1e-4 |want|` (K ≤ 129 sums of products of values in [-1, 1]);
//! f16: inputs rounded to f16, CPU product in f64, result compared with `|err| <= 2e-2 + 1e-2
//! |want|` (f16 output rounding is 2^-11 relative; sums reach ~10).

mod common;

use common::{Rng, SIZES, assert_close, gpu};
use half::f16;
use kiln_gpu_kernels::{MatmulAlgo, MatmulArgs, MatmulOperand, matmul};

/// Reference: C[z, i, j] = sum_k A(z, i, k) B(z, k, j) read through the operand strides.
fn reference(a: &[f32], b: &[f32], args: &MatmulArgs) -> Vec<f32> {
    let [b0, b1] = args.batch;
    let mut out = Vec::with_capacity(b0 * b1 * args.m * args.n);
    let ix = |op: &MatmulOperand, z0: usize, z1: usize, r: usize, c: usize| {
        op.offset
            + z0 * op.batch_strides[0]
            + z1 * op.batch_strides[1]
            + r * op.row_stride
            + c * op.col_stride
    };
    for z0 in 0..b0 {
        for z1 in 0..b1 {
            for i in 0..args.m {
                for j in 0..args.n {
                    let mut s = 0.0f64;
                    for k in 0..args.k {
                        s += f64::from(a[ix(&args.a, z0, z1, i, k)])
                            * f64::from(b[ix(&args.b, z0, z1, k, j)]);
                    }
                    out.push(s as f32);
                }
            }
        }
    }
    out
}

fn operand_len(op: &MatmulOperand, batch: [usize; 2], rows: usize, cols: usize) -> usize {
    op.offset
        + (batch[0] - 1) * op.batch_strides[0]
        + (batch[1] - 1) * op.batch_strides[1]
        + (rows - 1) * op.row_stride
        + (cols - 1) * op.col_stride
        + 1
}

fn check(args: MatmulArgs, seed: u64, what: &str) {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(seed);
    let a = rng.vec(operand_len(&args.a, args.batch, args.m, args.k), -1.0, 1.0);
    let b = rng.vec(operand_len(&args.b, args.batch, args.k, args.n), -1.0, 1.0);
    let ga = ctx.upload(&a).unwrap();
    let gb = ctx.upload(&b).unwrap();
    let got = ctx
        .to_vec::<f32>(&matmul(ctx, &ga, &gb, &args).unwrap())
        .unwrap();
    assert_close(&got, &reference(&a, &b, &args), 1e-5, 1e-4, what);
}

#[test]
fn tiled_f32_all_size_combinations() {
    let mut seed = 1;
    for &m in &SIZES {
        for &k in &SIZES {
            for &n in &SIZES {
                let mut args = MatmulArgs::new(m, k, n);
                args.algo = MatmulAlgo::Tiled;
                seed += 1;
                check(args, seed, &format!("tiled {m}x{k}x{n}"));
            }
        }
    }
}

#[test]
fn transposed_operands_via_strides() {
    for (ta, tb) in [(true, false), (false, true), (true, true)] {
        for &(m, k, n) in &[(33, 129, 7), (129, 33, 65), (1, 7, 129)] {
            let mut args = MatmulArgs::new(m, k, n);
            if ta {
                args.a = MatmulOperand::transposed(m, k);
            }
            if tb {
                args.b = MatmulOperand::transposed(k, n);
            }
            args.algo = MatmulAlgo::Tiled;
            check(
                args,
                (m * k * n) as u64,
                &format!("transposed a={ta} b={tb} {m}x{k}x{n}"),
            );
        }
    }
}

#[test]
fn batched_with_broadcast_and_offsets() {
    // A: [2, 3, 33, 7] with padding between rows (row stride 9) and an offset of 5;
    // B: one [7, 40] matrix broadcast over both batch dims (batch strides 0).
    let (m, k, n) = (33, 7, 40);
    let a = MatmulOperand {
        offset: 5,
        batch_strides: [3 * m * 9, m * 9],
        row_stride: 9,
        col_stride: 1,
    };
    let mut args = MatmulArgs::new(m, k, n);
    args.batch = [2, 3];
    args.a = a;
    args.b = MatmulOperand::contiguous(k, n).with_batch_strides(0, 0);
    for algo in [MatmulAlgo::Tiled, MatmulAlgo::Auto] {
        args.algo = algo;
        check(args, 77, &format!("batched {algo:?}"));
    }
    // Permuted batch dims (strides that cannot merge into one): A as [3, 2, m, k] stored
    // [2, 3, m, k].
    let mut args = MatmulArgs::new(7, 33, 7);
    args.batch = [3, 2];
    args.a = MatmulOperand::contiguous(7, 33).with_batch_strides(7 * 33, 3 * 7 * 33);
    args.b = MatmulOperand::transposed(33, 7).with_batch_strides(33 * 7, 3 * 33 * 7);
    check(args, 78, "permuted batch");
}

#[test]
fn subgroup_variant_matches() {
    let Some(ctx) = gpu() else { return };
    if !ctx.has_subgroups() {
        eprintln!("skipped: adapter lacks SUBGROUP");
        return;
    }
    for &(m, k, n) in &[(1, 1, 1), (1, 129, 33), (7, 33, 129), (8, 129, 7)] {
        for tb in [false, true] {
            let mut args = MatmulArgs::new(m, k, n);
            if tb {
                args.b = MatmulOperand::transposed(k, n);
            }
            args.algo = MatmulAlgo::Subgroup;
            check(
                args,
                (k + n) as u64,
                &format!("subgroup {m}x{k}x{n} bT={tb}"),
            );
        }
    }
}

#[test]
fn f16_matches_reference_with_f32_accumulation() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(9);
    for &(m, k, n) in &[(1, 7, 33), (33, 129, 7), (129, 33, 129), (7, 1, 1)] {
        let a: Vec<f16> = rng
            .vec(m * k, -1.0, 1.0)
            .into_iter()
            .map(f16::from_f32)
            .collect();
        let b: Vec<f16> = rng
            .vec(k * n, -1.0, 1.0)
            .into_iter()
            .map(f16::from_f32)
            .collect();
        let args = MatmulArgs::new(m, k, n);
        let ga = ctx.upload(&a).unwrap();
        let gb = ctx.upload(&b).unwrap();
        let got: Vec<f32> = ctx
            .to_vec::<f16>(&matmul(ctx, &ga, &gb, &args).unwrap())
            .unwrap()
            .into_iter()
            .map(f16::to_f32)
            .collect();
        let a32: Vec<f32> = a.iter().map(|v| v.to_f32()).collect();
        let b32: Vec<f32> = b.iter().map(|v| v.to_f32()).collect();
        assert_close(
            &got,
            &reference(&a32, &b32, &args),
            2e-2,
            1e-2,
            &format!("f16 {m}x{k}x{n} (native f16: {})", ctx.has_f16()),
        );
    }
}

#[test]
fn rejects_out_of_bounds_operands_and_mixed_dtypes() {
    let Some(ctx) = gpu() else { return };
    let a = ctx.upload(&[0.0f32; 6]).unwrap();
    let b = ctx.upload(&[0.0f32; 5]).unwrap();
    let err = matmul(ctx, &a, &b, &MatmulArgs::new(2, 3, 2)).unwrap_err();
    assert!(err.to_string().contains("operand B"), "{err}");
    let h = ctx.upload(&[f16::ZERO; 6]).unwrap();
    assert!(matmul(ctx, &a, &h, &MatmulArgs::new(2, 3, 2)).is_err());
}

#[test]
fn k_zero_gives_zeros() {
    let Some(ctx) = gpu() else { return };
    let a = ctx.upload(&[1.0f32]).unwrap();
    let mut args = MatmulArgs::new(3, 0, 2);
    args.a = MatmulOperand::contiguous(3, 0);
    let c = matmul(ctx, &a, &a, &args).unwrap();
    assert_eq!(ctx.to_vec::<f32>(&c).unwrap(), vec![0.0; 6]);
}
