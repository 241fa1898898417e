//! `wasiproc run --check-determinism`: run the program twice in
//! deterministic mode with its output captured, and compare everything the
//! two runs produced: the scheduler's event log (every slice with its fuel,
//! every block, wake, spawn, kill and exit), stdout, stderr, the exit status,
//! the trap, a run error, and the per-process summary.
//!
//! The first run's events are kept in memory; the second run's are compared
//! as they arrive, so only the first difference is kept. Both runs read the
//! same stdin through one [`StdinTape`]. The verdict goes to stderr first
//! ("deterministic: 2 runs identical ..." or "nondeterministic: ..."), then
//! the first run's stdout and stderr are written through and its status
//! becomes the exit status — or 1 when the runs differ.

use crate::run::{
    Det, Finished, Mode, RootStdio, close_trace, execute, open_trace, report, trace_sink, trap_text,
};
use crate::{CliError, Outcome};
use std::io::Write;
use std::sync::{Arc, Mutex};
use wasiproc_process::{Event, RunReport};
use wasiproc_wasi::{FuelClock, StdinTape, WritePipe};

/// One captured run.
struct Captured {
    finished: Finished,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

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

/// Runs once, deterministically, with output captured.
fn capture(
    args: &crate::run::Args,
    tape: &StdinTape,
    clock: FuelClock,
    sink: impl FnMut(&Event) + Send + 'static,
) -> Result<Captured, CliError> {
    let (out, err) = (WritePipe::new(), WritePipe::new());
    let mode = Mode {
        det: Some(Det {
            seed: args.seed(),
            clock,
            stdin: Some(tape.clone()),
        }),
        stdio: RootStdio::Capture(out.clone(), err.clone()),
        sink: Some(Box::new(sink)),
        wrap: None,
    };
    let finished = execute(args, mode)?.ok_or_else(needs_start)?;
    Ok(Captured {
        finished,
        stdout: out.contents(),
        stderr: err.contents(),
    })
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
    let first = {
        let events = events.clone();
        let mut traced = trace.as_ref().map(trace_sink);
        capture(args, &tape, clock, move |e| {
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

    let expected = std::mem::take(&mut *events.lock().unwrap_or_else(|p| p.into_inner()));
    let comparison = Arc::new(Mutex::new(Comparison {
        expected,
        next: 0,
        first: None,
    }));
    let second = {
        let c = comparison.clone();
        capture(args, &tape, FuelClock::new(), move |e| {
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

    let differences = compare(&first, &second, &comparison);
    {
        let mut err = std::io::stderr().lock();
        let _ = match differences.first() {
            None => writeln!(
                err,
                "deterministic: 2 runs identical ({} events, {} fuel)",
                comparison.expected.len(),
                first.finished.fuel
            ),
            Some((_, detail)) => {
                let what: Vec<&str> = differences.iter().map(|(w, _)| *w).collect();
                writeln!(
                    err,
                    "nondeterministic: the 2 runs differ in: {}\n  first difference: {detail}",
                    what.join(", ")
                )
            }
        };
    }
    let _ = std::io::stdout().lock().write_all(&first.stdout);
    let _ = std::io::stdout().lock().flush();
    let _ = std::io::stderr().lock().write_all(&first.stderr);
    let outcome = report(args, first.finished);
    if differences.is_empty() {
        outcome
    } else {
        if let Err(e) = outcome {
            let _ = writeln!(std::io::stderr(), "wasiproc: {e}");
        }
        Ok(Outcome::Failure)
    }
}

/// What differs between the runs, in the order the checks are made (the
/// event log first: it is in time order), each with a description.
fn compare(a: &Captured, b: &Captured, events: &Comparison) -> Vec<(&'static str, String)> {
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
    if let Some(d) = bytes_diff(&a.stdout, &b.stdout) {
        out.push(("stdout", format!("stdout {d}")));
    }
    if let Some(d) = bytes_diff(&a.stderr, &b.stderr) {
        out.push(("stderr", format!("stderr {d}")));
    }
    match (&a.finished.result, &b.finished.result) {
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
    if a.finished.fuel != b.finished.fuel {
        out.push((
            "fuel",
            format!(
                "run 1 consumed {} fuel, run 2 {}",
                a.finished.fuel, b.finished.fuel
            ),
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

/// Where two outputs first differ, with a little of each from there.
fn bytes_diff(a: &[u8], b: &[u8]) -> Option<String> {
    if a == b {
        return None;
    }
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let line = a[..at].iter().filter(|&&c| c == b'\n').count() + 1;
    let snippet = |s: &[u8]| {
        if at >= s.len() {
            return "end of output".to_string();
        }
        let end = (at + 40).min(s.len());
        let more = if end < s.len() { "..." } else { "" };
        format!("\"{}\"{more}", s[at..end].escape_ascii())
    };
    Some(format!(
        "at byte {at} (line {line}): run 1 ({} bytes): {}; run 2 ({} bytes): {}",
        a.len(),
        snippet(a),
        b.len(),
        snippet(b)
    ))
}

#[cfg(test)]
mod tests {
    use super::bytes_diff;

    #[test]
    fn byte_differences_name_the_offset_line_and_text() {
        assert_eq!(bytes_diff(b"same", b"same"), None);
        let d = bytes_diff(b"a\nbc1\n", b"a\nbc2\n").unwrap();
        assert_eq!(
            d,
            "at byte 4 (line 2): run 1 (6 bytes): \"1\\n\"; run 2 (6 bytes): \"2\\n\""
        );
        let d = bytes_diff(b"abc", b"ab").unwrap();
        assert!(d.contains("run 2 (2 bytes): end of output"), "{d}");
    }
}
