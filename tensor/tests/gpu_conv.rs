//! GPU convolution and pooling against the CPU implementation, forward and backward:
//! `conv2d` / `conv2d_backward` (im2col and col2im kernels + the GPU matmul) with stride,
//! padding, dilation and groups; `max_pool2d_with_indices` / `max_pool2d_backward` and
//! `avg_pool2d` / `avg_pool2d_backward` with padding, dilation, `ceil_mode` and
//! `count_include_pad`. Shapes are drawn from a seeded generator (batch 1 and 2, channels
//! 1/3/7, spatial sizes 1..33, kernels 1/3/5) plus fixed edge cases, some inputs
//! non-contiguous; all small enough for software Vulkan (lavapipe).
//!
//! Tolerances: convolutions 1e-4 relative + 1e-4 absolute (the GPU matmul sums in another
//! order); pooling indices and max-pooling values and gradients exactly (same comparisons and
//! the same summation order as the CPU); average pooling 1e-6 relative + 1e-7 absolute
//! (WGSL's f32 division may be off by a couple of ulps).
#![cfg(feature = "gpu")]

mod gpu_common;

use gpu_common::{assert_close, assert_same, gpu, randn};
use kiln_tensor::{Conv2dOptions, DType, Device, Pool2dOptions, Tensor};

const CONV_RTOL: f64 = 1e-4;
const CONV_ATOL: f64 = 1e-4;
const AVG_RTOL: f64 = 1e-6;
const AVG_ATOL: f64 = 1e-7;

/// A small deterministic generator for test shapes (SplitMix64).
struct Picker(u64);

impl Picker {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn pick(&mut self, choices: &[usize]) -> usize {
        choices[(self.next() % choices.len() as u64) as usize]
    }

