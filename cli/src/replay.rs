//! `wasiproc replay FILE`: reruns a recorded run from its trace alone,
//! with the library's [`Replay`] (the trace format, the replay host and
//! the limits a replay runs under live there), and prints the outcome.

use crate::run::{parse_size, report_trap};
use crate::{CliError, Outcome, escape_controls};
use std::io::Write;
use std::path::PathBuf;
use wasiproc_process::{Ending, Error, Replay};

/// Arguments of `wasiproc replay`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Replays a trace written by `wasiproc run --record FILE`: the guest's stdout, \
                  stderr and exit status are reproduced byte for byte, without reading host \
                  files, stdin or clocks, and without writing to the host filesystem. A trace \
                  that is truncated or corrupted is an error before anything runs; a guest that \
                  leaves the recorded path (another module, another call) stops with an error \
                  naming the process, the call and its position. The replay runs under the \
                  recorded limits (and --fuel/--max-memory when smaller), and never uses more \
                  fuel than the recorded run did: a replay that would stops with \"replay \
                  diverged: more fuel than recorded\". See docs/trace-format.md.\n\n\
                  Exit status: the recorded guest's exit code (134 after a trap); with \
                  --verify, 0 when everything matched and 1 on any difference; 1 for an \
                  unreadable, corrupted or diverging trace."
)]
pub struct Args {
    /// Compare the replay's stdout, stderr, exit status and fuel with the
    /// recorded ones; exit 0 when identical, 1 on any difference.
    #[arg(long)]
    pub verify: bool,

    /// Run the module in file PATH in place of the recorded module NAME
    /// (the root's name or an --allow-command name), e.g. to check that a
    /// rebuilt module still follows the recording. Repeatable.
    #[arg(long = "module", value_name = "NAME=PATH")]
    pub modules: Vec<String>,

    /// Fuel budget of the replay, when smaller than the recorded `--fuel`
    /// and the recorded run's total fuel (which always bound it).
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,

    /// Most bytes of linear memory, when smaller than the recorded
    /// `--max-memory` (suffixes K, M, G).
    #[arg(long = "max-memory", value_name = "BYTES", value_parser = parse_size)]
    pub max_memory: Option<usize>,

    /// The trace file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Replays the trace.
pub fn run(args: &Args) -> Result<Outcome, CliError> {
    let name = args.file.display().to_string();
    let bytes =
        std::fs::read(&args.file).map_err(|e| CliError(format!("cannot read {name}: {e}")))?;
    let mut replay = Replay::from_bytes(&bytes).map_err(|e| CliError(format!("{name}: {e}")))?;
    drop(bytes);
    for spec in &args.modules {
        let Some((module, path)) = spec.split_once('=') else {
            return Err(CliError(format!("--module needs NAME=PATH, got {spec:?}")));
        };
        let new = std::fs::read(path).map_err(|e| CliError(format!("cannot read {path}: {e}")))?;
        let replaced = replay
            .replace_module(module, new)
            .map_err(|e| CliError(format!("--module {e}")))?;
        if let Some((new, old)) = replaced {
            let _ = writeln!(
                std::io::stderr(),
                "wasiproc: replay: module {module} replaced (hash {new:016x}, recorded {old:016x})"
            );
        }
    }
    if let Some(fuel) = args.fuel {
        replay.fuel(fuel);
    }
    if let Some(bytes) = args.max_memory {
        replay.max_memory(bytes);
    }
    let r = match replay.execute() {
        Ok(r) => r,
        Err(Error::Trace(e)) => return Err(CliError(format!("{name}: {e}"))),
        Err(e) => {
            // Nothing the guest does after it leaves the recorded path may
            // reach the output.
            let _ = std::io::stdout().flush();
            return Err(CliError(e.to_string()));
        }
    };
    if let Some(trap) = r.report.as_ref().and_then(|r| r.trap.as_ref()) {
        report_trap(trap);
    }
    if !args.verify {
        return match r.ending {
            Ending::Status(code, _) => Ok(Outcome::Exit(code)),
            Ending::Error(e) => Err(CliError(e)),
        };
    }
    let diffs = r.differences();
    let line = if diffs.is_empty() {
        format!(
            "replay verified: {} host calls; stdout ({} bytes), stderr ({} bytes), {}, fuel {} identical",
            r.calls, r.stdout.len, r.stderr.len, r.ending, r.fuel
        )
    } else {
        format!("replay differs from the recording in: {}", diffs.join("; "))
    };
    let _ = writeln!(std::io::stderr().lock(), "{}", escape_controls(&line));
    Ok(if diffs.is_empty() {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}
