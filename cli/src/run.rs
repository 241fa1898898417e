//! `wasiproc run`: run a WASI preview1 program as the root process of a
//! process tree.
//!
//! This file only turns flags into a [`WasiCtx`], spawn permissions and
//! limits, and reports the result. Programs run under the process runtime
//! (`wasiproc_process`), so they may spawn the modules `--allow-command`
//! names; `--invoke` calls an export directly with `wasiproc_wasi::run`.
//! `--deterministic` swaps the host environment for a
//! [`DeterministicHost`]; `--check-determinism` (in `check.rs`) runs
//! [`execute`] twice and compares; `--trace-events` (in `trace.rs`) turns
//! the scheduler's events into a timeline.

use crate::output::{
    CompareStdio, HashedStdio, SharedCompare, SharedHash, SharedSpool, SpoolStdio,
};
use crate::trace::{TimeBase, TraceWriter};
use crate::{CliError, Outcome};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use wasiproc_engine::{Module, Trap};
use wasiproc_process::{
    Event, EventSink, Limits, RunError as ProcRunError, RunReport, Runtime, RuntimeConfig,
    SharedHost,
};
use wasiproc_wasi::host::OpenRequest;
use wasiproc_wasi::host::record::SharedRecorder;
use wasiproc_wasi::run::format_val;
use wasiproc_wasi::stream::{HostStderr, HostStdout, OutputStream, StreamWrite};
use wasiproc_wasi::types::Filetype;
use wasiproc_wasi::{
    DeterministicHost, Errno, FuelClock, HostEnv, RealHost, RecordingHost, ReplayHost, RunError,
    RunOptions, RunOutcome, RunPosition, StdinTape, WasiCtx,
};

/// Descriptors the root process (and, by default, each child) may hold when
/// it creates pipes, as Linux's usual soft limit: without one a guest could
/// grow the host's memory without bound by creating pipes.
pub const ROOT_MAX_FDS: u32 = 1024;

/// Exit code of a run whose guest trapped (128 + SIGABRT, as wasmtime).
pub const TRAP_EXIT_CODE: i32 = 134;

/// Arguments of `wasiproc run`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Deterministic runs: with --deterministic the same program, arguments, \
                  environment, stdin and files give the same output, exit status and fuel on \
                  every run and machine: clocks are virtual (they start at \
                  2000-01-01T00:00:00Z and advance 1 ns per unit of fuel; sleeps return at once \
                  with the clock moved to their deadline), random bytes come from xoshiro256** \
                  seeded by --seed, NaN results are canonical, a stdin read waits until it can \
                  fill its buffer or the input ends, and stdio never reports a terminal. See \
                  docs/determinism.md.\n\n\
                  Exit status: the guest's exit code; 134 when the guest traps (the trap and a \
                  Wasm backtrace go to stderr); 1 when wasiproc itself fails (missing file, \
                  invalid module, unknown import) or --check-determinism finds a difference; 2 \
                  for bad command-line flags."
)]
pub struct Args {
    /// Grant the host directory HOST to the guest, read-write, at GUEST
    /// (default: the same path as HOST). Repeatable.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    pub dirs: Vec<String>,

    /// Grant the host directory HOST read-only at GUEST: nothing beneath it
    /// can be created, written, renamed, removed or touched. Repeatable.
    #[arg(long = "dir-ro", value_name = "HOST[::GUEST]")]
    pub dirs_ro: Vec<String>,

    /// Grant the host directory HOST, read-write, at GUEST (the older
    /// spelling of --dir with the two paths swapped). Repeatable.
    #[arg(long = "mapdir", value_name = "GUEST::HOST")]
    pub mapdirs: Vec<String>,

    /// Set the environment variable NAME to VALUE for the guest; with only
    /// NAME, pass the host's value (skipped when the host has none). The
    /// guest sees no other variables. Repeatable.
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    pub envs: Vec<String>,

