//! [`Output`]: progress lines to stderr (unless `--quiet`), results to stdout as text or
//! JSON (`--json`).

use std::io::Write;

/// How a command reports.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    quiet: bool,
    json: bool,
}

impl Output {
    /// From `--quiet` and `--json`.
    pub fn new(quiet: bool, json: bool) -> Output {
        Output { quiet, json }
    }

    /// Whether results are printed as JSON.
    pub fn json(&self) -> bool {
        self.json
    }

    /// Whether progress lines are shown.
    pub fn verbose(&self) -> bool {
        !self.quiet && !self.json
    }

    /// A progress line on stderr.
    pub fn say(&self, line: &str) {
        if !self.quiet {
            eprintln!("[kiln] {line}");
        }
    }

    /// A closure printing progress lines, for library calls that report through one.
    pub fn sayer(&self) -> impl FnMut(&str) + '_ {
        move |line| self.say(line)
    }

    /// A result line on stdout (ignores a closed pipe, as `head` causes).
    pub fn result(&self, line: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{line}");
    }
}
