//! [`crate::Run::check_determinism`]: run the program twice in
//! deterministic mode with its output captured, and compare everything the
//! two runs produced: the scheduler's event log (every slice with its fuel,
//! every block, wake, spawn, kill and exit), stdout, stderr, the exit
//! status, the trap, a run error, the per-process summary and the fuel.
//!
//! The first run's events are kept in memory; the second run's are compared
//! as they arrive, so only the first difference is kept. The same goes for
//! the outputs: the first run's are kept (in memory up to 1 MiB each, then
//! in an unlinked temporary file), the second run's are compared byte for
//! byte as they are written and not kept, so memory does not grow with the
//! output. Both runs read the same stdin through one [`StdinTape`].

use super::stdio::{Compare, CompareStdio, SharedCompare, SharedSpool, SpoolStdio};
use super::{
    Det, Error, Finisher, HostMode, Report, RootIo, Run, Stdin, TimeBase, TraceWriter, build,
    chrome_sink, trap_text,
};
use crate::{Event, EventSink, RunError, RunReport};
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};
use wasiproc_wasi::{FuelClock, StdinTape};

/// One thing that differs between the two runs of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Difference {
    /// What differs: `event log`, `stdout`, `stderr`, `exit status`,
    /// `trap`, `process summary`, `run error`, `outcome` or `fuel`.
    pub what: &'static str,
    /// Where and how, in one line (text from the guest is not escaped).
    pub detail: String,
}

/// The result of [`crate::Run::check_determinism`].
#[non_exhaustive]
pub struct Check {
    /// How the first run ended (its outputs are in [`Check::write_stdout`]
    /// and [`Check::write_stderr`], not in the report).
    pub first: Result<Report, Error>,
    /// What differs, in the order the checks are made (the event log
    /// first: it is in time order); empty when the runs are identical.
    pub differences: Vec<Difference>,
    /// Events of the first run.
    pub events: usize,
    /// Fuel consumed by the first run.
    pub fuel: u64,
    stdout: SharedSpool,
    stderr: SharedSpool,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("first", &self.first)
            .field("differences", &self.differences)
            .field("events", &self.events)
            .field("fuel", &self.fuel)
            .finish_non_exhaustive()
    }
}

impl Check {
    /// True when the two runs were identical.
    pub fn is_deterministic(&self) -> bool {
        self.differences.is_empty()
    }

    /// Writes the first run's stdout to `out`.
    pub fn write_stdout(&self, out: &mut dyn Write) -> std::io::Result<()> {
        lock(&self.stdout).copy_to(out)
    }

    /// Writes the first run's stderr to `out`.
    pub fn write_stderr(&self, out: &mut dyn Write) -> std::io::Result<()> {
        lock(&self.stderr).copy_to(out)
    }
}

/// The second run's events, compared against the first's as they arrive.
struct Comparison {
    expected: Vec<Event>,
    next: usize,
    /// Index, the first run's event there (if any), the second run's.
    first: Option<(usize, Option<Event>, Event)>,
}

