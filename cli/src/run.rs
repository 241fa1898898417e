//! `wasiproc run`: run a WASI preview1 program as the root process of a
//! process tree.
//!
//! This file only turns flags into a [`Run`] (the library's Run API,
//! `wasiproc_process::run`), makes the one call the flags ask for —
//! [`Run::execute`], [`Run::check_determinism`] or [`Run::invoke`] — and
//! prints what it returns. Recording, the trace format, determinism
//! checks and the Chrome trace live in the library.

use crate::{CliError, Outcome, escape_controls};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use wasiproc_engine::Trap;
use wasiproc_process::{Check, Error, Invoked, ProcessSummary, Report, Run, Schedule, trap_text};
use wasiproc_wasi::run::format_val;

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

    /// Grant the program a TCP socket listening on HOST:PORT (port 0: the
    /// system picks one). Listeners are descriptors 3, 4, ... in the order
    /// given, before the granted directories (as wasmtime numbers them);
    /// the program accepts connections with sock_accept and may pass them,
    /// or the listener, to children. Repeatable. See docs/wasi.md.
    #[arg(long = "tcplisten", value_name = "HOST:PORT")]
    pub tcplisten: Vec<String>,

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

    /// Schedule policy: `fifo` (default: a FIFO queue, --slice fuel each),
    /// `random:SEED` (next process and slice length drawn from a seeded
    /// generator), `pct:SEED:DEPTH[:LENGTH]` (random priorities with
    /// DEPTH-1 change points drawn over LENGTH fuel), or
    /// `points:PID@FUEL>NEXT,...` (run each process until it blocks, except
    /// that where process PID has used FUEL of its own fuel, NEXT runs).
    /// Recorded by --record and replayed exactly; see docs/determinism.md.
    #[arg(long, value_name = "POLICY", value_parser = parse_schedule)]
    pub schedule: Option<Schedule>,

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

/// Parses a `--schedule` value.
pub(crate) fn parse_schedule(s: &str) -> Result<Schedule, String> {
    s.parse()
}

/// Splits `A::B` into its two halves; without `::`, both are `A`.
fn split_pair(s: &str) -> (String, String) {
    match s.split_once("::") {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (s.to_string(), s.to_string()),
    }
}

impl Args {
    /// Whether the run is deterministic.
    fn is_deterministic(&self) -> bool {
        self.deterministic || self.seed.is_some() || self.check_determinism
    }
}

/// The flags as a [`Run`]: the module and the commands it may spawn read,
/// the environment resolved, the grants in the order they are preopened
/// (`--tcplisten`, then `--dir`, `--mapdir`, `--dir-ro`).
pub(crate) fn build(args: &Args) -> Result<Run, CliError> {
    let mut run = Run::from_file(&args.module).map_err(|e| CliError(e.to_string()))?;
    for e in &args.envs {
        match e.split_once('=') {
            Some((k, v)) => run.env(k, v),
            None => match std::env::var(e) {
                Ok(v) => run.env(e.as_str(), v),
                Err(_) => &mut run,
            },
        };
    }
    for addr in &args.tcplisten {
        run.tcp_listen(addr.as_str());
    }
    for d in &args.dirs {
        let (host, guest) = split_pair(d);
        run.dir(host, guest);
    }
    for d in &args.mapdirs {
        let Some((guest, host)) = d.split_once("::") else {
            return Err(CliError(format!("--mapdir needs GUEST::HOST, got {d:?}")));
        };
        run.dir(host, guest);
    }
    for d in &args.dirs_ro {
        let (host, guest) = split_pair(d);
        run.dir_read_only(host, guest);
    }
    for spec in &args.allow_commands {
        if let Some((name, host)) = spec.split_once('=') {
            let bytes = std::fs::read(host).map_err(|e| {
                CliError(format!("--allow-command {name}: cannot read {host}: {e}"))
            })?;
            run.allow_command(name, bytes);
            continue;
        }
        run.allow_command_in_view(spec).map_err(|e| match e {
            Error::NotInView(_) => CliError(format!(
                "--allow-command {spec}: not in the guest's filesystem view \
                 (grant its directory with --dir/--mapdir, or use NAME=HOSTPATH)"
            )),
            e => CliError(format!("--allow-command {e}")),
        })?;
    }
    run.args(args.args.iter().cloned())
        .max_processes(args.max_processes)
        .slice(args.slice);
    if let Some(schedule) = &args.schedule {
        run.schedule(schedule.clone());
    }
    if let Some(fuel) = args.fuel {
        run.fuel(fuel);
    }
    if let Some(bytes) = args.max_memory {
        run.max_memory(bytes);
    }
    if args.is_deterministic() {
        run.deterministic(args.seed.unwrap_or(0));
    }
    if let Some(path) = &args.trace_events {
        run.chrome_trace(create(path, "")?);
    }
    Ok(run)
}

/// Creates `path` for writing (`what` names the flag in the error).
fn create(path: &Path, what: &str) -> Result<File, CliError> {
    File::create(path).map_err(|e| CliError(format!("{what}cannot create {}: {e}", path.display())))
}

