//! The side-by-side reference run: `<crate>/benches/compare.py` in a venv under the target
//! folder, printing one JSON object per line:
//! `{"id": "<criterion full id>", "median_ns": <float>, "reference": "torch 2.x"}`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::bench::WARM_MALLOC_ENV;
use crate::bench::memory::{self, PeakMemory};
use crate::error::{Result, XtaskError};
use crate::process;
use crate::workspace::Package;

/// Packages installed into the venv when a crate has no `benches/requirements.txt`.
const DEFAULT_REQUIREMENTS: &[&str] = &["torch", "numpy"];

/// One workload timed by the reference implementation.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// criterion full id of the matching Kiln bench.
    pub id: String,
    /// Median time per iteration in nanoseconds.
    pub median_ns: f64,
    /// Which library and version, e.g. `torch 2.15.0`.
    pub reference: String,
}

/// `<package>/benches/compare.py`.
pub fn script(package: &Package) -> PathBuf {
    package.dir.join("benches").join("compare.py")
}

/// Parses one line of `compare.py` output: `None` if it is not a JSON object (ordinary
/// output, echoed as is), otherwise the reference or what is wrong with it.
pub fn parse_line(line: &str) -> Option<std::result::Result<Reference, String>> {
    let trimmed = line.trim();
    if !trimmed.starts_with('{') {
        return None;
    }
    Some(parse_object(trimmed))
}

fn parse_object(text: &str) -> std::result::Result<Reference, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("{e} in `{text}`"))?;
    let field = |key: &str| {
        value[key]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("`{key}` is missing or not a string in `{text}`"))
    };
    let median_ns = value["median_ns"]
        .as_f64()
        .filter(|v| v.is_finite() && *v > 0.0)
        .ok_or_else(|| format!("`median_ns` is missing or not a positive number in `{text}`"))?;
    Ok(Reference {
        id: field("id")?,
        median_ns,
        reference: field("reference")?,
    })
}

/// Runs `compare.py` for the one workload `id` with the venv's `python`,
/// `KILN_BENCH_THREADS=threads` and [`WARM_MALLOC_ENV`], and returns what it measured for
/// exactly that id (the script filters by substring, so lines for other ids are dropped).
pub fn run(
    package: &Package,
    python: &Path,
    threads: usize,
    id: &str,
) -> Result<(Vec<Reference>, Vec<PeakMemory>)> {
    let mut cmd = Command::new(python);
    cmd.arg(script(package))
        .arg(id)
        .current_dir(&package.dir)
        .env("KILN_BENCH_THREADS", threads.to_string())
        .envs(WARM_MALLOC_ENV);
    let command = process::describe(&cmd);
    let mut references = Vec::new();
    let mut peaks = Vec::new();
    let mut problems = Vec::new();
    let status = process::stream_lines(&mut cmd, |line| {
        if let Some(peak) = memory::parse_line(line) {
            println!("{line}");
            match peak {
                Ok(peak) => peaks.push(peak),
                Err(problem) => problems.push(problem),
            }
            return;
        }
        match parse_line(line) {
            None => println!("{line}"),
            Some(Ok(reference)) => {
                println!(
                    "[xtask] reference {}: {}",
                    reference.id,
                    crate::bench::units::time(reference.median_ns)
                );
                references.push(reference);
            }
            Some(Err(problem)) => problems.push(problem),
        }
    })?;
    process::check(status, command.clone(), String::new())?;
    if let Some(problem) = problems.first() {
        return Err(XtaskError::Parse {
            origin: command,
            message: problem.clone(),
        });
    }
    references.retain(|r| r.id == id);
    peaks.retain(|p| p.id == id);
    Ok((references, peaks))
}

/// Creates the venv if needed and installs the package's requirements unless the same list
/// was already installed; returns the venv's python.
pub fn ensure_venv(package: &Package, venv: &Path) -> Result<PathBuf> {
    let python = venv.join("bin").join("python");
    if !python.is_file() {
        crate::say!(
            "creating the reference venv at {} with python3 -m venv",
            venv.display()
        );
        process::run(Command::new("python3").args(["-m", "venv"]).arg(venv))?;
    }
    let requirements_file = package.dir.join("benches").join("requirements.txt");
    let (wanted, pip_args): (String, Vec<String>) = if requirements_file.is_file() {
        let text = fs::read_to_string(&requirements_file)
            .map_err(XtaskError::io("read", &requirements_file))?;
        let path = requirements_file.to_string_lossy().into_owned();
        (text, vec!["-r".into(), path])
    } else {
        let list: Vec<String> = DEFAULT_REQUIREMENTS.iter().map(|s| s.to_string()).collect();
        (list.join("\n"), list)
    };
    let marker = venv.join(format!(".kiln-requirements-{}", package.name));
    if fs::read_to_string(&marker).is_ok_and(|installed| installed == wanted) {
        crate::say!("reference venv already has {}'s requirements", package.name);
        return Ok(python);
    }
    crate::say!(
        "installing {}'s reference requirements into {} with pip",
        package.name,
        venv.display()
    );
    process::run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--progress-bar",
                "off",
            ])
            .args(&pip_args),
    )?;
    fs::write(&marker, wanted).map_err(XtaskError::io("write", &marker))?;
    Ok(python)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_reference_lines() {
        let line =
            r#"{"id": "matmul/f32/1024", "median_ns": 16400000.5, "reference": "torch 2.15.0"}"#;
        assert_eq!(
            parse_line(line),
            Some(Ok(Reference {
                id: "matmul/f32/1024".into(),
                median_ns: 16_400_000.5,
                reference: "torch 2.15.0".into()
            }))
        );
        assert_eq!(
            parse_line(r#"{"id":"a","median_ns":3,"reference":"numpy"}"#)
                .unwrap()
                .unwrap()
                .median_ns,
            3.0
        );
    }

    #[test]
    fn other_output_passes_through() {
        assert_eq!(parse_line("warming up torch..."), None);
        assert_eq!(parse_line(""), None);
    }

    #[test]
    fn malformed_objects_are_reported() {
        for bad in [
            "{",
            r#"{"id": "a", "median_ns": "fast", "reference": "torch"}"#,
            r#"{"id": "a", "median_ns": -1, "reference": "torch"}"#,
            r#"{"id": 3, "median_ns": 1, "reference": "torch"}"#,
            r#"{"id": "a", "median_ns": 1}"#,
        ] {
            assert!(matches!(parse_line(bad), Some(Err(_))), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_lines_never_panic(line in "\\PC{0,200}") {
            let _ = parse_line(&line);
        }

        #[test]
        fn arbitrary_json_never_panics(value in crate::json_strategy::json()) {
            let _ = parse_line(&value.to_string());
        }

        #[test]
        fn printed_references_read_back(id in "[a-z0-9_/]{1,40}", median in 1e-3f64..1e12) {
            let line = serde_json::json!({"id": id, "median_ns": median, "reference": "torch 2.15"}).to_string();
            let parsed = parse_line(&line).unwrap().unwrap();
            proptest::prop_assert_eq!(parsed.id, id);
            // serde_json's default float parser is exact to within an ulp, not bit-exact.
            proptest::prop_assert!((parsed.median_ns - median).abs() <= median * 1e-15);
        }
    }
}
