//! Rotation by an arbitrary angle with nearest or bilinear sampling
//! (`torchvision.transforms.functional.rotate`).

use kiln_tensor::{Generator, Tensor};

use super::Transform;
use super::image::{build, image_parts};

/// How a rotated image samples the source (`InterpolationMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interpolation {
    /// The nearest source pixel (`NEAREST`).
    Nearest,
    /// Weighted mean of the four surrounding pixels (`BILINEAR`).
    Bilinear,
}

/// Rotates a `[C, H, W]` image by `degrees` counter-clockwise about its centre, keeping
/// its size; pixels whose source lies outside the image get `fill` (`TF.rotate(x, angle,
/// interpolation, fill=fill)`). A multiple of 90 degrees on a square image equals
/// [`rot90`](super::rot90).
pub fn rotate(x: &Tensor, degrees: f64, interpolation: Interpolation, fill: f32) -> Tensor {
    let (c, h, w, d) = image_parts("rotate", x);
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = ((w as f64 - 1.0) / 2.0, (h as f64 - 1.0) / 2.0);
    let pixel = |ch: usize, r: i64, col: i64| -> f32 {
        if r < 0 || col < 0 || r >= h as i64 || col >= w as i64 {
            fill
        } else {
            d[(ch * h + r as usize) * w + col as usize]
        }
    };
    build(c, h, w, |ch, r, col| {
        let (dx, dy) = (col as f64 - cx, r as f64 - cy);
        // Inverse rotation: where in the source this output pixel comes from.
        let sx = dx * cos - dy * sin + cx;
        let sy = dx * sin + dy * cos + cy;
        match interpolation {
            Interpolation::Nearest => pixel(ch, sy.round() as i64, sx.round() as i64),
            Interpolation::Bilinear => {
                let (x0, y0) = (sx.floor(), sy.floor());
                let (fx, fy) = ((sx - x0) as f32, (sy - y0) as f32);
                let (x0, y0) = (x0 as i64, y0 as i64);
                let top = pixel(ch, y0, x0) * (1.0 - fx) + pixel(ch, y0, x0 + 1) * fx;
                let bottom = pixel(ch, y0 + 1, x0) * (1.0 - fx) + pixel(ch, y0 + 1, x0 + 1) * fx;
                top * (1.0 - fy) + bottom * fy
            }
        }
    })
}

/// Rotates by an angle drawn uniformly from `degrees = (min, max)`
/// (`transforms.RandomRotation(degrees, interpolation, fill)`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RandomRotation {
    /// Range of angles in degrees, counter-clockwise.
    pub degrees: (f64, f64),
    /// Sampling mode.
    pub interpolation: Interpolation,
    /// Value of pixels rotated in from outside.
    pub fill: f32,
}

impl RandomRotation {
    /// Angles in `[-degrees, degrees]`, nearest sampling, fill 0 (torchvision's defaults).
    pub fn new(degrees: f64) -> Self {
        RandomRotation {
            degrees: (-degrees, degrees),
            interpolation: Interpolation::Nearest,
            fill: 0.0,
        }
    }

    /// Sets the sampling mode.
    pub fn with_interpolation(mut self, interpolation: Interpolation) -> Self {
        self.interpolation = interpolation;
        self
    }
}

impl Transform<Tensor> for RandomRotation {
    fn apply(&self, x: Tensor, rng: &mut Generator) -> Tensor {
        let (lo, hi) = self.degrees;
        let angle = lo + (hi - lo) * rng.uniform();
        rotate(&x, angle, self.interpolation, self.fill)
    }
}