    /// Total fuel budget: the guest traps with "out of fuel" when it is used
    /// up. Without it the budget is unlimited (fuel is still counted: it
    /// drives the scheduler and `--summary`).
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,

    /// Most bytes the run's processes may hold in all: linear memories,
    /// tables, stacks and what the host keeps for them (suffixes K, M, G for
    /// KiB, MiB, GiB; SECURITY.md); growth beyond fails as memory.grow -1.
    #[arg(long = "max-memory", value_name = "BYTES", value_parser = parse_size)]
    pub max_memory: Option<usize>,

    /// Allow the program to spawn MODULE, a path in the guest's filesystem
    /// view (resolved through --dir/--mapdir grants, e.g. `child.wasm` under
    /// `--mapdir /::DIR`), or NAME=HOSTPATH to register a module outside it.
    /// Repeatable.
    #[arg(long = "allow-command", value_name = "MODULE|NAME=HOSTPATH")]
    pub allow_commands: Vec<String>,

    /// Most processes alive at once in the run (the root included); spawning
    /// past it fails with EAGAIN.
    #[arg(long = "max-processes", value_name = "N", default_value_t = 10_000)]
    pub max_processes: usize,

    /// Fuel per scheduling slice: how long a process runs before the next
    /// one gets its turn.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub slice: u64,

    /// At exit, print a table of every process of the run to stderr: pid,
    /// parent, module, fuel used, peak memory, status.
    #[arg(long)]
    pub summary: bool,

    /// Run deterministically: virtual clocks advanced by fuel and by sleeps
    /// (which return at once), seeded random bytes, canonical NaNs, stdin
    /// read in full buffers, stdio not a terminal (see below).
    #[arg(long)]
    pub deterministic: bool,

    /// Seed of the random bytes of a deterministic run (implies
    /// --deterministic; default 0).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Run the program twice, deterministically, with its output captured;
    /// compare stdout, stderr, exit status, the per-process summary and the
    /// scheduler's event log (every slice, block, spawn, kill and exit, with
    /// fuel counts); print "deterministic: 2 runs identical" or the first
    /// difference to stderr; then pass on the first run's output and exit
    /// status (exit 1 if the runs differ). Stdin is read once and given to
    /// both runs; granted directories are not reset between them.
    #[arg(long, conflicts_with = "invoke")]
    pub check_determinism: bool,

    /// Write a timeline of the run to FILE as Chrome Trace Event JSON (open
    /// it in ui.perfetto.dev or chrome://tracing): a track per process with
    /// its running slices, blocked periods (with the reason) and spawn, kill
    /// and exit events. Timestamps are virtual time (1 ns per unit of fuel)
    /// in a deterministic run, real time otherwise.
    #[arg(long = "trace-events", value_name = "FILE", conflicts_with = "invoke")]
    pub trace_events: Option<PathBuf>,

    /// Record the run into FILE: the modules, arguments, environment,
    /// grants and limits, every result that crossed the sandbox boundary
    /// (clocks, random bytes, stdin, host filesystem), and the outputs and
    /// exit status. `wasiproc replay FILE` reproduces the run from it alone.
    /// Stdio is never reported as a terminal. See docs/trace-format.md.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["invoke", "check_determinism"]
    )]
    pub record: Option<PathBuf>,

    /// Call the exported function FUNC instead of `_start` (for modules
    /// without `_start`); ARGS are its arguments, parsed by its parameter
    /// types, and its results are printed one per line.
    #[arg(long, value_name = "FUNC")]
    pub invoke: Option<String>,

    /// The WebAssembly module (binary .wasm).
    #[arg(value_name = "MODULE")]
    pub module: PathBuf,

    /// Arguments for the guest (after the module name; put `--` first when
    /// they start with `-`).
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub args: Vec<String>,
}

