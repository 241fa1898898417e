//! `wasiproc replay FILE`: reruns a recorded run from its trace alone.
//!
//! The modules, arguments, environment, grants and limits come from the
//! trace's header; every host call is answered from its records by a
//! `wasiproc_wasi::ReplayHost`, which stops the run at the first call whose
//! kind, arguments, process or fuel position differ from the recorded ones.
//! No host file is opened, stdin is not read, no clock is consulted.
//!
//! A replay is running code that came from a file, so it runs under limits:
//! the recorded ones, `--fuel`/`--max-memory` if given, and the trailer's
//! fuel as a ceiling — a faithful replay uses exactly the recorded fuel, so
//! a run that needs more has left the recording and stops with "replay
//! diverged: more fuel than recorded", however the trace was made.

use crate::digest::hex;
use crate::output::SharedHash;
use crate::record::{Ending, decode_header, decode_trailer, ending_of};
use crate::run::{Mode, RootStdio, Wrap, execute_plan, parse_size, report_trap};
use crate::{CliError, Outcome, escape_controls};
use std::io::Write;
use std::path::PathBuf;
use wasiproc_process::{Event, EventSink, ExitStatus};
use wasiproc_wasi::RunPosition;
use wasiproc_wasi::host::record::{
    Divergence, FRAME_BATCH, FRAME_HEADER, FRAME_TRAILER, ReplayHost, TraceError, fnv64,
    read_frames,
};

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

/// Prints the divergence and stops: nothing the guest does after it leaves
/// the recorded path may reach the output.
fn diverged(d: &Divergence) -> ! {
    let _ = std::io::stdout().flush();
    let _ = writeln!(std::io::stderr(), "wasiproc: {}", escape_controls(&d.0));
    std::process::exit(1)
}

/// The smaller of two optional limits.
fn least<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Stops the replay once the run has used more fuel than the recording.
fn more_fuel(used: u64, ceiling: u64) -> ! {
    diverged(&Divergence(format!(
        "replay diverged: more fuel than recorded (the recorded run used {ceiling}; the replay \
         stopped at {used})"
    )))
}

/// Replays the trace.
pub fn run(args: &Args) -> Result<Outcome, CliError> {
    let name = args.file.display().to_string();
    let bytes =
        std::fs::read(&args.file).map_err(|e| CliError(format!("cannot read {name}: {e}")))?;
    let bad = |e: TraceError| CliError(format!("{name}: {e}"));
    let frames = read_frames(&bytes).map_err(bad)?;
    let (Some((FRAME_HEADER, header)), Some((FRAME_TRAILER, trailer))) =
        (frames.first(), frames.last())
    else {
        return Err(bad(TraceError(
            "corrupt trace: it does not start with a header and end with a trailer".into(),
        )));
    };
    let mut batches = Vec::new();
    for (kind, payload) in &frames[1..frames.len() - 1] {
        if *kind != FRAME_BATCH {
            return Err(bad(TraceError(format!(
                "corrupt trace: unexpected frame kind {kind} between the header and the trailer"
            ))));
        }
        batches.push(*payload);
    }
    let (_version, mut plan) = decode_header(header).map_err(bad)?;
    let recorded = decode_trailer(trailer).map_err(bad)?;
    for spec in &args.modules {
        let Some((module, path)) = spec.split_once('=') else {
            return Err(CliError(format!("--module needs NAME=PATH, got {spec:?}")));
        };
        let new = std::fs::read(path).map_err(|e| CliError(format!("cannot read {path}: {e}")))?;
        let slot = if module == plan.root_name {
            &mut plan.root
        } else if let Some((_, b)) = plan.modules.iter_mut().find(|(n, _)| n == module) {
            b
        } else {
            return Err(CliError(format!(
                "--module {module}: the trace has no module of that name"
            )));
        };
        if fnv64(&new) != fnv64(slot) {
            let _ = writeln!(
                std::io::stderr(),
                "wasiproc: replay: module {module} replaced (hash {:016x}, recorded {:016x})",
                fnv64(&new),
                fnv64(slot)
            );
        }
        *slot = new;
    }
    // The limits: the recorded ones, the user's, and the recorded fuel as a
    // ceiling (each process's budget; the whole run's is checked after
    // every slice).
    let ceiling = recorded.fuel;
    let by_ceiling =
        plan.fuel.is_none_or(|f| f >= ceiling) && args.fuel.is_none_or(|f| f >= ceiling);
    plan.fuel = least(least(plan.fuel, Some(ceiling)), args.fuel);
    plan.max_memory = least(plan.max_memory, args.max_memory);
    let sink: EventSink = Box::new(move |e: &Event| {
        if e.fuel > ceiling {
            more_fuel(e.fuel, ceiling)
        }
    });
    let pos = RunPosition::default();
    let (host, probe) =
        ReplayHost::new(&batches, recorded.calls, pos.clone(), diverged).map_err(bad)?;
    let (out, err) = (SharedHash::default(), SharedHash::default());
    let finished = execute_plan(
        &plan,
        Mode {
            det: None,
            stdio: RootStdio::Hashed(out.clone(), err.clone()),
            sink: Some(sink),
            wrap: Some(Wrap::Replay(Box::new(host), pos)),
        },
    );
    let ending = ending_of(&finished);
    let fuel = finished
        .as_ref()
        .ok()
        .and_then(|f| f.as_ref())
        .map_or(0, |f| f.fuel);
    if fuel > ceiling {
        more_fuel(fuel, ceiling);
    }
    let ran_out = matches!(&finished, Ok(Some(f)) if f.result.as_ref().is_ok_and(|r| {
        r.processes.iter().any(|p| p.status == ExitStatus::OutOfFuel)
            || r.status == ExitStatus::OutOfFuel
    }));
    if by_ceiling && ran_out && (ending != recorded.ending || fuel != ceiling) {
        more_fuel(fuel, ceiling);
    }
    probe
        .check_consumed()
        .map_err(|d| CliError(format!("{name}: {d}")))?;
    if let Ok(Some(f)) = &finished
        && let Ok(r) = &f.result
        && let Some(trap) = &r.trap
    {
        report_trap(trap);
    }
    if !args.verify {
        return match ending {
            Ending::Status(code, _) => Ok(Outcome::Exit(code)),
            Ending::Error(e) => Err(CliError(e)),
        };
    }
    let (stdout, stderr) = (out.digest(), err.digest());
    let mut diffs = Vec::new();
    for (what, now, then) in [
        ("stdout", stdout, recorded.stdout),
        ("stderr", stderr, recorded.stderr),
    ] {
        if now != then {
            diffs.push(format!(
                "{what} ({} bytes, SHA-256 {}; recorded {} bytes, SHA-256 {})",
                now.len,
                hex(&now.sha256),
                then.len,
                hex(&then.sha256)
            ));
        }
    }
    if ending != recorded.ending {
        diffs.push(format!("ending ({ending}, recorded {})", recorded.ending));
    }
    if fuel != recorded.fuel {
        diffs.push(format!("fuel ({fuel}, recorded {})", recorded.fuel));
    }
    let mut e = std::io::stderr().lock();
    if diffs.is_empty() {
        let line = format!(
            "replay verified: {} host calls; stdout ({} bytes), stderr ({} bytes), {}, fuel {} identical",
            recorded.calls, stdout.len, stderr.len, ending, fuel
        );
        let _ = writeln!(e, "{}", escape_controls(&line));
        Ok(Outcome::Success)
    } else {
        let line = format!("replay differs from the recording in: {}", diffs.join("; "));
        let _ = writeln!(e, "{}", escape_controls(&line));
        Ok(Outcome::Failure)
    }
}
