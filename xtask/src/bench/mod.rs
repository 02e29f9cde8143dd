//! `cargo xtask bench`: criterion benches into `<target>/bench-report.md`, optionally beside
//! the reference implementation (PyTorch / Hugging Face / scikit-learn) timed in the same run.

pub mod compare;
pub mod criterion;
pub mod memory;
pub mod report;
pub mod units;

use std::fs;
use std::process::Command;
use std::time::{Duration, SystemTime};

use crate::args::BenchArgs;
use crate::error::{Result, XtaskError};
use crate::process;
use crate::workspace::{Package, Workspace};

/// glibc malloc settings the reference runs under: the state glibc's dynamic thresholds reach
/// in any long-lived process once it has freed a large block (mmap threshold 32 MiB, the most
/// it adapts to, and trim threshold twice that). PyTorch's CPU allocator is glibc's malloc, so
/// this is its steady state; in a fresh process it instead returns every freed block above
/// 128 KiB to the kernel and pays page faults for it on the next call (its conv2d forward at
/// the nn bench size: 2.9 ms cold, 0.5 ms warm), and each workload's reference runs in a
/// fresh process. Kiln's benches keep the defaults: its large buffers stay in its own buffer
/// cache and are never freed to glibc, so glibc's thresholds never adapt in a Kiln process
/// (and `index/cat_dim0` ran 2× slower under these settings).
pub const WARM_MALLOC_ENV: [(&str, &str); 2] = [
    ("MALLOC_MMAP_THRESHOLD_", "33554432"),
    ("MALLOC_TRIM_THRESHOLD_", "67108864"),
];

/// Runs the benches of the chosen crates, then writes and prints the report.
pub fn run(args: &BenchArgs) -> Result<()> {
    let workspace = Workspace::load()?;
    let packages = chosen(&workspace, args)?;
    if packages
        .iter()
        .any(|p| p.features.iter().any(|f| f == MPI_FEATURE))
    {
        crate::test::mpi::ensure()?;
    }
    // Files written by benches of this run are at least this new (1 s of slack for
    // file systems with coarse timestamps).
    let start = SystemTime::now() - Duration::from_secs(1);
    let venv = workspace.target_dir.join("bench-venv");
    let mut references = Vec::new();
    let (mut kiln_peaks, mut reference_peaks) = (Vec::new(), Vec::new());
    for package in &packages {
        if args.compare && compare::script(package).is_file() {
            let python = compare::ensure_venv(package, &venv)?;
            // Build first, in the open: the `--list` calls below capture their output.
            let mut build = bench_command(&workspace, package, args.threads);
            build.args(["--benches", "--no-run"]);
            process::run(&mut build)?;
            for target in &package.bench_targets {
                let ids = list_benches(&workspace, package, target, args.threads)?;
                let wanted =
                    |id: &String| args.filter.as_ref().is_none_or(|f| id.contains(f.as_str()));
                for id in ids.into_iter().filter(wanted) {
                    // Each workload runs in Kiln and right after in the reference, so both
                    // sides see the same machine: a shared machine's speed drifts over minutes.
                    crate::say!("{id}: Kiln, then the reference");
                    let mut cmd = bench_command(&workspace, package, args.threads);
                    cmd.args(["--bench", target, "--", "--exact", &id]);
                    let peaks = run_benches(&mut cmd)?;
                    kiln_peaks.extend(peaks.into_iter().filter(|p| p.id == id));
                    let (timings, peaks) = compare::run(package, &python, args.threads, &id)?;
                    references.extend(timings);
                    reference_peaks.extend(peaks);
                }
            }
        } else {
            if args.compare {
                crate::say!(
                    "{} has no benches/compare.py: no reference for it",
                    package.name
                );
            }
            let mut cmd = bench_command(&workspace, package, args.threads);
            cmd.arg("--benches");
            if let Some(filter) = &args.filter {
                cmd.args(["--", filter]);
            }
            crate::say!("running {}", process::describe(&cmd));
            kiln_peaks.extend(run_benches(&mut cmd)?);
        }
    }
    let results = criterion::collect(&workspace.target_dir.join("criterion"), start)?;
    if results.is_empty() {
        return Err(XtaskError::Other(format!(
            "the benches ran but left no new results under {}",
            workspace.target_dir.join("criterion").display()
        )));
    }
    let table = report::table(&results, args.compare.then_some(references.as_slice()));
    let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    let mut text = format!(
        "# Kiln benchmarks\n\nCrates: {}. Threads: {} (RAYON_NUM_THREADS{}). Medians from criterion.\n\n{table}",
        names.join(", "),
        args.threads,
        if args.compare {
            ", and KILN_BENCH_THREADS for the reference"
        } else {
            ""
        }
    );
    text.push_str(&memory::table(&kiln_peaks, &reference_peaks));
    let unmatched = report::unmatched(&results, &references);
    if args.compare && !unmatched.is_empty() {
        text.push_str(&format!(
            "\nKiln benches the reference reported nothing for: {}\n",
            unmatched.join(", ")
        ));
    }
    let path = workspace.target_dir.join("bench-report.md");
    fs::write(&path, &text).map_err(XtaskError::io("write", &path))?;
    println!("\n{text}");
    crate::say!("report written to {}", path.display());
    Ok(())
}

