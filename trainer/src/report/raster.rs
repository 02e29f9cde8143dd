//! A small RGB rasteriser for PNG charts: anti-aliased thick lines and dots (by distance to
//! the shape), filled rectangles and text in the built-in bitmap font.

use crate::report::chart::Rgb;
use crate::report::font;

/// An RGB image, 3 bytes per pixel, rows top to bottom.
pub(crate) struct Canvas {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

impl Canvas {
    /// A `width` × `height` canvas filled with `background`.
    pub fn new(width: u32, height: u32, background: Rgb) -> Canvas {
        let mut pixels = Vec::with_capacity(width as usize * height as usize * 3);
        for _ in 0..width as usize * height as usize {
            pixels.extend_from_slice(&[background.0, background.1, background.2]);
        }
        Canvas {
            width,
            height,
            pixels,
        }
    }

    /// The colour at `(x, y)`.
    #[cfg(test)]
    pub fn get(&self, x: u32, y: u32) -> Rgb {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        Rgb(self.pixels[i], self.pixels[i + 1], self.pixels[i + 2])
    }

    /// Mixes `color` into pixel `(x, y)` with opacity `alpha` (0–1); outside the canvas it
    /// does nothing.
    pub fn blend(&mut self, x: i64, y: i64, color: Rgb, alpha: f64) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let alpha = alpha.clamp(0.0, 1.0);
        if alpha <= 0.0 {
            return;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        let mix = |old: u8, new: u8| {
            (f64::from(old) * (1.0 - alpha) + f64::from(new) * alpha).round() as u8
        };
        self.pixels[i] = mix(self.pixels[i], color.0);
        self.pixels[i + 1] = mix(self.pixels[i + 1], color.1);
        self.pixels[i + 2] = mix(self.pixels[i + 2], color.2);
    }

    /// Fills the pixels whose centres lie in `[x0, x1) × [y0, y1)`.
    pub fn fill_rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, color: Rgb) {
        for y in (y0 - 0.5).ceil() as i64..(y1 - 0.5).ceil() as i64 {
            for x in (x0 - 0.5).ceil() as i64..(x1 - 0.5).ceil() as i64 {
                self.blend(x, y, color, 1.0);
            }
        }
    }

    /// A line from `a` to `b`, `width` pixels wide with round ends, anti-aliased. Pixels
    /// well inside the line get exactly `color`.
    pub fn line(&mut self, a: (f64, f64), b: (f64, f64), width: f64, color: Rgb) {
        let half = width / 2.0;
        let reach = half + 1.0;
        let (x0, x1) = (a.0.min(b.0) - reach, a.0.max(b.0) + reach);
        let (y0, y1) = (a.1.min(b.1) - reach, a.1.max(b.1) + reach);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let length2 = dx * dx + dy * dy;
        for y in y0.floor() as i64..=y1.ceil() as i64 {
            for x in x0.floor() as i64..=x1.ceil() as i64 {
                let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
                let t = if length2 > 0.0 {
                    (((px - a.0) * dx + (py - a.1) * dy) / length2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let (cx, cy) = (a.0 + t * dx, a.1 + t * dy);
                let distance = ((px - cx).powi(2) + (py - cy).powi(2)).sqrt();
                let coverage = (half + 0.5 - distance).min(1.0);
                if coverage > 0.0 {
                    self.blend(x, y, color, coverage);
                }
            }
        }
    }

    /// A filled dot of `radius` pixels centred on `c`.
    pub fn dot(&mut self, c: (f64, f64), radius: f64, color: Rgb) {
        self.line(c, c, radius * 2.0, color);
    }

    /// `text` in the bitmap font at integer `scale`, its top-left corner at `(x, y)`.
    pub fn text(&mut self, x: f64, y: f64, text: &str, scale: u32, color: Rgb) {
        let (x, y) = (x.round() as i64, y.round() as i64);
        let s = i64::from(scale);
        for (i, c) in text.chars().enumerate() {
            let left = x + i as i64 * i64::from(font::ADVANCE) * s;
            for row in 0..font::GLYPH_HEIGHT {
                for col in 0..font::GLYPH_WIDTH {
                    if font::ink(c, col, row) {
                        for k in 0..s * s {
                            let px = left + i64::from(col) * s + k % s;
                            let py = y + i64::from(row) * s + k / s;
                            self.blend(px, py, color, 1.0);
                        }
                    }
                }
            }
        }
    }

    /// `text` turned a quarter left (read bottom to top), the glyph tops facing left, with
    /// the top-left corner of its bounding box at `(x, y)`.
    pub fn text_up(&mut self, x: f64, y: f64, text: &str, scale: u32, color: Rgb) {
        let (x, y) = (x.round() as i64, y.round() as i64);
        let s = i64::from(scale);
        let length = i64::from(font::text_width(text, scale));
        for (i, c) in text.chars().enumerate() {
            let along = i as i64 * i64::from(font::ADVANCE) * s;
            for row in 0..font::GLYPH_HEIGHT {
                for col in 0..font::GLYPH_WIDTH {
                    if font::ink(c, col, row) {
                        for k in 0..s * s {
                            let u = along + i64::from(col) * s + k % s;
                            let v = i64::from(row) * s + k / s;
                            self.blend(x + v, y + length - 1 - u, color, 1.0);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHITE: Rgb = Rgb(255, 255, 255);
    const RED: Rgb = Rgb(200, 0, 0);

    #[test]
    fn a_thick_line_has_solid_centre_and_soft_edges() {
        let mut c = Canvas::new(20, 10, WHITE);
        c.line((2.0, 5.0), (18.0, 5.0), 2.0, RED);
        assert_eq!(c.get(10, 4), RED);
        assert_eq!(c.get(10, 5), RED);
        assert_eq!(c.get(10, 1), WHITE);
        assert_eq!(c.get(0, 5), WHITE);
        let edge = c.get(1, 5);
        assert!(edge != RED && edge != WHITE, "anti-aliased end {edge:?}");
    }

    #[test]
    fn drawing_off_the_canvas_is_clipped() {
        let mut c = Canvas::new(4, 4, WHITE);
        c.line((-10.0, -10.0), (20.0, 20.0), 3.0, RED);
        c.text(-50.0, 100.0, "x", 2, RED);
        assert_eq!(c.get(2, 2), RED);
        assert_eq!(c.pixels.len(), 4 * 4 * 3);
    }

    #[test]
    fn text_draws_glyph_pixels_upright_and_turned() {
        let mut c = Canvas::new(20, 20, WHITE);
        // 'L' at scale 2: its stem covers x 0–1, its foot row y 12–13.
        c.text(0.0, 0.0, "L", 2, RED);
        assert_eq!(c.get(0, 0), RED);
        assert_eq!(c.get(9, 13), RED);
        assert_eq!(c.get(9, 0), WHITE);
        let mut c = Canvas::new(20, 20, WHITE);
        // Turned left, the stem lies along the bottom edge of its box and the foot on its
        // right: the top of 'L' faces left.
        c.text_up(0.0, 0.0, "L", 1, RED);
        assert_eq!(c.get(0, 4), RED);
        assert_eq!(c.get(6, 0), RED);
        assert_eq!(c.get(0, 0), WHITE);
    }
}
