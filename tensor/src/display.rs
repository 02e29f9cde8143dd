//! Printing tensors exactly as PyTorch does (`print(t)`, `torch._tensor_str`).
//!
//! Rules mirrored from PyTorch's default print options (precision 4, threshold 1000,
//! edgeitems 3, linewidth 80):
//! - every element of one tensor shares one width; floats choose one of three styles for the
//!   whole tensor: integer style (`1.`, `-0.`), fixed (`0.5000`) or scientific (`1.0000e+08`),
//!   decided from the non-zero finite elements that are shown;
//! - tensors with more than 1000 elements show only the first and last 3 entries of each
//!   dimension, with `...` between them;
//! - 1-D rows wrap at 80 columns; dtypes other than float32, int64 and bool add a
//!   `dtype=torch.…` suffix; empty tensors print `[]` with their size.

use std::fmt;

use crate::device::Device;
use crate::dtype::DType;
use crate::shape::Shape;
use crate::tensor::Tensor;

/// Digits after the decimal point (`torch.set_printoptions(precision=4)`).
const PRECISION: usize = 4;
/// Element count above which a tensor is summarised (`threshold=1000`).
const THRESHOLD: usize = 1000;
/// Entries shown at each end of a summarised dimension (`edgeitems=3`).
const EDGE_ITEMS: usize = 3;
/// Characters per line before 1-D rows wrap (`linewidth=80`).
const LINE_WIDTH: usize = 80;
/// Text before the nested brackets; its length is the indent of continuation lines.
const PREFIX: &str = "tensor(";

impl Shape {
    /// The shape as Python prints a `torch.Size`: `torch.Size([3, 3])`, `torch.Size([])` for 0-d.
    pub fn to_torch_string(&self) -> String {
        format!("torch.Size({self})")
    }

    /// The shape as a Python tuple: `(2, 3)`, `(4,)` for one dim, `()` for 0-d.
    fn to_tuple_string(&self) -> String {
        match self.dims() {
            [single] => format!("({single},)"),
            dims => {
                let parts: Vec<String> = dims.iter().map(usize::to_string).collect();
                format!("({})", parts.join(", "))
            }
        }
    }
}

impl fmt::Display for Tensor {
    /// Formats as PyTorch's `str(tensor)`, e.g. `tensor([[1, 1],\n        [1, 0]])`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&torch_str(self))
    }
}

impl fmt::Debug for Tensor {
    /// Same text as [`Display`](fmt::Display): PyTorch's `repr(tensor)` equals its `str`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&torch_str(self))
    }
}

/// The full `tensor(...)` text with its suffixes.
fn torch_str(tensor: &Tensor) -> String {
    let mut suffixes = Vec::new();
    let device = tensor.device();
    if device != Device::Cpu {
        suffixes.push(format!("device='{device}'"));
    }
    let host = tensor.to_device(&Device::Cpu);
    let body = if host.numel() == 0 {
        if host.dim() != 1 {
            suffixes.push(format!("size={}", host.shape().to_tuple_string()));
        }
        if host.dtype() != DType::F32 {
            suffixes.push(format!("dtype=torch.{}", host.dtype()));
        }
        "[]".to_string()
    } else {
        if !matches!(host.dtype(), DType::F32 | DType::I64 | DType::Bool) {
            suffixes.push(format!("dtype=torch.{}", host.dtype()));
        }
        body_str(&host)
    };
    add_suffixes(format!("{PREFIX}{body}"), &suffixes)
}

/// Appends `, suffix` to the text, moving a suffix to its own indented line when it would pass
/// the line width, then closes the parenthesis.
fn add_suffixes(mut text: String, suffixes: &[String]) -> String {
    // PyTorch counts the last line from just after the final newline, plus two.
    let mut last_line = match text.rfind('\n') {
        Some(pos) => text.len() - pos + 1,
        None => text.len() + 2,
    };
    for suffix in suffixes {
        if last_line + suffix.len() + 2 > LINE_WIDTH {
            text.push_str(",\n");
            text.push_str(&" ".repeat(PREFIX.len()));
            last_line = PREFIX.len() + suffix.len();
        } else {
            text.push_str(", ");
            last_line += suffix.len() + 2;
        }
        text.push_str(suffix);
    }
    text.push(')');
    text
}