/// `cargo bench -p PACKAGE` in the workspace root with `RAYON_NUM_THREADS=threads`.
/// `cargo bench -p PACKAGE` on `threads` threads; a package with an `mpi` feature is built
/// with it, so its data-parallel benches run.
fn bench_command(workspace: &Workspace, package: &Package, threads: usize) -> Command {
    let mut cmd = process::cargo();
    cmd.args(["bench", "-p", &package.name])
        .current_dir(&workspace.root)
        .env("RAYON_NUM_THREADS", threads.to_string());
    if package.features.iter().any(|f| f == MPI_FEATURE) {
        cmd.args(["--features", MPI_FEATURE]);
    }
    cmd
}

/// The feature that builds against Open MPI.
const MPI_FEATURE: &str = "mpi";

/// The criterion ids of one bench target, from `cargo bench --bench TARGET -- --list`.
fn list_benches(
    workspace: &Workspace,
    package: &Package,
    target: &str,
    threads: usize,
) -> Result<Vec<String>> {
    let mut cmd = bench_command(workspace, package, threads);
    cmd.args(["--bench", target, "--", "--list"]);
    crate::say!("listing {}", process::describe(&cmd));
    Ok(listed_ids(&process::capture(&mut cmd)?))
}

/// The ids in criterion's `--list` output: one `<id>: benchmark` line per bench; other lines
/// (what the bench binary prints while setting up) are skipped.
fn listed_ids(output: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|line| line.trim_end().strip_suffix(": benchmark"))
        .map(str::to_owned)
        .collect()
}

/// Runs `cargo bench`, echoing its output, and returns the peak-memory lines the benches
/// printed (see [`memory`]).
fn run_benches(cmd: &mut Command) -> Result<Vec<memory::PeakMemory>> {
    let command = process::describe(cmd);
    let mut peaks = Vec::new();
    let mut problems = Vec::new();
    let status = process::stream_lines(cmd, |line| {
        println!("{line}");
        match memory::parse_line(line) {
            Some(Ok(peak)) => peaks.push(peak),
            Some(Err(problem)) => problems.push(problem),
            None => {}
        }
    })?;
    process::check(status, command.clone(), String::new())?;
    match problems.into_iter().next() {
        Some(message) => Err(XtaskError::Parse {
            origin: command,
            message,
        }),
        None => Ok(peaks),
    }
}

/// The packages to bench: the named one (which must have benches, and `compare.py` with
/// `--compare`), or every package with benches.
fn chosen<'a>(workspace: &'a Workspace, args: &BenchArgs) -> Result<Vec<&'a Package>> {
    let packages: Vec<&Package> = match &args.krate {
        Some(name) => {
            let package = workspace.find_crate(name)?;
            if !package.has_benches() {
                let name = &package.name;
                return Err(XtaskError::Other(format!("`{name}` has no benches yet")));
            }
            if args.compare && !compare::script(package).is_file() {
                return Err(XtaskError::Other(format!(
                    "`{}` has no reference script {}",
                    package.name,
                    compare::script(package).display()
                )));
            }
            vec![package]
        }
        None => workspace
            .packages
            .iter()
            .filter(|p| p.has_benches())
            .collect(),
    };
    if packages.is_empty() {
        return Err(XtaskError::Other(
            "no crate in the workspace has benches yet".into(),
        ));
    }
    Ok(packages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_ids_keep_only_benchmark_lines() {
        let output = "loading corpus...\nmatmul/f32/256: benchmark\n\nbpe/train/sotu-imdb-20MB: benchmark  \n{\"id\": \"x\"}\n";
        assert_eq!(
            listed_ids(output),
            ["matmul/f32/256", "bpe/train/sotu-imdb-20MB"]
        );
        assert!(listed_ids("").is_empty());
    }
}
