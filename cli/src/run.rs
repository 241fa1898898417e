//! `wasiproc run`: run a WASI preview1 program as the root process of a
//! process tree.
//!
//! This file only turns flags into a [`WasiCtx`], spawn permissions and
//! limits, and reports the result. Programs run under the process runtime
//! (`wasiproc_process`), so they may spawn the modules `--allow-command`
//! names; `--invoke` calls an export directly with `wasiproc_wasi::run`.

use crate::{CliError, Outcome};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use wasiproc_engine::{Module, Trap};
use wasiproc_process::{Limits, RunError as ProcRunError, Runtime, RuntimeConfig, SharedHost};
use wasiproc_wasi::run::format_val;
use wasiproc_wasi::{RealHost, RunError, RunOptions, RunOutcome, WasiCtx};

/// Exit code of a run whose guest trapped (128 + SIGABRT, as wasmtime).
pub const TRAP_EXIT_CODE: i32 = 134;

/// Arguments of `wasiproc run`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: the guest's exit code; 134 when the guest traps (the trap and a \
                  Wasm backtrace go to stderr); 1 when wasiproc itself fails (missing file, \
                  invalid module, unknown import); 2 for bad command-line flags."
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
    /// up. Without it execution is not metered.
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,

    /// Most bytes of linear memory the guest may have (suffixes K, M, G for
    /// KiB, MiB, GiB); growth beyond fails as memory.grow -1.
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
fn parse_size(s: &str) -> Result<usize, String> {
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

/// Resolves `--allow-command` values to (name, host path).
fn allowed_modules(args: &Args) -> Result<Vec<(String, PathBuf)>, CliError> {
    let grants = grants(args)?;
    let mut out = Vec::new();
    for spec in &args.allow_commands {
        if let Some((name, host)) = spec.split_once('=') {
            out.push((name.to_string(), PathBuf::from(host)));
            continue;
        }
        let abs = |p: &str| format!("/{}", p.trim_start_matches("./").trim_start_matches('/'));
        let want = abs(spec);
        let found = grants.iter().find_map(|(host, guest)| {
            let dir = abs(guest);
            let dir = dir.trim_end_matches('/');
            let rest = want.strip_prefix(dir)?.strip_prefix('/')?;
            Some(Path::new(host).join(rest))
        });
        match found {
            Some(path) => out.push((spec.clone(), path)),
            None => {
                return Err(CliError(format!(
                    "--allow-command {spec}: not in the guest's filesystem view \
                     (grant its directory with --dir/--mapdir, or use NAME=HOSTPATH)"
                )));
            }
        }
    }
    Ok(out)
}

/// Builds the guest's WASI context from the flags.
fn build_ctx(args: &Args, host: Option<SharedHost>) -> Result<WasiCtx, CliError> {
    let mut b = WasiCtx::builder();
    if let Some(host) = host {
        b.host_env(host);
    }
    b.inherit_stdio();
    b.arg(args.module.to_string_lossy());
    b.args(args.args.iter().cloned());
    for e in &args.envs {
        match e.split_once('=') {
            Some((k, v)) => {
                b.env(k, v);
            }
            None => {
                if let Ok(v) = std::env::var(e) {
                    b.env(e.as_str(), v);
                }
            }
        }
    }
    for d in &args.dirs {
        let (host, guest) = split_pair(d);
        b.preopened_dir(host, guest);
    }
    for d in &args.mapdirs {
        let Some((guest, host)) = d.split_once("::") else {
            return Err(CliError(format!("--mapdir needs GUEST::HOST, got {d:?}")));
        };
        b.preopened_dir(host, guest);
    }
    for d in &args.dirs_ro {
        let (host, guest) = split_pair(d);
        b.preopened_dir_read_only(host, guest);
    }
    b.build().map_err(|e| CliError(e.to_string()))
}

/// Prints a trap and its Wasm backtrace to stderr (a closed stderr is not
/// an error of the run).
fn report_trap(trap: &Trap) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let kind = trap.kind();
    let what = trap.to_string();
    let _ = if what == kind.message() {
        writeln!(err, "wasiproc: wasm trap: {kind}")
    } else {
        writeln!(err, "wasiproc: wasm trap: {kind}: {what}")
    };
    if !trap.backtrace().is_empty() {
        let _ = writeln!(err, "wasm backtrace:");
        for (i, frame) in trap.backtrace().iter().enumerate() {
            let _ = writeln!(err, "  {i:>3}: {frame}");
        }
    }
}

