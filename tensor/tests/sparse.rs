//! The CSR sparse tensor against its dense equivalent: construction checks, `to_dense` /
//! `from_dense`, `sparse_matmul` and `sparse_t_matmul` (both code paths) and row selection,
//! on random shapes with empty rows, no entries, size-1 and size-0 dims, unsorted and repeated
//! columns, in f32 and f64, with contiguous and transposed dense operands.

use kiln_tensor::sparse::{CsrTensor, SparseError, sparse_matmul, sparse_t_matmul};
use kiln_tensor::{DType, Device, Generator, Tensor};
use proptest::prelude::*;

/// A tiny deterministic generator for test data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn value(&mut self) -> f64 {
        (self.next() % 2001) as f64 / 1000.0 - 1.0
    }
}

/// Random CSR parts for `[m, k]`: each row has 0..=max_per_row entries at random (unsorted,
/// possibly repeated) columns; every third row is forced empty.
fn random_parts(
    m: usize,
    k: usize,
    max_per_row: usize,
    seed: u64,
) -> (Vec<usize>, Vec<u32>, Vec<f64>) {
    let mut rng = Lcg(seed);
    let mut crow = vec![0];
    let (mut cols, mut vals) = (Vec::new(), Vec::new());
    for r in 0..m {
        let count = if k == 0 || r % 3 == 2 {
            0
        } else {
            rng.below(max_per_row + 1)
        };
        for _ in 0..count {
            cols.push(rng.below(k) as u32);
            vals.push(rng.value());
        }
        crow.push(cols.len());
    }
    (crow, cols, vals)
}

fn random_csr(m: usize, k: usize, max_per_row: usize, seed: u64, dtype: DType) -> CsrTensor {
    let (crow, cols, vals) = random_parts(m, k, max_per_row, seed);
    let nnz = vals.len();
    let values = Tensor::from_vec(vals, [nnz]).to_dtype(dtype);
    CsrTensor::from_parts(crow, cols, values, [m, k]).expect("valid parts")
}

/// A random dense `[rows, cols]` operand, given as a transposed view when `transposed`.
fn random_dense(rows: usize, cols: usize, seed: u64, dtype: DType, transposed: bool) -> Tensor {
    let mut g = Generator::new(seed);
    if transposed {
        Tensor::randn_from([cols, rows], dtype, &Device::Cpu, &mut g).t()
    } else {
        Tensor::randn_from([rows, cols], dtype, &Device::Cpu, &mut g)
    }
}

fn assert_close(actual: &Tensor, expected: &Tensor, tol: f64) -> Result<(), TestCaseError> {
    prop_assert_eq!(actual.dims(), expected.dims());
    prop_assert_eq!(actual.dtype(), expected.dtype());
    for (i, (a, e)) in actual
        .to_vec::<f64>()
        .iter()
        .zip(expected.to_vec::<f64>())
        .enumerate()
    {
        prop_assert!(
            (a - e).abs() <= tol * (1.0 + e.abs()),
            "element {i}: {a} vs {e}"
        );
    }
    Ok(())
}

