//! The convolution and pooling ops checked against central finite differences in f64, on random
//! small shapes and settings (stride, padding, dilation, groups, bias, ceil mode), with the input
//! given as a non-contiguous transposed view in half the cases.

use kiln_autograd::{GradCheckOptions, Var, gradcheck};
use kiln_tensor::{
    Conv1dOptions, Conv2dOptions, DType, Device, Generator, Pool1dOptions, Pool2dOptions, Tensor,
};
use proptest::prelude::*;

fn rand_f64(dims: &[usize], seed: u64) -> Tensor {
    let u = Tensor::rand_from(
        dims.to_vec(),
        DType::F64,
        &Device::Cpu,
        &mut Generator::new(seed),
    );
    u.mul_scalar(4.0).add_scalar(-2.0)
}

fn check(f: impl Fn(&[Var]) -> Var, inputs: &[Tensor]) -> Result<(), TestCaseError> {
    gradcheck(f, inputs, GradCheckOptions::default())
        .map_err(|e| TestCaseError::fail(e.to_string()))
}

/// An input length for which a window of `kernel` taps at `dilation` with `padding` fits at
/// least once.
fn fitting(kernel: usize, dilation: usize, padding: usize, extra: usize) -> usize {
    (dilation * (kernel - 1) + 1)
        .saturating_sub(2 * padding)
        .max(1)
        + extra
}

/// The input as the op sees it: when `transposed`, the stored tensor has its last two dims
/// swapped and the op gets a non-contiguous transposed view of it.
fn view(v: &Var, transposed: bool) -> Var {
    if transposed {
        v.transpose(-1i64, -2i64)
    } else {
        v.clone()
    }
}

/// `dims` with the last two swapped when `transposed`.
fn stored(mut dims: Vec<usize>, transposed: bool) -> Vec<usize> {
    if transposed {
        let n = dims.len();
        dims.swap(n - 1, n - 2);
    }
    dims
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn conv2d_gradients(
        (n, groups, cin, cout) in (1usize..3, 1usize..3, 1usize..3, 1usize..3),
        (kh, kw, sh, sw) in (1usize..4, 1usize..4, 1usize..3, 1usize..3),
        (ph, pw, dh, dw) in (0usize..2, 0usize..2, 1usize..3, 1usize..3),
        (eh, ew, bias, transposed) in (0usize..3, 0usize..3, any::<bool>(), any::<bool>()),
        seed in any::<u64>(),
    ) {
        let (h, w) = (fitting(kh, dh, ph, eh), fitting(kw, dw, pw, ew));
        let o = Conv2dOptions::new().stride([sh, sw]).padding([ph, pw]).dilation([dh, dw]).groups(groups);
        let x = rand_f64(&stored(vec![n, cin * groups, h, w], transposed), seed);
        let wt = rand_f64(&[cout * groups, cin, kh, kw], seed ^ 1);
        let mut inputs = vec![x, wt];
        if bias {
            inputs.push(rand_f64(&[cout * groups], seed ^ 2));
        }
        check(|v| view(&v[0], transposed).conv2d(&v[1], v.get(2), &o), &inputs)?;
    }

    #[test]
    fn conv1d_gradients(
        (n, groups, cin, cout) in (1usize..3, 1usize..3, 1usize..3, 1usize..3),
        (k, s, p, d) in (1usize..4, 1usize..3, 0usize..3, 1usize..3),
        (extra, bias, transposed) in (0usize..3, any::<bool>(), any::<bool>()),
        seed in any::<u64>(),
    ) {
        let len = fitting(k, d, p, extra);
        let o = Conv1dOptions::new().stride(s).padding(p).dilation(d).groups(groups);
        // The transposed case stores [N, L, C] and convolves its [N, C, L] view.
        let x = rand_f64(&stored(vec![n, cin * groups, len], transposed), seed);
        let wt = rand_f64(&[cout * groups, cin, k], seed ^ 1);
        let mut inputs = vec![x, wt];
        if bias {
            inputs.push(rand_f64(&[cout * groups], seed ^ 2));
        }
        check(|v| view(&v[0], transposed).conv1d(&v[1], v.get(2), &o), &inputs)?;
    }

    #[test]
    fn pool2d_gradients(
        (batched, c, kh, kw) in (any::<bool>(), 1usize..3, 1usize..4, 1usize..4),
        (sh, sw, dh, dw) in (1usize..3, 1usize..3, 1usize..3, 1usize..3),
        (ph, pw, eh, ew) in (0usize..2, 0usize..2, 0usize..3, 0usize..3),
        (ceil, include_pad, transposed) in (any::<bool>(), any::<bool>(), any::<bool>()),
        seed in any::<u64>(),
    ) {
        let (ph, pw) = (ph.min(kh / 2), pw.min(kw / 2));
        // At least one full dilated window, so no max-pool window sees only padding.
        let (h, w) = (fitting(kh, dh, 0, eh), fitting(kw, dw, 0, ew));
        let mut dims = vec![c, h, w];
        if batched {
            dims.insert(0, 2);
        }
        let x = rand_f64(&stored(dims, transposed), seed);
        let base = Pool2dOptions::new([kh, kw]).stride([sh, sw]).padding([ph, pw]).ceil_mode(ceil);
        let max = base.dilation([dh, dw]);
        check(|v| view(&v[0], transposed).max_pool2d(&max), std::slice::from_ref(&x))?;
        let avg = base.count_include_pad(include_pad);
        check(|v| view(&v[0], transposed).avg_pool2d(&avg), &[x])?;
    }

    #[test]
    fn pool1d_gradients(
        (batched, c, k, s) in (any::<bool>(), 1usize..3, 1usize..4, 1usize..3),
        (p, d, extra) in (0usize..2, 1usize..3, 0usize..3),
        (ceil, include_pad, transposed) in (any::<bool>(), any::<bool>(), any::<bool>()),
        seed in any::<u64>(),
    ) {
        let p = p.min(k / 2);
        let len = fitting(k, d, 0, extra);
        let mut dims = vec![c, len];
        if batched {
            dims.insert(0, 2);
        }
        let x = rand_f64(&stored(dims, transposed), seed);
        let base = Pool1dOptions::new(k).stride(s).padding(p).ceil_mode(ceil);
        check(|v| view(&v[0], transposed).max_pool1d(&base.dilation(d)), std::slice::from_ref(&x))?;
        check(|v| view(&v[0], transposed).avg_pool1d(&base.count_include_pad(include_pad)), &[x])?;
    }
}