/// Parses a byte count with an optional K/M/G (binary) suffix.
pub(crate) fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (digits, mult) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        None => (t, 1usize),
        Some((i, _)) => {
            let mult = match t[i..].to_ascii_lowercase().as_str() {
                "k" | "kb" | "kib" => 1 << 10,
                "m" | "mb" | "mib" => 1 << 20,
                "g" | "gb" | "gib" => 1 << 30,
                "b" => 1,
                _ => return Err(format!("unknown size suffix in {s:?}")),
            };
            (&t[..i], mult)
        }
    };
    let n: usize = digits
        .parse()
        .map_err(|_| format!("not a byte count: {s:?}"))?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("size too large: {s:?}"))
}

/// Splits `A::B` into its two halves; without `::`, both are `A`.
fn split_pair(s: &str) -> (String, String) {
    match s.split_once("::") {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (s.to_string(), s.to_string()),
    }
}

/// The directory grants of the flags as (host, guest) pairs.
fn grants(args: &Args) -> Result<Vec<(String, String)>, CliError> {
    let mut out = Vec::new();
    for d in args.dirs.iter().chain(&args.dirs_ro) {
        out.push(split_pair(d));
    }
    for d in &args.mapdirs {
        let Some((guest, host)) = d.split_once("::") else {
            return Err(CliError(format!("--mapdir needs GUEST::HOST, got {d:?}")));
        };
        out.push((host.to_string(), guest.to_string()));
    }
    Ok(out)
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

/// Reads the `--allow-command` modules: (name, bytes). `NAME=HOSTPATH` is
/// a host path the user gave and is read as it is; `MODULE` is a path in
/// the guest's view, read through the grant that holds it.
fn allowed_modules(args: &Args) -> Result<Vec<(String, Vec<u8>)>, CliError> {
    let grants = grants(args)?;
    let mut out = Vec::new();
    for spec in &args.allow_commands {
        if let Some((name, host)) = spec.split_once('=') {
            let bytes = std::fs::read(host).map_err(|e| {
                CliError(format!("--allow-command {name}: cannot read {host}: {e}"))
            })?;
            out.push((name.to_string(), bytes));
            continue;
        }
        let abs = |p: &str| format!("/{}", p.trim_start_matches("./").trim_start_matches('/'));
        let want = abs(spec);
        let found = grants.iter().find_map(|(host, guest)| {
            let dir = abs(guest);
            let dir = dir.trim_end_matches('/');
            let rest = want.strip_prefix(dir)?.strip_prefix('/')?;
            Some((host, guest, rest))
        });
        let Some((host, guest, rest)) = found else {
            return Err(CliError(format!(
                "--allow-command {spec}: not in the guest's filesystem view \
                 (grant its directory with --dir/--mapdir, or use NAME=HOSTPATH)"
            )));
        };
        let bytes = read_in_grant(host, rest).map_err(|e| {
            let why = match e {
                Errno::Perm | Errno::Notcapable => {
                    "the path leaves the granted directory".to_string()
                }
                e => e.to_string(),
            };
            CliError(format!(
                "--allow-command {spec}: cannot open it in the directory granted at {guest}: {why}"
            ))
        })?;
        out.push((spec.clone(), bytes));
    }
    Ok(out)
}

/// The host's stdout or stderr, never reported as a terminal: whether
/// wasiproc's output goes to a terminal must not change what a
/// deterministic run's guest sees.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PlainStdio {
    /// The host's stdout.
    Out,
    /// The host's stderr.
    Err,
}

impl OutputStream for PlainStdio {
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno> {
        match self {
            PlainStdio::Out => HostStdout.write(buf),
            PlainStdio::Err => HostStderr.write(buf),
        }
    }
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        Some(Box::new(*self))
    }
}