/// What one execution produced.
struct Finished {
    result: Result<RunReport, RunError>,
    fuel: u64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs once, deterministically, with output kept or compared.
fn capture(
    run: &Run,
    tape: &StdinTape,
    clock: FuelClock,
    io: RootIo,
    sinks: Vec<EventSink>,
) -> Result<Finished, Error> {
    let det = Det {
        seed: run.plan.seed,
        clock,
        stdin: Some(tape.clone()),
    };
    let mut rt = build(
        &run.plan,
        HostMode::Det(det),
        None,
        io,
        sinks,
        &run.host_funcs,
    )?
    .ok_or(Error::NoStart)?;
    let result = rt.run();
    Ok(Finished {
        result,
        fuel: rt.fuel_consumed(),
    })
}

/// Runs the program twice and compares (see the module documentation).
pub(crate) fn run(run: &mut Run) -> Result<Check, Error> {
    let tape = match std::mem::take(&mut run.stdin) {
        Stdin::Inherit => StdinTape::host(),
        Stdin::Null => StdinTape::from_reader(std::io::empty()),
        Stdin::Bytes(b) => StdinTape::from_reader(std::io::Cursor::new(b)),
        Stdin::File(f) => StdinTape::from_reader(f),
        Stdin::Pipe(_) => {
            return Err(Error::Usage(
                "a determinism check reads its stdin as a tape: not from a pipe".into(),
            ));
        }
    };
    let clock = FuelClock::new();
    let chrome = run.chrome.take().map(|w| {
        Arc::new(Mutex::new(Some(TraceWriter::create(
            w,
            &run.plan.root_name,
            TimeBase::Virtual(clock.clone()),
        ))))
    });
    let mut fin = Finisher {
        chrome,
        record: None,
        captured: (None, None),
    };
    let events = Arc::new(Mutex::new(Vec::new()));
    let (out, err) = (SharedSpool::default(), SharedSpool::default());
    let first = {
        let events = events.clone();
        let mut sinks: Vec<EventSink> =
            vec![Box::new(move |e: &Event| lock(&events).push(e.clone()))];
        if let Some(c) = &fin.chrome {
            sinks.push(chrome_sink(c));
        }
        if let Some(s) = run.sink.take() {
            sinks.push(s);
        }
        let io = RootIo {
            stdin: None,
            stdout: Some(Box::new(SpoolStdio(out.clone()))),
            stderr: Some(Box::new(SpoolStdio(err.clone()))),
        };
        capture(run, &tape, clock, io, sinks)
    };
    fin.close_chrome()?;
    let first = first?;
    for (stream, spool) in [("stdout", &out), ("stderr", &err)] {
        if let Some(e) = lock(spool).error() {
            return Err(Error::Capture {
                stream,
                message: e.to_string(),
            });
        }
    }

    let expected = std::mem::take(&mut *lock(&events));
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
        let io = RootIo {
            stdin: None,
            stdout: Some(Box::new(CompareStdio(compared.0.clone()))),
            stderr: Some(Box::new(CompareStdio(compared.1.clone()))),
        };
        let sink: EventSink = Box::new(move |e: &Event| {
            let mut c = lock(&c);
            if c.first.is_none() && c.expected.get(c.next) != Some(e) {
                c.first = Some((c.next, c.expected.get(c.next).cloned(), e.clone()));
            }
            c.next += 1;
        });
        capture(run, &tape, FuelClock::new(), io, vec![sink])?
    };
    let comparison = std::mem::replace(
        &mut *lock(&comparison),
        Comparison {
            expected: Vec::new(),
            next: 0,
            first: None,
        },
    );
    let outputs = [
        lock(&compared.0).difference(),
        lock(&compared.1).difference(),
    ];
    let differences = compare(&first, &second, &comparison, outputs);
    let fuel = first.fuel;
    Ok(Check {
        first: first
            .result
            .map(|r| Report {
                status: r.status,
                trap: r.trap,
                processes: r.processes,
                fuel,
                stdout: None,
                stderr: None,
            })
            .map_err(Error::Run),
        differences,
        events: comparison.expected.len(),
        fuel,
        stdout: out,
        stderr: err,
    })
}

/// What differs between the runs, in the order the checks are made.
fn compare(
    a: &Finished,
    b: &Finished,
    events: &Comparison,
    [stdout, stderr]: [Option<String>; 2],
) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut push = |what: &'static str, detail: String| out.push(Difference { what, detail });
    if let Some((i, expected, got)) = &events.first {
        let expected = match expected {
            Some(e) => e.to_string(),
            None => "(no more events)".into(),
        };
        push(
            "event log",
            format!("event {i}: run 1: {expected}; run 2: {got}"),
        );
    } else if events.next < events.expected.len() {
        push(
            "event log",
            format!(
                "run 2 ended after {} events; run 1 went on with: {}",
                events.next, events.expected[events.next]
            ),
        );
    }
    if let Some(d) = stdout {
        push("stdout", format!("stdout {d}"));
    }
    if let Some(d) = stderr {
        push("stderr", format!("stderr {d}"));
    }
    match (&a.result, &b.result) {
        (Ok(ra), Ok(rb)) => compare_reports(ra, rb, &mut push),
        (Err(ea), Err(eb)) => {
            let (ea, eb) = (ea.to_string(), eb.to_string());
            if ea != eb {
                push("run error", format!("run 1: {ea}; run 2: {eb}"));
            }
        }
        (ra, rb) => push(
            "outcome",
            format!("run 1: {}; run 2: {}", outcome_text(ra), outcome_text(rb)),
        ),
    }
    if a.fuel != b.fuel {
        push(
            "fuel",
            format!("run 1 consumed {} fuel, run 2 {}", a.fuel, b.fuel),
        );
    }
    out
}

fn compare_reports(a: &RunReport, b: &RunReport, push: &mut impl FnMut(&'static str, String)) {
    if a.status != b.status {
        push(
            "exit status",
            format!("run 1: {}; run 2: {}", a.status, b.status),
        );
    }
    let (ta, tb) = (
        a.trap.as_ref().map(trap_text),
        b.trap.as_ref().map(trap_text),
    );
    if ta != tb {
        let t = |t: &Option<String>| t.as_deref().unwrap_or("none").trim_end().to_string();
        push("trap", format!("run 1: {}; run 2: {}", t(&ta), t(&tb)));
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
        push(
            "process summary",
            format!("process #{i}: run 1: {}; run 2: {}", row(a), row(b)),
        );
    }
}

fn outcome_text(r: &Result<RunReport, RunError>) -> String {
    match r {
        Ok(r) => format!("ended, root {}", r.status),
        Err(e) => format!("failed: {e}"),
    }
}
