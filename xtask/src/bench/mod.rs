//! `cargo xtask bench`: criterion benches into `<target>/bench-report.md`, optionally beside
//! the reference implementation (PyTorch / Hugging Face / scikit-learn) timed in the same run.

pub mod compare;
pub mod criterion;
pub mod memory;
pub mod report;
pub mod units;

use std::fs;
use std::time::{Duration, SystemTime};

use crate::args::BenchArgs;
use crate::error::{Result, XtaskError};
use crate::process;
use crate::workspace::{Package, Workspace};

/// Runs the benches of the chosen crates, then writes and prints the report.
pub fn run(args: &BenchArgs) -> Result<()> {
    let workspace = Workspace::load()?;
    let packages = chosen(&workspace, args)?;
    // Files written by benches of this run are at least this new (1 s of slack for
    // file systems with coarse timestamps).
    let start = SystemTime::now() - Duration::from_secs(1);
    let venv = workspace.target_dir.join("bench-venv");
    let mut references = Vec::new();
    let (mut kiln_peaks, mut reference_peaks) = (Vec::new(), Vec::new());
    for package in &packages {
        let mut cmd = process::cargo();
        cmd.args(["bench", "-p", &package.name, "--benches"])
            .current_dir(&workspace.root)
            .env("RAYON_NUM_THREADS", args.threads.to_string());
        crate::say!(
            "running {} with RAYON_NUM_THREADS={}",
            process::describe(&cmd),
            args.threads
        );
        kiln_peaks.extend(run_benches(&mut cmd)?);
        if args.compare {
            if compare::script(package).is_file() {
                let (timings, peaks) = compare::run(package, &venv, args.threads)?;
                references.extend(timings);
                reference_peaks.extend(peaks);
            } else {
                crate::say!(
                    "{} has no benches/compare.py: no reference for it",
                    package.name
                );
            }
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
    let orphans = report::unmatched(&results, &references);
    if !orphans.is_empty() {
        text.push_str(&format!(
            "\nReference ids with no Kiln bench in this run: {}\n",
            orphans.join(", ")
        ));
    }
    let path = workspace.target_dir.join("bench-report.md");
    fs::write(&path, &text).map_err(XtaskError::io("write", &path))?;
    println!("\n{text}");
    crate::say!("report written to {}", path.display());
    Ok(())
}

/// Runs `cargo bench`, echoing its output, and returns the peak-memory lines the benches
/// printed (see [`memory`]).
fn run_benches(cmd: &mut std::process::Command) -> Result<Vec<memory::PeakMemory>> {
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
            if !package.has_benches {
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
            .filter(|p| p.has_benches)
            .collect(),
    };
    if packages.is_empty() {
        return Err(XtaskError::Other(
            "no crate in the workspace has benches yet".into(),
        ));
    }
    Ok(packages)
}
