//! `wasiproc run --check-determinism`: run the program twice in
//! deterministic mode with its output captured, and compare everything the
//! two runs produced: the scheduler's event log (every slice with its fuel,
//! every block, wake, spawn, kill and exit), stdout, stderr, the exit status,
//! the trap, a run error, and the per-process summary.
//!
//! The first run's events are kept in memory; the second run's are compared
//! as they arrive, so only the first difference is kept. The same goes for
//! the outputs: the first run's are kept (in memory up to 1 MiB each, then
//! in an unlinked temporary file: `output.rs`), the second run's are
//! compared byte for byte as they are written and not kept, so wasiproc's
//! memory does not grow with the output. Both runs read the
//! same stdin through one [`StdinTape`]. The verdict goes to stderr first
//! ("deterministic: 2 runs identical ..." or "nondeterministic: ..."), then
//! the first run's stdout and stderr are written through and its status
//! becomes the exit status — or 1 when the runs differ.

use crate::output::{Compare, SharedCompare, SharedSpool};
use crate::run::{
    Det, Finished, Mode, RootStdio, close_trace, execute, open_trace, report, trace_sink, trap_text,
};
use crate::{CliError, Outcome, escape_controls};
use std::io::Write;
use std::sync::{Arc, Mutex};
use wasiproc_process::{Event, RunReport};
use wasiproc_wasi::{FuelClock, StdinTape};

/// The second run's events, compared against the first's as they arrive.
struct Comparison {
    expected: Vec<Event>,
    next: usize,
    /// Index, the first run's event there (if any), the second run's.
    first: Option<(usize, Option<Event>, Event)>,
}

fn needs_start() -> CliError {
    CliError("--check-determinism needs a module with a _start function".into())
}

/// Runs once, deterministically, with output kept or compared.
fn capture(
    args: &crate::run::Args,
    tape: &StdinTape,
    clock: FuelClock,
    stdio: RootStdio,
    sink: impl FnMut(&Event) + Send + 'static,
) -> Result<Finished, CliError> {
    let mode = Mode {
        det: Some(Det {
            seed: args.seed(),
            clock,
            stdin: Some(tape.clone()),
        }),
        stdio,
        sink: Some(Box::new(sink)),
        wrap: None,
    };
    execute(args, mode)?.ok_or_else(needs_start)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs the program twice and reports (see the module documentation).
pub fn run(args: &crate::run::Args) -> Result<Outcome, CliError> {
    let tape = StdinTape::host();

    let clock = FuelClock::new();
    let trace = open_trace(
        args,
        Some(&Det {
            seed: args.seed(),
            clock: clock.clone(),
            stdin: None,
        }),
    )?;
    let events = Arc::new(Mutex::new(Vec::new()));
    let (out, err) = (SharedSpool::default(), SharedSpool::default());
    let first = {
        let events = events.clone();
        let mut traced = trace.as_ref().map(trace_sink);
        let stdio = RootStdio::Spool(out.clone(), err.clone());
        capture(args, &tape, clock, stdio, move |e| {
            events
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(e.clone());
            if let Some(t) = traced.as_mut() {
                t(e);
            }
        })
    };
    close_trace(trace)?;
    let first = first?;
    for (name, spool) in [("stdout", &out), ("stderr", &err)] {
        if let Some(e) = lock(spool).error() {
            return Err(CliError(format!(
                "--check-determinism: cannot keep the first run's {name}: {e}"
            )));
        }
    }

    let expected = std::mem::take(&mut *events.lock().unwrap_or_else(|p| p.into_inner()));
    let comparison = Arc::new(Mutex::new(Comparison {
        expected,
        next: 0,
        first: None,
    }));
    let compared: (SharedCompare, SharedCompare) = (
        Arc::new(Mutex::new(Compare::new(out.clone()))),
        Arc::new(Mutex::new(Compare::new(err.clone()))),
    );
    let second = {
        let c = comparison.clone();
        let stdio = RootStdio::Compare(compared.0.clone(), compared.1.clone());
        capture(args, &tape, FuelClock::new(), stdio, move |e| {
            let mut c = c.lock().unwrap_or_else(|p| p.into_inner());
            if c.first.is_none() && c.expected.get(c.next) != Some(e) {
                c.first = Some((c.next, c.expected.get(c.next).cloned(), e.clone()));
            }
            c.next += 1;
        })?
    };
    let comparison = Arc::try_unwrap(comparison)
        .ok()
        .map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()))
        .expect("the second run is over");

    let outputs = [
        lock(&compared.0).difference(),
        lock(&compared.1).difference(),
    ];
    let differences = compare(&first, &second, &comparison, outputs);
    {
        let verdict = match differences.first() {
            None => format!(
                "deterministic: 2 runs identical ({} events, {} fuel)",
                comparison.expected.len(),
                first.fuel
            ),
            Some((_, detail)) => {
                let what: Vec<&str> = differences.iter().map(|(w, _)| *w).collect();
                format!(
                    "nondeterministic: the 2 runs differ in: {}\n  first difference: {}",
                    what.join(", "),
                    escape_controls(detail)
                )
            }
        };
        let _ = writeln!(std::io::stderr().lock(), "{verdict}");
    }
    // The first run's output is passed on as it was kept. A closed or full
    // stdout ends its copy (the command then fails), not the command.
    let copied = lock(&out)
        .copy_to(&mut std::io::stdout().lock())
        .map_err(|e| format!("cannot write the first run's stdout: {e}"));
    let _ = lock(&err).copy_to(&mut std::io::stderr().lock());
    let outcome = report(args, first);
    if let Err(msg) = copied {
        if let Err(e) = outcome {
            let _ = writeln!(std::io::stderr(), "wasiproc: {}", escape_controls(&e.0));
        }
        return Err(CliError(msg));
    }
    if differences.is_empty() {
        outcome
    } else {
        if let Err(e) = outcome {
            let _ = writeln!(std::io::stderr(), "wasiproc: {}", escape_controls(&e.0));
        }
        Ok(Outcome::Failure)
    }
}