/// Where the root's stdout and stderr go.
pub(crate) enum RootStdio {
    /// The host's own, as they are.
    Inherit,
    /// The host's own, never reported as terminals (deterministic runs).
    Plain,
    /// The host's own, never terminals, with the length and SHA-256 of
    /// what was written kept.
    Hashed(SharedHash, SharedHash),
    /// Kept (in memory, then in a temporary file), not written.
    Spool(SharedSpool, SharedSpool),
    /// Compared with another execution's kept output, not written.
    Compare(SharedCompare, SharedCompare),
}

/// The host environment of a recording or replaying execution.
pub(crate) enum Wrap {
    /// Record every host call into the trace.
    Record(SharedRecorder, RunPosition),
    /// Serve every host call from a trace.
    Replay(Box<ReplayHost>, RunPosition),
}

/// Builds the guest's WASI context from a plan.
fn build_ctx(plan: &Plan, host: Option<SharedHost>, stdio: RootStdio) -> Result<WasiCtx, CliError> {
    let mut b = WasiCtx::builder();
    if let Some(host) = host {
        b.host_env(host);
    }
    b.inherit_stdin();
    match stdio {
        RootStdio::Inherit => {
            b.inherit_stdout().inherit_stderr();
        }
        RootStdio::Plain => {
            b.stdout(PlainStdio::Out).stderr(PlainStdio::Err);
        }
        RootStdio::Hashed(out, err) => {
            b.stdout(HashedStdio::new(PlainStdio::Out, out))
                .stderr(HashedStdio::new(PlainStdio::Err, err));
        }
        RootStdio::Spool(out, err) => {
            b.stdout(SpoolStdio(out)).stderr(SpoolStdio(err));
        }
        RootStdio::Compare(out, err) => {
            b.stdout(CompareStdio(out)).stderr(CompareStdio(err));
        }
    }
    b.arg(plan.root_name.as_str());
    b.args(plan.args.iter().cloned());
    for (k, v) in &plan.env {
        b.env(k.as_str(), v.as_str());
    }
    for g in &plan.grants {
        if g.read_only {
            b.preopened_dir_read_only(g.host.as_str(), g.guest.as_str());
        } else {
            b.preopened_dir(g.host.as_str(), g.guest.as_str());
        }
    }
    b.build().map_err(|e| CliError(e.to_string()))
}

/// A directory grant: host path, guest path, read-only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    /// The host directory (as given on the command line).
    pub host: String,
    /// Where the guest sees it.
    pub guest: String,
    /// Nothing beneath it may change.
    pub read_only: bool,
}

/// Everything a run is made of once the flags are resolved and the files
/// read: what `--record` writes into a trace's header and `replay` runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The root's name: argv[0] and its process name (the path as given).
    pub root_name: String,
    /// The root module's bytes.
    pub root: Vec<u8>,
    /// The modules the run may spawn: (name, bytes).
    pub modules: Vec<(String, Vec<u8>)>,
    /// The guest's arguments after argv[0].
    pub args: Vec<String>,
    /// The guest's environment, resolved.
    pub env: Vec<(String, String)>,
    /// Directory grants, in the order they are preopened.
    pub grants: Vec<Grant>,
    /// `--fuel`.
    pub fuel: Option<u64>,
    /// `--max-memory`.
    pub max_memory: Option<usize>,
    /// `--max-processes`.
    pub max_processes: usize,
    /// `--slice`.
    pub slice: u64,
    /// Deterministic run (canonical NaNs, virtual clocks).
    pub deterministic: bool,
    /// Seed of a deterministic run.
    pub seed: u64,
}

