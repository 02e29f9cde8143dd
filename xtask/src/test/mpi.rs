//! Open MPI for the `mpi` feature (built by `--all-features`) and its two-rank tests:
//! installed with apt-get when missing, like the Vulkan driver.

use std::path::Path;
use std::process::Command;

use crate::apt;
use crate::error::{Result, XtaskError};
use crate::process;

/// Debian packages: `mpirun`, the headers and `mpicc` rsmpi's build probes, and the libclang
/// its bindgen needs.
const PACKAGES: &[&str] = &["openmpi-bin", "libopenmpi-dev", "libclang-dev"];

/// Makes sure Open MPI and libclang are present, installing them when needed and possible.
/// Without them the `mpi` feature cannot build, so their absence is an error.
pub fn ensure() -> Result<()> {
    if let Some(found) = present() {
        crate::say!("Open MPI present: {found}");
        return Ok(());
    }
    if apt::available() && apt::is_root() {
        crate::say!("installing {} with apt-get", PACKAGES.join(" "));
        apt::install(PACKAGES)?;
        if let Some(found) = present() {
            crate::say!("Open MPI installed: {found}");
            return Ok(());
        }
        return Err(XtaskError::Other(
            "apt-get installed Open MPI but `mpirun`, `mpicc` or libclang is still missing".into(),
        ));
    }
    Err(XtaskError::Other(format!(
        "the tests build the `mpi` feature, which needs Open MPI and libclang; install {} \
         (as root: apt-get install {})",
        PACKAGES.join(", "),
        PACKAGES.join(" ")
    )))
}

/// `mpirun`'s version line when `mpirun`, `mpicc` and a libclang are all there.
fn present() -> Option<String> {
    if !process::on_path("mpicc") || !libclang_present() {
        return None;
    }
    let version = process::capture(Command::new("mpirun").arg("--version")).ok()?;
    version.lines().next().map(str::to_owned)
}

/// Whether a `libclang.so` that bindgen can load is installed (Debian puts it under
/// `/usr/lib/llvm-*/lib`), or `LIBCLANG_PATH` names a folder.
fn libclang_present() -> bool {
    if std::env::var_os("LIBCLANG_PATH").is_some_and(|p| Path::new(&p).is_dir()) {
        return true;
    }
    let Ok(entries) = std::fs::read_dir("/usr/lib") else {
        return false;
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("llvm-"))
        .any(|e| e.path().join("lib/libclang.so").exists())
}