fn dtype_of(f64_values: bool) -> DType {
    if f64_values { DType::F64 } else { DType::F32 }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn matmul_equals_dense_matmul(
        (m, k, n) in (0usize..7, 0usize..7, 0usize..6),
        max_per_row in 0usize..5,
        (seed, f64_values, transposed) in (any::<u64>(), any::<bool>(), any::<bool>()),
    ) {
        let dtype = dtype_of(f64_values);
        let a = random_csr(m, k, max_per_row, seed, dtype);
        let b = random_dense(k, n, seed ^ 1, dtype, transposed);
        let tol = if f64_values { 1e-12 } else { 1e-5 };
        assert_close(&sparse_matmul(&a, &b), &a.to_dense().matmul(&b), tol)?;
        let g = random_dense(m, n, seed ^ 2, dtype, transposed);
        assert_close(&sparse_t_matmul(&a, &g), &a.to_dense().t().matmul(&g), tol)?;
    }

    #[test]
    fn to_dense_adds_repeated_entries(
        (m, k) in (0usize..6, 0usize..6),
        max_per_row in 0usize..6,
        seed in any::<u64>(),
    ) {
        let (crow, cols, vals) = random_parts(m, k, max_per_row, seed);
        let mut expected = vec![0.0f64; m * k];
        for r in 0..m {
            for i in crow[r]..crow[r + 1] {
                expected[r * k + cols[i] as usize] += vals[i];
            }
        }
        let nnz = vals.len();
        let a = CsrTensor::from_parts(crow, cols, Tensor::from_vec(vals, [nnz]), [m, k]).unwrap();
        prop_assert_eq!(a.nnz(), nnz);
        prop_assert_eq!(a.to_dense().to_vec::<f64>(), expected);
    }

    #[test]
    fn from_dense_round_trips_and_keeps_only_nonzeros(
        (m, k) in (0usize..6, 0usize..6),
        (seed, f64_values) in (any::<u64>(), any::<bool>()),
    ) {
        let dtype = dtype_of(f64_values);
        let a = random_csr(m, k, 3, seed, dtype);
        let dense = a.to_dense();
        let b = dense.to_sparse_csr();
        prop_assert_eq!(b.to_dense().to_vec::<f64>(), dense.to_vec::<f64>());
        prop_assert_eq!(b.dtype(), dtype);
        let nonzero = dense.to_vec::<f64>().iter().filter(|&&v| v != 0.0).count();
        prop_assert_eq!(b.nnz(), nonzero);
        for r in 0..m {
            let cols = &b.col_indices()[b.row_range(r)];
            prop_assert!(cols.windows(2).all(|w| w[0] < w[1]), "row {} unsorted", r);
        }
    }

    #[test]
    fn select_rows_equals_dense_index_select(
        (m, k) in (1usize..7, 0usize..6),
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 0..9),
        (seed, f64_values) in (any::<u64>(), any::<bool>()),
    ) {
        let a = random_csr(m, k, 4, seed, dtype_of(f64_values));
        let index: Vec<usize> = picks.iter().map(|p| p.index(m)).collect();
        let picked = a.select_rows(&index);
        prop_assert_eq!(picked.shape(), [index.len(), k]);
        let ids = Tensor::from_vec(index.iter().map(|&i| i as i64).collect::<Vec<_>>(), [index.len()]);
        prop_assert_eq!(
            picked.to_dense().to_vec::<f64>(),
            a.to_dense().index_select(0usize, &ids).to_vec::<f64>()
        );
    }

    /// Arbitrary parts never panic the constructor; whatever it accepts densifies and
    /// multiplies without panicking.
    #[test]
    fn from_parts_accepts_only_valid_parts(
        crow in proptest::collection::vec(0usize..6, 0..6),
        cols in proptest::collection::vec(0u32..6, 0..6),
        (m, k, nnz) in (0usize..5, 0usize..5, 0usize..6),
    ) {
        let values = Tensor::zeros([nnz]);
        if let Ok(a) = CsrTensor::from_parts(crow.clone(), cols.clone(), values, [m, k]) {
            prop_assert_eq!(crow.len(), m + 1);
            prop_assert_eq!(crow[0], 0);
            prop_assert!(crow.windows(2).all(|w| w[0] <= w[1]));
            prop_assert_eq!(crow[m], nnz);
            prop_assert!(cols.iter().all(|&c| (c as usize) < k));
            prop_assert_eq!(a.to_dense().dims().to_vec(), vec![m, k]);
            prop_assert_eq!(a.matmul(&Tensor::ones([k, 2])).dims().to_vec(), vec![m, 2]);
        }
    }
}

#[test]
fn large_products_take_the_parallel_paths() {
    // nnz · n well above the serial threshold, and n ≥ 4 for the column-regrouping transpose.
    for (m, k, n, dtype) in [
        (600, 300, 8, DType::F32),
        (400, 500, 1, DType::F64),
        (300, 200, 5, DType::F64),
    ] {
        let a = random_csr(m, k, 40, 7, dtype);
        let b = random_dense(k, n, 8, dtype, false);
        let tol = if dtype == DType::F64 { 1e-11 } else { 1e-4 };
        assert_close(&sparse_matmul(&a, &b), &a.to_dense().matmul(&b), tol).unwrap();
        let g = random_dense(m, n, 9, dtype, true);
        assert_close(&a.t_matmul(&g), &a.to_dense().t().matmul(&g), tol).unwrap();
    }
}

