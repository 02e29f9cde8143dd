//! The command line of `cargo xtask`, parsed by hand (no argument-parsing dependency).

use crate::error::{Result, XtaskError};

/// Usage text printed by `cargo xtask help` and with no arguments.
pub const USAGE: &str = "\
cargo xtask — Kiln's project tooling

USAGE:
    cargo xtask build
        cargo build --workspace --all-targets, then with --all-features, then each
        package's features one at a time.
    cargo xtask test
        Install a Vulkan driver (lavapipe) if missing and possible, fetch the data the
        tests read, run cargo test --workspace --all-features, print the totals.
    cargo xtask bench [CRATE] [--compare] [--threads N] [--filter TEXT]
        Run the criterion benches of CRATE (`tensor` or `kiln-tensor`; default: every
        crate with benches) with RAYON_NUM_THREADS=N (default 2) and write
        <target>/bench-report.md. --compare also runs CRATE/benches/compare.py (PyTorch,
        Hugging Face, scikit-learn) from a venv under <target>/bench-venv in the same run,
        each workload right after Kiln's, and adds Kiln/reference columns. --filter runs
        only the benches whose id contains TEXT (e.g. `bert_ops/`).
    cargo xtask fetch NAME... | all [--force]
        Download, verify and unpack a dataset or model into the cache
        ($KILN_CACHE, else $HOME/.cache/kiln) and print where it is.
        Names: minilm imdb sotu fashion-mnist rotten-tomatoes bbc-news spam-assassin gcide
    cargo xtask help
        This text.
";

/// Thread count for benches when `--threads` is not given (the CI machines have 2 cores).
pub const DEFAULT_BENCH_THREADS: usize = 2;

/// A parsed xtask command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Print [`USAGE`].
    Help,
    /// Build every crate with every feature combination that matters.
    Build,
    /// Run the whole test suite after installing and fetching what it needs.
    Test,
    /// Run criterion benches and write the report.
    Bench(BenchArgs),
    /// Fetch datasets into the cache.
    Fetch(FetchArgs),
}

/// Arguments of `cargo xtask bench`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchArgs {
    /// Crate to bench as typed (`tensor` or `kiln-tensor`), or `None` for every crate with
    /// benches; resolved by [`crate::workspace::Workspace::find_crate`].
    pub krate: Option<String>,
    /// Also run the reference implementation (`benches/compare.py`).
    pub compare: bool,
    /// `RAYON_NUM_THREADS` for Kiln and `KILN_BENCH_THREADS` for the reference.
    pub threads: usize,
    /// Only bench ids containing this text (criterion's filter argument); `None` runs all.
    pub filter: Option<String>,
}

/// Arguments of `cargo xtask fetch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchArgs {
    /// Dataset names as typed; `all` stands for every dataset.
    pub names: Vec<String>,
    /// Download and convert again even when the cache says it is complete.
    pub force: bool,
}

/// Parses the arguments after `cargo xtask`.
pub fn parse<I, S>(args: I) -> Result<Command>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut args = args.into_iter().map(Into::into);
    let Some(command) = args.next() else {
        return Ok(Command::Help);
    };
    let rest: Vec<String> = args.collect();
    match command.as_str() {
        "help" | "-h" | "--help" => Ok(Command::Help),
        "build" => no_arguments("build", &rest).map(|()| Command::Build),
        "test" => no_arguments("test", &rest).map(|()| Command::Test),
        "bench" => parse_bench(&rest).map(Command::Bench),
        "fetch" => parse_fetch(&rest).map(Command::Fetch),
        other => Err(XtaskError::Usage(format!("unknown command `{other}`"))),
    }
}

fn no_arguments(command: &str, rest: &[String]) -> Result<()> {
    match rest.first() {
        None => Ok(()),
        Some(arg) => Err(XtaskError::Usage(format!(
            "`{command}` takes no arguments, got `{arg}`"
        ))),
    }
}