impl Plan {
    /// Resolves the flags and reads the modules.
    pub(crate) fn from_args(args: &Args) -> Result<Plan, CliError> {
        let root = std::fs::read(&args.module)
            .map_err(|e| CliError(format!("cannot read {}: {e}", args.module.display())))?;
        let mut env = Vec::new();
        for e in &args.envs {
            match e.split_once('=') {
                Some((k, v)) => env.push((k.to_string(), v.to_string())),
                None => {
                    if let Ok(v) = std::env::var(e) {
                        env.push((e.clone(), v));
                    }
                }
            }
        }
        let mut grants = Vec::new();
        for d in &args.dirs {
            let (host, guest) = split_pair(d);
            grants.push(Grant {
                host,
                guest,
                read_only: false,
            });
        }
        for d in &args.mapdirs {
            let Some((guest, host)) = d.split_once("::") else {
                return Err(CliError(format!("--mapdir needs GUEST::HOST, got {d:?}")));
            };
            grants.push(Grant {
                host: host.to_string(),
                guest: guest.to_string(),
                read_only: false,
            });
        }
        for d in &args.dirs_ro {
            let (host, guest) = split_pair(d);
            grants.push(Grant {
                host,
                guest,
                read_only: true,
            });
        }
        let modules = allowed_modules(args)?;
        Ok(Plan {
            root_name: args.module.to_string_lossy().to_string(),
            root,
            modules,
            args: args.args.clone(),
            env,
            grants,
            fuel: args.fuel,
            max_memory: args.max_memory,
            max_processes: args.max_processes.max(1),
            slice: args.slice.max(1),
            deterministic: args.is_deterministic(),
            seed: args.seed(),
        })
    }
}

