//! LayerNorm forward and backward against an f64 CPU reference.
//!
//! Tolerances: y, mean, rstd `|err| <= 1e-5 + 1e-5 |want|`; dx, dgamma, dbeta
//! `|err| <= 1e-4 + 1e-4 |want|` (sums of up to 129 products).

mod common;

use common::{Rng, assert_close, gpu};
use kiln_gpu_kernels::{layer_norm, layer_norm_backward};

struct Ref {
    y: Vec<f32>,
    mean: Vec<f32>,
    rstd: Vec<f32>,
    dx: Vec<f32>,
    dgamma: Vec<f32>,
    dbeta: Vec<f32>,
}

fn reference(
    x: &[f32],
    dy: &[f32],
    gamma: Option<&[f32]>,
    beta: Option<&[f32]>,
    rows: usize,
    cols: usize,
    eps: f64,
) -> Ref {
    let mut r = Ref {
        y: vec![],
        mean: vec![],
        rstd: vec![],
        dx: vec![],
        dgamma: vec![0.0; cols],
        dbeta: vec![0.0; cols],
    };
    let g = |j: usize| gamma.map_or(1.0, |g| f64::from(g[j]));
    let mut dgamma = vec![0.0f64; cols];
    let mut dbeta = vec![0.0f64; cols];
    for i in 0..rows {
        let row: Vec<f64> = x[i * cols..(i + 1) * cols]
            .iter()
            .map(|&v| f64::from(v))
            .collect();
        let d: Vec<f64> = dy[i * cols..(i + 1) * cols]
            .iter()
            .map(|&v| f64::from(v))
            .collect();
        let mean = row.iter().sum::<f64>() / cols as f64;
        let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / cols as f64;
        let rstd = 1.0 / (var + eps).sqrt();
        let xhat: Vec<f64> = row.iter().map(|v| (v - mean) * rstd).collect();
        for j in 0..cols {
            r.y.push((xhat[j] * g(j) + beta.map_or(0.0, |b| f64::from(b[j]))) as f32);
            dgamma[j] += d[j] * xhat[j];
            dbeta[j] += d[j];
        }
        let gj: Vec<f64> = (0..cols).map(|j| d[j] * g(j)).collect();
        let a = gj.iter().sum::<f64>() / cols as f64;
        let b = (0..cols).map(|j| gj[j] * xhat[j]).sum::<f64>() / cols as f64;
        for j in 0..cols {
            r.dx.push((rstd * (gj[j] - a - xhat[j] * b)) as f32);
        }
        r.mean.push(mean as f32);
        r.rstd.push(rstd as f32);
    }
    r.dgamma = dgamma.iter().map(|&v| v as f32).collect();
    r.dbeta = dbeta.iter().map(|&v| v as f32).collect();
    r
}

#[test]
fn forward_and_backward_match_with_and_without_affine() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(31);
    for &(rows, cols) in &[(1, 1), (7, 33), (129, 7), (33, 129), (2, 1000)] {
        for affine in [true, false] {
            let x = rng.vec(rows * cols, -3.0, 5.0);
            let dy = rng.vec(rows * cols, -1.0, 1.0);
            let gamma = rng.vec(cols, 0.5, 1.5);
            let beta = rng.vec(cols, -1.0, 1.0);
            let eps = 1e-5;
            let (gx, gdy) = (ctx.upload(&x).unwrap(), ctx.upload(&dy).unwrap());
            let (gg, gb) = (ctx.upload(&gamma).unwrap(), ctx.upload(&beta).unwrap());
            let (g_opt, b_opt) = if affine {
                (Some(&gg), Some(&gb))
            } else {
                (None, None)
            };
            let out = layer_norm(ctx, &gx, g_opt, b_opt, rows, cols, eps).unwrap();
            let grads =
                layer_norm_backward(ctx, &gdy, &gx, &out.mean, &out.rstd, g_opt, rows, cols)
                    .unwrap();
            let want = reference(
                &x,
                &dy,
                affine.then_some(gamma.as_slice()),
                affine.then_some(beta.as_slice()),
                rows,
                cols,
                f64::from(eps),
            );
            let tag = format!("[{rows}, {cols}] affine={affine}");
            assert_close(
                &ctx.to_vec::<f32>(&out.y).unwrap(),
                &want.y,
                1e-5,
                1e-5,
                &format!("y {tag}"),
            );
            assert_close(
                &ctx.to_vec::<f32>(&out.mean).unwrap(),
                &want.mean,
                1e-5,
                1e-5,
                &format!("mean {tag}"),
            );
            assert_close(
                &ctx.to_vec::<f32>(&out.rstd).unwrap(),
                &want.rstd,
                1e-5,
                1e-5,
                &format!("rstd {tag}"),
            );
            assert_close(
                &ctx.to_vec::<f32>(&grads.dx).unwrap(),
                &want.dx,
                1e-4,
                1e-4,
                &format!("dx {tag}"),
            );
            assert_close(
                &ctx.to_vec::<f32>(&grads.dgamma).unwrap(),
                &want.dgamma,
                1e-4,
                1e-4,
                &format!("dgamma {tag}"),
            );
            assert_close(
                &ctx.to_vec::<f32>(&grads.dbeta).unwrap(),
                &want.dbeta,
                1e-4,
                1e-4,
                &format!("dbeta {tag}"),
            );
        }
    }
}

#[test]
fn short_gamma_is_an_error() {
    let Some(ctx) = gpu() else { return };
    let x = ctx.upload(&[0.0f32; 6]).unwrap();
    let g = ctx.upload(&[1.0f32; 2]).unwrap();
    assert!(layer_norm(ctx, &x, Some(&g), None, 2, 3, 1e-5).is_err());
}