/// The command line's words for a failed run.
fn error(args: &Args, e: Error) -> CliError {
    let path = |p: &Option<PathBuf>| p.as_deref().map(Path::display).map(|d| d.to_string());
    match e {
        Error::NoStart if args.check_determinism => {
            CliError("--check-determinism needs a module with a _start function".into())
        }
        Error::NoStart => CliError("--record needs a module with _start".into()),
        Error::Record(e) => CliError(format!(
            "--record {}: {e}",
            path(&args.record).unwrap_or_default()
        )),
        Error::ChromeTrace(e) => CliError(format!(
            "cannot write the trace to {}: {e}",
            path(&args.trace_events).unwrap_or_default()
        )),
        Error::Capture { stream, message } => CliError(format!(
            "--check-determinism: cannot keep the first run's {stream}: {message}"
        )),
        e => CliError(e.to_string()),
    }
}

/// Prints a trap and its Wasm backtrace to stderr (a closed stderr is not
/// an error of the run).
pub(crate) fn report_trap(trap: &Trap) {
    let _ = std::io::stderr()
        .lock()
        .write_all(crate::escape_lines(&trap_text(trap)).as_bytes());
}

/// Runs the module as the root process; its exit code becomes the outcome.
pub fn run(args: &Args) -> Result<Outcome, CliError> {
    let mut run = build(args)?;
    if let Some(func) = &args.invoke {
        return invoke(args, &mut run, Some(func));
    }
    if args.check_determinism {
        return check(args, &mut run);
    }
    if let Some(path) = &args.record {
        let file = create(path, "--record: ")?;
        run.record(BufWriter::with_capacity(256 * 1024, file));
    }
    match run.execute() {
        Ok(report) => Ok(finish(args, &report)),
        // Nothing to run as a process: instantiate only, as wasmtime does.
        Err(Error::NoStart) if args.record.is_none() => invoke(args, &mut run, None),
        Err(e) => Err(error(args, e)),
    }
}

/// Prints what the run left to say (a trap, the summary); the root's
/// status becomes the outcome.
fn finish(args: &Args, report: &Report) -> Outcome {
    if let Some(trap) = &report.trap {
        report_trap(trap);
    }
    if args.summary {
        print_summary(&report.processes);
    }
    Outcome::Exit(report.exit_code())
}

/// `--check-determinism`: the verdict to stderr first ("deterministic: 2
/// runs identical ..." or "nondeterministic: ..."), then the first run's
/// stdout and stderr, its trap and summary; its status becomes the exit
/// status — or 1 when the runs differ.
fn check(args: &Args, run: &mut Run) -> Result<Outcome, CliError> {
    let c: Check = run.check_determinism().map_err(|e| error(args, e))?;
    let verdict = match c.differences.first() {
        None => format!(
            "deterministic: 2 runs identical ({} events, {} fuel)",
            c.events, c.fuel
        ),
        Some(first) => {
            let what: Vec<&str> = c.differences.iter().map(|d| d.what).collect();
            format!(
                "nondeterministic: the 2 runs differ in: {}\n  first difference: {}",
                what.join(", "),
                escape_controls(&first.detail)
            )
        }
    };
    let _ = writeln!(std::io::stderr().lock(), "{verdict}");
    // A closed or full stdout ends its copy (the command then fails), not
    // the command.
    let copied = c
        .write_stdout(&mut std::io::stdout().lock())
        .map_err(|e| format!("cannot write the first run's stdout: {e}"));
    let _ = c.write_stderr(&mut std::io::stderr().lock());
    let deterministic = c.is_deterministic();
    let outcome = match c.first {
        Ok(report) => Ok(finish(args, &report)),
        Err(e) => Err(error(args, e)),
    };
    let say = |e: &CliError| {
        let _ = writeln!(std::io::stderr(), "wasiproc: {}", escape_controls(&e.0));
    };
    if let Err(msg) = copied {
        if let Err(e) = &outcome {
            say(e);
        }
        return Err(CliError(msg));
    }
    if deterministic {
        outcome
    } else {
        if let Err(e) = &outcome {
            say(e);
        }
        Ok(Outcome::Failure)
    }
}

/// `--invoke` (and a module without `_start`): calls one export in a
/// single process and prints its results.
fn invoke(args: &Args, run: &mut Run, func: Option<&str>) -> Result<Outcome, CliError> {
    match run.invoke(func, &args.args).map(|i| i.outcome) {
        Ok(Invoked::Exited(code)) => Ok(Outcome::Exit(code)),
        Ok(Invoked::Returned(vals)) => {
            let text: String = vals.iter().map(|v| format_val(v) + "\n").collect();
            crate::print_out(&text)?;
            Ok(Outcome::Success)
        }
        Ok(Invoked::Trapped(trap)) => {
            report_trap(&trap);
            Ok(Outcome::Exit(134))
        }
        Err(Error::Module { message, .. }) => {
            Err(CliError(format!("{}: {message}", args.module.display())))
        }
        Err(e) => Err(CliError(e.to_string())),
    }
}

/// Prints the per-process table of `--summary` to stderr.
fn print_summary(processes: &[ProcessSummary]) {
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
            escape_controls(&p.module),
            p.fuel,
            p.peak_memory,
            escape_controls(&p.status.to_string())
        );
    }
}
