//! Debian's package manager, used to install the Vulkan driver (kiln-hub downloads `.deb`
//! datasets itself).

use std::process::Command;

use crate::error::Result;
use crate::process;

/// Folder where apt keeps the package lists that `apt-get update` downloads.
const LISTS_DIR: &str = "/var/lib/apt/lists";

/// Whether this process runs as root (effective user id 0), per `id -u`.
pub fn is_root() -> bool {
    process::capture(Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}

/// Whether `apt-get` is on `PATH`.
pub fn available() -> bool {
    process::on_path("apt-get")
}

/// Whether apt has package lists at all (a fresh container image often has none).
fn has_lists() -> bool {
    std::fs::read_dir(LISTS_DIR).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains("_Packages"))
    })
}

/// Runs `apt-get update` (needs root).
pub fn update() -> Result<()> {
    crate::say!("running apt-get update");
    process::capture(Command::new("apt-get").args(["update", "-q"])).map(drop)
}

/// Installs `packages` without recommends (needs root); runs `apt-get update` first when there
/// are no package lists, and once more if the install fails on stale lists.
pub fn install(packages: &[&str]) -> Result<()> {
    if !has_lists() {
        update()?;
    }
    let attempt = || {
        process::capture(
            Command::new("apt-get")
                .args(["install", "-y", "-q", "--no-install-recommends"])
                .args(packages)
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )
    };
    match attempt() {
        Ok(_) => Ok(()),
        Err(_) => {
            update()?;
            attempt().map(drop)
        }
    }
}
