//! Running other programs (cargo, pip, npm, apt-get, tar, python3) with clear errors.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use crate::error::{Result, XtaskError};

/// How much of a failed command's stderr is kept in the error, in bytes (its tail).
const STDERR_TAIL: usize = 4000;

/// A `cargo` command: the cargo that launched xtask (env `CARGO`), else `cargo` from `PATH`.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The command line of `cmd` as a shell user would type it, for messages.
pub fn describe(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program())
        .file_name()
        .unwrap_or_else(|| cmd.get_program());
    std::iter::once(program)
        .chain(cmd.get_args())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ")
}

fn quote(arg: &OsStr) -> String {
    let text = arg.to_string_lossy();
    if !text.is_empty() && !text.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Runs `cmd` with the terminal as its stdin/stdout/stderr; fails unless it exits with 0.
pub fn run(cmd: &mut Command) -> Result<()> {
    let command = describe(cmd);
    let status = cmd.status().map_err(|source| XtaskError::Spawn {
        command: command.clone(),
        source,
    })?;
    check(status, command, String::new())
}

/// Runs `cmd` quietly and returns its stdout; on failure the error carries the tail of its stderr.
pub fn capture(cmd: &mut Command) -> Result<String> {
    let command = describe(cmd);
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|source| XtaskError::Spawn {
            command: command.clone(),
            source,
        })?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    check(
        output.status,
        command,
        tail(&stderr, STDERR_TAIL).to_owned(),
    )?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs `cmd`, handing each line of its stdout to `on_line` as it arrives (stderr goes to the
/// terminal), and returns its exit status without judging it.
pub fn stream_lines(cmd: &mut Command, mut on_line: impl FnMut(&str)) -> Result<ExitStatus> {
    let command = describe(cmd);
    let spawn_error = |source| XtaskError::Spawn {
        command: command.clone(),
        source,
    };
    let mut child = cmd.stdout(Stdio::piped()).spawn().map_err(spawn_error)?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).split(b'\n') {
            let line = line.map_err(spawn_error)?;
            on_line(String::from_utf8_lossy(&line).trim_end_matches('\r'));
        }
    }
    child.wait().map_err(spawn_error)
}

/// Turns a non-zero exit `status` of `command` into [`XtaskError::Failed`].
pub fn check(status: ExitStatus, command: String, stderr: String) -> Result<()> {
    if status.success() {
        Ok(())
    } else {
        Err(XtaskError::Failed {
            command,
            status,
            stderr,
        })
    }
}

/// Whether `program` is an executable file in one of the `PATH` directories.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// The last `max` bytes of `text`, cut at a character boundary.
fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_quotes_only_what_needs_it() {
        let mut cmd = Command::new("/usr/bin/python3");
        cmd.args(["-c", "import bz2", "plain", ""]);
        assert_eq!(describe(&cmd), "python3 -c 'import bz2' plain ''");
    }

    #[test]
    fn tail_respects_char_boundaries() {
        assert_eq!(tail("abcdef", 3), "def");
        assert_eq!(tail("ab", 10), "ab");
        // "é" is two bytes; cutting inside it moves forward to the next boundary.
        assert_eq!(tail("xé", 1), "");
        assert_eq!(tail("xéy", 2), "y");
    }

    #[test]
    fn capture_reports_stderr_of_failures() {
        let err = capture(Command::new("sh").args(["-c", "echo out; echo bad >&2; exit 3"]))
            .expect_err("exit 3 must fail");
        let text = err.to_string();
        assert!(text.contains("exit status: 3"), "{text}");
        assert!(text.contains("bad"), "{text}");
        let out = capture(Command::new("sh").args(["-c", "echo out"])).expect("sh runs");
        assert_eq!(out, "out\n");
    }

    #[test]
    fn stream_lines_sees_every_line() {
        let mut seen = Vec::new();
        let status = stream_lines(
            Command::new("sh").args(["-c", "printf 'a\\nb\\r\\nc'; exit 1"]),
            |line| seen.push(line.to_owned()),
        )
        .expect("sh runs");
        assert!(!status.success());
        assert_eq!(seen, ["a", "b", "c"]);
    }

    #[test]
    fn missing_program_is_a_spawn_error() {
        let err = run(&mut Command::new("kiln-no-such-program")).expect_err("cannot start");
        assert!(matches!(err, XtaskError::Spawn { .. }), "{err}");
    }
}