/// A shown element, read from storage before formatting.
#[derive(Clone, Copy)]
enum Value {
    Float(f64),
    Int(i64),
    Bool(bool),
}

/// The nested-bracket text of a non-empty CPU tensor.
fn body_str(tensor: &Tensor) -> String {
    let summarize = tensor.numel() > THRESHOLD;
    let values = shown_values(tensor, summarize);
    let style = Style::choose(&values);
    let cells: Vec<String> = values.iter().map(|&v| style.format(v)).collect();
    let mut cells = cells.into_iter();
    let mut out = String::new();
    write_nested(
        tensor.dims(),
        PREFIX.len(),
        summarize,
        style.width,
        &mut cells,
        &mut out,
    );
    out
}

/// Indices of a dimension of `size` that are printed: all of them, or the first and last
/// [`EDGE_ITEMS`] when summarising a long dimension.
fn shown_indices(size: usize, summarize: bool) -> Vec<usize> {
    if elided(size, summarize) {
        (0..EDGE_ITEMS).chain(size - EDGE_ITEMS..size).collect()
    } else {
        (0..size).collect()
    }
}

/// How many indices of a dimension of `size` are printed.
fn shown_count(size: usize, summarize: bool) -> usize {
    if elided(size, summarize) {
        2 * EDGE_ITEMS
    } else {
        size
    }
}

/// True when the dimension of `size` prints `...` between its two ends.
fn elided(size: usize, summarize: bool) -> bool {
    summarize && size > 2 * EDGE_ITEMS
}

/// The elements that will be printed, in printing order (PyTorch's `get_summarized_data`).
fn shown_values(tensor: &Tensor, summarize: bool) -> Vec<Value> {
    let mut offsets = Vec::new();
    let layout = tensor.layout();
    collect_offsets(
        layout.dims(),
        layout.strides(),
        layout.offset(),
        summarize,
        &mut offsets,
    );
    match tensor.dtype() {
        DType::I64 => {
            let (src, _) = tensor.typed::<i64>("print");
            offsets.iter().map(|&o| Value::Int(src[o])).collect()
        }
        DType::U8 => {
            let (src, _) = tensor.typed::<u8>("print");
            offsets
                .iter()
                .map(|&o| Value::Int(i64::from(src[o])))
                .collect()
        }
        DType::Bool => {
            let (src, _) = tensor.typed::<bool>("print");
            offsets.iter().map(|&o| Value::Bool(src[o])).collect()
        }
        DType::F32 => float_values::<f32>(tensor, &offsets),
        DType::F64 => float_values::<f64>(tensor, &offsets),
        DType::F16 => float_values::<half::f16>(tensor, &offsets),
        DType::BF16 => float_values::<half::bf16>(tensor, &offsets),
    }
}

fn float_values<T: crate::dtype::Element>(tensor: &Tensor, offsets: &[usize]) -> Vec<Value> {
    let (src, _) = tensor.typed::<T>("print");
    offsets
        .iter()
        .map(|&o| Value::Float(src[o].to_f64()))
        .collect()
}

/// Storage offsets of the shown elements, outermost dimension first.
fn collect_offsets(
    dims: &[usize],
    strides: &[usize],
    base: usize,
    summarize: bool,
    out: &mut Vec<usize>,
) {
    match dims.split_first() {
        None => out.push(base),
        Some((&size, rest)) => {
            for i in shown_indices(size, summarize) {
                collect_offsets(rest, &strides[1..], base + i * strides[0], summarize, out);
            }
        }
    }
}

/// Writes the brackets for `dims`, taking formatted cells in order.
fn write_nested(
    dims: &[usize],
    indent: usize,
    summarize: bool,
    width: usize,
    cells: &mut impl Iterator<Item = String>,
    out: &mut String,
) {
    match dims {
        [] => out.push_str(&cells.next().unwrap_or_default()),
        [size] => write_vector(*size, indent, summarize, width, cells, out),
        [size, rest @ ..] => {
            let separator = format!(",{}{}", "\n".repeat(dims.len() - 1), " ".repeat(indent + 1));
            out.push('[');
            for k in 0..shown_count(*size, summarize) {
                if k > 0 {
                    out.push_str(&separator);
                }
                if k == EDGE_ITEMS && elided(*size, summarize) {
                    out.push_str("...");
                    out.push_str(&separator);
                }
                write_nested(rest, indent + 1, summarize, width, cells, out);
            }
            out.push(']');
        }
    }
}

