//! Finding a Vulkan driver for the GPU tests, and installing Mesa's lavapipe (a CPU Vulkan
//! implementation) when there is none and apt-get can.

use std::path::{Path, PathBuf};

use crate::apt;
use crate::error::{Result, XtaskError};

/// Folders the Vulkan loader searches for driver manifests (ICD JSON files) on Linux.
const ICD_DIRS: &[&str] = &[
    "/usr/share/vulkan/icd.d",
    "/usr/local/share/vulkan/icd.d",
    "/etc/vulkan/icd.d",
];

/// Debian packages that provide the loader and Mesa's drivers, lavapipe included.
const PACKAGES: &[&str] = &["libvulkan1", "mesa-vulkan-drivers"];

/// File name of the Vulkan loader library.
const LOADER: &str = "libvulkan.so.1";

/// Makes sure a Vulkan driver is present, installing lavapipe if needed and possible.
/// Returns whether GPU tests can run; in CI (`ci`) having none is an error.
pub fn ensure(ci: bool) -> Result<bool> {
    if let Some(found) = present() {
        crate::say!("Vulkan driver present: {found}");
        return Ok(true);
    }
    if apt::available() && apt::is_root() {
        crate::say!("installing {} (lavapipe) with apt-get", PACKAGES.join(" "));
        apt::install(PACKAGES)?;
        if let Some(found) = present() {
            crate::say!("Vulkan driver installed: {found}");
            return Ok(true);
        }
        return unavailable(
            ci,
            "apt-get installed the packages but no driver manifest appeared",
        );
    }
    unavailable(
        ci,
        "no Vulkan driver, and installing one needs root and apt-get",
    )
}

fn unavailable(ci: bool, why: &str) -> Result<bool> {
    if ci {
        Err(XtaskError::Other(format!(
            "{why}; CI must run the GPU tests (install libvulkan1 and mesa-vulkan-drivers)"
        )))
    } else {
        crate::say!("{why}: GPU tests will be skipped");
        Ok(false)
    }
}

/// A description of the installed driver manifests, if the loader and at least one driver are
/// present (or the user pointed the loader at drivers with `VK_DRIVER_FILES`/`VK_ICD_FILENAMES`).
fn present() -> Option<String> {
    for var in ["VK_DRIVER_FILES", "VK_ICD_FILENAMES"] {
        if let Some(value) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            return Some(format!("{var}={}", value.to_string_lossy()));
        }
    }
    if !loader_present() {
        return None;
    }
    let manifests: Vec<String> = ICD_DIRS
        .iter()
        .flat_map(|dir| manifests_in(Path::new(dir)))
        .filter_map(|path| path.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    (!manifests.is_empty()).then(|| manifests.join(", "))
}

/// The `*.json` driver manifests in `dir` (none if it does not exist).
fn manifests_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
        .collect();
    found.sort();
    found
}

/// Whether the Vulkan loader library is in a standard library folder (including Debian's
/// multiarch folders such as `/usr/lib/x86_64-linux-gnu`).
fn loader_present() -> bool {
    let mut dirs: Vec<PathBuf> = ["/usr/lib", "/usr/lib64", "/usr/local/lib", "/lib", "/lib64"]
        .iter()
        .map(PathBuf::from)
        .collect();
    if let Ok(entries) = std::fs::read_dir("/usr/lib") {
        dirs.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with("-linux-gnu")),
        );
    }
    dirs.iter().any(|dir| dir.join(LOADER).exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_are_json_files_only() {
        let dir = std::env::temp_dir().join(format!("xtask-icd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(manifests_in(&dir).is_empty());
        std::fs::write(dir.join("lvp_icd.x86_64.json"), "{}").unwrap();
        std::fs::write(dir.join("README"), "").unwrap();
        assert_eq!(manifests_in(&dir), [dir.join("lvp_icd.x86_64.json")]);
        assert!(manifests_in(&dir.join("absent")).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_driver_fails_only_in_ci() {
        assert!(!unavailable(false, "no driver").unwrap());
        assert!(unavailable(true, "no driver").is_err());
    }
}