/// A trap and its Wasm backtrace, as printed to stderr.
pub(crate) fn trap_text(trap: &Trap) -> String {
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

/// Prints a trap and its Wasm backtrace to stderr (a closed stderr is not
/// an error of the run).
pub(crate) fn report_trap(trap: &Trap) {
    use std::io::Write;
    let _ = std::io::stderr()
        .lock()
        .write_all(crate::escape_lines(&trap_text(trap)).as_bytes());
}

/// One line, even when a message embeds a multi-line dump.
pub(crate) fn one_line(msg: impl std::fmt::Display) -> String {
    msg.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The settings of a deterministic execution.
pub(crate) struct Det {
    /// Seed of the random bytes.
    pub seed: u64,
    /// The virtual clock, fed by the runtime.
    pub clock: FuelClock,
    /// Stdin shared with another execution (`None`: the host's, alone).
    pub stdin: Option<StdinTape>,
}

/// How one execution of the program is set up.
pub(crate) struct Mode {
    /// Deterministic, or real (`None`).
    pub det: Option<Det>,
    /// Where the root's stdout and stderr go.
    pub stdio: RootStdio,
    /// Where the scheduler's events go.
    pub sink: Option<EventSink>,
    /// Recording or replaying.
    pub wrap: Option<Wrap>,
}

/// What one execution produced.
pub(crate) struct Finished {
    /// The report, or why the run failed (deadlock, ...).
    pub result: Result<RunReport, ProcRunError>,
    /// Fuel consumed by the whole run.
    pub fuel: u64,
}

impl Args {
    /// Whether the run is deterministic.
    pub(crate) fn is_deterministic(&self) -> bool {
        self.deterministic || self.seed.is_some() || self.check_determinism
    }

    /// The seed of a deterministic run.
    pub(crate) fn seed(&self) -> u64 {
        self.seed.unwrap_or(0)
    }
}

/// Loads the modules, builds the runtime and runs the root process.
/// `Ok(None)`: the module has no `_start`, so there is no process to run.
pub(crate) fn execute(args: &Args, mode: Mode) -> Result<Option<Finished>, CliError> {
    execute_plan(&Plan::from_args(args)?, mode)
}

/// Builds the runtime for `plan` and runs its root process.
pub(crate) fn execute_plan(plan: &Plan, mode: Mode) -> Result<Option<Finished>, CliError> {
    let mut config = RuntimeConfig {
        slice: plan.slice.max(1),
        max_processes: plan.max_processes.max(1),
        canonicalize_nans: plan.deterministic,
        ..RuntimeConfig::default()
    };
    let base: Option<Box<dyn HostEnv>> = match (mode.det, &mode.wrap) {
        (_, Some(Wrap::Replay(..))) => None,
        (Some(det), _) => {
            config.fuel_clock = Some(det.clock.clone());
            let host = DeterministicHost::new(det.seed, det.clock);
            Some(Box::new(match det.stdin {
                Some(tape) => host.with_stdin(tape),
                None => host,
            }))
        }
        (None, _) => Some(Box::new(RealHost::new())),
    };
    let host: Box<dyn HostEnv> = match (mode.wrap, base) {
        (Some(Wrap::Record(rec, pos)), Some(base)) => {
            config.fuel_clock = Some(pos.fuel.clone());
            config.pid_cell = Some(pos.pid.clone());
            Box::new(RecordingHost::new(base, rec, pos))
        }
        (Some(Wrap::Replay(host, pos)), _) => {
            config.fuel_clock = Some(pos.fuel.clone());
            config.pid_cell = Some(pos.pid.clone());
            host
        }
        (_, Some(base)) => base,
        (_, None) => return Err(CliError("no host environment".into())),
    };
    let mut rt = Runtime::new(config, host).map_err(|e| CliError(one_line(e)))?;
    let module = Module::new(rt.engine(), &plan.root)
        .map_err(|e| CliError(format!("{}: {}", plan.root_name, one_line(e))))?;
    if module.get_export("_start").is_none() {
        return Ok(None);
    }
    let mut allow = BTreeSet::new();
    for (name, bytes) in &plan.modules {
        let m = Module::new(rt.engine(), bytes)
            .map_err(|e| CliError(format!("{name}: {}", one_line(e))))?;
        rt.register(name, m);
        allow.insert(name.clone());
    }
    let ctx = build_ctx(plan, Some(rt.host()), mode.stdio)?;
    let limits = Limits {
        fuel: plan.fuel,
        memory: plan.max_memory,
        fds: Some(ROOT_MAX_FDS),
        ..Limits::default()
    };
    if let Some(sink) = mode.sink {
        rt.set_event_sink(sink);
    }
    rt.spawn_root(&module, &plan.root_name, ctx, allow, limits)
        .map_err(|e| CliError(format!("{}: {}", plan.root_name, one_line(e))))?;
    let result = rt.run();
    Ok(Some(Finished {
        result,
        fuel: rt.fuel_consumed(),
    }))
}

/// A trace writer shared with the event sink that feeds it.
pub(crate) type SharedTrace = Arc<Mutex<TraceWriter>>;

/// Creates the `--trace-events` file, if asked for.
pub(crate) fn open_trace(args: &Args, det: Option<&Det>) -> Result<Option<SharedTrace>, CliError> {
    let Some(path) = &args.trace_events else {
        return Ok(None);
    };
    let time = match det {
        Some(d) => TimeBase::Virtual(d.clock.clone()),
        None => TimeBase::Real(None),
    };
    let title = args.module.to_string_lossy();
    let w = TraceWriter::create(path, &title, time)?;
    Ok(Some(Arc::new(Mutex::new(w))))
}

/// Feeds `trace` from a run's events.
pub(crate) fn trace_sink(trace: &SharedTrace) -> impl FnMut(&Event) + Send + 'static {
    let trace = trace.clone();
    move |e| trace.lock().unwrap_or_else(|p| p.into_inner()).event(e)
}

/// Completes the trace file once the run (and its sink) is gone.
pub(crate) fn close_trace(trace: Option<SharedTrace>) -> Result<(), CliError> {
    let Some(trace) = trace else { return Ok(()) };
    let w = match Arc::try_unwrap(trace) {
        Ok(m) => m.into_inner().unwrap_or_else(|p| p.into_inner()),
        Err(_) => return Err(CliError("the trace is still in use".into())),
    };
    w.finish()
}

/// Runs the module as the root process; its exit code becomes the outcome.
pub fn run(args: &Args) -> Result<Outcome, CliError> {
    if args.invoke.is_some() {
        return run_single(args);
    }
    if args.check_determinism {
        return crate::check::run(args);
    }
    let det = args.is_deterministic().then(|| Det {
        seed: args.seed(),
        clock: FuelClock::new(),
        stdin: None,
    });
    if let Some(path) = &args.record {
        return crate::record::run(args, path, det);
    }
    let trace = open_trace(args, det.as_ref())?;
    let stdio = if det.is_some() {
        RootStdio::Plain
    } else {
        RootStdio::Inherit
    };
    let sink = trace.as_ref().map(|t| Box::new(trace_sink(t)) as EventSink);
    let finished = execute(
        args,
        Mode {
            det,
            stdio,
            sink,
            wrap: None,
        },
    );
    close_trace(trace)?;
    match finished? {
        Some(f) => report(args, f),
        // Nothing to run as a process: instantiate only, as wasmtime does.
        None => run_single(args),
    }
}

/// Prints what the run left to say (a trap, the summary) and maps its
/// result to the outcome.
pub(crate) fn report(args: &Args, finished: Finished) -> Result<Outcome, CliError> {
    match finished.result {
        Ok(report) => {
            if let Some(trap) = &report.trap {
                report_trap(trap);
            }
            if args.summary {
                print_summary(&report.processes);
            }
            Ok(Outcome::Exit(report.status.shell_code()))
        }
        Err(e) => Err(run_error(e)),
    }
}

/// The one-line message of a failed run.
pub(crate) fn run_error(e: ProcRunError) -> CliError {
    match e {
        ProcRunError::Engine(e) => CliError(one_line(e)),
        e => CliError(e.to_string()),
    }
}

/// Prints the per-process table of `--summary` to stderr.
fn print_summary(processes: &[wasiproc_process::ProcessSummary]) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "{:>6} {:>6} {:<28} {:>14} {:>12}  status",
        "pid", "parent", "module", "fuel", "peak mem"
    );
    for p in processes {
        let _ = writeln!(
            err,
            "{:>6} {:>6} {:<28} {:>14} {:>12}  {}",
            p.pid.0,
            p.parent.0,
            crate::escape_controls(&p.module),
            p.fuel,
            p.peak_memory,
            crate::escape_controls(&p.status.to_string())
        );
    }
}

