//! `wasiproc wast [--fuel] [--wasm2] [--without PROPOSAL]... FILE...`: run
//! specification scripts from disk.

use crate::{CliError, Outcome, escape_controls};
use std::path::PathBuf;
use wasiproc_spectests::{Report, RunOptions, suite, totals, totals_line};

/// Arguments of `wasiproc wast`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Meter execution with fuel (with an unlimited budget) while running.
    #[arg(long)]
    pub fuel: bool,
    /// Restrict the engine to Wasm 2.0 (no proposal beyond it), as the
    /// wasm-v2 scripts expect: they assert, for example, that a second
    /// memory is invalid. Without it every proposal the engine implements is
    /// enabled, as wasm-v3 and the proposal directories need.
    #[arg(long)]
    pub wasm2: bool,
    /// Keep this proposal off (repeatable; by its directory name in the
    /// spec test suite: extended-const, tail-call, multi-memory, memory64, wide-arithmetic, custom-page-sizes,
    /// function-references, gc-types, simd, relaxed-simd, exceptions). memory64's and function-references'
    /// scripts assert that a second memory is invalid and `memory.size 1`
    /// malformed: run them with `--without multi-memory`.
    #[arg(long, value_name = "PROPOSAL")]
    pub without: Vec<String>,
    /// The .wast scripts to run.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Runs every script; prints each failure as `file:line:col: message`, one
/// line `file: N passed, M failed` per script, and the closing
/// `N passed, M failed`. Succeeds only if no assertion failed. A script that
/// cannot be read counts as one failure.
pub fn run(args: &Args) -> Result<Outcome, CliError> {
    if let Some(unknown) = args
        .without
        .iter()
        .find(|p| !wasiproc_spectests::SWITCHABLE_PROPOSALS.contains(&p.as_str()))
    {
        return Err(CliError(format!(
            "--without {unknown}: not a proposal that can be switched off (one of: {})",
            wasiproc_spectests::SWITCHABLE_PROPOSALS.join(", ")
        )));
    }
    let options = RunOptions {
        fuel: args.fuel,
        proposals: !args.wasm2,
        without: args.without.clone(),
        ..RunOptions::default()
    };
    let mut readable = Vec::new();
    let mut unreadable = Vec::new();
    for (i, path) in args.files.iter().enumerate() {
        let name = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(source) => readable.push((i, name, source)),
            Err(e) => {
                let mut report = Report::new(&name);
                report.fail(1, 1, format!("cannot read file: {e}"));
                unreadable.push((i, report));
            }
        }
    }
    let scripts: Vec<(String, &str)> = readable
        .iter()
        .map(|(_, name, source)| (name.clone(), source.as_str()))
        .collect();
    let ran = suite::run_scripts(&scripts, &options);
    let mut reports: Vec<(usize, Report)> = readable
        .iter()
        .map(|(i, _, _)| *i)
        .zip(ran)
        .chain(unreadable)
        .collect();
    reports.sort_by_key(|(i, _)| *i);
    let reports: Vec<Report> = reports.into_iter().map(|(_, r)| r).collect();

    let mut text = String::new();
    for report in &reports {
        for failure in &report.failures {
            text.push_str(&escape_controls(&failure.to_string()));
            text.push('\n');
        }
        text.push_str(&escape_controls(&report.summary_line()));
        text.push('\n');
    }
    text.push_str(&totals_line(&reports));
    text.push('\n');
    crate::print_out(&text)?;
    Ok(if totals(&reports).1 == 0 {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}
