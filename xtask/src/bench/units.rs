//! Human-readable times and rates for the bench report (three significant digits).

use crate::bench::criterion::Throughput;

/// Formats a duration in nanoseconds as ns, µs, ms or s, e.g. `16.0 ms`.
pub fn time(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    format!("{} {unit}", three_digits(value))
}

/// Formats the rate of `work` done in `ns` nanoseconds: GFLOP/s (MFLOP/s below 1) for
/// elements, GB/s (MB/s below 1) for bytes, Gbit/s (Mbit/s below 1) for bits; decimal units.
pub fn rate(work: Throughput, ns: f64) -> String {
    let (amount, big, small) = match work {
        Throughput::Elements(n) => (n, "GFLOP/s", "MFLOP/s"),
        Throughput::Bytes(n) => (n, "GB/s", "MB/s"),
        Throughput::Bits(n) => (n, "Gbit/s", "Mbit/s"),
    };
    // Work per nanosecond is giga-units per second.
    let giga = amount as f64 / ns;
    if giga >= 1.0 {
        format!("{} {big}", three_digits(giga))
    } else {
        format!("{} {small}", three_digits(giga * 1e3))
    }
}

/// Formats a byte count in decimal units: B, kB, MB or GB, e.g. `102 MB`.
pub fn bytes(n: u64) -> String {
    let v = n as f64;
    if v < 1e3 {
        format!("{n} B")
    } else if v < 1e6 {
        format!("{} kB", three_digits(v / 1e3))
    } else if v < 1e9 {
        format!("{} MB", three_digits(v / 1e6))
    } else {
        format!("{} GB", three_digits(v / 1e9))
    }
}

/// Formats `reference_ns / kiln_ns` (above 1: Kiln is faster), e.g. `1.07×`.
pub fn speed_ratio(kiln_ns: f64, reference_ns: f64) -> String {
    format!("{}×", three_digits(reference_ns / kiln_ns))
}

/// `v` with three significant digits for values from 0.01 to 999, plain integers above.
fn three_digits(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_pick_their_unit() {
        assert_eq!(time(512.0), "512 ns");
        assert_eq!(time(1_500.0), "1.50 µs");
        assert_eq!(time(16_000_000.0), "16.0 ms");
        assert_eq!(time(434_000_000.0), "434 ms");
        assert_eq!(time(6.3e9), "6.30 s");
    }

    #[test]
    fn rates_are_decimal_giga_or_mega() {
        // 2·1024³ flops in 16 ms ≈ 134 GFLOP/s.
        assert_eq!(
            rate(Throughput::Elements(2 * 1024 * 1024 * 1024), 16e6),
            "134 GFLOP/s"
        );
        // 20 MB in 10 s = 2 MB/s.
        assert_eq!(rate(Throughput::Bytes(20_000_000), 1e10), "2.00 MB/s");
        assert_eq!(rate(Throughput::Bytes(4_000_000), 1e6), "4.00 GB/s");
        assert_eq!(rate(Throughput::Bits(8_000), 1e6), "8.00 Mbit/s");
    }

    #[test]
    fn bytes_pick_their_unit() {
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(102_400_000), "102 MB");
        assert_eq!(bytes(1_500), "1.50 kB");
        assert_eq!(bytes(2_340_000_000), "2.34 GB");
    }

    #[test]
    fn ratio_above_one_means_kiln_is_faster() {
        assert_eq!(speed_ratio(100.0, 150.0), "1.50×");
        assert_eq!(speed_ratio(200.0, 100.0), "0.50×");
    }
}