/// Writes one innermost row, wrapping so each line fits in [`LINE_WIDTH`].
fn write_vector(
    size: usize,
    indent: usize,
    summarize: bool,
    width: usize,
    cells: &mut impl Iterator<Item = String>,
    out: &mut String,
) {
    let mut items: Vec<String> = Vec::new();
    for k in 0..shown_count(size, summarize) {
        if k == EDGE_ITEMS && elided(size, summarize) {
            items.push(" ...".to_string());
        }
        items.push(cells.next().unwrap_or_default());
    }
    // Each element takes its width plus ", ".
    let per_line = (LINE_WIDTH.saturating_sub(indent) / (width + 2)).max(1);
    let line_break = format!(",\n{}", " ".repeat(indent + 1));
    let lines: Vec<String> = items.chunks(per_line).map(|line| line.join(", ")).collect();
    out.push('[');
    out.push_str(&lines.join(&line_break));
    out.push(']');
}

/// How every element of one tensor is written (PyTorch's `_Formatter`).
struct Style {
    kind: StyleKind,
    /// Characters every cell is padded to (right-aligned).
    width: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum StyleKind {
    /// Integers, booleans: `Display` of the value.
    Plain,
    /// Floats that are all whole numbers: `1.`, `-0.`, `nan`.
    WholeFloat,
    /// Floats in fixed notation with [`PRECISION`] decimals.
    Fixed,
    /// Floats in scientific notation, `1.2346e+10`.
    Scientific,
}

impl Style {
    /// Picks the style and the common width from the shown elements.
    fn choose(values: &[Value]) -> Style {
        let mut floats = Vec::new();
        let mut width = 1;
        for &v in values {
            match v {
                Value::Float(x) => floats.push(x),
                other => width = width.max(format_plain(other).len()),
            }
        }
        if floats.is_empty() {
            return Style {
                kind: StyleKind::Plain,
                width,
            };
        }
        let nonzero: Vec<f64> = floats
            .into_iter()
            .filter(|x| x.is_finite() && *x != 0.0)
            .collect();
        if nonzero.is_empty() {
            return Style {
                kind: StyleKind::WholeFloat,
                width: 1,
            };
        }
        let whole = nonzero.iter().all(|x| *x == x.ceil());
        let max = nonzero.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
        let min = nonzero.iter().fold(f64::INFINITY, |m, x| m.min(x.abs()));
        let scientific = max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4;
        let (kind, extra) = match (whole, scientific) {
            (_, true) => (StyleKind::Scientific, 0),
            (true, false) => (StyleKind::WholeFloat, 1),
            (false, false) => (StyleKind::Fixed, 0),
        };
        let style = Style { kind, width: 1 };
        let width = nonzero
            .iter()
            .map(|&x| style.raw(x).len() + extra)
            .fold(1, usize::max);
        Style { kind, width }
    }

    /// The cell text for `value`, right-aligned to the common width.
    fn format(&self, value: Value) -> String {
        let text = match value {
            Value::Float(x) if self.kind != StyleKind::Plain => {
                let mut s = self.raw(x);
                if self.kind == StyleKind::WholeFloat && x.is_finite() {
                    s.push('.');
                }
                s
            }
            other => format_plain(other),
        };
        format!("{text:>width$}", width = self.width)
    }

    /// A float in this style without padding or the whole-number dot.
    fn raw(&self, x: f64) -> String {
        if x.is_nan() {
            return "nan".to_string();
        }
        if x.is_infinite() {
            return if x > 0.0 { "inf" } else { "-inf" }.to_string();
        }
        match self.kind {
            StyleKind::WholeFloat => format!("{x:.0}"),
            StyleKind::Scientific => scientific(x),
            StyleKind::Fixed | StyleKind::Plain => format!("{x:.PRECISION$}"),
        }
    }
}

/// Integers and booleans as Python prints them (`5`, `True`).
fn format_plain(value: Value) -> String {
    match value {
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => if b { "True" } else { "False" }.to_string(),
        Value::Float(x) => x.to_string(),
    }
}

/// Python's `'{:.4e}'` for a finite float: a signed exponent of at least two digits.
fn scientific(x: f64) -> String {
    let rust = format!("{x:.PRECISION$e}");
    let (mantissa, exponent) = rust.split_once('e').unwrap_or((&rust, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
}
