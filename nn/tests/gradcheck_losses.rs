//! Every loss and sequence pooling checked against central finite differences in f64
//! (`kiln_autograd::gradcheck`), on random small shapes, every reduction and the main options,
//! with the input given as a non-contiguous transposed view in half the cases. Gradients are
//! checked with respect to the input and, where the target is a float, the target.

use kiln_autograd::{GradCheckOptions, Var, gradcheck};
use kiln_nn::functional::{
    BceWithLogitsOptions, CrossEntropyOptions, KlDivReduction, NllLossOptions, Reduction,
    binary_cross_entropy, binary_cross_entropy_with_logits, cls_pooling, cross_entropy, huber_loss,
    kl_div, l1_loss, max_pooling, mean_pooling, mse_loss, nll_loss, smooth_l1_loss,
};
use kiln_tensor::{DType, Device, Generator, Tensor};
use proptest::prelude::*;

fn uniform(dims: &[usize], seed: u64, low: f64, high: f64) -> Tensor {
    Tensor::rand_from(
        dims.to_vec(),
        DType::F64,
        &Device::Cpu,
        &mut Generator::new(seed),
    )
    .mul_scalar(high - low)
    .add_scalar(low)
}

fn check(f: impl Fn(&[Var]) -> Var, inputs: &[Tensor]) -> Result<(), TestCaseError> {
    gradcheck(f, inputs, GradCheckOptions::default())
        .map_err(|e| TestCaseError::fail(e.to_string()))
}

fn reduction() -> impl Strategy<Value = Reduction> {
    prop_oneof![
        Just(Reduction::None),
        Just(Reduction::Mean),
        Just(Reduction::Sum)
    ]
}

/// Stores `t` with its first two dims swapped when `transposed`; [`view`] swaps them back, so
/// the loss sees a non-contiguous view.
fn stored(t: Tensor, transposed: bool) -> Tensor {
    if transposed {
        t.transpose(0, 1).contiguous()
    } else {
        t
    }
}

fn view(v: &Var, transposed: bool) -> Var {
    if transposed {
        v.transpose(0usize, 1usize)
    } else {
        v.clone()
    }
}