/// What differs between the runs, in the order the checks are made (the
/// event log first: it is in time order), each with a description.
fn compare(
    a: &Finished,
    b: &Finished,
    events: &Comparison,
    [stdout, stderr]: [Option<String>; 2],
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some((i, expected, got)) = &events.first {
        let expected = match expected {
            Some(e) => e.to_string(),
            None => "(no more events)".into(),
        };
        out.push((
            "event log",
            format!("event {i}: run 1: {expected}; run 2: {got}"),
        ));
    } else if events.next < events.expected.len() {
        out.push((
            "event log",
            format!(
                "run 2 ended after {} events; run 1 went on with: {}",
                events.next, events.expected[events.next]
            ),
        ));
    }
    if let Some(d) = stdout {
        out.push(("stdout", format!("stdout {d}")));
    }
    if let Some(d) = stderr {
        out.push(("stderr", format!("stderr {d}")));
    }
    match (&a.result, &b.result) {
        (Ok(ra), Ok(rb)) => compare_reports(ra, rb, &mut out),
        (Err(ea), Err(eb)) => {
            let (ea, eb) = (run_error_text(ea), run_error_text(eb));
            if ea != eb {
                out.push(("run error", format!("run 1: {ea}; run 2: {eb}")));
            }
        }
        (ra, rb) => out.push((
            "outcome",
            format!("run 1: {}; run 2: {}", outcome_text(ra), outcome_text(rb)),
        )),
    }
    if a.fuel != b.fuel {
        out.push((
            "fuel",
            format!("run 1 consumed {} fuel, run 2 {}", a.fuel, b.fuel),
        ));
    }
    out
}

fn compare_reports(a: &RunReport, b: &RunReport, out: &mut Vec<(&'static str, String)>) {
    if a.status != b.status {
        out.push((
            "exit status",
            format!("run 1: {}; run 2: {}", a.status, b.status),
        ));
    }
    let (ta, tb) = (
        a.trap.as_ref().map(trap_text),
        b.trap.as_ref().map(trap_text),
    );
    if ta != tb {
        let t = |t: &Option<String>| t.as_deref().unwrap_or("none").trim_end().to_string();
        out.push(("trap", format!("run 1: {}; run 2: {}", t(&ta), t(&tb))));
    }
    if a.processes != b.processes {
        let n = a.processes.len().max(b.processes.len());
        let i = (0..n)
            .find(|&i| a.processes.get(i) != b.processes.get(i))
            .unwrap_or(0);
        let row = |r: &RunReport| match r.processes.get(i) {
            Some(p) => format!(
                "pid {} (parent {}, {}): {} fuel, {} bytes peak, {}",
                p.pid, p.parent, p.module, p.fuel, p.peak_memory, p.status
            ),
            None => "(no such process)".into(),
        };
        out.push((
            "process summary",
            format!("process #{i}: run 1: {}; run 2: {}", row(a), row(b)),
        ));
    }
}

fn run_error_text(e: &wasiproc_process::RunError) -> String {
    e.to_string()
}

fn outcome_text(r: &Result<RunReport, wasiproc_process::RunError>) -> String {
    match r {
        Ok(r) => format!("ended, root {}", r.status),
        Err(e) => format!("failed: {}", run_error_text(e)),
    }
}
