//! PyTorch's printed form of a module tree (`Module.__repr__`).

use kiln_autograd::Var;

use super::{Module, Visitor};

/// `repr(module)`: `Name(extra)` on one line when the module has a one-line `extra_repr` and no
/// children, otherwise one line per extra-repr line and per child (`(name): child`), indented
/// by two spaces.
pub(crate) fn module_repr(module: &(impl Module + ?Sized)) -> String {
    let extra = module.extra_repr();
    let extra_lines: Vec<&str> = if extra.is_empty() {
        Vec::new()
    } else {
        extra.split('\n').collect()
    };
    let mut children = ChildLines(Vec::new());
    module.visit(&mut children);
    let child_lines = children.0;
    let mut out = module.type_name();
    out.push('(');
    if extra_lines.len() == 1 && child_lines.is_empty() {
        out.push_str(extra_lines[0]);
    } else if !extra_lines.is_empty() || !child_lines.is_empty() {
        let lines: Vec<&str> = extra_lines
            .iter()
            .copied()
            .chain(child_lines.iter().map(String::as_str))
            .collect();
        out.push_str("\n  ");
        out.push_str(&lines.join("\n  "));
        out.push('\n');
    }
    out.push(')');
    out
}

/// Indents every line after the first by `spaces`, leaving blank lines empty (`_addindent`).
pub(crate) fn add_indent(text: &str, spaces: usize) -> String {
    let mut lines = text.split('\n');
    let mut out = lines.next().unwrap_or_default().to_string();
    for line in lines {
        out.push('\n');
        if !line.trim().is_empty() {
            out.push_str(&" ".repeat(spaces));
            out.push_str(line);
        }
    }
    out
}

/// Collects `(name): repr` for each child.
struct ChildLines(Vec<String>);

impl Visitor for ChildLines {
    fn parameter(&mut self, _name: &str, _param: &Var) {}

    fn buffer(&mut self, _name: &str, _buffer: &Var) {}

    fn child(&mut self, name: &str, module: &dyn Module) {
        self.0
            .push(format!("({name}): {}", add_indent(&module.repr(), 2)));
    }
}

/// Formats a float as Python's `repr(float)` does (`1e-05`, `0.1`, `1.0`, `1e+16`), for
/// `extra_repr` strings.
pub(crate) fn py_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let exponent = x.abs().log10().floor() as i32;
    if (-4..16).contains(&exponent) {
        let s = format!("{x}");
        if s.contains('.') { s } else { format!("{s}.0") }
    } else {
        // Rust's `{:e}` is the shortest round-trip mantissa, like Python's repr.
        let s = format!("{x:e}");
        let (mantissa, exp) = s.split_once('e').expect("LowerExp has an exponent");
        let exp: i32 = exp.parse().expect("LowerExp exponent is an integer");
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }
}

/// Python's `True` / `False`.
pub(crate) fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// Python's tuple form: `(768,)`, `(2, 3)`.
pub(crate) fn py_tuple(values: &[usize]) -> String {
    match values {
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            values
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
