//! Every differentiable op checked against central finite differences in f64, on random
//! shapes with broadcasting and non-contiguous inputs.

use kiln_autograd::{GradCheckOptions, Var, checkpoint, gradcheck};
use kiln_tensor::{DType, Device, Generator, Tensor};
use proptest::prelude::*;

fn rand_f64(dims: &[usize], seed: u64, low: f64, high: f64) -> Tensor {
    let u = Tensor::rand_from(
        dims.to_vec(),
        DType::F64,
        &Device::Cpu,
        &mut Generator::new(seed),
    );
    u.mul_scalar(high - low).add_scalar(low)
}

fn check(f: impl Fn(&[Var]) -> Var, inputs: &[Tensor]) -> Result<(), TestCaseError> {
    gradcheck(f, inputs, GradCheckOptions::default())
        .map_err(|e| TestCaseError::fail(e.to_string()))
}

/// A shape and another that broadcasts against it.
fn broadcast_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    proptest::collection::vec(1usize..4, 1..4).prop_flat_map(|a| {
        let n = a.len();
        (Just(a), proptest::collection::vec(any::<bool>(), n), 0..=n).prop_map(|(a, ones, drop)| {
            let b: Vec<usize> = a
                .iter()
                .zip(&ones)
                .map(|(&d, &one)| if one { 1 } else { d })
                .collect();
            (a, b[drop..].to_vec())
        })
    })
}