fn parse_bench(rest: &[String]) -> Result<BenchArgs> {
    let mut parsed = BenchArgs {
        krate: None,
        compare: false,
        threads: DEFAULT_BENCH_THREADS,
        filter: None,
    };
    let mut iter = rest.iter();
    while let Some(arg) = iter.next() {
        if arg == "--compare" {
            parsed.compare = true;
        } else if arg == "--threads" {
            let value = iter
                .next()
                .ok_or_else(|| XtaskError::Usage("`--threads` needs a number".into()))?;
            parsed.threads = parse_threads(value)?;
        } else if let Some(value) = arg.strip_prefix("--threads=") {
            parsed.threads = parse_threads(value)?;
        } else if arg == "--filter" {
            let value = iter
                .next()
                .ok_or_else(|| XtaskError::Usage("`--filter` needs the text to match".into()))?;
            parsed.filter = Some(value.clone());
        } else if let Some(value) = arg.strip_prefix("--filter=") {
            parsed.filter = Some(value.to_string());
        } else if arg.starts_with('-') {
            return Err(XtaskError::Usage(format!("unknown bench option `{arg}`")));
        } else if parsed.krate.is_some() {
            return Err(XtaskError::Usage(format!(
                "bench takes one crate, got a second one `{arg}`"
            )));
        } else {
            parsed.krate = Some(arg.clone());
        }
    }
    Ok(parsed)
}

fn parse_threads(value: &str) -> Result<usize> {
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(XtaskError::Usage(format!(
            "`--threads` needs a positive whole number, got `{value}`"
        ))),
    }
}

fn parse_fetch(rest: &[String]) -> Result<FetchArgs> {
    let mut parsed = FetchArgs {
        names: Vec::new(),
        force: false,
    };
    for arg in rest {
        if arg == "--force" {
            parsed.force = true;
        } else if arg.starts_with('-') {
            return Err(XtaskError::Usage(format!("unknown fetch option `{arg}`")));
        } else {
            parsed.names.push(arg.clone());
        }
    }
    if parsed.names.is_empty() {
        return Err(XtaskError::Usage(
            "fetch needs a dataset name or `all`".into(),
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bench(args: &[&str]) -> Result<BenchArgs> {
        match parse(std::iter::once("bench").chain(args.iter().copied()))? {
            Command::Bench(b) => Ok(b),
            other => panic!("expected bench, got {other:?}"),
        }
    }

    #[test]
    fn no_arguments_means_help() {
        assert_eq!(parse(Vec::<String>::new()).unwrap(), Command::Help);
        assert_eq!(parse(["help"]).unwrap(), Command::Help);
        assert_eq!(parse(["--help"]).unwrap(), Command::Help);
    }

    #[test]
    fn build_and_test_take_nothing() {
        assert_eq!(parse(["build"]).unwrap(), Command::Build);
        assert_eq!(parse(["test"]).unwrap(), Command::Test);
        assert!(parse(["test", "extra"]).is_err());
    }

    #[test]
    fn bench_defaults() {
        let b = bench(&[]).unwrap();
        assert_eq!(b.krate, None);
        assert!(!b.compare);
        assert_eq!(b.threads, 2);
    }

    #[test]
    fn bench_options_in_any_order() {
        let b = bench(&[
            "--threads",
            "4",
            "tensor",
            "--filter",
            "bert_ops/",
            "--compare",
        ])
        .unwrap();
        assert_eq!(
            b,
            BenchArgs {
                krate: Some("tensor".into()),
                compare: true,
                threads: 4,
                filter: Some("bert_ops/".into()),
            }
        );
        assert_eq!(bench(&["--threads=8"]).unwrap().threads, 8);
        assert_eq!(
            bench(&["--filter=gelu"]).unwrap().filter.as_deref(),
            Some("gelu")
        );
    }

    #[test]
    fn bench_rejects_bad_input() {
        assert!(bench(&["--threads"]).is_err());
        assert!(bench(&["--filter"]).is_err());
        assert!(bench(&["--threads", "0"]).is_err());
        assert!(bench(&["--threads", "two"]).is_err());
        assert!(bench(&["--fast"]).is_err());
        assert!(bench(&["tensor", "text"]).is_err());
    }

    #[test]
    fn fetch_names_and_force() {
        assert_eq!(
            parse(["fetch", "minilm", "--force", "imdb"]).unwrap(),
            Command::Fetch(FetchArgs {
                names: vec!["minilm".into(), "imdb".into()],
                force: true
            })
        );
        assert!(parse(["fetch"]).is_err());
        assert!(parse(["fetch", "--quick", "all"]).is_err());
    }

    #[test]
    fn unknown_command_is_a_usage_error() {
        let err = parse(["frobnicate"]).unwrap_err();
        assert!(matches!(err, XtaskError::Usage(_)));
        assert!(err.to_string().contains("frobnicate"));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_arguments_never_panic(args in proptest::collection::vec("\\PC{0,12}", 0..6)) {
            let _ = parse(args);
        }
    }
}
