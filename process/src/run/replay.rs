//! [`Replay`]: reruns a recorded run from its trace alone.
//!
//! The modules, arguments, environment, grants and limits come from the
//! trace's header; every host call is answered from its records by a
//! `wasiproc_wasi::ReplayHost`, which stops the run at the first call whose
//! kind, arguments, process or fuel position differ from the recorded ones.
//! No host file is opened, stdin is not read, no clock is consulted.
//!
//! A replay is running code that came from a file, so it runs under limits:
//! the recorded ones, [`Replay::fuel`]/[`Replay::max_memory`] if given, and
//! the trailer's fuel as a ceiling — a faithful replay uses exactly the
//! recorded fuel, so a run that needs more has left the recording and stops
//! with "replay diverged: more fuel than recorded", however the trace was
//! made.
//!
//! A divergence is found inside a host call or an event of the scheduler,
//! deep in the run. It travels as a value: the `ReplayHost` reports it in
//! its `wasiproc_wasi::Halt` cell (as the fuel check on the scheduler's
//! events does), the WASI call that found it fails with it (the guest
//! never sees a stand-in result), the scheduler stops the run after that
//! slice ([`crate::RunError::Halted`]), and [`Replay::execute`] returns it
//! as [`Error::Diverged`]. Nothing unwinds.

use super::digest::hex;
use super::stdio::{OutputDigest, SharedHash};
use super::trace_file::{self, Ending, Trailer};
use super::{Error, HostMode, Output, Plan, Report, RootIo, build, ending_of};
use crate::{Event, EventSink, ExitStatus};
use wasiproc_wasi::RunPosition;
use wasiproc_wasi::host::record::{ReplayHost, fnv64};

/// A trace ready to be replayed. Built from the whole trace, which is
/// checked (framing, header, trailer) before anything runs.
pub struct Replay {
    plan: Plan,
    recorded: Trailer,
    batches: Vec<Vec<u8>>,
    fuel: Option<u64>,
    max_memory: Option<usize>,
    stdout: Output,
    stderr: Output,
    sink: Option<EventSink>,
}

impl std::fmt::Debug for Replay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replay")
            .field("root", &self.plan.root_name)
            .field("calls", &self.recorded.calls)
            .field("fuel", &self.recorded.fuel)
            .finish_non_exhaustive()
    }
}

/// What a replay produced, next to what the recording says.
#[derive(Debug)]
#[non_exhaustive]
pub struct Replayed {
    /// The replay's report, when its root ended (`None` when the run failed
    /// as the recorded one did: see [`Replayed::ending`]).
    pub report: Option<Report>,
    /// How the replay ended.
    pub ending: Ending,
    /// How the recorded run ended.
    pub recorded_ending: Ending,
    /// Fuel the replay consumed.
    pub fuel: u64,
    /// Fuel the recorded run consumed.
    pub recorded_fuel: u64,
    /// Host calls replayed (all of the recorded ones).
    pub calls: u64,
    /// Length and SHA-256 of the replay's root stdout.
    pub stdout: OutputDigest,
    /// Length and SHA-256 of the replay's root stderr.
    pub stderr: OutputDigest,
    /// The recorded stdout's length and SHA-256.
    pub recorded_stdout: OutputDigest,
    /// The recorded stderr's length and SHA-256.
    pub recorded_stderr: OutputDigest,
}

impl Replayed {
    /// What differs from the recording (outputs, ending, fuel), one
    /// description each; empty when the replay reproduced it exactly.
    pub fn differences(&self) -> Vec<String> {
        let mut diffs = Vec::new();
        for (what, now, then) in [
            ("stdout", self.stdout, self.recorded_stdout),
            ("stderr", self.stderr, self.recorded_stderr),
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
        if self.ending != self.recorded_ending {
            diffs.push(format!(
                "ending ({}, recorded {})",
                self.ending, self.recorded_ending
            ));
        }
        if self.fuel != self.recorded_fuel {
            diffs.push(format!(
                "fuel ({}, recorded {})",
                self.fuel, self.recorded_fuel
            ));
        }
        diffs
    }
}

/// The divergence of a replay that used more fuel than the recording.
fn more_fuel(used: u64, ceiling: u64) -> String {
    format!(
        "replay diverged: more fuel than recorded (the recorded run used {ceiling}; the replay \
         stopped at {used})"
    )
}

/// The smaller of two optional limits.
fn least<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Replay {
    /// Reads a whole trace from `trace` and checks it.
    pub fn new(mut trace: impl std::io::Read) -> Result<Replay, Error> {
        let mut bytes = Vec::new();
        trace
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Trace(format!("cannot read the trace: {e}")))?;
        Replay::from_bytes(&bytes)
    }

