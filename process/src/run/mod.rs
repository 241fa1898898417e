//! The Run API: one builder for everything `wasiproc run` does — modules
//! and the commands a run may spawn, arguments, environment, directory
//! grants, stdio, limits, deterministic mode, recording, replaying,
//! checking determinism, event sinks, a Chrome trace and the per-process
//! summary — so that the command line is a thin shell over it
//! (docs/embedding.md).
//!
//! A [`Run`] is built like a [`std::process::Command`] and ended with
//! [`Run::execute`] (to completion), [`Run::start`] (step by step, see
//! [`Running`]), [`Run::check_determinism`] or [`Run::invoke`]. A recorded
//! trace is replayed with [`Replay`].

mod check;
mod chrome;
mod digest;
mod host_fn;
mod replay;
mod stdio;
mod trace_file;

pub use check::{Check, Difference};
pub use host_fn::HostCall;
pub use replay::{Replay, Replayed};
pub use stdio::{HostPipe, Output, OutputCallback, OutputDigest, SharedBuffer, Stdin};
pub use trace_file::Ending;

use crate::{
    Event, EventSink, ExitStatus, Limits, ProcessSummary, RunError, RunReport, Runtime,
    RuntimeConfig, Schedule, SharedHost,
};
use chrome::{TimeBase, TraceWriter};
use host_fn::HostFuncDef;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use stdio::{Captured, HashedStream, PlainStdio, SharedHash};
use wasiproc_engine::{FuncType, HostError, Module, Trap, Val};
use wasiproc_wasi::host::OpenRequest;
use wasiproc_wasi::host::record::{Recorder, SharedRecorder};
use wasiproc_wasi::stream::{InputStream, OutputStream};
use wasiproc_wasi::types::Filetype;
use wasiproc_wasi::{
    DeterministicHost, Errno, FuelClock, HostEnv, PidCell, RealHost, RecordingHost, ReplayHost,
    RunOptions, RunOutcome, RunPosition, StdinTape, WasiCtx,
};

/// Descriptors the root process (and, by default, each child) may hold when
/// it creates pipes, as Linux's usual soft limit: without one a guest could
/// grow the host's memory without bound by creating pipes.
pub const ROOT_MAX_FDS: u32 = 1024;

/// A directory of the host granted to the root process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The host directory.
    pub host: String,
    /// Where the guest sees it.
    pub guest: String,
    /// Nothing beneath it may be created, written, renamed or removed.
    pub read_only: bool,
}

/// Everything a run is made of once its files are read: what a recording
/// writes into the trace's header and a replay runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The root's name: `argv[0]` and its process name.
    pub root_name: String,
    /// The root module's bytes.
    pub root: Vec<u8>,
    /// The modules the run may spawn: (name, bytes).
    pub modules: Vec<(String, Vec<u8>)>,
    /// The guest's arguments after `argv[0]`.
    pub args: Vec<String>,
    /// The guest's environment.
    pub env: Vec<(String, String)>,
    /// Directory grants, in the order they are preopened.
    pub grants: Vec<Grant>,
    /// TCP listeners (`HOST:PORT`), granted from descriptor 3 on, before
    /// the directories.
    pub listeners: Vec<String>,
    /// Total fuel of each process.
    pub fuel: Option<u64>,
    /// Most bytes of linear memory of each process.
    pub max_memory: Option<usize>,
    /// Most processes alive at once.
    pub max_processes: usize,
    /// Fuel per scheduling slice.
    pub slice: u64,
    /// Deterministic run (canonical NaNs, virtual clocks, seeded random).
    pub deterministic: bool,
    /// Seed of a deterministic run.
    pub seed: u64,
    /// Which process runs next and for how long.
    pub schedule: Schedule,
}

/// Why a run could not be set up, could not finish, or could not be
/// recorded or replayed. Displayed as one line.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read.
    Read {
        /// The path as given.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A module did not compile, link or start.
    Module {
        /// The module's name in the run.
        name: String,
        /// Why, on one line.
        message: String,
    },
    /// [`Run::allow_command_in_view`]: no grant holds the path.
    NotInView(String),
    /// [`Run::allow_command_in_view`]: the module cannot be read from the
    /// grant that holds it.
    CommandUnreadable {
        /// The path as given.
        spec: String,
        /// The guest path of the grant.
        guest: String,
        /// Why.
        reason: String,
    },
    /// The root module has no `_start`: it is not a program that can run
    /// as a process (see [`Run::invoke`]).
    NoStart,
    /// The run could not be set up (host functions, WASI context, engine).
    Setup(String),
    /// The run failed before its root ended (a deadlock, ...).
    Run(RunError),
    /// Writing the recording failed.
    Record(std::io::Error),
    /// Writing the Chrome trace failed.
    ChromeTrace(std::io::Error),
    /// A check's first run's output could not be kept.
    Capture {
        /// `stdout` or `stderr`.
        stream: &'static str,
        /// Why.
        message: String,
    },
    /// A trace is unreadable, truncated or corrupted, or a replay ended
    /// before it had used every recorded host call.
    Trace(String),
    /// A replay left the recorded path (another call, another process,
    /// more fuel than recorded); it was stopped there.
    Diverged(String),
    /// Options that do not go together, or a finished run stepped again.
    Usage(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Read { path, source } => write!(f, "cannot read {path}: {source}"),
            Error::Module { name, message } => write!(f, "{name}: {message}"),
            Error::NotInView(spec) => write!(f, "{spec}: not in the guest's filesystem view"),
            Error::CommandUnreadable {
                spec,
                guest,
                reason,
            } => write!(
                f,
                "{spec}: cannot open it in the directory granted at {guest}: {reason}"
            ),
            Error::NoStart => f.write_str("the root module has no _start function"),
            Error::Setup(m) | Error::Trace(m) | Error::Diverged(m) | Error::Usage(m) => {
                f.write_str(m)
            }
            Error::Run(RunError::Engine(e)) => f.write_str(&one_line(e)),
            Error::Run(e) => write!(f, "{e}"),
            Error::Record(e) => write!(f, "cannot write the recording: {e}"),
            Error::ChromeTrace(e) => write!(f, "cannot write the trace: {e}"),
            Error::Capture { stream, message } => {
                write!(f, "cannot keep the first run's {stream}: {message}")
            }
        }
    }
}

