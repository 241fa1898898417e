//! `wasiproc explore`: runs a program under many schedules to find one
//! that breaks it, with the library's [`Explore`] (docs/explore.md), and
//! prints its summary (text, or JSON with `--json`) to stdout and its
//! progress to stderr.

use crate::run::parse_size;
use crate::{CliError, Outcome};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use wasiproc_process::{Budget, Explore, FailOn, Strategy};

/// Arguments of `wasiproc explore`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Runs the program deterministically under schedule after schedule (seeds 0, 1, \
                  ... of the strategy; `--schedule random:SEED` or `pct:SEED:DEPTH:LENGTH` of \
                  `wasiproc run` gives the same run) on every core, and reports the failing ones \
                  in seed order: the same summary for any --jobs. Stdin is empty; stdout and \
                  stderr are captured; each run gets fresh copies of the read-write grants. \
                  Without --all it stops at the first failure. With --keep DIR each failure is \
                  saved as DIR/seed-N.trace, which `wasiproc replay` reproduces exactly; \
                  --minimize reduces it to few preemption points (DIR/seed-N.min.trace). See \
                  docs/explore.md.\n\n\
                  Exit status: 0 when no schedule failed, 1 when one did or wasiproc itself \
                  failed, 2 for bad command-line flags."
)]
pub struct Args {
    /// Grant the host directory HOST read-write at GUEST (copied for each
    /// run). Repeatable.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    pub dirs: Vec<String>,

    /// Grant the host directory HOST read-only at GUEST. Repeatable.
    #[arg(long = "dir-ro", value_name = "HOST[::GUEST]")]
    pub dirs_ro: Vec<String>,

    /// Grant the host directory HOST read-write at GUEST. Repeatable.
    #[arg(long = "mapdir", value_name = "GUEST::HOST")]
    pub mapdirs: Vec<String>,

    /// Set the environment variable NAME (to VALUE, or the host's value).
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    pub envs: Vec<String>,

    /// Fuel budget of each process (a run that exceeds it fails with exit
    /// code 134: it also bounds schedules that livelock).
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,

    /// Most bytes the run's processes may hold in all (suffixes K, M, G).
    #[arg(long = "max-memory", value_name = "BYTES", value_parser = parse_size)]
    pub max_memory: Option<usize>,

    /// Allow the program to spawn MODULE (see `wasiproc run`). Repeatable.
    #[arg(long = "allow-command", value_name = "MODULE|NAME=HOSTPATH")]
    pub allow_commands: Vec<String>,

    /// Most processes alive at once in a run.
    #[arg(long = "max-processes", value_name = "N", default_value_t = 10_000)]
    pub max_processes: usize,

    /// Fuel per slice: the FIFO run's, the middle of random slice lengths,
    /// PCT's slices between change points.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub slice: u64,

    /// Seed of the guest's random bytes (the same in every run).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,

    /// Run N schedules (seeds FIRST..FIRST+N).
    #[arg(
        long,
        value_name = "N",
        conflicts_with = "time",
        required_unless_present = "time"
    )]
    pub runs: Option<u64>,

    /// Run schedules for this long (e.g. 30s, 5m, 1h).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub time: Option<Duration>,

    /// The seed of the first schedule.
    #[arg(long = "first-seed", value_name = "N", default_value_t = 0)]
    pub first_seed: u64,

    /// How schedules are drawn: `random` (next process and slice length at
    /// random) or `pct[:DEPTH]` (random priorities, DEPTH-1 change points
    /// over the FIFO run's fuel; depth 3 by default).
    #[arg(long, value_name = "STRATEGY", default_value = "random", value_parser = parse_strategy)]
    pub strategy: Strategy,

    /// Worker threads (default: the available cores). The results do not
    /// depend on it.
    #[arg(long, value_name = "J")]
    pub jobs: Option<usize>,

    /// What a failure is: `exit` (a non-zero exit, a trap or a run error
    /// such as a deadlock), `stdout-differs` (stdout other than the FIFO
    /// run's), or `stderr:REGEX` (stderr matches REGEX).
    #[arg(long = "fail-on", value_name = "WHAT", default_value = "exit")]
    pub fail_on: String,

    /// Save each failing schedule's trace in DIR (seed-N.trace, and
    /// seed-N.min.trace with --minimize).
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,

    /// Reduce each failing schedule to a few preemption points
    /// (`points:FUEL@PID,...`) that still fail.
    #[arg(long)]
    pub minimize: bool,

    /// Run only shard I of N (1-based: 1/4 .. 4/4): the schedules whose
    /// index modulo N is I-1.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,

    /// Go on after the first failure and report every failing schedule.
    #[arg(long)]
    pub all: bool,

    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,

    /// The WebAssembly module (binary .wasm).
    #[arg(value_name = "MODULE")]
    pub module: PathBuf,

    /// Arguments for the guest.
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub args: Vec<String>,
}

