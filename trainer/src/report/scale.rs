//! Axis scales of a chart: the data range (linear or base-10 logarithmic), where the ticks
//! go and how their labels read.

/// One axis tick: its data value and label.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Tick {
    /// The value in data units.
    pub value: f64,
    /// The text under (x) or beside (y) the tick.
    pub label: String,
}

/// A data range mapped onto `[0, 1]`, linearly or on a log10 axis.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Scale {
    /// The smallest value shown (positive on a log axis).
    pub lo: f64,
    /// The largest value shown, above `lo`.
    pub hi: f64,
    /// Whether the axis is logarithmic.
    pub log: bool,
}

impl Scale {
    /// A scale over `values` with 5% padding on each side (for a log axis, in log space).
    /// Values that cannot be shown (non-finite, or not positive on a log axis) are ignored;
    /// with none left the range is `[0, 1]` (`[1, 10]` on a log axis). `pad` is off for the
    /// step axis, which starts and ends at the data.
    pub fn fit(values: impl IntoIterator<Item = f64>, log: bool, pad: bool) -> Scale {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values {
            if v.is_finite() && (!log || v > 0.0) {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        if lo > hi {
            return if log {
                Scale {
                    lo: 1.0,
                    hi: 10.0,
                    log,
                }
            } else {
                Scale {
                    lo: 0.0,
                    hi: 1.0,
                    log,
                }
            };
        }
        let (mut a, mut b) = if log {
            (lo.log10(), hi.log10())
        } else {
            (lo, hi)
        };
        if b - a <= f64::EPSILON * a.abs().max(b.abs()).max(1.0) * 4.0 {
            // One value: widen to a visible range around it.
            let half = if log { 0.5 } else { (a.abs() * 0.1).max(0.5) };
            a -= half;
            b += half;
        } else if pad {
            let margin = (b - a) * 0.05;
            a -= margin;
            b += margin;
        }
        if log {
            Scale {
                lo: 10f64.powf(a),
                hi: 10f64.powf(b),
                log,
            }
        } else {
            Scale { lo: a, hi: b, log }
        }
    }

    /// Where `v` falls between `lo` (0) and `hi` (1).
    pub fn fraction(&self, v: f64) -> f64 {
        if self.log {
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }

    /// About `target` ticks inside the range, at round values; only at whole numbers
    /// when `whole` (an axis of steps) on a linear axis.
    pub fn ticks(&self, target: usize, whole: bool) -> Vec<Tick> {
        if self.log {
            let ticks = log_ticks(self.lo, self.hi);
            if ticks.len() >= 2 {
                return ticks;
            }
        }
        let min_step = if whole && !self.log { 1.0 } else { 0.0 };
        linear_ticks(self.lo, self.hi, target, min_step)
    }
}

/// The largest round step (1, 2 or 5 × 10^k) that splits `span` into at least
/// `target - 1` intervals.
fn nice_step(span: f64, target: usize) -> f64 {
    let wanted = target.saturating_sub(1).max(1) as f64;
    let mut magnitude = 10f64.powf(span.log10().ceil());
    for _ in 0..64 {
        for m in [1.0, 0.5, 0.2] {
            let step = magnitude * m;
            if span / step >= wanted {
                return step;
            }
        }
        magnitude /= 10.0;
    }
    span / wanted
}

fn linear_ticks(lo: f64, hi: f64, target: usize, min_step: f64) -> Vec<Tick> {
    let step = nice_step(hi - lo, target).max(min_step);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    let largest = lo.abs().max(hi.abs());
    (first..=last)
        .map(|k| {
            let value = k as f64 * step;
            Tick {
                value,
                label: format_linear(value, step, largest),
            }
        })
        .collect()
}

/// Powers of ten inside `[lo, hi]`; with fewer than three, 2× and 5× as well.
fn log_ticks(lo: f64, hi: f64) -> Vec<Tick> {
    let first = lo.log10().floor() as i32;
    let last = hi.log10().ceil() as i32;
    let within = |v: f64| v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9);
    let decades: Vec<Tick> = (first..=last)
        .map(|k| 10f64.powi(k))
        .filter(|&v| within(v))
        .map(|value| Tick {
            value,
            label: format_log(value),
        })
        .collect();
    if decades.len() >= 3 {
        return decades;
    }
    (first..=last)
        .flat_map(|k| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(k)))
        .filter(|&v| within(v))
        .map(|value| Tick {
            value,
            label: format_log(value),
        })
        .collect()
}

/// `v` with as many decimals as `step` needs; in scientific form for tiny steps or huge
/// values (`5e-5`, `1.5e6`).
pub(crate) fn format_linear(v: f64, step: f64, largest: f64) -> String {
    if v == 0.0 || v.abs() < step * 1e-6 {
        return "0".into();
    }
    if step < 1e-3 || largest >= 1e6 {
        let digits = (v.abs().log10().floor() - step.log10().floor()).clamp(0.0, 6.0) as usize;
        return format_scientific(v, digits);
    }
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    format!("{v:.decimals$}")
}

/// A log-axis label: plain for 0.01 … 1000, scientific otherwise.
fn format_log(v: f64) -> String {
    let exponent = v.log10().floor() as i32;
    if (-2..=3).contains(&exponent) {
        let decimals = (-exponent).max(0) as usize;
        format!("{v:.decimals$}")
    } else {
        format_scientific(v, 0)
    }
}

/// `v` as `m.mmme±x` with `digits` decimals in the mantissa, trailing zeros removed.
pub(crate) fn format_scientific(v: f64, digits: usize) -> String {
    let text = format!("{v:.digits$e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) if mantissa.contains('.') => {
            let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
            format!("{mantissa}e{exponent}")
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(ticks: &[Tick]) -> Vec<&str> {
        ticks.iter().map(|t| t.label.as_str()).collect()
    }

    #[test]
    fn linear_ticks_are_round_and_inside_the_range() {
        let s = Scale::fit([0.0, 100.0], false, false);
        assert_eq!(
            labels(&s.ticks(5, false)),
            ["0", "20", "40", "60", "80", "100"]
        );
        let s = Scale::fit([0.31, 0.69], false, false);
        let ticks = s.ticks(5, false);
        assert_eq!(
            labels(&ticks),
            ["0.35", "0.40", "0.45", "0.50", "0.55", "0.60", "0.65"]
        );
        assert!(ticks.iter().all(|t| t.value >= s.lo && t.value <= s.hi));
    }

    #[test]
    fn a_whole_number_axis_has_whole_ticks() {
        let s = Scale::fit([4.0, 8.0], false, false);
        assert_eq!(
            labels(&s.ticks(7, false)),
            [
                "4.0", "4.5", "5.0", "5.5", "6.0", "6.5", "7.0", "7.5", "8.0"
            ]
        );
        assert_eq!(labels(&s.ticks(7, true)), ["4", "5", "6", "7", "8"]);
    }

    #[test]
    fn small_steps_read_in_scientific_form() {
        let s = Scale::fit([0.0, 5e-5], false, false);
        assert_eq!(
            labels(&s.ticks(5, false)),
            ["0", "1e-5", "2e-5", "3e-5", "4e-5", "5e-5"]
        );
        assert_eq!(format_scientific(1.5000000000000002e-5, 1), "1.5e-5");
    }

    #[test]
    fn log_ticks_are_powers_of_ten() {
        let s = Scale::fit([1e-7, 10.0], true, false);
        let ticks = s.ticks(5, false);
        assert_eq!(ticks.len(), 9);
        assert_eq!(ticks[0].label, "1e-7");
        assert_eq!(ticks[8].label, "10");
        assert!((s.fraction(1e-7)).abs() < 1e-12 && (s.fraction(10.0) - 1.0).abs() < 1e-12);
        assert!((s.fraction(1e-3) - 4.0 / 8.0).abs() < 1e-12);
    }

    #[test]
    fn a_narrow_log_range_gets_two_and_five_ticks() {
        let s = Scale::fit([1.5e-4, 4e-3], true, false);
        assert_eq!(labels(&s.ticks(5, false)), ["2e-4", "5e-4", "1e-3", "2e-3"]);
    }

    #[test]
    fn degenerate_ranges_widen_and_bad_values_are_ignored() {
        let s = Scale::fit([2.0, 2.0, f64::NAN], false, true);
        assert!(s.lo < 2.0 && s.hi > 2.0);
        let s = Scale::fit([f64::INFINITY], false, true);
        assert_eq!((s.lo, s.hi), (0.0, 1.0));
        let s = Scale::fit([-1.0, 0.0, 100.0], true, false);
        assert!(s.lo < 100.0 && s.hi > 100.0 && s.lo > 0.0);
    }
}
