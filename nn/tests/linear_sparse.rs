//! `Linear::forward_sparse` against the dense forward on the densified input: same outputs,
//! same weight and bias gradients, with and without bias, in f32 and f64, including empty rows
//! and a batch with no stored entries.

use kiln_autograd::Var;
use kiln_nn::{Forward, Linear};
use kiln_tensor::{CsrTensor, DType, Tensor};

/// A `[rows, cols]` CSR batch whose row `r` holds a few entries (row 1 is empty).
fn batch(rows: usize, cols: usize, dtype: DType) -> CsrTensor {
    let (mut crow, mut col, mut vals) = (vec![0], Vec::new(), Vec::new());
    for r in 0..rows {
        if r != 1 {
            for j in 0..(r % 4 + 1) {
                col.push(((r * 7 + j * 3) % cols) as u32);
                vals.push(0.25 * (r as f64 + 1.0) - 0.5 * j as f64);
            }
        }
        crow.push(col.len());
    }
    let nnz = vals.len();
    let values = Tensor::from_vec(vals, [nnz]).to_dtype(dtype);
    CsrTensor::from_parts(crow, col, values, [rows, cols]).unwrap()
}

/// Runs `loss = sum(forward(x)²)` backward and returns (output, weight grad, bias grad).
fn run(layer: &Linear, forward: impl Fn(&Linear) -> Var) -> (Vec<f64>, Vec<f64>, Option<Vec<f64>>) {
    layer.weight.zero_grad();
    if let Some(b) = &layer.bias {
        b.zero_grad();
    }
    let y = forward(layer);
    y.pow_scalar(2.0).sum().backward();
    (
        y.value().to_vec::<f64>(),
        layer.weight.grad().expect("weight grad").to_vec::<f64>(),
        layer
            .bias
            .as_ref()
            .map(|b| b.grad().expect("bias grad").to_vec::<f64>()),
    )
}

fn close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol * (1.0 + y.abs()),
            "element {i}: {x} vs {y}"
        );
    }
}

#[test]
fn sparse_forward_matches_dense_forward_and_gradients() {
    for (dtype, bias, tol) in [
        (DType::F32, true, 1e-5),
        (DType::F32, false, 1e-5),
        (DType::F64, true, 1e-12),
    ] {
        for (rows, cols, out) in [(6, 9, 3), (1, 1, 1), (5, 4, 2)] {
            let layer = Linear::new(cols, out, bias);
            layer.weight.set_value(layer.weight.value().to_dtype(dtype));
            if let Some(b) = &layer.bias {
                b.set_value(b.value().to_dtype(dtype));
            }
            let x = batch(rows, cols, dtype);
            let dense_x = Var::constant(x.to_dense());
            let (ys, gws, gbs) = run(&layer, |l| l.forward_sparse(&x));
            let (yd, gwd, gbd) = run(&layer, |l| l.forward(&dense_x));
            close(&ys, &yd, tol);
            close(&gws, &gwd, tol);
            assert_eq!(gbs.is_some(), bias);
            if let (Some(s), Some(d)) = (gbs, gbd) {
                close(&s, &d, tol);
            }
        }
    }
}

#[test]
fn a_batch_without_entries_gives_the_bias() {
    let layer = Linear::new(5, 2, true);
    let empty = CsrTensor::from_parts(vec![0, 0, 0], vec![], Tensor::zeros([0]), [2, 5]).unwrap();
    let y = layer.forward_sparse(&empty).value().to_vec::<f32>();
    let b = layer.bias.as_ref().unwrap().value().to_vec::<f32>();
    assert_eq!(y, [b.clone(), b].concat());
}

#[test]
#[should_panic(expected = "Linear.forward_sparse: input [2, 4] does not match in_features=5")]
fn wrong_width_panics() {
    let layer = Linear::new(5, 2, true);
    layer.forward_sparse(&batch(2, 4, DType::F32));
}
