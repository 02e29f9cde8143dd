//! `sparse_matmul` (constant CSR × differentiable dense) checked against central finite
//! differences in f64 on random shapes: empty rows, no entries, size-1 dims, repeated columns,
//! and the dense operand given as a transposed (non-contiguous) view in half the cases.

use kiln_autograd::{GradCheckOptions, Var, gradcheck, sparse_matmul};
use kiln_tensor::{CsrTensor, DType, Device, Generator, Tensor};
use proptest::prelude::*;

/// Random CSR `[m, k]` in f64 with up to `per_row` entries per row at random (possibly
/// repeated) columns; every third row empty.
fn random_csr(m: usize, k: usize, per_row: usize, seed: u64) -> CsrTensor {
    let mut state = seed | 1;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let (mut crow, mut cols, mut vals) = (vec![0], Vec::new(), Vec::new());
    for r in 0..m {
        let count = if r % 3 == 2 { 0 } else { next(per_row + 1) };
        for _ in 0..count {
            cols.push(next(k) as u32);
            vals.push(next(2001) as f64 / 500.0 - 2.0);
        }
        crow.push(cols.len());
    }
    let nnz = vals.len();
    CsrTensor::from_parts(crow, cols, Tensor::from_vec(vals, [nnz]), [m, k]).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn sparse_matmul_gradient_for_the_dense_operand(
        (m, k, n) in (1usize..6, 1usize..6, 1usize..5),
        per_row in 0usize..5,
        (seed, transposed) in (any::<u64>(), any::<bool>()),
    ) {
        let a = random_csr(m, k, per_row, seed);
        let stored = if transposed { [n, k] } else { [k, n] };
        let b = Tensor::randn_from(stored, DType::F64, &Device::Cpu, &mut Generator::new(seed));
        let f = |v: &[Var]| {
            let dense = if transposed { v[0].t() } else { v[0].clone() };
            // Square the product so the gradient depends on the dense operand's values.
            sparse_matmul(&a, &dense).pow_scalar(2.0)
        };
        gradcheck(f, &[b], GradCheckOptions::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
}

#[test]
fn sparse_operand_gets_no_gradient_and_constants_stay_constant() {
    let a = random_csr(3, 4, 3, 5);
    let b = Var::constant(Tensor::ones([4, 2]).to_dtype(DType::F64));
    let y = sparse_matmul(&a, &b);
    assert!(!y.requires_grad());
    let w = Var::parameter(Tensor::ones([4, 2]).to_dtype(DType::F64));
    let y = sparse_matmul(&a, &w);
    assert_eq!(y.grad_fn_name(), Some("SparseMmBackward0"));
    assert_eq!(
        y.value().to_vec::<f64>(),
        a.matmul(&w.value()).to_vec::<f64>()
    );
}
