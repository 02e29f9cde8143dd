//! Turning an unpacked archive into the cache layout by applying a dataset's [`Step`]s.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::datasets::{Codec, Step};
use crate::error::{HubError, Result};
use crate::process;

/// Python snippet that decompresses `argv[2]` into `argv[3]` with module `argv[1]` (bz2 or gzip).
const DECOMPRESS_PY: &str = "import importlib, shutil, sys
module = importlib.import_module(sys.argv[1])
with module.open(sys.argv[2], 'rb') as src, open(sys.argv[3], 'wb') as dst:
    shutil.copyfileobj(src, dst, 1 << 20)";

/// Applies `steps` to the archive unpacked at `unpacked`, filling the folder `out`.
pub fn apply(steps: &[Step], unpacked: &Path, out: &Path) -> Result<()> {
    for step in steps {
        match *step {
            Step::Tree { from, only_ext } => {
                let moved = move_tree(&unpacked.join(from), out, only_ext)?;
                if moved == 0 {
                    return Err(HubError::Other(format!(
                        "no files to take from {from} in the archive"
                    )));
                }
            }
            Step::File { from, to } => move_file(&unpacked.join(from), &out.join(to))?,
            Step::Decompress { from, to, codec } => {
                decompress(codec, &unpacked.join(from), &out.join(to))?;
            }
        }
    }
    Ok(())
}

/// Moves the files below `from` into `to` (keeping sub-folders), only those ending in
/// `only_ext` when given; returns how many were moved.
fn move_tree(from: &Path, to: &Path, only_ext: Option<&str>) -> Result<usize> {
    let mut moved = 0;
    for entry in fs::read_dir(from).map_err(HubError::io("list", from))? {
        let entry = entry.map_err(HubError::io("list", from))?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        let is_dir = entry
            .file_type()
            .map_err(HubError::io("inspect", &path))?
            .is_dir();
        if is_dir {
            moved += move_tree(&path, &target, only_ext)?;
        } else if only_ext.is_none_or(|ext| entry.file_name().to_string_lossy().ends_with(ext)) {
            move_file(&path, &target)?;
            moved += 1;
        }
    }
    Ok(moved)
}

fn move_file(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent).map_err(HubError::io("create folder", parent))?;
    }
    fs::rename(from, to).map_err(HubError::io("move", from))
}

fn decompress(codec: Codec, from: &Path, to: &Path) -> Result<()> {
    if !from.is_file() {
        return Err(HubError::Other(format!(
            "{} is not in the archive",
            from.display()
        )));
    }
    let module = match codec {
        Codec::Bzip2 => "bz2",
        Codec::Gzip => "gzip",
    };
    process::capture(
        Command::new("python3")
            .args(["-c", DECOMPRESS_PY, module])
            .arg(from)
            .arg(to),
    )
    .map(drop)
}

/// How many files (not folders) are below `dir`, recursively.
pub fn count_files(dir: &Path) -> Result<usize> {
    let mut count = 0;
    for entry in fs::read_dir(dir).map_err(HubError::io("list", dir))? {
        let entry = entry.map_err(HubError::io("list", dir))?;
        if entry
            .file_type()
            .map_err(HubError::io("inspect", entry.path()))?
            .is_dir()
        {
            count += count_files(&entry.path())?;
        } else {
            count += 1;
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-convert-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn tree_with_filter_keeps_subfolders_and_drops_other_files() {
        let dir = scratch("tree");
        let data = dir.join("in/package/data");
        fs::create_dir_all(data.join("spam-1")).unwrap();
        fs::write(data.join("data.js"), "x").unwrap();
        fs::write(data.join("spam-1/1.txt"), "a").unwrap();
        fs::write(data.join("spam-1/1.json"), "{}").unwrap();
        fs::write(data.join("top.txt"), "b").unwrap();
        let out = dir.join("out");
        let steps = [Step::Tree {
            from: "package/data",
            only_ext: Some(".txt"),
        }];
        apply(&steps, &dir.join("in"), &out).unwrap();
        assert_eq!(fs::read_to_string(out.join("spam-1/1.txt")).unwrap(), "a");
        assert_eq!(fs::read_to_string(out.join("top.txt")).unwrap(), "b");
        assert_eq!(count_files(&out).unwrap(), 2);
        // Nothing left to move is an error, not a silently empty dataset.
        assert!(apply(&steps, &dir.join("in"), &out).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn file_and_decompress_steps() {
        let dir = scratch("file");
        let inp = dir.join("in");
        fs::create_dir_all(&inp).unwrap();
        fs::write(inp.join("r.json"), "[1]").unwrap();
        fs::write(inp.join("c.csv"), "category,text\nfresh,good\n").unwrap();
        process::capture(Command::new("gzip").arg(inp.join("c.csv"))).unwrap();
        fs::write(inp.join("b.csv"), "bz").unwrap();
        process::capture(Command::new("python3").args(["-c", "import bz2,sys; d=open(sys.argv[1],'rb').read(); open(sys.argv[1]+'.bz2','wb').write(bz2.compress(d))"]).arg(inp.join("b.csv"))).unwrap();
        let out = dir.join("out");
        let steps = [
            Step::File {
                from: "r.json",
                to: "reviews.json",
            },
            Step::Decompress {
                from: "c.csv.gz",
                to: "c.csv",
                codec: Codec::Gzip,
            },
            Step::Decompress {
                from: "b.csv.bz2",
                to: "b.csv",
                codec: Codec::Bzip2,
            },
        ];
        apply(&steps, &inp, &out).unwrap();
        assert_eq!(fs::read_to_string(out.join("reviews.json")).unwrap(), "[1]");
        assert_eq!(
            fs::read_to_string(out.join("c.csv")).unwrap(),
            "category,text\nfresh,good\n"
        );
        assert_eq!(fs::read_to_string(out.join("b.csv")).unwrap(), "bz");
        let missing = [Step::Decompress {
            from: "nope.bz2",
            to: "x",
            codec: Codec::Bzip2,
        }];
        assert!(apply(&missing, &inp, &out).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }
}
