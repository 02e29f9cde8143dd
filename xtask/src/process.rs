//! Running other programs (cargo, pip, npm, apt-get, tar, python3) with clear errors.

use std::io::{BufRead, BufReader};
use std::process::{Command, ExitStatus, Stdio};

use kiln_hub::HubError;

use crate::error::Result;

/// A `cargo` command: the cargo that launched xtask (env `CARGO`), else `cargo` from `PATH`.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

pub use kiln_hub::process::describe;

/// Runs `cmd` with the terminal as its stdin/stdout/stderr; fails unless it exits with 0.
pub fn run(cmd: &mut Command) -> Result<()> {
    let command = describe(cmd);
    let status = cmd.status().map_err(|source| HubError::Spawn {
        command: command.clone(),
        source,
    })?;
    check(status, command, String::new())
}

/// Runs `cmd` quietly and returns its stdout; on failure the error carries the tail of its stderr.
pub fn capture(cmd: &mut Command) -> Result<String> {
    Ok(kiln_hub::process::capture(cmd)?)
}

/// Runs `cmd`, handing each line of its stdout to `on_line` as it arrives (stderr goes to the
/// terminal), and returns its exit status without judging it.
pub fn stream_lines(cmd: &mut Command, mut on_line: impl FnMut(&str)) -> Result<ExitStatus> {
    let command = describe(cmd);
    let spawn_error = |source| HubError::Spawn {
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
    Ok(child.wait().map_err(spawn_error)?)
}

/// Turns a non-zero exit `status` of `command` into [`HubError::Failed`].
pub fn check(status: ExitStatus, command: String, stderr: String) -> Result<()> {
    if status.success() {
        Ok(())
    } else {
        Err(HubError::Failed {
            command,
            status,
            stderr,
        }
        .into())
    }
}

/// Whether `program` is an executable file in one of the `PATH` directories.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
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
        assert!(
            matches!(err, crate::error::XtaskError::Hub(HubError::Spawn { .. })),
            "{err}"
        );
    }
}