/// One line, even when a message embeds a multi-line dump.
fn one_line(msg: impl std::fmt::Display) -> String {
    msg.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs the module as the root process; its exit code becomes the outcome.
pub fn run(args: &Args) -> Result<Outcome, CliError> {
    if args.invoke.is_some() {
        return run_single(args);
    }
    let wasm = std::fs::read(&args.module)
        .map_err(|e| CliError(format!("cannot read {}: {e}", args.module.display())))?;
    let config = RuntimeConfig {
        slice: args.slice.max(1),
        max_processes: args.max_processes.max(1),
        ..RuntimeConfig::default()
    };
    let mut rt =
        Runtime::new(config, Box::new(RealHost::new())).map_err(|e| CliError(one_line(e)))?;
    let module = Module::new(rt.engine(), &wasm)
        .map_err(|e| CliError(format!("{}: {}", args.module.display(), one_line(e))))?;
    if module.get_export("_start").is_none() {
        // Nothing to run as a process: instantiate only, as wasmtime does.
        return run_single(args);
    }
    let mut allow = BTreeSet::new();
    for (name, path) in allowed_modules(args)? {
        let bytes = std::fs::read(&path).map_err(|e| {
            CliError(format!(
                "--allow-command {name}: cannot read {}: {e}",
                path.display()
            ))
        })?;
        let m = Module::new(rt.engine(), &bytes)
            .map_err(|e| CliError(format!("{}: {}", path.display(), one_line(e))))?;
        rt.register(&name, m);
        allow.insert(name);
    }
    let ctx = build_ctx(args, Some(rt.host()))?;
    let limits = Limits {
        fuel: args.fuel,
        memory: args.max_memory,
        ..Limits::default()
    };
    let name = args.module.to_string_lossy().to_string();
    rt.spawn_root(&module, &name, ctx, allow, limits)
        .map_err(|e| CliError(format!("{}: {}", args.module.display(), one_line(e))))?;
    match rt.run() {
        Ok(report) => {
            if let Some(trap) = &report.trap {
                report_trap(trap);
            }
            if args.summary {
                print_summary(&report.processes);
            }
            Ok(Outcome::Exit(report.status.shell_code()))
        }
        Err(ProcRunError::Engine(e)) => Err(CliError(one_line(e))),
        Err(e) => Err(CliError(e.to_string())),
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
            p.pid.0, p.parent.0, p.module, p.fuel, p.peak_memory, p.status
        );
    }
}

/// `--invoke`: calls one export in a single process.
fn run_single(args: &Args) -> Result<Outcome, CliError> {
    let wasm = std::fs::read(&args.module)
        .map_err(|e| CliError(format!("cannot read {}: {e}", args.module.display())))?;
    let ctx = build_ctx(args, None)?;
    let opts = RunOptions {
        fuel: args.fuel,
        max_memory: args.max_memory,
        invoke: args.invoke.clone(),
        invoke_args: if args.invoke.is_some() {
            args.args.clone()
        } else {
            Vec::new()
        },
    };
    match wasiproc_wasi::run(&wasm, ctx, &opts) {
        Ok(RunOutcome::Exited(code)) => Ok(Outcome::Exit(code)),
        Ok(RunOutcome::Returned(vals)) => {
            for v in &vals {
                println!("{}", format_val(v));
            }
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