/// Random class indices in `0..classes`, some replaced by `ignore` when `with_ignored`.
fn classes(dims: &[usize], classes: usize, seed: u64, ignore: Option<i64>) -> Tensor {
    let mut g = Generator::new(seed);
    let n: usize = dims.iter().product();
    let mut t: Vec<i64> = (0..n).map(|_| g.int_in(0, classes as i64)).collect();
    if let Some(ignore) = ignore {
        // Ignore every third entry but keep the first, so the mean has a non-zero weight.
        for v in t.iter_mut().skip(2).step_by(3) {
            *v = ignore;
        }
    }
    Tensor::from_vec(t, dims.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn cross_entropy_and_nll(
        (n, c, spatial) in (1usize..4, 2usize..5, 0usize..3),
        (red, smoothing, weighted, ignore, transposed) in
            (reduction(), prop_oneof![Just(0.0), Just(0.2)], any::<bool>(), any::<bool>(), any::<bool>()),
        seed in any::<u64>(),
    ) {
        let mut dims = vec![n, c];
        if spatial > 0 {
            dims.push(spatial);
        }
        let x = uniform(&dims, seed, -3.0, 3.0);
        let mut tdims = dims.clone();
        tdims.remove(1);
        let target = classes(&tdims, c, seed ^ 3, ignore.then_some(-100));
        let weight = weighted.then(|| uniform(&[c], seed ^ 5, 0.5, 2.0).to_dtype(DType::F32));
        let mut ce = CrossEntropyOptions::default().with_reduction(red).with_label_smoothing(smoothing);
        let mut nll = NllLossOptions::default().with_reduction(red);
        if let Some(w) = &weight {
            ce = ce.with_weight(w.clone());
            nll = nll.with_weight(w.clone());
        }
        let t = Var::constant(target);
        check(|v| cross_entropy(&view(&v[0], transposed), &t, &ce), &[stored(x.clone(), transposed)])?;
        check(|v| nll_loss(&view(&v[0], transposed).log_softmax(1usize), &t, &nll), &[stored(x.clone(), transposed)])?;
        // Probability targets: gradients for logits and target.
        let p = uniform(&dims, seed ^ 7, 0.0, 1.0);
        check(|v| cross_entropy(&view(&v[0], transposed), &v[1], &ce), &[stored(x, transposed), p])?;
    }

    #[test]
    fn regression_losses(
        (rows, cols) in (1usize..4, 1usize..4),
        (red, threshold, transposed) in (reduction(), 0.3f64..2.0, any::<bool>()),
        seed in any::<u64>(),
    ) {
        let x = uniform(&[rows, cols], seed, -3.0, 3.0);
        let y = uniform(&[rows, cols], seed ^ 1, -3.0, 3.0);
        let inputs = [stored(x, transposed), stored(y, transposed)];
        let both = |v: &[Var]| (view(&v[0], transposed), view(&v[1], transposed));
        check(|v| { let (a, b) = both(v); mse_loss(&a, &b, red) }, &inputs)?;
        check(|v| { let (a, b) = both(v); l1_loss(&a, &b, red) }, &inputs)?;
        check(|v| { let (a, b) = both(v); smooth_l1_loss(&a, &b, red, threshold) }, &inputs)?;
        check(|v| { let (a, b) = both(v); huber_loss(&a, &b, red, threshold) }, &inputs)?;
    }

    #[test]
    fn binary_losses(
        (rows, cols) in (1usize..4, 1usize..4),
        (red, weighted, pos_weighted, transposed) in (reduction(), any::<bool>(), any::<bool>(), any::<bool>()),
        seed in any::<u64>(),
    ) {
        let p = uniform(&[rows, cols], seed, 0.05, 0.95);
        let z = uniform(&[rows, cols], seed ^ 2, -4.0, 4.0);
        let t = uniform(&[rows, cols], seed ^ 1, 0.0, 1.0);
        let weight = weighted.then(|| uniform(&[cols], seed ^ 3, 0.5, 2.0));
        let mut opts = BceWithLogitsOptions::default().with_reduction(red);
        if let Some(w) = &weight {
            opts = opts.with_weight(w.clone());
        }
        if pos_weighted {
            opts = opts.with_pos_weight(uniform(&[cols], seed ^ 4, 0.5, 3.0));
        }
        let (ps, zs, ts) = (stored(p, transposed), stored(z, transposed), stored(t, transposed));
        check(
            |v| binary_cross_entropy(&view(&v[0], transposed), &view(&v[1], transposed), weight.as_ref(), red),
            &[ps, ts.clone()],
        )?;
        check(
            |v| binary_cross_entropy_with_logits(&view(&v[0], transposed), &view(&v[1], transposed), &opts),
            &[zs, ts],
        )?;
    }

    #[test]
    fn kl_divergence(
        (rows, cols) in (1usize..4, 2usize..5),
        (log_target, transposed) in (any::<bool>(), any::<bool>()),
        red in prop_oneof![
            Just(KlDivReduction::None),
            Just(KlDivReduction::Mean),
            Just(KlDivReduction::BatchMean),
            Just(KlDivReduction::Sum)
        ],
        seed in any::<u64>(),
    ) {
        let x = uniform(&[rows, cols], seed, -3.0, 0.0);
        let t = if log_target {
            uniform(&[rows, cols], seed ^ 1, -3.0, 0.0)
        } else {
            uniform(&[rows, cols], seed ^ 1, 0.05, 1.0)
        };
        check(
            |v| kl_div(&view(&v[0], transposed), &view(&v[1], transposed), red, log_target),
            &[stored(x, transposed), stored(t, transposed)],
        )?;
    }

    #[test]
    fn sequence_poolings(
        (b, l, h) in (1usize..4, 1usize..5, 1usize..4),
        mask_bits in proptest::collection::vec(any::<bool>(), 16),
        transposed in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let hidden = uniform(&[b, l, h], seed, -2.0, 2.0);
        let mask: Vec<i64> = (0..b * l).map(|i| i64::from(i % l == 0 || mask_bits[i % 16])).collect();
        let mask = Tensor::from_vec(mask, [b, l]);
        let stored_h = stored(hidden, transposed);
        check(|v| mean_pooling(&view(&v[0], transposed), &mask), std::slice::from_ref(&stored_h))?;
        check(|v| max_pooling(&view(&v[0], transposed), &mask), std::slice::from_ref(&stored_h))?;
        check(|v| cls_pooling(&view(&v[0], transposed)), &[stored_h])?;
    }
}