impl std::error::Error for Error {}

/// One line, even when a message embeds a multi-line dump.
pub(crate) fn one_line(msg: impl std::fmt::Display) -> String {
    msg.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A trap and its Wasm backtrace, as `wasiproc` prints them to stderr
/// (`wasiproc: wasm trap: KIND[: MESSAGE]`, then one line per frame).
pub fn trap_text(trap: &Trap) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let kind = trap.kind();
    let what = trap.to_string();
    let _ = if what == kind.message() {
        writeln!(s, "wasiproc: wasm trap: {kind}")
    } else {
        writeln!(s, "wasiproc: wasm trap: {kind}: {what}")
    };
    if !trap.backtrace().is_empty() {
        let _ = writeln!(s, "wasm backtrace:");
        for (i, frame) in trap.backtrace().iter().enumerate() {
            let _ = writeln!(s, "  {i:>3}: {frame}");
        }
    }
    s
}

/// What a finished run produced.
#[derive(Debug)]
#[non_exhaustive]
pub struct Report {
    /// How the root ended.
    pub status: ExitStatus,
    /// The root's trap, with its backtrace, if it trapped.
    pub trap: Option<Trap>,
    /// Every process of the run, in pid order (the per-process summary).
    pub processes: Vec<ProcessSummary>,
    /// Fuel consumed by the whole run.
    pub fuel: u64,
    /// The root's stdout, when it was [`Output::Capture`]d.
    pub stdout: Option<Vec<u8>>,
    /// The root's stderr, when it was [`Output::Capture`]d.
    pub stderr: Option<Vec<u8>>,
}

impl Report {
    /// The exit code a shell would see: the guest's own, 134 after a
    /// trap or a limit, 137 when killed.
    pub fn exit_code(&self) -> i32 {
        self.status.shell_code()
    }
}

/// What a [`Run::invoke`] call gave: how it ended, and the root's output
/// where it was captured ([`Output::Capture`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct Invocation {
    /// How the call ended.
    pub outcome: Invoked,
    /// The captured stdout, if it was captured.
    pub stdout: Option<Vec<u8>>,
    /// The captured stderr, if it was captured.
    pub stderr: Option<Vec<u8>>,
}

/// How a [`Run::invoke`] call ended.
#[derive(Debug)]
pub enum Invoked {
    /// The guest exited with this code.
    Exited(i32),
    /// The function returned these values.
    Returned(Vec<Val>),
    /// The guest trapped.
    Trapped(Trap),
}

/// A run under construction. Setters return `&mut Self`, as
/// [`std::process::Command`]'s do; the run itself starts with
/// [`Run::execute`], [`Run::start`], [`Run::check_determinism`] or
/// [`Run::invoke`].
pub struct Run {
    plan: Plan,
    stdin: Stdin,
    stdout: Output,
    stderr: Output,
    record: Option<Box<dyn Write + Send>>,
    sink: Option<EventSink>,
    chrome: Option<Box<dyn Write + Send>>,
    host_funcs: Vec<HostFuncDef>,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("root", &self.plan.root_name)
            .field("modules", &self.plan.modules.len())
            .field("stdin", &self.stdin)
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .finish_non_exhaustive()
    }
}

impl Run {
    /// A run of the module `wasm` as the root process, named `name`
    /// (its `argv[0]` and its name in summaries and traces). Defaults: no
    /// arguments, no environment, no grants, the host's stdio, no fuel or
    /// memory limit, 10,000 processes, a slice of 10,000 fuel, real time.
    pub fn new(name: impl Into<String>, wasm: impl Into<Vec<u8>>) -> Run {
        Run {
            plan: Plan {
                root_name: name.into(),
                root: wasm.into(),
                modules: Vec::new(),
                args: Vec::new(),
                env: Vec::new(),
                grants: Vec::new(),
                listeners: Vec::new(),
                fuel: None,
                max_memory: None,
                max_processes: 10_000,
                slice: 10_000,
                deterministic: false,
                seed: 0,
                schedule: Schedule::Fifo,
            },
            stdin: Stdin::Inherit,
            stdout: Output::Inherit,
            stderr: Output::Inherit,
            record: None,
            sink: None,
            chrome: None,
            host_funcs: Vec::new(),
        }
    }

    /// A run of `plan` with the default stdio and nothing else.
    pub(crate) fn from_plan(plan: Plan) -> Run {
        let mut run = Run::new(String::new(), Vec::new());
        run.plan = plan;
        run
    }

    /// What the run is made of.
    pub(crate) fn plan(&self) -> &Plan {
        &self.plan
    }

