//! The workspace as `cargo metadata --no-deps` describes it: root, target dir, packages.

use std::path::PathBuf;

use serde_json::Value;

use crate::error::{Result, XtaskError};
use crate::process;

/// What xtask needs to know about the Cargo workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    /// The folder holding the workspace `Cargo.toml`.
    pub root: PathBuf,
    /// Cargo's target folder (honours `CARGO_TARGET_DIR` and `build.target-dir`).
    pub target_dir: PathBuf,
    /// The workspace's own packages, in the order cargo lists them.
    pub packages: Vec<Package>,
}

/// One workspace package.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// Package name, e.g. `kiln-tensor`.
    pub name: String,
    /// The folder holding its `Cargo.toml`.
    pub dir: PathBuf,
    /// Its feature names, sorted, without `default`.
    pub features: Vec<String>,
    /// Names of its `[[bench]]` targets (`cargo bench --bench NAME`), in manifest order.
    pub bench_targets: Vec<String>,
}

impl Workspace {
    /// Runs `cargo metadata --no-deps --format-version 1` and reads its answer.
    pub fn load() -> Result<Self> {
        let mut cmd = process::cargo();
        cmd.args(["metadata", "--no-deps", "--format-version", "1"]);
        let origin = process::describe(&cmd);
        let json = process::capture(&mut cmd)?;
        Self::parse(&json).map_err(|message| XtaskError::Parse { origin, message })
    }

    /// Reads the JSON printed by `cargo metadata --no-deps --format-version 1`.
    pub fn parse(json: &str) -> std::result::Result<Self, String> {
        let value: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let path_field = |key: &str| {
            value[key]
                .as_str()
                .map(PathBuf::from)
                .ok_or_else(|| format!("`{key}` is missing or not a string"))
        };
        let packages = value["packages"]
            .as_array()
            .ok_or("`packages` is missing or not an array")?
            .iter()
            .map(Package::parse)
            .collect::<std::result::Result<_, _>>()?;
        Ok(Workspace {
            root: path_field("workspace_root")?,
            target_dir: path_field("target_directory")?,
            packages,
        })
    }

    /// The package a user means by `name`: the package of that exact name, else `kiln-NAME`
    /// (so `tensor` finds `kiln-tensor`); an error lists the valid names.
    pub fn find_crate(&self, name: &str) -> Result<&Package> {
        let prefixed = format!("kiln-{name}");
        let exact = self.packages.iter().find(|p| p.name == name);
        exact
            .or_else(|| self.packages.iter().find(|p| p.name == prefixed))
            .ok_or_else(|| {
                let names: Vec<&str> = self.packages.iter().map(|p| p.name.as_str()).collect();
                XtaskError::Usage(format!(
                    "no package `{name}` or `{prefixed}` in the workspace (packages: {})",
                    names.join(", ")
                ))
            })
    }
}

impl Package {
    /// Whether it declares any `[[bench]]` target.
    pub fn has_benches(&self) -> bool {
        !self.bench_targets.is_empty()
    }

    fn parse(value: &Value) -> std::result::Result<Self, String> {
        let name = value["name"]
            .as_str()
            .ok_or("a package has no `name`")?
            .to_owned();
        let manifest = value["manifest_path"]
            .as_str()
            .ok_or_else(|| format!("package `{name}` has no `manifest_path`"))?;
        let dir = PathBuf::from(manifest)
            .parent()
            .map(PathBuf::from)
            .ok_or_else(|| format!("package `{name}` has a bare manifest path"))?;
        let mut features: Vec<String> = value["features"]
            .as_object()
            .map(|map| map.keys().filter(|k| *k != "default").cloned().collect())
            .unwrap_or_default();
        features.sort();
        let bench_targets = value["targets"]
            .as_array()
            .map(|targets| {
                targets
                    .iter()
                    .filter(|target| {
                        target["kind"]
                            .as_array()
                            .is_some_and(|kinds| kinds.iter().any(|k| k == "bench"))
                    })
                    .map(|target| {
                        target["name"].as_str().map(str::to_owned).ok_or_else(|| {
                            format!("a bench target of package `{name}` has no `name`")
                        })
                    })
                    .collect::<std::result::Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        Ok(Package {
            name,
            dir,
            features,
            bench_targets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
        "packages": [
            {"name": "kiln-tensor", "manifest_path": "/w/tensor/Cargo.toml",
             "features": {"default": [], "gpu": ["dep:kiln-gpu-kernels"], "f16": []},
             "targets": [{"kind": ["lib"]}, {"kind": ["bench"], "name": "matmul"}]},
            {"name": "xtask", "manifest_path": "/w/xtask/Cargo.toml", "features": {},
             "targets": [{"kind": ["bin"]}]}
        ],
        "workspace_root": "/w",
        "target_directory": "/tmp/t"
    }"#;

    #[test]
    fn parses_packages_features_and_benches() {
        let ws = Workspace::parse(SAMPLE).unwrap();
        assert_eq!(ws.root, PathBuf::from("/w"));
        assert_eq!(ws.target_dir, PathBuf::from("/tmp/t"));
        let tensor = ws.find_crate("kiln-tensor").unwrap();
        assert_eq!(tensor.dir, PathBuf::from("/w/tensor"));
        assert_eq!(tensor.features, ["f16", "gpu"]);
        assert_eq!(tensor.bench_targets, ["matmul"]);
        assert_eq!(ws.find_crate("tensor").unwrap(), tensor);
        let xtask = ws.find_crate("xtask").unwrap();
        assert!(xtask.features.is_empty());
        assert!(!xtask.has_benches());
    }

    #[test]
    fn unknown_package_names_the_known_ones() {
        let ws = Workspace::parse(SAMPLE).unwrap();
        let err = ws.find_crate("nope").unwrap_err().to_string();
        assert!(err.contains("kiln-tensor, xtask"), "{err}");
    }

    #[test]
    fn malformed_metadata_is_an_error() {
        assert!(Workspace::parse("not json").is_err());
        assert!(Workspace::parse(r#"{"packages": []}"#).is_err());
        assert!(
            Workspace::parse(
                r#"{"packages": [{}], "workspace_root": "/w", "target_directory": "/t"}"#
            )
            .is_err()
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_metadata_never_panics(json in "\\PC{0,300}") {
            let _ = Workspace::parse(&json);
        }

        #[test]
        fn arbitrary_json_metadata_never_panics(value in crate::json_strategy::json()) {
            let _ = Workspace::parse(&value.to_string());
        }
    }
}
