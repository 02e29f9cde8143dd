//! A [`LineChart`] as a PNG image: the chart's layout rasterised on a [`Canvas`] (text in
//! the built-in bitmap font) and encoded as 8-bit RGB PNG (zlib from `flate2`, chunk
//! CRCs from `crc32fast`).

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;

use crate::report::chart::{LineChart, Rgb};
use crate::report::font;
use crate::report::layout::MARKER_LIMIT;
use crate::report::raster::Canvas;

const WHITE: Rgb = Rgb(255, 255, 255);
const GRID: Rgb = Rgb(0xe6, 0xe6, 0xe6);
const FRAME: Rgb = Rgb(0x44, 0x44, 0x44);
const TEXT: Rgb = Rgb(0x22, 0x22, 0x22);

/// The PNG file signature.
pub const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

impl LineChart {
    /// The chart as a PNG file's bytes (8-bit RGB, `width` × `height` pixels).
    pub fn to_png(&self) -> Vec<u8> {
        encode_png(&self.rasterise())
    }

    /// Draws the chart's layout on a canvas.
    pub(crate) fn rasterise(&self) -> Canvas {
        let layout = self.layout();
        let p = layout.plot;
        let mut c = Canvas::new(self.width, self.height, WHITE);
        for t in &layout.x_ticks {
            let x = t.pos.floor() + 0.5;
            c.line((x, p.top), (x, p.bottom), 1.0, GRID);
        }
        for t in &layout.y_ticks {
            let y = t.pos.floor() + 0.5;
            c.line((p.left, y), (p.right, y), 1.0, GRID);
        }
        let (l, r) = (p.left.floor() + 0.5, p.right.floor() + 0.5);
        let (t, b) = (p.top.floor() + 0.5, p.bottom.floor() + 0.5);
        for (a, z) in [
            ((l, t), (r, t)),
            ((r, t), (r, b)),
            ((r, b), (l, b)),
            ((l, b), (l, t)),
        ] {
            c.line(a, z, 1.0, FRAME);
        }
        let glyph_h = f64::from(font::GLYPH_HEIGHT);
        for tick in &layout.x_ticks {
            let w = f64::from(font::text_width(&tick.label, 1));
            c.text(tick.pos - w / 2.0, p.bottom + 8.0, &tick.label, 1, TEXT);
        }
        for tick in &layout.y_ticks {
            let w = f64::from(font::text_width(&tick.label, 1));
            c.text(
                p.left - 8.0 - w,
                tick.pos - glyph_h / 2.0,
                &tick.label,
                1,
                TEXT,
            );
        }
        let centred = |c: &mut Canvas, (x, y): (f64, f64), text: &str, scale: u32| {
            let w = f64::from(font::text_width(text, scale));
            let h = glyph_h * f64::from(scale);
            c.text(x - w / 2.0, y - h / 2.0, text, scale, TEXT);
        };
        centred(&mut c, layout.title, &self.title, 2);
        centred(&mut c, layout.x_label, &self.x_label, 2);
        let w = f64::from(font::text_width(&self.y_label, 2));
        let (yx, yy) = layout.y_label;
        c.text_up(yx - glyph_h, yy - w / 2.0, &self.y_label, 2, TEXT);

        for s in &layout.series {
            for pair in s.points.windows(2) {
                c.line(pair[0], pair[1], 2.0, s.color);
            }
            if s.points.len() <= MARKER_LIMIT {
                for &point in &s.points {
                    c.dot(point, 3.0, s.color);
                }
            }
        }
        if layout.empty {
            centred(
                &mut c,
                ((p.left + p.right) / 2.0, (p.top + p.bottom) / 2.0),
                "no data",
                2,
            );
        }
        if layout.legend {
            let longest = layout.series.iter().map(|s| font::text_width(&s.name, 1));
            let box_w = 40.0 + f64::from(longest.max().unwrap_or(0));
            let box_h = 8.0 + 16.0 * layout.series.len() as f64;
            let (x0, y0) = (p.right - box_w - 8.0, p.top + 8.0);
            c.fill_rect(x0, y0, x0 + box_w, y0 + box_h, WHITE);
            for (i, s) in layout.series.iter().enumerate() {
                let y = y0 + 12.0 + 16.0 * i as f64;
                c.line((x0 + 6.0, y), (x0 + 26.0, y), 2.0, s.color);
                c.text(x0 + 32.0, y - glyph_h / 2.0, &s.name, 1, TEXT);
            }
        }
        c
    }
}

/// Appends one PNG chunk: length, type, data and the CRC-32 of type and data.
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// The canvas as a PNG file: `IHDR` (8-bit RGB, no interlace), one `IDAT` of zlib-packed
/// rows (each with filter type 0) and `IEND`.
pub(crate) fn encode_png(canvas: &Canvas) -> Vec<u8> {
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&canvas.width.to_be_bytes());
    header.extend_from_slice(&canvas.height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    let row = canvas.width as usize * 3;
    let mut raw = Vec::with_capacity((row + 1) * canvas.height as usize);
    for line in canvas.pixels.chunks(row.max(1)) {
        raw.push(0);
        raw.extend_from_slice(line);
    }
    let mut zlib = ZlibEncoder::new(Vec::new(), Compression::default());
    // Writing into a Vec cannot fail.
    let packed = zlib
        .write_all(&raw)
        .and_then(|()| zlib.finish())
        .unwrap_or_default();
    let mut out = PNG_SIGNATURE.to_vec();
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &packed);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::report::chart::Series;

    #[test]
    fn the_png_holds_the_chart_rows() {
        let mut canvas = Canvas::new(3, 2, Rgb(1, 2, 3));
        canvas.blend(2, 1, Rgb(9, 9, 9), 1.0);
        let png = encode_png(&canvas);
        assert_eq!(png[..8], PNG_SIGNATURE);
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 3);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 2);
        let idat_len = u32::from_be_bytes(png[33..37].try_into().unwrap()) as usize;
        assert_eq!(&png[37..41], b"IDAT");
        let mut rows = Vec::new();
        flate2::read::ZlibDecoder::new(&png[41..41 + idat_len])
            .read_to_end(&mut rows)
            .unwrap();
        assert_eq!(
            rows,
            [0, 1, 2, 3, 1, 2, 3, 1, 2, 3, 0, 1, 2, 3, 1, 2, 3, 9, 9, 9]
        );
        assert_eq!(&png[png.len() - 8..png.len() - 4], b"IEND");
    }

    #[test]
    fn the_raster_chart_shows_the_series_colour_inside_the_plot() {
        let color = Rgb(10, 200, 30);
        let chart = LineChart::new("loss")
            .with_size(300, 200)
            .with_series(Series::new("loss", vec![(0.0, 1.0), (1.0, 0.0)]).with_color(color));
        let canvas = chart.rasterise();
        let layout = chart.layout();
        let (mx, my) = (
            (layout.plot.left + layout.plot.right) / 2.0,
            (layout.plot.top + layout.plot.bottom) / 2.0,
        );
        assert_eq!(canvas.get(mx as u32, my as u32), color);
        assert_eq!(canvas.get(1, 1), WHITE);
    }
}