/// A hand-computed case: a 2×2 kernel of ones over a 3×3 ramp sums each window.
#[test]
fn conv2d_sums_windows() {
    let x = Tensor::arange(0.0f32, 9.0, 1.0).reshape(&[1, 1, 3, 3]);
    let w = Tensor::ones([1, 1, 2, 2]);
    let y = x.conv2d(
        &w,
        Some(&Tensor::from_vec(vec![0.5f32], [1])),
        &Conv2dOptions::new(),
    );
    // windows: 0+1+3+4, 1+2+4+5, 3+4+6+7, 4+5+7+8, plus bias 0.5
    assert_eq!(y.to_vec::<f32>(), vec![8.5, 12.5, 20.5, 24.5]);
}

/// Max pooling routes the gradient to each window's maximum and returns its flat index.
#[test]
fn max_pool2d_indices_and_gradient() {
    let x = Var::parameter(Tensor::from_vec(
        vec![1.0f32, 5.0, 2.0, 0.0, 3.0, 4.0, 9.0, 8.0],
        [1, 2, 4],
    ));
    let (values, indices) = x
        .value()
        .max_pool2d_with_indices(&Pool2dOptions::new([2, 2]));
    assert_eq!(values.to_vec::<f32>(), vec![5.0, 9.0]);
    assert_eq!(indices.to_vec::<i64>(), vec![1, 6]);
    x.max_pool2d(&Pool2dOptions::new([2, 2])).sum().backward();
    assert_eq!(
        x.grad().unwrap().to_vec::<f32>(),
        vec![0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    );
}

/// f16 inputs compute in f32 and come back as f16.
#[test]
fn conv2d_keeps_half_dtype() {
    let x = Tensor::ones([1, 1, 3, 3]).to_dtype(DType::F16);
    let w = Tensor::ones([1, 1, 3, 3]).to_dtype(DType::F16);
    let y = x.conv2d(&w, None, &Conv2dOptions::new().padding([1, 1]));
    assert_eq!(y.dtype(), DType::F16);
    assert_eq!(
        y.to_vec::<f32>(),
        vec![4.0, 6.0, 4.0, 6.0, 9.0, 6.0, 4.0, 6.0, 4.0]
    );
}

/// A max-pool window whose dilated taps all land in the padding gives -inf and no gradient.
#[test]
fn max_pool_window_of_only_padding() {
    let x = Var::parameter(Tensor::from_vec(vec![3.0f32], [1, 1, 1]));
    let o = Pool2dOptions::new([1, 2])
        .stride([1, 1])
        .padding([0, 1])
        .dilation([1, 2]);
    let y = x.max_pool2d(&o);
    assert_eq!(y.value().to_vec::<f32>(), vec![f32::NEG_INFINITY]);
    y.backward_with(&Tensor::ones([1, 1, 1]), false);
    assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![0.0]);
}

#[test]
#[should_panic(expected = "pad should be at most half of effective kernel size")]
fn pooling_rejects_too_much_padding() {
    Tensor::zeros([1, 4, 4]).max_pool2d(&Pool2dOptions::new([2, 2]).padding([2, 0]));
}