    /// True with probability 1/k.
    fn one_in(&mut self, k: u64) -> bool {
        self.next().is_multiple_of(k)
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
}

/// One convolution to compare: `[n, c, h, w]` input, `[o, c/groups, k0, k1]` weight.
#[derive(Clone, Debug)]
struct ConvCase {
    input: [usize; 4],
    out_channels: usize,
    kernel: [usize; 2],
    options: Conv2dOptions,
    bias: bool,
    /// Build the input as a transposed view of a `[n, c, w, h]` tensor.
    transposed: bool,
}

/// Whether the (dilated) kernel fits the padded input along both dims.
fn fits(size: [usize; 2], kernel: [usize; 2], padding: [usize; 2], dilation: [usize; 2]) -> bool {
    (0..2).all(|a| size[a] + 2 * padding[a] > dilation[a] * (kernel[a] - 1))
}

fn random_conv(p: &mut Picker) -> ConvCase {
    loop {
        let groups = p.pick(&[1, 1, 2, 3]);
        let c = groups * p.pick(&[1, 3, 7]).div_ceil(groups).max(1);
        let out_channels = groups * p.pick(&[1, 2, 3]);
        let size = [p.range(1, 33), p.range(1, 33)];
        let kernel = [p.pick(&[1, 3, 5]), p.pick(&[1, 3, 5])];
        let stride = [p.pick(&[1, 2]), p.pick(&[1, 2])];
        let padding = [p.range(0, 2), p.range(0, 2)];
        let dilation = [p.pick(&[1, 1, 2]), p.pick(&[1, 1, 2])];
        if !fits(size, kernel, padding, dilation) {
            continue;
        }
        return ConvCase {
            input: [p.pick(&[1, 2]), c, size[0], size[1]],
            out_channels,
            kernel,
            options: Conv2dOptions::new()
                .stride(stride)
                .padding(padding)
                .dilation(dilation)
                .groups(groups),
            bias: p.one_in(2),
            transposed: p.one_in(3),
        };
    }
}

fn check_conv(case: &ConvCase, seed: u64, dev: &Device) {
    let what = format!("{case:?}");
    let [n, c, h, w] = case.input;
    let x = if case.transposed {
        randn(&[n, c, w, h], seed).transpose(2, 3)
    } else {
        randn(&[n, c, h, w], seed)
    };
    let groups = case.options.groups;
    let o = case.out_channels;
    let weight = randn(&[o, c / groups, case.kernel[0], case.kernel[1]], seed + 1);
    let bias = case.bias.then(|| randn(&[o], seed + 2));
    let want = x.conv2d(&weight, bias.as_ref(), &case.options);
    let (gx, gw) = (x.to_device(dev), weight.to_device(dev));
    let gb = bias.as_ref().map(|b| b.to_device(dev));
    let got = gx.conv2d(&gw, gb.as_ref(), &case.options);
    assert_close(
        &got,
        &want,
        CONV_RTOL,
        CONV_ATOL,
        &format!("forward {what}"),
    );

    let grad = randn(want.dims(), seed + 3);
    let want = x.conv2d_backward(&weight, &grad, &case.options, [true, true, true]);
    let got = gx.conv2d_backward(&gw, &grad.to_device(dev), &case.options, [true; 3]);
    let pairs = [
        (got.input, want.input, "grad input"),
        (got.weight, want.weight, "grad weight"),
        (got.bias, want.bias, "grad bias"),
    ];
    for (g, c, name) in pairs {
        let (g, c) = (g.expect("asked for"), c.expect("asked for"));
        assert_close(&g, &c, CONV_RTOL, CONV_ATOL, &format!("{name} {what}"));
    }
}

/// Random convolutions (seeded) match the CPU forward and backward.
#[test]
fn conv2d_matches_the_cpu_on_random_shapes() {
    let Some(dev) = gpu() else { return };
    let mut p = Picker(7);
    for i in 0..24 {
        check_conv(&random_conv(&mut p), 100 + 10 * i, &dev);
    }
}

/// Edge cases: 1×1 images and kernels, a kernel covering the whole padded input, a
/// depthwise convolution (groups = channels), a height-one input (what `conv1d` runs) and a
/// 33-wide image with stride 2 and dilation 2.
#[test]
fn conv2d_matches_the_cpu_on_edge_cases() {
    let Some(dev) = gpu() else { return };
    let opts = Conv2dOptions::new;
    let cases = [
        ([1, 1, 1, 1], 1, [1, 1], opts(), false),
        ([2, 3, 1, 1], 7, [3, 3], opts().padding([1, 1]), true),
        (
            [1, 3, 5, 5],
            2,
            [5, 5],
            opts().padding([2, 2]).stride([2, 2]),
            true,
        ),
        (
            [2, 7, 9, 6],
            7,
            [3, 3],
            opts().groups(7).padding([1, 1]),
            true,
        ),
        (
            [2, 3, 1, 33],
            7,
            [1, 5],
            opts().padding([0, 2]).stride([1, 2]),
            true,
        ),
        (
            [1, 3, 33, 33],
            3,
            [3, 3],
            opts().stride([2, 2]).dilation([2, 2]),
            false,
        ),
    ];
    for (i, (input, out_channels, kernel, options, bias)) in cases.into_iter().enumerate() {
        let case = ConvCase {
            input,
            out_channels,
            kernel,
            options,
            bias,
            transposed: i % 2 == 1,
        };
        check_conv(&case, 1000 + 10 * i as u64, &dev);
    }
}

/// f16 inputs run through f32 kernels and come back as f16, as on the CPU.
#[test]
fn conv2d_keeps_f16() {
    let Some(dev) = gpu() else { return };
    let x = randn(&[1, 3, 7, 7], 41).to_dtype(DType::F16);
    let w = randn(&[2, 3, 3, 3], 42).to_dtype(DType::F16);
    let opts = Conv2dOptions::new().padding([1, 1]);
    let want = x.conv2d(&w, None, &opts);
    let got = x.to_device(&dev).conv2d(&w.to_device(&dev), None, &opts);
    assert_close(&got, &want, 1e-2, 1e-2, "f16 conv2d");
}

/// One pooling to compare on a `shape` input.
fn pool_cases(p: &mut Picker, count: usize) -> Vec<(Vec<usize>, Pool2dOptions, bool)> {
    let mut cases = Vec::new();
    while cases.len() < count {
        let size = [p.range(1, 33), p.range(1, 33)];
        let kernel = [p.pick(&[1, 2, 3, 5]), p.pick(&[1, 2, 3, 5])];
        let stride = [p.pick(&[1, 2, 3]), p.pick(&[1, 2, 3])];
        let padding = [p.range(0, kernel[0] / 2), p.range(0, kernel[1] / 2)];
        let dilation = [p.pick(&[1, 1, 2]), p.pick(&[1, 1, 2])];
        if !fits(size, kernel, padding, dilation) {
            continue;
        }
        let options = Pool2dOptions::new(kernel)
            .stride(stride)
            .padding(padding)
            .dilation(dilation)
            .ceil_mode(p.one_in(2))
            .count_include_pad(p.one_in(2));
        let shape = if p.one_in(4) {
            vec![p.pick(&[1, 3, 7]), size[0], size[1]]
        } else {
            vec![p.pick(&[1, 2]), p.pick(&[1, 3, 7]), size[0], size[1]]
        };
        cases.push((shape, options, p.one_in(3)));
    }
    cases
}

/// `shape`-sized input, optionally as a transposed view of the last two dims.
fn pool_input(shape: &[usize], transposed: bool, seed: u64) -> Tensor {
    if !transposed {
        return randn(shape, seed);
    }
    let mut swapped = shape.to_vec();
    let r = swapped.len();
    swapped.swap(r - 1, r - 2);
    randn(&swapped, seed).transpose(r - 1, r - 2)
}

/// Max pooling: values, indices and gradients equal the CPU's exactly.
#[test]
fn max_pool2d_matches_the_cpu() {
    let Some(dev) = gpu() else { return };
    let mut p = Picker(11);
    for (i, (shape, options, transposed)) in pool_cases(&mut p, 30).into_iter().enumerate() {
        let what = format!("{shape:?} {options:?} transposed {transposed}");
        let x = pool_input(&shape, transposed, 200 + i as u64);
        let gx = x.to_device(&dev);
        let (want, want_idx) = x.max_pool2d_with_indices(&options);
        let (got, got_idx) = gx.max_pool2d_with_indices(&options);
        assert_same(&got, &want, &format!("values {what}"));
        assert_same(&got_idx, &want_idx, &format!("indices {what}"));
        assert_same(
            &gx.max_pool2d(&options),
            &want,
            &format!("max_pool2d {what}"),
        );

        let grad = randn(want.dims(), 300 + i as u64);
        let want = x.max_pool2d_backward(&grad, &want_idx);
        let got = gx.max_pool2d_backward(&grad.to_device(&dev), &got_idx);
        assert_same(&got, &want, &format!("backward {what}"));
    }
}

/// Max pooling over NaN, ties and all-padding windows: NaN wins, the first maximum wins, and
/// a window of padding only gives -inf, index -1 and no gradient.
#[test]
fn max_pool2d_matches_the_cpu_on_special_values() {
    let Some(dev) = gpu() else { return };
    let values = [
        1.0,
        f32::NAN,
        3.0,
        3.0,
        f32::NEG_INFINITY,
        2.0,
        3.0,
        f32::NAN,
        0.5,
        -1.0,
        3.0,
        1.0,
    ];
    let x = Tensor::from_vec(values.to_vec(), [1, 1, 3, 4]);
    // On the first two columns, taps 3 apart with one column of padding read only padding.
    let narrow = x.narrow(3, 0, 2);
    let cases = [
        (&x, Pool2dOptions::new([2, 2]).stride([1, 1])),
        (
            &x,
            Pool2dOptions::new([3, 3]).stride([1, 1]).padding([1, 1]),
        ),
        (
            &narrow,
            Pool2dOptions::new([1, 2]).padding([0, 1]).dilation([1, 3]),
        ),
    ];
    for (x, o) in cases {
        let gx = x.to_device(&dev);
        let (want, want_idx) = x.max_pool2d_with_indices(&o);
        let (got, got_idx) = gx.max_pool2d_with_indices(&o);
        assert_same(&got, &want, &format!("values {o:?}"));
        assert_same(&got_idx, &want_idx, &format!("indices {o:?}"));
        let grad = want.ones_like();
        let want = x.max_pool2d_backward(&grad, &want_idx);
        let got = gx.max_pool2d_backward(&grad.to_device(&dev), &got_idx);
        assert_same(&got, &want, &format!("backward {o:?}"));
    }
    // The padding-only windows really occur.
    let (v, i) = narrow.max_pool2d_with_indices(&cases[2].1);
    assert_eq!(i.to_vec::<i64>(), vec![-1; 3]);
    assert!(v.to_vec::<f32>().iter().all(|&m| m == f32::NEG_INFINITY));
}

/// Average pooling with both divisor rules, ceil_mode and padding equals the CPU's.
#[test]
fn avg_pool2d_matches_the_cpu() {
    let Some(dev) = gpu() else { return };
    let mut p = Picker(13);
    for (i, (shape, options, transposed)) in pool_cases(&mut p, 30).into_iter().enumerate() {
        let options = options.dilation([1, 1]);
        let what = format!("{shape:?} {options:?} transposed {transposed}");
        let x = pool_input(&shape, transposed, 400 + i as u64);
        let gx = x.to_device(&dev);
        let want = x.avg_pool2d(&options);
        let got = gx.avg_pool2d(&options);
        assert_close(&got, &want, AVG_RTOL, AVG_ATOL, &format!("forward {what}"));

        let grad = randn(want.dims(), 500 + i as u64);
        let want = x.avg_pool2d_backward(&grad, &options);
        let got = gx.avg_pool2d_backward(&grad.to_device(&dev), &options);
        assert_close(&got, &want, AVG_RTOL, AVG_ATOL, &format!("backward {what}"));
    }
}

/// bf16 pooling runs in f32 and keeps the dtype.
#[test]
fn pooling_keeps_bf16() {
    let Some(dev) = gpu() else { return };
    let x = randn(&[2, 3, 9, 9], 61).to_dtype(DType::BF16);
    let gx = x.to_device(&dev);
    let o = Pool2dOptions::new([3, 3]).stride([2, 2]).padding([1, 1]);
    assert_same(&gx.max_pool2d(&o), &x.max_pool2d(&o), "bf16 max_pool2d");
    assert_close(
        &gx.avg_pool2d(&o),
        &x.avg_pool2d(&o),
        1e-2,
        1e-2,
        "bf16 avg",
    );
}
