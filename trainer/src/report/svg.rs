//! A [`LineChart`] as SVG text: the plot frame, grid, ticks, labels, one `<polyline>` per
//! series, dots for short series and a legend. No fonts or images are referenced; text uses
//! the viewer's `sans-serif`.

use std::fmt::Write;

use crate::report::chart::LineChart;
use crate::report::layout::{Layout, MARKER_LIMIT};

const GRID: &str = "#e6e6e6";
const FRAME: &str = "#444444";
const TEXT: &str = "#222222";

impl LineChart {
    /// The chart as a standalone SVG document (with the XML declaration and namespace).
    pub fn to_svg(&self) -> String {
        render(self, true)
    }

    /// The chart as an `<svg>` element to place inside HTML, where the namespace is
    /// implied.
    pub(crate) fn to_inline_svg(&self) -> String {
        render(self, false)
    }
}

/// Escapes `&`, `<`, `>`, `"` and `'` for XML text and attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `<text>` centred on `(x, y)` (shifted to the baseline by a third of the font size).
fn text(out: &mut String, x: f64, y: f64, size: f64, anchor: &str, extra: &str, body: &str) {
    let _ = writeln!(
        out,
        r#"<text x="{x:.1}" y="{:.1}" font-size="{size}" text-anchor="{anchor}" fill="{TEXT}"{extra}>{}</text>"#,
        y + size * 0.35,
        escape(body)
    );
}

fn render(chart: &LineChart, standalone: bool) -> String {
    let layout = chart.layout();
    let Layout {
        width: w,
        height: h,
        plot: p,
        ..
    } = layout;
    let mut out = String::new();
    let namespace = if standalone {
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        r#" xmlns="http://www.w3.org/2000/svg""#
    } else {
        ""
    };
    let _ = writeln!(
        out,
        r#"<svg{namespace} width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" role="img">"#
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&chart.title));
    let _ = writeln!(out, r##"<rect width="{w}" height="{h}" fill="#ffffff"/>"##);

    // Grid and tick marks.
    let _ = writeln!(out, r#"<g stroke="{GRID}" stroke-width="1">"#);
    for t in &layout.x_ticks {
        let _ = writeln!(
            out,
            r#"<line x1="{0:.1}" y1="{1:.1}" x2="{0:.1}" y2="{2:.1}"/>"#,
            t.pos, p.top, p.bottom
        );
    }
    for t in &layout.y_ticks {
        let _ = writeln!(
            out,
            r#"<line x1="{1:.1}" y1="{0:.1}" x2="{2:.1}" y2="{0:.1}"/>"#,
            t.pos, p.left, p.right
        );
    }
    out.push_str("</g>\n");
    let _ = writeln!(
        out,
        r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="{FRAME}" stroke-width="1"/>"#,
        p.left,
        p.top,
        p.right - p.left,
        p.bottom - p.top
    );
    for t in &layout.x_ticks {
        text(
            &mut out,
            t.pos,
            p.bottom + 16.0,
            12.0,
            "middle",
            "",
            &t.label,
        );
    }
    for t in &layout.y_ticks {
        text(&mut out, p.left - 8.0, t.pos, 12.0, "end", "", &t.label);
    }

    // Title and axis labels.
    let (tx, ty) = layout.title;
    text(
        &mut out,
        tx,
        ty,
        16.0,
        "middle",
        r#" font-weight="bold""#,
        &chart.title,
    );
    let (xx, xy) = layout.x_label;
    text(&mut out, xx, xy, 13.0, "middle", "", &chart.x_label);
    let (yx, yy) = layout.y_label;
    let rotate = format!(r#" transform="rotate(-90 {yx:.1} {yy:.1})""#);
    text(&mut out, yx, yy, 13.0, "middle", &rotate, &chart.y_label);

    // The lines.
    for s in &layout.series {
        let points: Vec<String> = s
            .points
            .iter()
            .map(|(x, y)| format!("{x:.2},{y:.2}"))
            .collect();
        let _ = writeln!(
            out,
            r#"<polyline fill="none" stroke="{}" stroke-width="2" stroke-linejoin="round" points="{}"/>"#,
            s.color.hex(),
            points.join(" ")
        );
        if s.points.len() <= MARKER_LIMIT {
            for (x, y) in &s.points {
                let _ = writeln!(
                    out,
                    r#"<circle cx="{x:.2}" cy="{y:.2}" r="3" fill="{}"/>"#,
                    s.color.hex()
                );
            }
        }
    }
    if layout.empty {
        text(
            &mut out,
            (p.left + p.right) / 2.0,
            (p.top + p.bottom) / 2.0,
            14.0,
            "middle",
            "",
            "no data",
        );
    }
    if layout.legend {
        legend(&mut out, &layout);
    }
    out.push_str("</svg>\n");
    out
}

/// Legend rows at the plot's top right: a line sample and the series name.
fn legend(out: &mut String, layout: &Layout) {
    let p = layout.plot;
    let longest = layout
        .series
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0) as f64;
    let box_w = 36.0 + longest * 7.5;
    let box_h = 8.0 + 18.0 * layout.series.len() as f64;
    let (x0, y0) = (p.right - box_w - 8.0, p.top + 8.0);
    let _ = writeln!(
        out,
        r##"<rect x="{x0:.1}" y="{y0:.1}" width="{box_w:.1}" height="{box_h:.1}" fill="#ffffff" fill-opacity="0.85" stroke="{GRID}"/>"##
    );
    for (i, s) in layout.series.iter().enumerate() {
        let y = y0 + 13.0 + 18.0 * i as f64;
        let _ = writeln!(
            out,
            r#"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{}" stroke-width="2"/>"#,
            x0 + 6.0,
            x0 + 26.0,
            s.color.hex()
        );
        text(out, x0 + 32.0, y, 12.0, "start", "", &s.name);
    }
}

#[cfg(test)]
mod tests {
    use crate::report::chart::{LineChart, Rgb, Series};

    #[test]
    fn one_polyline_per_series_with_every_drawn_point() {
        let chart = LineChart::new("a <b> & c")
            .with_labels("step", "loss")
            .with_series(Series::new(
                "train",
                vec![(1.0, 2.0), (2.0, 1.0), (3.0, 0.5)],
            ))
            .with_series(
                Series::new("eval", vec![(1.0, 2.5), (3.0, f64::NAN)]).with_color(Rgb(1, 2, 3)),
            );
        let svg = chart.to_svg();
        assert!(svg.starts_with("<?xml"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        let counts: Vec<usize> = svg
            .split("points=\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().split_whitespace().count())
            .collect();
        assert_eq!(counts, [3, 1]);
        assert!(svg.contains("stroke=\"#010203\""));
        assert!(svg.contains("a &lt;b&gt; &amp; c"));
        assert!(svg.contains(">eval</text>"), "legend");
    }

    #[test]
    fn inline_svg_names_no_namespace_url() {
        let chart = LineChart::new("t").with_series(Series::new("s", vec![(0.0, 1.0)]));
        let inline = chart.to_inline_svg();
        assert!(inline.starts_with("<svg "));
        assert!(!inline.contains("http"));
        assert!(
            chart
                .to_svg()
                .contains("xmlns=\"http://www.w3.org/2000/svg\"")
        );
    }

    #[test]
    fn an_empty_chart_says_so() {
        let svg = LineChart::new("t").to_svg();
        assert!(svg.contains(">no data</text>"));
        assert!(!svg.contains("<polyline"));
    }
}