fn parse_strategy(s: &str) -> Result<Strategy, String> {
    s.parse()
}

/// `I/N` with 1 <= I <= N, as (I-1, N).
fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("--shard needs I/N with 1 <= I <= N, got {s:?}");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (i.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if i == 0 || i > n {
        return Err(bad());
    }
    Ok((i - 1, n))
}

/// A duration: a number with `ms`, `s`, `m` or `h` (seconds without one).
fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let n: f64 = t[..split]
        .parse()
        .map_err(|_| format!("not a duration: {s:?} (e.g. 30s, 5m)"))?;
    let secs = match &t[split..] {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("unknown duration unit in {s:?} (ms, s, m, h)")),
    };
    Duration::try_from_secs_f64(secs).map_err(|_| format!("duration out of range: {s:?}"))
}

fn fail_on(s: &str) -> Result<FailOn, CliError> {
    match s {
        "exit" => Ok(FailOn::Exit),
        "stdout-differs" => Ok(FailOn::StdoutDiffers),
        _ => match s.strip_prefix("stderr:") {
            Some(pattern) => {
                let re = regex::bytes::Regex::new(pattern)
                    .map_err(|e| CliError(format!("--fail-on {s}: {e}")))?;
                Ok(FailOn::Stderr(
                    Arc::new(move |b: &[u8]| re.is_match(b)),
                    pattern.to_string(),
                ))
            }
            None => Err(CliError(format!(
                "--fail-on {s:?}: use exit, stdout-differs or stderr:REGEX"
            ))),
        },
    }
}

/// Runs the exploration and prints its summary.
pub fn run(args: &Args) -> Result<Outcome, CliError> {
    let run_args = crate::run::Args {
        dirs: args.dirs.clone(),
        // Explored runs are deterministic: no network.
        tcplisten: Vec::new(),
        dirs_ro: args.dirs_ro.clone(),
        mapdirs: args.mapdirs.clone(),
        envs: args.envs.clone(),
        fuel: args.fuel,
        max_memory: args.max_memory,
        allow_commands: args.allow_commands.clone(),
        max_processes: args.max_processes,
        slice: args.slice,
        schedule: None,
        summary: false,
        deterministic: true,
        seed: Some(args.seed),
        check_determinism: false,
        trace_events: None,
        record: None,
        invoke: None,
        module: args.module.clone(),
        args: args.args.clone(),
    };
    let run = crate::run::build(&run_args)?;
    let mut ex = Explore::new(&run);
    ex.strategy(args.strategy)
        .budget(match (args.runs, args.time) {
            (_, Some(t)) => Budget::Time(t),
            (n, None) => Budget::Runs(n.unwrap_or(1000)),
        })
        .fail_on(fail_on(&args.fail_on)?)
        .minimize(args.minimize)
        .all(args.all)
        .first_seed(args.first_seed);
    if let Some(j) = args.jobs {
        ex.jobs(j);
    }
    if let Some(dir) = &args.keep {
        ex.keep(dir);
    }
    if let Some((i, n)) = args.shard {
        ex.shard(i, n);
    }
    let tty = std::io::stderr().is_terminal();
    if tty {
        ex.progress(|p| {
            let secs = p.elapsed.as_secs_f64().max(1e-9);
            let _ = write!(
                std::io::stderr(),
                "\r{} schedules, {:.0}/s, {} failing   ",
                p.schedules,
                p.schedules as f64 / secs,
                p.failures
            );
        });
    }
    let summary = ex.execute().map_err(|e| CliError(e.to_string()))?;
    let secs = summary.elapsed.as_secs_f64().max(1e-9);
    let _ = writeln!(
        std::io::stderr(),
        "{}explore: {} schedules run in {:.2} s ({:.0}/s, {} jobs), {} failing",
        if tty { "\r" } else { "" },
        summary.executed,
        secs,
        summary.executed as f64 / secs,
        summary.jobs,
        summary.failures.len()
    );
    let text = if args.json {
        summary.json() + "\n"
    } else {
        crate::escape_lines(&summary.text()).into_owned()
    };
    crate::print_out(&text)?;
    Ok(if summary.failures.is_empty() {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}
