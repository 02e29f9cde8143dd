//! `cargo xtask build`: every crate, every target, every feature combination that matters.

use crate::error::Result;
use crate::process;
use crate::workspace::Workspace;

/// One `cargo build` invocation: the arguments after `cargo build`.
pub type BuildArgs = Vec<String>;

/// Runs `cargo build` for each combination from [`combinations`], stopping at the first failure.
pub fn run() -> Result<()> {
    let workspace = Workspace::load()?;
    let plans = combinations(&workspace);
    for (i, args) in plans.iter().enumerate() {
        crate::say!(
            "build {}/{}: cargo build {}",
            i + 1,
            plans.len(),
            args.join(" ")
        );
        process::run(
            process::cargo()
                .arg("build")
                .args(args)
                .current_dir(&workspace.root),
        )?;
    }
    crate::say!("all {} builds succeeded", plans.len());
    Ok(())
}

/// The builds that matter: the default features, all features, and each package's features one
/// at a time (e.g. `-p kiln-tensor --features gpu`), so a feature that only compiles together
/// with another one is caught.
pub fn combinations(workspace: &Workspace) -> Vec<BuildArgs> {
    let base = ["--workspace", "--all-targets"];
    let mut plans: Vec<BuildArgs> = vec![
        base.iter().map(|s| s.to_string()).collect(),
        base.iter()
            .chain(&["--all-features"])
            .map(|s| s.to_string())
            .collect(),
    ];
    for package in &workspace.packages {
        for feature in &package.features {
            plans.push(vec![
                "-p".into(),
                package.name.clone(),
                "--all-targets".into(),
                "--features".into(),
                feature.clone(),
            ]);
        }
    }
    plans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Package;
    use std::path::PathBuf;

    fn package(name: &str, features: &[&str]) -> Package {
        Package {
            name: name.into(),
            dir: PathBuf::from("/w").join(name),
            features: features.iter().map(|f| f.to_string()).collect(),
            bench_targets: Vec::new(),
        }
    }

    #[test]
    fn one_build_per_feature_after_the_workspace_builds() {
        let workspace = Workspace {
            root: "/w".into(),
            target_dir: "/w/target".into(),
            packages: vec![package("kiln-tensor", &["gpu"]), package("xtask", &[])],
        };
        let plans: Vec<String> = combinations(&workspace)
            .iter()
            .map(|a| a.join(" "))
            .collect();
        assert_eq!(
            plans,
            [
                "--workspace --all-targets",
                "--workspace --all-targets --all-features",
                "-p kiln-tensor --all-targets --features gpu",
            ]
        );
    }
}
