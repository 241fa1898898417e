//! `wasiproc run`: run a WASI preview1 program in one process.
//!
//! This file only turns flags into a [`WasiCtx`] and [`RunOptions`] and
//! reports the result; the driver is `wasiproc_wasi::run`.

use crate::{CliError, Outcome};
use std::path::PathBuf;
use wasiproc_wasi::run::format_val;
use wasiproc_wasi::{RunError, RunOptions, RunOutcome, WasiCtx};

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

/// Builds the guest's WASI context from the flags.
fn build_ctx(args: &Args) -> Result<WasiCtx, CliError> {
    let mut b = WasiCtx::builder();
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

/// Runs the module; the guest's exit code becomes the outcome.
pub fn run(args: &Args) -> Result<Outcome, CliError> {
    let wasm = std::fs::read(&args.module)
        .map_err(|e| CliError(format!("cannot read {}: {e}", args.module.display())))?;
    let ctx = build_ctx(args)?;
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
            let kind = trap.kind();
            let what = trap.to_string();
            if what == kind.message() {
                eprintln!("wasiproc: wasm trap: {kind}");
            } else {
                eprintln!("wasiproc: wasm trap: {kind}: {what}");
            }
            if !trap.backtrace().is_empty() {
                eprintln!("wasm backtrace:");
                for (i, frame) in trap.backtrace().iter().enumerate() {
                    eprintln!("  {i:>3}: {frame}");
                }
            }
            Ok(Outcome::Exit(TRAP_EXIT_CODE))
        }
        Err(e) => {
            // One line, even when a message embeds a multi-line dump.
            let msg = e
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            Err(CliError(format!("{}: {msg}", args.module.display())))
        }
    }
}
