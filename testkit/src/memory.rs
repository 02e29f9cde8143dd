//! Peak resident memory of a bench workload (Linux), printed for `cargo xtask bench`, which puts
//! it beside the reference's (`benches/compare.py` measures its side the same way).

/// A field of `/proc/self/status` in bytes (`VmRSS`, `VmHWM`); `None` off Linux.
fn proc_status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line[field.len() + 1..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// A measurement started by [`PeakRss::start`]: the resident set when it began.
pub struct PeakRss {
    baseline: Option<u64>,
}

impl PeakRss {
    /// Resets the resident-set high-water mark (Linux ≥ 4.0) and remembers the resident set now.
    pub fn start() -> PeakRss {
        let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
        PeakRss {
            baseline: reset.then(|| proc_status_bytes("VmRSS")).flatten(),
        }
    }

    /// Prints `{"id", "peak_rss_bytes", "baseline_rss_bytes"}` for workload `id` (the
    /// criterion id): the high-water mark since [`PeakRss::start`]. Prints nothing off Linux.
    pub fn report(self, id: &str) {
        if let (Some(baseline), Some(peak)) = (self.baseline, proc_status_bytes("VmHWM")) {
            println!(
                r#"{{"id": "{id}", "peak_rss_bytes": {peak}, "baseline_rss_bytes": {baseline}}}"#
            );
        }
    }
}
