//! Geometric and photometric transforms of `[C, H, W]` f32 images (torchvision
//! `transforms.functional` and the random transforms built on it).

use kiln_tensor::{DType, Generator, Tensor};

use super::Transform;

/// `(C, H, W, data)` of an image tensor; panics unless it is 3-D.
pub(crate) fn image_parts(op: &str, x: &Tensor) -> (usize, usize, usize, Vec<f32>) {
    assert!(
        x.dim() == 3,
        "{op}: expected a [C, H, W] image, got shape {}",
        x.shape()
    );
    let d = x.dims();
    (d[0], d[1], d[2], x.to_dtype(DType::F32).to_vec::<f32>())
}

/// Builds `[c, h, w]` from `f(channel, row, col)`.
pub(crate) fn build(
    c: usize,
    h: usize,
    w: usize,
    f: impl Fn(usize, usize, usize) -> f32,
) -> Tensor {
    let mut out = Vec::with_capacity(c * h * w);
    for ch in 0..c {
        for r in 0..h {
            for col in 0..w {
                out.push(f(ch, r, col));
            }
        }
    }
    Tensor::from_vec(out, [c, h, w])
}

/// Mirrors the image left to right (`TF.hflip`).
pub fn hflip(x: &Tensor) -> Tensor {
    let (c, h, w, d) = image_parts("hflip", x);
    build(c, h, w, |ch, r, col| d[(ch * h + r) * w + (w - 1 - col)])
}

/// Mirrors the image top to bottom (`TF.vflip`).
pub fn vflip(x: &Tensor) -> Tensor {
    let (c, h, w, d) = image_parts("vflip", x);
    build(c, h, w, |ch, r, col| d[(ch * h + (h - 1 - r)) * w + col])
}

/// Rotates by `k * 90` degrees counter-clockwise (`torch.rot90(x, k, dims=[1, 2])`); odd
/// `k` swaps height and width. Negative `k` rotates clockwise.
pub fn rot90(x: &Tensor, k: i64) -> Tensor {
    let (c, h, w, d) = image_parts("rot90", x);
    let at = |ch: usize, r: usize, col: usize| d[(ch * h + r) * w + col];
    match k.rem_euclid(4) {
        0 => build(c, h, w, at),
        1 => build(c, w, h, |ch, i, j| at(ch, j, w - 1 - i)),
        2 => build(c, h, w, |ch, i, j| at(ch, h - 1 - i, w - 1 - j)),
        _ => build(c, w, h, |ch, i, j| at(ch, h - 1 - j, i)),
    }
}

/// Pads every side by `padding` pixels of value `fill` (`TF.pad(x, padding, fill)`).
pub fn pad(x: &Tensor, padding: usize, fill: f32) -> Tensor {
    let (c, h, w, d) = image_parts("pad", x);
    let (ph, pw) = (h + 2 * padding, w + 2 * padding);
    build(c, ph, pw, |ch, r, col| {
        let inside = (padding..padding + h).contains(&r) && (padding..padding + w).contains(&col);
        if inside {
            d[(ch * h + r - padding) * w + col - padding]
        } else {
            fill
        }
    })
}

/// The `height × width` window whose top-left pixel is `(top, left)` (`TF.crop`); panics
/// when it does not fit in the image.
pub fn crop(x: &Tensor, top: usize, left: usize, height: usize, width: usize) -> Tensor {
    let (_, h, w, _) = image_parts("crop", x);
    assert!(
        top + height <= h && left + width <= w,
        "crop: window {height}x{width} at ({top}, {left}) does not fit an image of {h}x{w}"
    );
    x.narrow(1, top, height).narrow(2, left, width).contiguous()
}

/// `(x - mean[c]) / std[c]` per channel (`TF.normalize`); panics when the lists do not
/// have one entry per channel.
pub fn normalize(x: &Tensor, mean: &[f32], std: &[f32]) -> Tensor {
    let (c, h, w, d) = image_parts("normalize", x);
    assert!(
        mean.len() == c && std.len() == c,
        "normalize: {c} channels but {} means and {} stds",
        mean.len(),
        std.len()
    );
    build(c, h, w, |ch, r, col| {
        (d[(ch * h + r) * w + col] - mean[ch]) / std[ch]
    })
}

/// Mirrors left to right with probability `p` (`transforms.RandomHorizontalFlip(p=0.5)`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RandomHorizontalFlip {
    /// Probability of flipping.
    pub p: f64,
}

impl Transform<Tensor> for RandomHorizontalFlip {
    fn apply(&self, x: Tensor, rng: &mut Generator) -> Tensor {
        if rng.uniform() < self.p { hflip(&x) } else { x }
    }
}

/// Mirrors top to bottom with probability `p` (`transforms.RandomVerticalFlip(p=0.5)`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RandomVerticalFlip {
    /// Probability of flipping.
    pub p: f64,
}

impl Transform<Tensor> for RandomVerticalFlip {
    fn apply(&self, x: Tensor, rng: &mut Generator) -> Tensor {
        if rng.uniform() < self.p { vflip(&x) } else { x }
    }
}

/// Rotates by a uniformly chosen multiple of 90 degrees (0, 90, 180 or 270).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RandomRotation90;

impl Transform<Tensor> for RandomRotation90 {
    fn apply(&self, x: Tensor, rng: &mut Generator) -> Tensor {
        rot90(&x, rng.int_in(0, 4))
    }
}

/// Pads by `padding` pixels of `fill`, then cuts a random `size` window
/// (`transforms.RandomCrop(size, padding, fill)`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RandomCrop {
    /// `(height, width)` of the output.
    pub size: (usize, usize),
    /// Pixels added on every side first.
    pub padding: usize,
    /// Value of the added pixels.
    pub fill: f32,
}

impl RandomCrop {
    /// A crop of `size` after padding by `padding` zeros.
    pub fn new(size: (usize, usize), padding: usize) -> Self {
        RandomCrop {
            size,
            padding,
            fill: 0.0,
        }
    }
}

impl Transform<Tensor> for RandomCrop {
    fn apply(&self, x: Tensor, rng: &mut Generator) -> Tensor {
        let padded = if self.padding > 0 {
            pad(&x, self.padding, self.fill)
        } else {
            x
        };
        let (h, w) = (padded.dims()[1], padded.dims()[2]);
        let (th, tw) = self.size;
        assert!(
            th <= h && tw <= w,
            "RandomCrop: required crop size {th}x{tw} is larger than the padded image {h}x{w}"
        );
        let top = rng.int_in(0, (h - th + 1) as i64) as usize;
        let left = rng.int_in(0, (w - tw + 1) as i64) as usize;
        crop(&padded, top, left, th, tw)
    }
}

/// Per-channel standardisation (`transforms.Normalize(mean, std)`); not random.
#[derive(Clone, Debug, PartialEq)]
pub struct Normalize {
    /// Mean of each channel.
    pub mean: Vec<f32>,
    /// Standard deviation of each channel.
    pub std: Vec<f32>,
}

impl Transform<Tensor> for Normalize {
    fn apply(&self, x: Tensor, _rng: &mut Generator) -> Tensor {
        normalize(&x, &self.mean, &self.std)
    }
}