/// `--invoke`: calls one export in a single process.
fn run_single(args: &Args) -> Result<Outcome, CliError> {
    let plan = Plan::from_args(args)?;
    let wasm = &plan.root;
    let ctx = if args.is_deterministic() {
        let host = DeterministicHost::new(args.seed(), FuelClock::new());
        build_ctx(
            &plan,
            Some(SharedHost::new(Box::new(host))),
            RootStdio::Plain,
        )?
    } else {
        build_ctx(&plan, None, RootStdio::Inherit)?
    };
    let opts = RunOptions {
        fuel: args.fuel,
        max_memory: args.max_memory,
        invoke: args.invoke.clone(),
        invoke_args: if args.invoke.is_some() {
            args.args.clone()
        } else {
            Vec::new()
        },
        canonicalize_nans: args.is_deterministic(),
    };
    match wasiproc_wasi::run(wasm, ctx, &opts) {
        Ok(RunOutcome::Exited(code)) => Ok(Outcome::Exit(code)),
        Ok(RunOutcome::Returned(vals)) => {
            let mut text = String::new();
            for v in &vals {
                text.push_str(&format_val(v));
                text.push('\n');
            }
            crate::print_out(&text)?;
            Ok(Outcome::Success)
        }
        Err(RunError::Trap(trap)) => {
            report_trap(&trap);
            Ok(Outcome::Exit(TRAP_EXIT_CODE))
        }
        Err(e) => Err(CliError(format!(
            "{}: {}",
            args.module.display(),
            one_line(e)
        ))),
    }
}