#[test]
fn narrow_rows_takes_a_contiguous_block() {
    let a = random_csr(9, 4, 3, 3, DType::F32);
    let block = a.narrow_rows(2, 5);
    let dense = a.to_dense().to_vec::<f32>();
    assert_eq!(block.to_dense().to_vec::<f32>(), dense[8..28].to_vec());
    assert_eq!(a.narrow_rows(9, 0).shape(), [0, 4]);
}

#[test]
#[should_panic(expected = "narrow_rows: start (8) + length (2) exceeds 9 rows")]
fn narrow_rows_past_the_end_panics() {
    random_csr(9, 4, 3, 3, DType::F32).narrow_rows(8, 2);
}

#[test]
#[should_panic(expected = "sparse_matmul: sparse [2, 3] and dense [2, 2] cannot be multiplied")]
fn mismatched_inner_dims_panic() {
    random_csr(2, 3, 2, 1, DType::F32).matmul(&Tensor::zeros([2, 2]));
}

#[test]
#[should_panic(expected = "sparse values are float64 but the dense operand is float32")]
fn mixed_dtypes_panic() {
    random_csr(2, 3, 2, 1, DType::F64).matmul(&Tensor::zeros([3, 2]));
}

#[test]
fn invalid_parts_give_typed_errors() {
    let v = |n: usize| Tensor::ones([n]);
    let check = |r: Result<CsrTensor, SparseError>, e: SparseError| {
        assert_eq!(r.unwrap_err(), e);
    };
    check(
        CsrTensor::from_parts(vec![0, 1], vec![0], v(1), [2, 2]),
        SparseError::CrowLength {
            expected: 3,
            got: 2,
        },
    );
    check(
        CsrTensor::from_parts(vec![1, 1, 1], vec![0], v(1), [2, 2]),
        SparseError::CrowStart { first: 1 },
    );
    check(
        CsrTensor::from_parts(vec![0, 2, 1], vec![0], v(1), [2, 2]),
        SparseError::CrowNotMonotone { row: 1 },
    );
    check(
        CsrTensor::from_parts(vec![0, 1, 1], vec![0, 1], v(2), [2, 2]),
        SparseError::CrowEnd { last: 1, nnz: 2 },
    );
    check(
        CsrTensor::from_parts(vec![0, 1, 1], vec![0, 1], v(1), [2, 2]),
        SparseError::ColLength {
            col_indices: 2,
            values: 1,
        },
    );
    check(
        CsrTensor::from_parts(vec![0, 1, 2], vec![0, 2], v(2), [2, 2]),
        SparseError::ColOutOfRange {
            position: 1,
            index: 2,
            cols: 2,
        },
    );
    check(
        CsrTensor::from_parts(vec![0], vec![], v(0), [0, u32::MAX as usize + 2]),
        SparseError::TooManyColumns {
            cols: u32::MAX as usize + 2,
        },
    );
    check(
        CsrTensor::from_parts(vec![0, 1], vec![0], Tensor::ones([1, 1]), [1, 1]),
        SparseError::ValuesNotVector { dims: vec![1, 1] },
    );
    check(
        CsrTensor::from_parts(vec![0, 1], vec![0], v(1).to_dtype(DType::I64), [1, 1]),
        SparseError::ValuesDType { dtype: DType::I64 },
    );
    let err = CsrTensor::from_parts(vec![0, 2, 1], vec![0], v(1), [2, 2]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "crow_indices decreases at row 1 (crow_indices[1] > crow_indices[2])"
    );
}

#[test]
fn accessors_follow_torch_names() {
    let a = CsrTensor::from_parts(
        vec![0, 2, 2, 3],
        vec![3, 0, 1],
        Tensor::from_vec(vec![1.0f64, 2.0, 3.0], [3]),
        [3, 4],
    )
    .unwrap();
    assert_eq!(a.crow_indices(), &[0, 2, 2, 3]);
    assert_eq!(a.col_indices(), &[3, 0, 1]);
    assert_eq!(a.values().to_vec::<f64>(), vec![1.0, 2.0, 3.0]);
    assert_eq!((a.shape(), a.rows(), a.cols(), a.nnz()), ([3, 4], 3, 4, 3));
    assert_eq!(a.row_range(1), 2..2);
    assert_eq!(a.to_dtype(DType::F32).dtype(), DType::F32);
    assert_eq!(
        a.to_dense().to_vec::<f64>(),
        vec![2.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0]
    );
}
