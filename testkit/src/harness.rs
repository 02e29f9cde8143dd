//! A minimal test runner for `harness = false` test binaries (ones that run themselves as
//! child processes): `--list`, a name filter, and libtest's `test result:` line so that
//! `cargo xtask test` counts them.

use std::time::Instant;

/// Runs the `tests` whose names contain the command line's filter, in order, printing
/// libtest's lines. A failing test panics, which fails the binary.
pub fn run(tests: &[(&str, fn())]) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for (name, _) in tests {
            println!("{name}: test");
        }
        return;
    }
    let filter = args.iter().find(|a| !a.starts_with('-'));
    let chosen: Vec<&(&str, fn())> = tests
        .iter()
        .filter(|(name, _)| filter.is_none_or(|f| name.contains(f.as_str())))
        .collect();
    println!("\nrunning {} tests", chosen.len());
    let started = Instant::now();
    for (name, test) in &chosen {
        let at = Instant::now();
        test();
        println!("test {name} ... ok ({:.1} s)", at.elapsed().as_secs_f64());
    }
    println!(
        "\ntest result: ok. {} passed; 0 failed; 0 ignored; 0 measured; {} filtered out; \
         finished in {:.2}s\n",
        chosen.len(),
        tests.len() - chosen.len(),
        started.elapsed().as_secs_f64()
    );
}