fn dims() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(1usize..4, 1..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn binary_ops_broadcast((sa, sb) in broadcast_pair(), seed in any::<u64>()) {
        let a = rand_f64(&sa, seed, 0.5, 2.0);
        let b = rand_f64(&sb, seed ^ 1, 0.5, 2.0);
        check(|v| v[0].add(&v[1]), &[a.clone(), b.clone()])?;
        check(|v| v[0].sub(&v[1]), &[a.clone(), b.clone()])?;
        check(|v| v[0].mul(&v[1]), &[a.clone(), b.clone()])?;
        check(|v| v[0].div(&v[1]), &[a.clone(), b.clone()])?;
        check(|v| v[0].pow(&v[1]), &[a.clone(), b.clone()])?;
        // Shift b so no element ties with a.
        let b_shift = b.add_scalar(0.013);
        check(|v| v[0].maximum(&v[1]), &[a.clone(), b_shift.clone()])?;
        check(|v| v[0].minimum(&v[1]), &[a, b_shift])?;
    }

    #[test]
    fn unary_ops(d in dims(), seed in any::<u64>()) {
        let pos = rand_f64(&d, seed, 0.2, 2.0);
        let any = rand_f64(&d, seed ^ 7, -2.0, 2.0);
        // Keep away from the kinks of abs/relu/clamp.
        let away = any.away_from_kinks();
        for f in [Var::exp, Var::log, Var::log1p, Var::sqrt, Var::rsqrt, Var::reciprocal_test] {
            check(|v| f(&v[0]), std::slice::from_ref(&pos))?;
        }
        for f in [Var::sin, Var::cos, Var::tanh, Var::sigmoid, Var::gelu, Var::gelu_tanh, Var::silu, Var::neg] {
            check(|v| f(&v[0]), std::slice::from_ref(&any))?;
        }
        check(|v| v[0].abs(), std::slice::from_ref(&away))?;
        check(|v| v[0].relu(), std::slice::from_ref(&away))?;
        check(|v| v[0].clamp(Some(-0.5), Some(0.7)), std::slice::from_ref(&away))?;
        check(|v| v[0].pow_scalar(3.0), std::slice::from_ref(&any))?;
        check(|v| &(&v[0] * 2.5) - 1.0, &[any])?;
    }

    #[test]
    fn matmul_all_ranks(m in 1usize..4, k in 1usize..4, n in 1usize..4, batch in 1usize..3, case in 0usize..6, seed in any::<u64>()) {
        let (sa, sb): (Vec<usize>, Vec<usize>) = match case {
            0 => (vec![m, k], vec![k, n]),
            1 => (vec![k], vec![k]),
            2 => (vec![k], vec![k, n]),
            3 => (vec![m, k], vec![k]),
            4 => (vec![batch, m, k], vec![k, n]),
            _ => (vec![batch, 1, m, k], vec![2, k, n]),
        };
        let a = rand_f64(&sa, seed, -1.0, 1.0);
        let b = rand_f64(&sb, seed ^ 3, -1.0, 1.0);
        check(|v| v[0].matmul(&v[1]), &[a, b.clone()])?;
        // Non-contiguous right operand: a transposed view.
        if b.dim() == 2 {
            let bt = b.t().contiguous();
            let a2 = rand_f64(&[m, b.dims()[0]], seed ^ 5, -1.0, 1.0);
            check(|v| v[0].matmul(&v[1].t()), &[a2, bt.clone()])?;
            // `Linear` on a batch of sequences: a 3-D input times a transposed weight.
            let a3 = rand_f64(&[batch, m, b.dims()[0]], seed ^ 7, -1.0, 1.0);
            check(|v| v[0].matmul(&v[1].t()), &[a3, bt])?;
            // Non-contiguous left operand.
            let at = rand_f64(&[b.dims()[0], m], seed ^ 9, -1.0, 1.0);
            check(|v| v[0].t().matmul(&v[1]), &[at, b])?;
        }
    }

    #[test]
    fn reductions(d in dims(), seed in any::<u64>(), keepdim in any::<bool>()) {
        let x = rand_f64(&d, seed, -2.0, 2.0);
        let last = (d.len() - 1) as i64;
        check(|v| v[0].sum(), std::slice::from_ref(&x))?;
        check(|v| v[0].sum_dim(&[0], keepdim), std::slice::from_ref(&x))?;
        check(|v| v[0].mean_dim(&[last], keepdim), std::slice::from_ref(&x))?;
        check(|v| v[0].mean(), std::slice::from_ref(&x))?;
        check(|v| v[0].logsumexp(&[last], keepdim), std::slice::from_ref(&x))?;
        check(|v| v[0].max_dim(last, keepdim).0, &[x])?;
    }

    #[test]
    fn views_and_shapes(d in proptest::collection::vec(1usize..4, 2..4), seed in any::<u64>()) {
        let x = rand_f64(&d, seed, -1.0, 1.0);
        check(|v| v[0].reshape(&[-1]), std::slice::from_ref(&x))?;
        check(|v| v[0].transpose(0usize, 1usize).mul(&v[0].transpose(0usize, 1usize)), std::slice::from_ref(&x))?;
        let perm: Vec<i64> = (0..d.len() as i64).rev().collect();
        check(|v| v[0].permute(&perm).exp(), std::slice::from_ref(&x))?;
        check(|v| v[0].unsqueeze(1usize).squeeze_dim(1usize), std::slice::from_ref(&x))?;
        check(|v| v[0].narrow(0usize, d[0] / 2, d[0] - d[0] / 2), std::slice::from_ref(&x))?;
        check(|v| v[0].select(1usize, -1), std::slice::from_ref(&x))?;
        check(|v| v[0].flatten(0usize, 1usize), std::slice::from_ref(&x))?;
        let mut big = d.clone();
        big.insert(0, 2);
        check(|v| v[0].broadcast_to(&big), std::slice::from_ref(&x))?;
        let y = rand_f64(&d, seed ^ 9, -1.0, 1.0);
        check(|v| Var::cat(&[v[0].clone(), v[1].clone()], 1usize), &[x.clone(), y.clone()])?;
        check(|v| Var::stack(&[v[0].clone(), v[1].clone()], 0usize), &[x, y])?;
    }

    #[test]
    fn indexing(rows in 2usize..5, cols in 1usize..4, seed in any::<u64>()) {
        let table = rand_f64(&[rows, cols], seed, -1.0, 1.0);
        let ids = Tensor::from_vec(vec![0i64, rows as i64 - 1, 0, 1], [2, 2]);
        check(|v| v[0].embedding(&ids), std::slice::from_ref(&table))?;
        check(|v| v[0].index_select(0usize, &ids.reshape(&[-1])), std::slice::from_ref(&table))?;
        let gather_idx = Tensor::from_vec(vec![0i64; rows], [rows, 1]);
        check(|v| v[0].gather(1usize, &gather_idx), std::slice::from_ref(&table))?;
        let mask = table.gt_scalar(0.0);
        check(|v| v[0].masked_fill(&mask, -5.0), std::slice::from_ref(&table))?;
        let other = rand_f64(&[cols], seed ^ 2, -1.0, 1.0);
        check(|v| Var::where_(&mask, &v[0], &v[1]), &[table, other])?;
    }

    #[test]
    fn softmax_family(d in proptest::collection::vec(1usize..5, 1..4), seed in any::<u64>()) {
        let x = rand_f64(&d, seed, -3.0, 3.0);
        check(|v| v[0].softmax(-1i64), std::slice::from_ref(&x))?;
        check(|v| v[0].softmax(0usize), std::slice::from_ref(&x))?;
        check(|v| v[0].log_softmax(-1i64), &[x])?;
    }

    #[test]
    fn layer_norm_with_affine(lead in 1usize..4, n in 2usize..6, seed in any::<u64>(), affine in any::<bool>()) {
        let x = rand_f64(&[lead, n], seed, -2.0, 2.0);
        let w = rand_f64(&[n], seed ^ 4, 0.5, 1.5);
        let b = rand_f64(&[n], seed ^ 6, -0.5, 0.5);
        if affine {
            check(|v| v[0].layer_norm(&[n], Some(&v[1]), Some(&v[2]), 1e-5), &[x, w, b])?;
        } else {
            check(|v| v[0].layer_norm(&[n], None, None, 1e-5), &[x])?;
        }
    }

    #[test]
    fn checkpointed_segment(d in dims(), seed in any::<u64>()) {
        let x = rand_f64(&d, seed, -1.0, 1.0);
        check(|v| checkpoint(|s| s[0].tanh().mul(&s[0]).exp(), &[v[0].clone()]), &[x])?;
    }
}

/// Test-only helpers to keep the op lists above uniform.
trait TestOps {
    fn reciprocal_test(&self) -> Var;
}

impl TestOps for Var {
    fn reciprocal_test(&self) -> Var {
        Var::constant(Tensor::scalar(1.0f64)).div(self)
    }
}

trait AwayFromKinks {
    fn away_from_kinks(&self) -> Tensor;
}

impl AwayFromKinks for Tensor {
    /// Moves values within 0.05 of 0, -0.5 and 0.7 away from those points.
    fn away_from_kinks(&self) -> Tensor {
        let v: Vec<f64> = self
            .to_vec::<f64>()
            .into_iter()
            .map(|x| {
                let mut x = x;
                for k in [0.0, -0.5, 0.7] {
                    if (x - k).abs() < 0.05 {
                        x = k + 0.1;
                    }
                }
                x
            })
            .collect();
        Tensor::from_vec(v, self.shape().clone())
    }
}
