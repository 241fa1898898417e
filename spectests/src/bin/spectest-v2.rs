//! Runs the whole wasm-v2 specification suite and prints one line per
//! script, `name: N passed, M failed`, then the total `N passed, M failed`.
//!
//! Usage: `spectest-v2 [--fuel] [--eager] [--failures N]` where `--failures N` prints
//! at most N failure lines per script first (default 5; 0 for none). Exits
//! with 1 if any assertion failed. `--eager` translates every function body
//! when its module is compiled instead of on first call (the default).

use std::process::ExitCode;
use std::time::Instant;
use wasiproc_spectests::{RunOptions, suite, totals, totals_line};

fn main() -> ExitCode {
    let mut options = RunOptions::default();
    let mut max_failures = 5usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--fuel" => options.fuel = true,
            "--eager" => options.eager = true,
            "--failures" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) => max_failures = n,
                None => return usage("--failures needs a number"),
            },
            other => return usage(&format!("unknown argument {other:?}")),
        }
    }
    let start = Instant::now();
    let reports = suite::run_v2_suite(&options);
    for report in &reports {
        for failure in report.failures.iter().take(max_failures) {
            println!("{failure}");
        }
        if report.failures.len() > max_failures && max_failures > 0 {
            println!(
                "{}: ... and {} more failures",
                report.name,
                report.failures.len() - max_failures
            );
        }
    }
    for report in &reports {
        println!("{}", report.summary_line());
    }
    eprintln!(
        "wasm-v2 ({}, {}) in {:.2}s",
        if options.fuel { "fuel" } else { "no fuel" },
        if options.eager { "eager" } else { "lazy" },
        start.elapsed().as_secs_f64()
    );
    println!("{}", totals_line(&reports));
    if totals(&reports).1 == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("spectest-v2: {problem}\nusage: spectest-v2 [--fuel] [--eager] [--failures N]");
    ExitCode::from(2)
}