    /// A run of the module in file `path`, named by the path as given.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Run, Error> {
        let path = path.as_ref();
        let wasm = read_file(path)?;
        Ok(Run::new(path.to_string_lossy(), wasm))
    }

    /// Lets the run's processes spawn `wasm` under `name`.
    pub fn allow_command(
        &mut self,
        name: impl Into<String>,
        wasm: impl Into<Vec<u8>>,
    ) -> &mut Self {
        self.plan.modules.push((name.into(), wasm.into()));
        self
    }

    /// Lets the run's processes spawn the module at `path` in the guest's
    /// filesystem view, read through the grant that holds it (grant the
    /// directory first) with the resolution a guest's `path_open` gets:
    /// `..`, absolute paths and symbolic links that lead out of the grant
    /// are refused. The grant is the one whose guest path is the longest
    /// that holds `path` (the first given among equals), as the guest's own
    /// path resolution picks it.
    pub fn allow_command_in_view(&mut self, path: &str) -> Result<&mut Self, Error> {
        let abs = |p: &str| format!("/{}", p.trim_start_matches("./").trim_start_matches('/'));
        let want = abs(path);
        let mut found: Option<(&Grant, &str, usize)> = None;
        for g in &self.plan.grants {
            let dir = abs(&g.guest);
            let dir = dir.trim_end_matches('/');
            let Some(rest) = want.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) else {
                continue;
            };
            if found.is_none_or(|(_, _, len)| dir.len() > len) {
                found = Some((g, rest, dir.len()));
            }
        }
        let found = found.map(|(g, rest, _)| (g, rest));
        let Some((grant, rest)) = found else {
            return Err(Error::NotInView(path.to_string()));
        };
        let bytes = read_in_grant(&grant.host, rest).map_err(|e| Error::CommandUnreadable {
            spec: path.to_string(),
            guest: grant.guest.clone(),
            reason: match e {
                Errno::Perm | Errno::Notcapable => {
                    "the path leaves the granted directory".to_string()
                }
                e => e.to_string(),
            },
        })?;
        self.plan.modules.push((path.to_string(), bytes));
        Ok(self)
    }

    /// Appends an argument (after `argv[0]`, the root's name).
    pub fn arg(&mut self, arg: impl Into<String>) -> &mut Self {
        self.plan.args.push(arg.into());
        self
    }

    /// Appends arguments.
    pub fn args<S: Into<String>>(&mut self, args: impl IntoIterator<Item = S>) -> &mut Self {
        self.plan.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable (the guest sees no others).
    pub fn env(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.plan.env.push((name.into(), value.into()));
        self
    }

    /// Grants the host directory `host` read-write at `guest`.
    pub fn dir(&mut self, host: impl Into<String>, guest: impl Into<String>) -> &mut Self {
        self.grant(Grant {
            host: host.into(),
            guest: guest.into(),
            read_only: false,
        })
    }

    /// Grants the host directory `host` read-only at `guest`.
    pub fn dir_read_only(
        &mut self,
        host: impl Into<String>,
        guest: impl Into<String>,
    ) -> &mut Self {
        self.grant(Grant {
            host: host.into(),
            guest: guest.into(),
            read_only: true,
        })
    }

    /// Adds a grant (preopened in the order given).
    pub fn grant(&mut self, grant: Grant) -> &mut Self {
        self.plan.grants.push(grant);
        self
    }

    /// Grants the root a TCP listener bound to `addr` (`HOST:PORT`; port 0
    /// lets the system choose). Listeners are the root's descriptors 3, 4,
    /// ... in the order given, before the directories (as wasmtime's
    /// `--tcplisten`); a child gets a socket only if a parent passes it
    /// (docs/abi.md). In a recorded run, accepted connections and received
    /// bytes are recorded, and a [`Replay`] opens no socket.
    pub fn tcp_listen(&mut self, addr: impl Into<String>) -> &mut Self {
        self.plan.listeners.push(addr.into());
        self
    }

    /// The root's standard input.
    pub fn stdin(&mut self, stdin: Stdin) -> &mut Self {
        self.stdin = stdin;
        self
    }

    /// The root's standard output.
    pub fn stdout(&mut self, out: Output) -> &mut Self {
        self.stdout = out;
        self
    }

    /// The root's standard error.
    pub fn stderr(&mut self, out: Output) -> &mut Self {
        self.stderr = out;
        self
    }

    /// Fuel budget of each process (the root's, and by default each
    /// child's); a process that uses it up ends with "out of fuel".
    pub fn fuel(&mut self, fuel: u64) -> &mut Self {
        self.plan.fuel = Some(fuel);
        self
    }

    /// Most bytes of linear memory of each process: the root sees
    /// `memory.grow` fail, a child ends with "limit exceeded".
    pub fn max_memory(&mut self, bytes: usize) -> &mut Self {
        self.plan.max_memory = Some(bytes);
        self
    }

    /// Most processes alive at once, the root included (at least 1).
    pub fn max_processes(&mut self, n: usize) -> &mut Self {
        self.plan.max_processes = n.max(1);
        self
    }

    /// Fuel per scheduling slice (at least 1).
    pub fn slice(&mut self, fuel: u64) -> &mut Self {
        self.plan.slice = fuel.max(1);
        self
    }

    /// The schedule policy: which runnable process runs next and for how
    /// much fuel (default [`Schedule::Fifo`] with [`Run::slice`]). Like
    /// the slice, it is an input of the run: recorded in a trace and
    /// replayed exactly (docs/determinism.md).
    pub fn schedule(&mut self, schedule: Schedule) -> &mut Self {
        self.plan.schedule = schedule;
        self
    }

    /// Runs deterministically with random bytes seeded by `seed`: virtual
    /// clocks advanced by fuel, canonical NaNs, stdin read in full
    /// buffers, stdio never a terminal (docs/determinism.md).
    pub fn deterministic(&mut self, seed: u64) -> &mut Self {
        self.plan.deterministic = true;
        self.plan.seed = seed;
        self
    }

    /// Records the run into `trace` (docs/trace-format.md): the plan,
    /// every host call and its result, the outputs' lengths and SHA-256
    /// and how the run ended. [`Replay`] reproduces the run from it.
    pub fn record(&mut self, trace: impl Write + Send + 'static) -> &mut Self {
        self.record = Some(Box::new(trace));
        self
    }

    /// Sends every scheduler [`Event`] of the run to `sink`, in order.
    pub fn event_sink(&mut self, sink: impl FnMut(&Event) + Send + 'static) -> &mut Self {
        self.sink = Some(Box::new(sink));
        self
    }

    /// Writes the run's timeline to `out` as Chrome Trace Event JSON
    /// (Perfetto, chrome://tracing): a track per process with its slices,
    /// blocked periods, spawns, kills and exits; virtual time in a
    /// deterministic run, real time otherwise.
    pub fn chrome_trace(&mut self, out: impl Write + Send + 'static) -> &mut Self {
        self.chrome = Some(Box::new(out));
        self
    }

    /// Adds the host function `module.name` of type `ty` to every process
    /// of the run (an import module of the embedder's). It runs on the
    /// scheduler's thread in the middle of the calling process's slice; it
    /// is outside the run's single door to the outside, so a recording
    /// does not keep its results: keep it deterministic, or do not record.
    pub fn host_func(
        &mut self,
        module: impl Into<String>,
        name: impl Into<String>,
        ty: FuncType,
        f: impl Fn(HostCall<'_>, &[Val], &mut [Val]) -> Result<(), HostError> + Send + Sync + 'static,
    ) -> &mut Self {
        self.host_funcs.push(HostFuncDef {
            module: module.into(),
            name: name.into(),
            ty,
            f: Arc::new(f),
        });
        self
    }

    /// Runs the program to the end of its root process. The stdio, the
    /// recording, the event sink and the Chrome trace are used up by the
    /// run (a second call gets the defaults); the rest stays.
    pub fn execute(&mut self) -> Result<Report, Error> {
        self.start()?.finish()
    }

    /// Starts the run without running any of it: drive it with
    /// [`Running::step`].
    pub fn start(&mut self) -> Result<Running, Error> {
        let det = self.plan.deterministic.then(|| Det {
            seed: self.plan.seed,
            clock: FuelClock::new(),
            stdin: None,
        });
        let mut stdin = std::mem::take(&mut self.stdin);
        let host_pipes = matches!(stdin, Stdin::Pipe(_))
            || matches!(self.stdout, Output::Pipe(_))
            || matches!(self.stderr, Output::Pipe(_));
        let mut det = det;
        if let Some(d) = det.as_mut() {
            // A deterministic run reads bytes and files through its host,
            // as a tape (and records them).
            match std::mem::take(&mut stdin) {
                Stdin::Bytes(b) => d.stdin = Some(StdinTape::from_reader(std::io::Cursor::new(b))),
                Stdin::Null => d.stdin = Some(StdinTape::from_reader(std::io::empty())),
                Stdin::File(f) => d.stdin = Some(StdinTape::from_reader(f)),
                other => stdin = other,
            }
        }
        if self.record.is_some() && !matches!(stdin, Stdin::Inherit) {
            return Err(Error::Usage(
                "a recorded run reads its stdin through the host: use Stdin::Inherit, or \
                 bytes or a file in a deterministic run"
                    .into(),
            ));
        }
        let deterministic = det.is_some();
        let (io, captured) = RootIo::new(
            stdio::input_stream(stdin),
            std::mem::take(&mut self.stdout),
            std::mem::take(&mut self.stderr),
            deterministic || self.record.is_some(),
        );
        let chrome = self.chrome.take().map(|w| {
            let time = match &det {
                Some(d) => TimeBase::Virtual(d.clock.clone()),
                None => TimeBase::Real(None),
            };
            Arc::new(Mutex::new(Some(TraceWriter::create(
                w,
                &self.plan.root_name,
                time,
            ))))
        });
        let mut sinks: Vec<EventSink> = Vec::new();
        if let Some(c) = &chrome {
            sinks.push(chrome_sink(c));
        }
        if let Some(s) = self.sink.take() {
            sinks.push(s);
        }
        let mut fin = Finisher {
            chrome,
            record: None,
            captured,
        };
        let wrap = match self.record.take() {
            None => None,
            Some(w) => {
                let rec = Recorder::new(w, &trace_file::encode_header(&self.plan))
                    .map_err(Error::Record)?;
                let pos = RunPosition {
                    pid: PidCell::new(),
                    fuel: det.as_ref().map(|d| d.clock.clone()).unwrap_or_default(),
                };
                let hashes = (SharedHash::default(), SharedHash::default());
                fin.record = Some((rec.clone(), hashes.0.clone(), hashes.1.clone()));
                Some(Wrap::Record(rec, pos, hashes))
            }
        };
        let host = match det {
            Some(d) => HostMode::Det(d),
            None => HostMode::Real,
        };
        match build(&self.plan, host, wrap, io, sinks, &self.host_funcs) {
            Ok(Some(rt)) => Ok(Running {
                rt,
                fin,
                host_pipes,
                done: false,
            }),
            Ok(None) => {
                fin.fail("--record needs a module with _start".into(), 0)?;
                Err(Error::NoStart)
            }
            Err(e) => {
                fin.fail(e.to_string(), 0)?;
                Err(e)
            }
        }
    }

    /// Calls the export `func` (or, with `None`, only instantiates the
    /// module and runs `_start` if it has one) in a single process without
    /// the process layer; `args` are parsed by the function's parameter
    /// types. For modules without `_start` ([`Error::NoStart`]).
    pub fn invoke(&mut self, func: Option<&str>, args: &[String]) -> Result<Invocation, Error> {
        let plan = &self.plan;
        let deterministic = plan.deterministic;
        let (io, captured) = RootIo::new(
            stdio::input_stream(std::mem::take(&mut self.stdin)),
            std::mem::take(&mut self.stdout),
            std::mem::take(&mut self.stderr),
            deterministic,
        );
        let host = deterministic.then(|| {
            SharedHost::new(Box::new(DeterministicHost::new(
                plan.seed,
                FuelClock::new(),
            )))
        });
        let ctx = build_ctx(plan, host, io)?;
        let opts = RunOptions {
            fuel: plan.fuel,
            max_memory: plan.max_memory,
            invoke: func.map(str::to_string),
            invoke_args: if func.is_some() {
                args.to_vec()
            } else {
                Vec::new()
            },
            canonicalize_nans: deterministic,
        };
        let outcome = match wasiproc_wasi::run(&plan.root, ctx, &opts) {
            Ok(RunOutcome::Exited(code)) => Invoked::Exited(code),
            Ok(RunOutcome::Returned(vals)) => Invoked::Returned(vals),
            Err(wasiproc_wasi::RunError::Trap(trap)) => Invoked::Trapped(trap),
            Err(e) => {
                return Err(Error::Module {
                    name: plan.root_name.clone(),
                    message: one_line(e),
                });
            }
        };
        Ok(Invocation {
            outcome,
            stdout: take_captured(&captured.0),
            stderr: take_captured(&captured.1),
        })
    }

    /// Runs the program twice, deterministically (with the seed given to
    /// [`Run::deterministic`], 0 otherwise), and compares everything the
    /// two runs produced: the scheduler's event log, stdout, stderr, the
    /// exit status, the trap, a run error, the per-process summary and the
    /// fuel. Both runs read the same stdin; granted directories are not
    /// reset between them. The outputs are kept (the first run's) and
    /// compared (the second's) rather than written: [`Check`] hands them
    /// on. The event sink and the Chrome trace see the first run.
    pub fn check_determinism(&mut self) -> Result<Check, Error> {
        if self.record.is_some() {
            return Err(Error::Usage(
                "a determinism check cannot be recorded".into(),
            ));
        }
        if !self.plan.listeners.is_empty() {
            return Err(Error::Usage(
                "a determinism check cannot share its listeners between two runs: the \
                 connections and their bytes are inputs; record the run instead"
                    .into(),
            ));
        }
        self.plan.deterministic = true;
        check::run(self)
    }
}

/// A started run, driven step by step: the embedder's own loop can feed a
/// [`HostPipe`] stdin, read a [`HostPipe`] stdout and do its own work
/// between steps. [`Running::finish`] runs to the end. A run dropped
/// before it ends leaves its recording without a trailer (a truncated
/// trace) and its Chrome trace unfinished.
pub struct Running {
    rt: Runtime,
    fin: Finisher,
    host_pipes: bool,
    done: bool,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("fuel", &self.rt.fuel_consumed())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// Where a step left the run.
#[derive(Debug)]
pub enum Progress {
    /// The step's fuel budget is spent; the run goes on with the next step.
    Paused,
    /// Every process waits for something only the embedder can give
    /// (input in a [`HostPipe`], room in a full one). Without it, the run
    /// is deadlocked: [`Running::finish`] reports the deadlock.
    Stalled,
    /// The root ended.
    Finished(Report),
}

impl Running {
    /// Runs scheduling slices until `budget` more fuel has been consumed
    /// (checked at slice boundaries: a step may overshoot by up to one
    /// slice), the root ends, or nothing can run until the embedder acts.
    pub fn step(&mut self, budget: u64) -> Result<Progress, Error> {
        if self.done {
            return Err(Error::Usage("the run is over".into()));
        }
        match self.rt.step(budget) {
            Ok(None) => Ok(Progress::Paused),
            Err(RunError::Deadlock(_)) if self.host_pipes => Ok(Progress::Stalled),
            Ok(Some(report)) => self.conclude(Ok(report)).map(Progress::Finished),
            Err(e) => self.conclude(Err(e)).map(Progress::Finished),
        }
    }

    /// Runs to the end of the root process.
    pub fn finish(mut self) -> Result<Report, Error> {
        if self.done {
            return Err(Error::Usage("the run is over".into()));
        }
        let result = self.rt.run();
        self.conclude(result)
    }

    /// Fuel consumed by the whole run so far.
    pub fn fuel_consumed(&self) -> u64 {
        self.rt.fuel_consumed()
    }

    fn conclude(&mut self, result: Result<RunReport, RunError>) -> Result<Report, Error> {
        self.done = true;
        if result.is_err() {
            // Before the trailer: closing what they hold may be host calls.
            self.rt.kill_all();
        }
        let fuel = self.rt.fuel_consumed();
        let ending = ending_of(&result);
        self.fin.close_chrome()?;
        self.fin.write_trailer(ending, fuel)?;
        let report = result.map_err(Error::Run)?;
        Ok(Report {
            status: report.status,
            trap: report.trap,
            processes: report.processes,
            fuel,
            stdout: take_captured(&self.fin.captured.0),
            stderr: take_captured(&self.fin.captured.1),
        })
    }
}

/// The bytes a capture holds, taken out of it.
pub(crate) fn take_captured(c: &Option<Captured>) -> Option<Vec<u8>> {
    c.as_ref()
        .map(|b| std::mem::take(&mut *b.lock().unwrap_or_else(|p| p.into_inner())))
}

/// How a run ended, as a trailer keeps it.
pub(crate) fn ending_of(result: &Result<RunReport, RunError>) -> Ending {
    match result {
        Ok(r) => Ending::Status(
            r.status.shell_code(),
            r.trap.as_ref().map(trap_text).unwrap_or_default(),
        ),
        Err(RunError::Engine(e)) => Ending::Error(one_line(e)),
        Err(e) => Ending::Error(e.to_string()),
    }
}

/// A Chrome trace writer shared with the event sink that feeds it; `None`
/// once finished.
type SharedChrome = Arc<Mutex<Option<TraceWriter>>>;

fn chrome_sink(c: &SharedChrome) -> EventSink {
    let c = c.clone();
    Box::new(move |e: &Event| {
        if let Some(w) = c.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            w.event(e);
        }
    })
}

/// What is completed when a run ends: the Chrome trace, the recording's
/// trailer, the captured outputs.
struct Finisher {
    chrome: Option<SharedChrome>,
    record: Option<(SharedRecorder, SharedHash, SharedHash)>,
    captured: Captures,
}

impl Finisher {
    fn close_chrome(&mut self) -> Result<(), Error> {
        let Some(c) = self.chrome.take() else {
            return Ok(());
        };
        let w = c.lock().unwrap_or_else(|p| p.into_inner()).take();
        match w {
            Some(w) => w.finish().map_err(Error::ChromeTrace),
            None => Ok(()),
        }
    }

    fn write_trailer(&mut self, ending: Ending, fuel: u64) -> Result<(), Error> {
        let Some((rec, out, err)) = self.record.take() else {
            return Ok(());
        };
        let trailer = trace_file::Trailer {
            calls: 0,
            stdout: out.digest(),
            stderr: err.digest(),
            ending,
            fuel,
        };
        rec.lock()
            .unwrap_or_else(|p| p.into_inner())
            .finish(&trace_file::encode_trailer_rest(&trailer))
            .map_err(Error::Record)
    }

    /// A run that could not start: the trace is closed with the error.
    fn fail(&mut self, message: String, fuel: u64) -> Result<(), Error> {
        self.close_chrome()?;
        self.write_trailer(Ending::Error(message), fuel)
    }
}

/// The settings of a deterministic execution.
pub(crate) struct Det {
    /// Seed of the random bytes.
    pub seed: u64,
    /// The virtual clock, fed by the runtime.
    pub clock: FuelClock,
    /// Stdin as a tape (`None`: the host's, alone).
    pub stdin: Option<StdinTape>,
}

/// The host environment of one execution.
pub(crate) enum HostMode {
    /// The real host.
    Real,
    /// A deterministic host.
    Det(Det),
    /// Every call served from a trace.
    Replay(Box<ReplayHost>, RunPosition),
}

/// Recording: the recorder, the position tags, and the output hashes.
pub(crate) enum Wrap {
    Record(SharedRecorder, RunPosition, (SharedHash, SharedHash)),
}

/// The root's stdio streams (`None`: the builder's inherited default).
pub(crate) struct RootIo {
    pub stdin: Option<Box<dyn InputStream>>,
    pub stdout: Option<Box<dyn OutputStream>>,
    pub stderr: Option<Box<dyn OutputStream>>,
}

/// Where the root's stdout and stderr are captured, if they are.
pub(crate) type Captures = (Option<Captured>, Option<Captured>);

impl RootIo {
    /// The streams behind `stdin`, `stdout` and `stderr`
    /// ([`stdio::output_stream`]: `deterministic` keeps the host's streams
    /// from being reported as terminals), and where the outputs are captured.
    pub(crate) fn new(
        stdin: Option<Box<dyn InputStream>>,
        stdout: Output,
        stderr: Output,
        deterministic: bool,
    ) -> (RootIo, Captures) {
        let mut captured = (None, None);
        let io = RootIo {
            stdin,
            stdout: stdio::output_stream(stdout, PlainStdio::Out, deterministic, &mut captured.0),
            stderr: stdio::output_stream(stderr, PlainStdio::Err, deterministic, &mut captured.1),
        };
        (io, captured)
    }

    /// Passes stdout and stderr through `out` and `err`, which hash what
    /// they write (the host's own streams where they were `None`).
    pub(crate) fn hashed(&mut self, out: SharedHash, err: SharedHash) {
        self.stdout = Some(Box::new(HashedStream::new(
            self.stdout
                .take()
                .unwrap_or_else(|| Box::new(PlainStdio::Out)),
            out,
        )));
        self.stderr = Some(Box::new(HashedStream::new(
            self.stderr
                .take()
                .unwrap_or_else(|| Box::new(PlainStdio::Err)),
            err,
        )));
    }
}

/// Builds the runtime for `plan` with its root spawned. `Ok(None)`: the
/// root module has no `_start`.
pub(crate) fn build(
    plan: &Plan,
    host: HostMode,
    wrap: Option<Wrap>,
    io: RootIo,
    sinks: Vec<EventSink>,
    funcs: &[HostFuncDef],
) -> Result<Option<Runtime>, Error> {
    build_with(plan, host, wrap, io, sinks, funcs, None)
}

/// The modules of a plan compiled once, for many runs of it (explore).
pub(crate) struct Compiled {
    pub engine: wasiproc_engine::Engine,
    /// The root module, `None` when it has no `_start`.
    pub root: Option<Module>,
    pub modules: Vec<(String, Module)>,
}

impl Compiled {
    /// Compiles `plan`'s modules with an engine for its runs.
    pub(crate) fn new(plan: &Plan) -> Result<Compiled, Error> {
        let engine = Runtime::engine_for(&RuntimeConfig {
            canonicalize_nans: plan.deterministic,
            ..RuntimeConfig::default()
        });
        let root = Module::new(&engine, &plan.root).map_err(|e| Error::Module {
            name: plan.root_name.clone(),
            message: one_line(e),
        })?;
        let mut modules = Vec::new();
        for (name, bytes) in &plan.modules {
            let m = Module::new(&engine, bytes).map_err(|e| Error::Module {
                name: name.clone(),
                message: one_line(e),
            })?;
            modules.push((name.clone(), m));
        }
        Ok(Compiled {
            engine,
            root: root.get_export("_start").is_some().then_some(root),
            modules,
        })
    }
}

/// [`build`], with the plan's modules already compiled (`compiled`) and
/// the schedule's preemption points kept (`record_points`).
pub(crate) fn build_with(
    plan: &Plan,
    host: HostMode,
    wrap: Option<Wrap>,
    mut io: RootIo,
    sinks: Vec<EventSink>,
    funcs: &[HostFuncDef],
    reuse: Option<(&Compiled, bool)>,
) -> Result<Option<Runtime>, Error> {
    let mut config = RuntimeConfig {
        slice: plan.slice.max(1),
        max_processes: plan.max_processes.max(1),
        canonicalize_nans: plan.deterministic,
        schedule: plan.schedule.clone(),
        record_points: reuse.is_some_and(|(_, r)| r),
        ..RuntimeConfig::default()
    };
    let base: Box<dyn HostEnv> = match host {
        HostMode::Replay(host, pos) => {
            config.fuel_clock = Some(pos.fuel.clone());
            config.pid_cell = Some(pos.pid.clone());
            host
        }
        HostMode::Det(det) => {
            config.fuel_clock = Some(det.clock.clone());
            let host = DeterministicHost::new(det.seed, det.clock);
            Box::new(match det.stdin {
                Some(tape) => host.with_stdin(tape),
                None => host,
            })
        }
        HostMode::Real => Box::new(RealHost::new()),
    };
    let host: Box<dyn HostEnv> = match wrap {
        Some(Wrap::Record(rec, pos, (out, err))) => {
            config.fuel_clock = Some(pos.fuel.clone());
            config.pid_cell = Some(pos.pid.clone());
            io.hashed(out, err);
            Box::new(RecordingHost::new(base, rec, pos))
        }
        None => base,
    };
    let mut rt = match reuse {
        Some((c, _)) => Runtime::with_engine(config, host, c.engine.clone()),
        None => Runtime::new(config, host),
    }
    .map_err(|e| Error::Setup(one_line(e)))?;
    for f in funcs {
        let call = f.f.clone();
        rt.linker_mut()
            .func_new(
                &f.module,
                &f.name,
                f.ty.clone(),
                move |caller, params, results| call(HostCall::new(caller), params, results),
            )
            .map_err(|e| {
                Error::Setup(format!(
                    "host function {}.{}: {}",
                    f.module,
                    f.name,
                    one_line(e)
                ))
            })?;
    }
    let mut allow = BTreeSet::new();
    let module = match reuse {
        Some((c, _)) => {
            let Some(root) = c.root.clone() else {
                return Ok(None);
            };
            for (name, m) in &c.modules {
                rt.register(name, m.clone());
                allow.insert(name.clone());
            }
            root
        }
        None => {
            let module = Module::new(rt.engine(), &plan.root).map_err(|e| Error::Module {
                name: plan.root_name.clone(),
                message: one_line(e),
            })?;
            if module.get_export("_start").is_none() {
                return Ok(None);
            }
            for (name, bytes) in &plan.modules {
                let m = Module::new(rt.engine(), bytes).map_err(|e| Error::Module {
                    name: name.clone(),
                    message: one_line(e),
                })?;
                rt.register(name, m);
                allow.insert(name.clone());
            }
            module
        }
    };
    let ctx = build_ctx(plan, Some(rt.host()), io)?;
    let limits = Limits {
        fuel: plan.fuel,
        memory: plan.max_memory,
        fds: Some(ROOT_MAX_FDS),
        ..Limits::default()
    };
    if !sinks.is_empty() {
        let mut sinks = sinks;
        rt.set_event_sink(move |e: &Event| {
            for s in sinks.iter_mut() {
                s(e);
            }
        });
    }
    rt.spawn_root(&module, &plan.root_name, ctx, allow, limits)
        .map_err(|e| Error::Module {
            name: plan.root_name.clone(),
            message: one_line(e),
        })?;
    Ok(Some(rt))
}

/// Builds the root's WASI context from a plan.
fn build_ctx(plan: &Plan, host: Option<SharedHost>, io: RootIo) -> Result<WasiCtx, Error> {
    let mut b = WasiCtx::builder();
    if let Some(host) = host {
        b.host_env(host);
    }
    b.inherit_stdin();
    if let Some(s) = io.stdin {
        b.stdin(BoxedInput(s));
    }
    match io.stdout {
        Some(s) => b.stdout(BoxedOutput(s)),
        None => b.inherit_stdout(),
    };
    match io.stderr {
        Some(s) => b.stderr(BoxedOutput(s)),
        None => b.inherit_stderr(),
    };
    b.arg(plan.root_name.as_str());
    b.args(plan.args.iter().cloned());
    for (k, v) in &plan.env {
        b.env(k.as_str(), v.as_str());
    }
    for addr in &plan.listeners {
        b.tcp_listener(addr.as_str());
    }
    for g in &plan.grants {
        if g.read_only {
            b.preopened_dir_read_only(g.host.as_str(), g.guest.as_str());
        } else {
            b.preopened_dir(g.host.as_str(), g.guest.as_str());
        }
    }
    b.build().map_err(|e| Error::Setup(e.to_string()))
}

/// A boxed input stream as a stream (the builder takes `impl`).
struct BoxedInput(Box<dyn InputStream>);

impl InputStream for BoxedInput {
    fn read(&mut self, buf: &mut [u8]) -> Result<wasiproc_wasi::StreamRead, Errno> {
        self.0.read(buf)
    }
    fn ready(&mut self) -> bool {
        self.0.ready()
    }
    fn is_terminal(&self) -> bool {
        self.0.is_terminal()
    }
    fn try_clone(&self) -> Option<Box<dyn InputStream>> {
        self.0.try_clone()
    }
    fn wake_key(&self) -> Option<u64> {
        self.0.wake_key()
    }
}

/// A boxed output stream as a stream (the builder takes `impl`).
struct BoxedOutput(Box<dyn OutputStream>);

impl OutputStream for BoxedOutput {
    fn write(&mut self, buf: &[u8]) -> Result<wasiproc_wasi::StreamWrite, Errno> {
        self.0.write(buf)
    }
    fn ready(&mut self) -> bool {
        self.0.ready()
    }
    fn is_terminal(&self) -> bool {
        self.0.is_terminal()
    }
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        self.0.try_clone()
    }
    fn wake_key(&self) -> Option<u64> {
        self.0.wake_key()
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })
}