    /// Checks the trace in `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Replay, Error> {
        let parsed = trace_file::parse(bytes).map_err(|e| Error::Trace(e.0))?;
        Ok(Replay {
            plan: parsed.plan,
            recorded: parsed.trailer,
            batches: parsed.batches.iter().map(|b| b.to_vec()).collect(),
            fuel: None,
            max_memory: None,
            stdout: Output::Inherit,
            stderr: Output::Inherit,
            sink: None,
        })
    }

    /// Runs `wasm` in place of the recorded module `name` (the root's name
    /// or an allowed command's), e.g. to check that a rebuilt module still
    /// follows the recording. Returns the new and the recorded module's
    /// FNV-1a hashes when they differ.
    pub fn replace_module(
        &mut self,
        name: &str,
        wasm: Vec<u8>,
    ) -> Result<Option<(u64, u64)>, Error> {
        let plan = &mut self.plan;
        let slot = if name == plan.root_name {
            &mut plan.root
        } else if let Some((_, b)) = plan.modules.iter_mut().find(|(n, _)| n == name) {
            b
        } else {
            return Err(Error::Usage(format!(
                "{name}: the trace has no module of that name"
            )));
        };
        let (new, old) = (fnv64(&wasm), fnv64(slot));
        *slot = wasm;
        Ok((new != old).then_some((new, old)))
    }

    /// A fuel budget smaller than the recorded limit and fuel (which always
    /// bound the replay).
    pub fn fuel(&mut self, fuel: u64) -> &mut Self {
        self.fuel = Some(fuel);
        self
    }

    /// A memory limit smaller than the recorded one.
    pub fn max_memory(&mut self, bytes: usize) -> &mut Self {
        self.max_memory = Some(bytes);
        self
    }

    /// Where the replay's root stdout goes (default: the host's, never
    /// reported as a terminal).
    pub fn stdout(&mut self, out: Output) -> &mut Self {
        self.stdout = out;
        self
    }

    /// Where the replay's root stderr goes.
    pub fn stderr(&mut self, out: Output) -> &mut Self {
        self.stderr = out;
        self
    }

    /// Sends every scheduler [`Event`] of the replay to `sink`.
    pub fn event_sink(&mut self, sink: impl FnMut(&Event) + Send + 'static) -> &mut Self {
        self.sink = Some(Box::new(sink));
        self
    }

    /// The recorded run's root name.
    pub fn root_name(&self) -> &str {
        &self.plan.root_name
    }

    /// Host calls in the recording.
    pub fn recorded_calls(&self) -> u64 {
        self.recorded.calls
    }

    /// Replays the run. [`Error::Diverged`] when it leaves the recording;
    /// [`Error::Trace`] when it ends before using every recorded call.
    pub fn execute(mut self) -> Result<Replayed, Error> {
        // The limits: the recorded ones, the caller's, and the recorded fuel
        // as a ceiling (each process's budget; the whole run's is checked
        // after every slice).
        let ceiling = self.recorded.fuel;
        let mut plan = self.plan.clone();
        let by_ceiling =
            plan.fuel.is_none_or(|f| f >= ceiling) && self.fuel.is_none_or(|f| f >= ceiling);
        plan.fuel = least(least(plan.fuel, Some(ceiling)), self.fuel);
        plan.max_memory = least(plan.max_memory, self.max_memory);
        let pos = RunPosition::default();
        let batches: Vec<&[u8]> = self.batches.iter().map(Vec::as_slice).collect();
        let (host, probe) = ReplayHost::new(&batches, self.recorded.calls, pos.clone())
            .map_err(|e| Error::Trace(e.0))?;
        let halt = probe.halt().clone();
        let mut sinks: Vec<EventSink> = vec![Box::new(move |e: &Event| {
            if e.fuel > ceiling {
                halt.halt(more_fuel(e.fuel, ceiling));
            }
        })];
        if let Some(s) = self.sink.take() {
            sinks.push(s);
        }
        let (out, err) = (SharedHash::default(), SharedHash::default());
        let (mut io, captured) = RootIo::new(
            None,
            std::mem::take(&mut self.stdout),
            std::mem::take(&mut self.stderr),
            true,
        );
        io.hashed(out.clone(), err.clone());
        let built = build(
            &plan,
            HostMode::Replay(Box::new(host), pos),
            None,
            io,
            sinks,
            &[],
        );
        let (ending, fuel, report) = match built {
            Ok(Some(mut rt)) => {
                let result = rt.run();
                if result.is_err() {
                    // As the recording did before its trailer.
                    rt.kill_all();
                }
                let fuel = rt.fuel_consumed();
                (ending_of(&result), fuel, result.ok())
            }
            Ok(None) => (
                Ending::Error("--record needs a module with _start".into()),
                0,
                None,
            ),
            Err(e) => (Ending::Error(e.to_string()), 0, None),
        };
        // A divergence wherever it was found (a host call, the scheduler's
        // events, building the run) ended the run; it is the answer.
        if let Some(d) = probe.divergence() {
            return Err(Error::Diverged(d.0));
        }
        let diverged = |used: u64| Error::Diverged(more_fuel(used, ceiling));
        if fuel > ceiling {
            return Err(diverged(fuel));
        }
        let ran_out = report.as_ref().is_some_and(|r| {
            r.processes
                .iter()
                .any(|p| p.status == ExitStatus::OutOfFuel)
                || r.status == ExitStatus::OutOfFuel
        });
        if by_ceiling && ran_out && (ending != self.recorded.ending || fuel != ceiling) {
            return Err(diverged(fuel));
        }
        let calls = probe.check_consumed().map_err(|d| Error::Trace(d.0))?;
        let take = |c: &Option<super::stdio::Captured>| {
            c.as_ref()
                .map(|b| std::mem::take(&mut *b.lock().unwrap_or_else(|p| p.into_inner())))
        };
        Ok(Replayed {
            report: report.map(|r| Report {
                status: r.status,
                trap: r.trap,
                processes: r.processes,
                fuel,
                stdout: take(&captured.0),
                stderr: take(&captured.1),
            }),
            ending,
            recorded_ending: self.recorded.ending.clone(),
            fuel,
            recorded_fuel: ceiling,
            calls,
            stdout: out.digest(),
            stderr: err.digest(),
            recorded_stdout: self.recorded.stdout,
            recorded_stderr: self.recorded.stderr,
        })
    }
}