/// Reads `path` beneath the host directory `dir` with the resolution a
/// guest's `path_open` gets (the same [`RealHost`] and cap-std): `..` above
/// the directory, absolute paths and symbolic links that lead out of it are
/// refused.
fn read_in_grant(dir: &str, path: &str) -> Result<Vec<u8>, Errno> {
    let mut host = RealHost::new();
    let d = host.open_preopen(Path::new(dir))?;
    let req = OpenRequest {
        follow: true,
        read: true,
        ..OpenRequest::default()
    };
    let (file, kind) = host.open_at(d, path, &req)?;
    if kind == Filetype::Directory {
        return Err(Errno::Isdir);
    }
    let size = usize::try_from(host.filestat(file)?.size).map_err(|_| Errno::Fbig)?;
    let mut bytes = Vec::new();
    bytes.try_reserve(size).map_err(|_| Errno::Nomem)?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = host.read_at(file, &mut buf, bytes.len() as u64)?;
        if n == 0 {
            return Ok(bytes);
        }
        bytes.try_reserve(n).map_err(|_| Errno::Nomem)?;
        bytes.extend_from_slice(&buf[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_in_view_is_read_through_the_grant_with_the_longest_guest_path() {
        let top = std::env::temp_dir().join(format!("wasiproc-view-{}", std::process::id()));
        let (outer, inner) = (top.join("outer"), top.join("inner"));
        std::fs::create_dir_all(outer.join("data")).unwrap();
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::write(outer.join("data/x.wasm"), b"outer").unwrap();
        std::fs::write(inner.join("x.wasm"), b"inner").unwrap();
        std::fs::write(outer.join("y.wasm"), b"y").unwrap();
        let mut run = Run::new("root.wasm", Vec::new());
        run.dir(outer.to_string_lossy(), "/")
            .dir_read_only(inner.to_string_lossy(), "/data");
        run.allow_command_in_view("/data/x.wasm").unwrap();
        run.allow_command_in_view("./y.wasm").unwrap();
        assert_eq!(
            run.plan.modules,
            vec![
                ("/data/x.wasm".to_string(), b"inner".to_vec()),
                ("./y.wasm".to_string(), b"y".to_vec())
            ]
        );
        assert!(matches!(
            run.allow_command_in_view("/data/../../inner/x.wasm"),
            Err(Error::CommandUnreadable { .. })
        ));
        let mut bare = Run::new("root.wasm", Vec::new());
        assert!(matches!(
            bare.allow_command_in_view("x.wasm"),
            Err(Error::NotInView(_))
        ));
        let _ = std::fs::remove_dir_all(&top);
    }
}
