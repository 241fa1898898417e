//! Side-by-side runner: each workload (the five and CoreMark) in wasiproc
//! and in wasmi 2, alternating, output checked: in process (both engines as
//! libraries, and with `--fuel` both metered), and whole process (`wasiproc
//! run`, which always meters fuel, against wasmi's own CLI without and with
//! fuel); prints the median times, the ratios and their geomeans, and the
//! module load + translate times on the big fixture. See benches/README.md.

use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use wasiproc_benches::workloads::{self, Size, WORKLOADS, Workload};
use wasiproc_benches::{Output, fixtures, geomean, median, wasiproc_run, wasmi_run};

#[derive(Parser, Debug)]
#[command(about = "Runs the workloads in wasiproc and in wasmi side by side")]
struct Args {
    /// Smaller sizes (about an eighth of the work) instead of the README's.
    #[arg(long)]
    quick: bool,
    /// Runs of each engine per workload, alternating A/B.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    reps: u32,
    /// Also run wasiproc with fuel metering on and report fuel-on/fuel-off.
    #[arg(long)]
    fuel: bool,
    /// Skip the whole-process runs of the two CLIs.
    #[arg(long)]
    no_cli: bool,
    /// Skip the in-process runs (only the CLIs).
    #[arg(long)]
    no_in_process: bool,
    /// The wasiproc CLI (default: `wasiproc` beside this binary).
    #[arg(long, value_name = "PATH")]
    wasiproc: Option<PathBuf>,
    /// wasmi's CLI (default: `target/wasmi-cli/bin/wasmi`, installed by
    /// `benches/install-wasmi-cli.sh`).
    #[arg(long, value_name = "PATH")]
    wasmi_cli: Option<PathBuf>,
    /// Only these workloads (comma-separated names).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Skip the module load + translate comparison on the big fixture.
    #[arg(long)]
    no_load: bool,
    /// Time each run by its CPU time (user + system, 10 ms resolution): of
    /// the running thread in process (/proc/thread-self/stat), of the child
    /// for the CLIs (/proc/self/stat's cutime + cstime), instead of wall
    /// time: much less sensitive to other load on a shared machine.
    #[arg(long)]
    cpu: bool,
}

/// The contestants of one workload run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Runner {
    /// In process: `wasiproc-wasi`, fuel off.
    Wasiproc,
    /// In process: wasmi with the crate's WASI shim, no fuel.
    Wasmi,
    /// In process: `wasiproc-wasi` with fuel metering.
    WasiprocFuel,
    /// In process: wasmi with its own fuel metering.
    WasmiFuel,
    /// Whole process: `wasiproc run` (which always meters fuel).
    WasiprocCli,
    /// Whole process: wasmi's own CLI, `wasmi run`, no fuel.
    WasmiCli,
    /// Whole process: `wasmi run --fuel N`.
    WasmiCliFuel,
}

/// Where the two CLIs are.
struct Binaries {
    wasiproc: PathBuf,
    wasmi: PathBuf,
}

impl Runner {
    fn label(self) -> &'static str {
        match self {
            Runner::Wasiproc => "wasiproc",
            Runner::Wasmi => "wasmi",
            Runner::WasiprocFuel => "wasiproc+fuel",
            Runner::WasmiFuel => "wasmi+fuel",
            Runner::WasiprocCli => "wasiproc run",
            Runner::WasmiCli => "wasmi run",
            Runner::WasmiCliFuel => "wasmi run --fuel",
        }
    }

    /// Compiles, instantiates and runs `_start` (in process), or runs the
    /// command (whole process), timed as a whole: wall time, or with `cpu`
    /// the CPU time of the running thread or of the child process.
    fn run(
        self,
        path: &Path,
        wasm: &[u8],
        argv: &[&str],
        cpu: bool,
        bins: Option<&Binaries>,
    ) -> (Duration, Result<Output, String>) {
        let (t, c, cc) = (Instant::now(), thread_cpu(), children_cpu());
        let out = match (self, bins) {
            (Runner::Wasiproc, _) => wasiproc_run::compile_and_run(wasm, argv, false),
            (Runner::WasiprocFuel, _) => wasiproc_run::compile_and_run(wasm, argv, true),
            (Runner::Wasmi, _) => wasmi_run::compile_and_run(wasm, argv),
            (Runner::WasmiFuel, _) => wasmi_run::compile_and_run_fuel(wasm, argv),
            (Runner::WasiprocCli, Some(b)) => command(&b.wasiproc, &["run"], path, argv),
            (Runner::WasmiCli, Some(b)) => command(&b.wasmi, &["run"], path, argv),
            (Runner::WasmiCliFuel, Some(b)) => {
                let fuel = u64::MAX.to_string();
                command(&b.wasmi, &["run", "--fuel", &fuel], path, argv).map(without_fuel_line)
            }
            (_, None) => Err("no CLI binaries".into()),
        };
        let time = match (cpu, self.whole_process()) {
            (false, _) => t.elapsed(),
            (true, false) => thread_cpu().saturating_sub(c),
            (true, true) => children_cpu().saturating_sub(cc),
        };
        (time, out)
    }

    fn whole_process(self) -> bool {
        matches!(
            self,
            Runner::WasiprocCli | Runner::WasmiCli | Runner::WasmiCliFuel
        )
    }
}

/// Runs `BIN SUBCOMMAND... MODULE ARGS...` (argv[0], the workload's name,
/// is left out: both CLIs pass the module path as the guest's argv[0]) and
/// collects its exit code and output.
fn command(bin: &Path, sub: &[&str], module: &Path, argv: &[&str]) -> Result<Output, String> {
    let out = std::process::Command::new(bin)
        .args(sub)
        .arg(module)
        .args(argv.iter().skip(1))
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    Ok(Output {
        exit_code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: out.stderr,
    })
}

/// wasmi's CLI ends a metered run with a `fuel consumed: ...` line on
/// stdout; the workload's own output is what comes before it.
fn without_fuel_line(mut out: Output) -> Output {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let kept: String = text
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("fuel consumed: "))
        .collect();
    out.stdout = kept.into_bytes();
    out
}

/// The CPU time (user + system) the calling thread has used so far, from
/// /proc/thread-self/stat (fields 14 and 15, in clock ticks, taken as the
/// usual 100 per second); zero where that file cannot be read.
fn thread_cpu() -> Duration {
    stat_ticks("/proc/thread-self/stat", 11)
}

/// The CPU time (user + system) of this process's waited-for children, from
/// /proc/self/stat (fields 16 and 17, cutime and cstime).
fn children_cpu() -> Duration {
    stat_ticks("/proc/self/stat", 13)
}

/// The sum of the two clock-tick fields that follow `skip` fields after
/// the command name of a `stat` file, as a duration.
fn stat_ticks(file: &str, skip: usize) -> Duration {
    let Ok(stat) = std::fs::read_to_string(file) else {
        return Duration::ZERO;
    };
    // The command name (field 2) is parenthesised and may contain spaces:
    // count fields after its closing parenthesis (field 3 comes first).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .skip(skip)
        .take(2)
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    Duration::from_millis(f.iter().sum::<u64>() * 10)
}

/// One workload's times, per runner in the order run.
struct Row {
    name: &'static str,
    arg: &'static str,
    times: Vec<(Runner, Vec<Duration>)>,
}

impl Row {
    fn median(&self, r: Runner) -> Option<Duration> {
        let t = self.times(r);
        (!t.is_empty()).then(|| median(t))
    }

    fn times(&self, r: Runner) -> &[Duration] {
        self.times
            .iter()
            .find(|(x, _)| *x == r)
            .map_or(&[], |(_, t)| t)
    }
}

fn secs(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

fn spread(times: &[Duration]) -> String {
    let min = times.iter().min().copied().unwrap_or_default();
    let max = times.iter().max().copied().unwrap_or_default();
    format!("{}-{}", secs(min), secs(max))
}

/// Runs one workload `reps` times per runner, alternating the order each
/// rep; `Err` on the first wrong output.
fn measure(
    w: &Workload,
    size: Size,
    args: &Args,
    runners: &[Runner],
    bins: Option<&Binaries>,
) -> Result<Row, String> {
    let case = w.case(size);
    let wasm = w.wasm()?;
    let path = w.path();
    let argv = w.argv(size);
    let mut row = Row {
        name: w.name,
        arg: case.arg,
        times: runners.iter().map(|r| (*r, Vec::new())).collect(),
    };
    for rep in 0..args.reps {
        let mut line = format!("  {} {} rep {}/{}:", w.name, case.arg, rep + 1, args.reps);
        let mut order: Vec<usize> = (0..runners.len()).collect();
        if rep % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let r = runners[i];
            let (time, out) = r.run(&path, &wasm, &argv, args.cpu, bins);
            out.and_then(|o| w.verify(&o, size))
                .map_err(|e| format!("{} {} on {}: {e}", w.name, case.arg, r.label()))?;
            line.push_str(&format!(" {} {} s", r.label(), secs(time)));
            row.times[i].1.push(time);
        }
        eprintln!("{line}");
    }
    Ok(row)
}

/// The in-process table: wasiproc and wasmi, and with `--fuel` both with
/// fuel metering; prints the geomeans.
fn in_process_table(rows: &[Row], fuel: bool) {
    let mut head = format!(
        "{:<8} {:>7} {:>10} {:>10} {:>9}  {:<17} {:<17}",
        "workload", "arg", "wasiproc s", "wasmi s", "wp/wasmi", "wasiproc min-max", "wasmi min-max"
    );
    if fuel {
        head.push_str(&format!(
            " {:>7} {:>9} {:>12} {:>10} {:>12}",
            "fuel s", "fuel/off", "wasmi+fuel s", "fuel/wasmi", "fuel/wasmi+f"
        ));
    }
    println!("{}", head.trim_end());
    let (mut ratios, mut fuel_ratios, mut vs_wasmi, mut vs_wasmi_fuel) =
        (vec![], vec![], vec![], vec![]);
    for row in rows {
        let (Some(a), Some(b)) = (row.median(Runner::Wasiproc), row.median(Runner::Wasmi)) else {
            continue;
        };
        let r = ratio(a, b);
        ratios.push(r);
        let mut line = format!(
            "{:<8} {:>7} {:>10} {:>10} {:>8.2}x  {:<17} {:<17}",
            row.name,
            row.arg,
            secs(a),
            secs(b),
            r,
            spread(row.times(Runner::Wasiproc)),
            spread(row.times(Runner::Wasmi))
        );
        if let (true, Some(f), Some(wf)) = (
            fuel,
            row.median(Runner::WasiprocFuel),
            row.median(Runner::WasmiFuel),
        ) {
            let (fr, vw, vwf) = (ratio(f, a), ratio(f, b), ratio(f, wf));
            fuel_ratios.push(fr);
            vs_wasmi.push(vw);
            vs_wasmi_fuel.push(vwf);
            line.push_str(&format!(
                " {:>7} {:>8.2}x {:>12} {:>9.2}x {:>11.2}x",
                secs(f),
                fr,
                secs(wf),
                vw,
                vwf
            ));
        }
        println!("{}", line.trim_end());
    }
    print_geomean("geomean wasiproc/wasmi", &ratios);
    print_geomean("geomean wasiproc fuel-on/fuel-off", &fuel_ratios);
    print_geomean("geomean wasiproc+fuel / wasmi (no fuel)", &vs_wasmi);
    print_geomean("geomean wasiproc+fuel / wasmi+fuel", &vs_wasmi_fuel);
}

/// The whole-process table: `wasiproc run` (fuel on, as always) against
/// `wasmi run` without and with fuel; prints both geomeans.
fn cli_table(rows: &[Row]) {
    println!(
        "{:<8} {:>7} {:>14} {:>11} {:>18} {:>11} {:>14}",
        "workload",
        "arg",
        "wasiproc run s",
        "wasmi run s",
        "wasmi run --fuel s",
        "wp/wasmi",
        "wp/wasmi+fuel"
    );
    let (mut vs_wasmi, mut vs_wasmi_fuel) = (vec![], vec![]);
    for row in rows {
        let (Some(a), Some(b), Some(c)) = (
            row.median(Runner::WasiprocCli),
            row.median(Runner::WasmiCli),
            row.median(Runner::WasmiCliFuel),
        ) else {
            continue;
        };
        let (r, rf) = (ratio(a, b), ratio(a, c));
        vs_wasmi.push(r);
        vs_wasmi_fuel.push(rf);
        println!(
            "{:<8} {:>7} {:>14} {:>11} {:>18} {:>10.2}x {:>13.2}x",
            row.name,
            row.arg,
            secs(a),
            secs(b),
            secs(c),
            r,
            rf
        );
    }
    print_geomean("geomean wasiproc run / wasmi run (no fuel)", &vs_wasmi);
    print_geomean("geomean wasiproc run / wasmi run --fuel", &vs_wasmi_fuel);
}

fn print_geomean(what: &str, ratios: &[f64]) {
    if let Some(g) = geomean(ratios) {
        println!("{what}: {g:.2}x over {} workloads", ratios.len());
    }
}

/// Module load + translate on the big fixture: wasiproc eager (fuel off,
/// and on with `--fuel`) and lazy, wasmi eager and lazy, alternating.
fn load(wasm: &[u8], args: &Args) -> Result<(), String> {
    type Contestant<'a> = (&'a str, Box<dyn Fn() -> Result<(), String> + 'a>);
    let wp = wasiproc_run::engine_with(false, false);
    let wp_lazy = wasiproc_run::engine(false);
    let wp_fuel = wasiproc_run::engine_with(true, false);
    let wi = wasmi_run::engine();
    let wi_lazy = wasmi_run::engine_with(wasmi::CompilationMode::LazyTranslation);
    let mut contestants: Vec<Contestant> = vec![
        (
            "wasiproc Module::new (eager)",
            Box::new(|| {
                wasiproc_engine::Module::new(&wp, wasm)
                    .map(drop)
                    .map_err(|e| e.to_string())
            }),
        ),
        (
            "wasmi Module::new (eager)",
            Box::new(|| {
                wasmi::Module::new(&wi, wasm)
                    .map(drop)
                    .map_err(|e| e.to_string())
            }),
        ),
        (
            "wasmi Module::new (lazy translation, wasmi's default)",
            Box::new(|| {
                wasmi::Module::new(&wi_lazy, wasm)
                    .map(drop)
                    .map_err(|e| e.to_string())
            }),
        ),
        (
            "wasiproc Module::new (lazy translation, the default)",
            Box::new(|| {
                wasiproc_engine::Module::new(&wp_lazy, wasm)
                    .map(drop)
                    .map_err(|e| e.to_string())
            }),
        ),
    ];
    if args.fuel {
        contestants.push((
            "wasiproc Module::new (fuel on)",
            Box::new(|| {
                wasiproc_engine::Module::new(&wp_fuel, wasm)
                    .map(drop)
                    .map_err(|e| e.to_string())
            }),
        ));
    }
    let reps = args.reps.max(5);
    let mut times = vec![Vec::new(); contestants.len()];
    for rep in 0..reps {
        let mut order: Vec<usize> = (0..contestants.len()).collect();
        if rep % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let t = Instant::now();
            (contestants[i].1)().map_err(|e| format!("{}: {e}", contestants[i].0))?;
            times[i].push(t.elapsed());
        }
    }
    let medians: Vec<Duration> = times.iter().map(|t| median(t)).collect();
    for ((name, _), m) in contestants.iter().zip(&medians) {
        println!("  {name:<54} {:>8} ms", ms(*m));
    }
    println!(
        "  ratio wasiproc / wasmi eager: {:.2}x, lazy: {:.2}x   (medians of {reps} runs)",
        ratio(medians[0], medians[1]),
        ratio(medians[3], medians[2])
    );
    if args.fuel {
        println!(
            "  ratio wasiproc fuel-on / fuel-off (eager): {:.2}x",
            ratio(medians[4], medians[0])
        );
    }
    Ok(())
}

/// Finds the two CLIs: `--wasiproc`/`--wasmi-cli`, else `wasiproc` beside
/// this binary and `wasmi` where `benches/install-wasmi-cli.sh` puts it.
fn binaries(args: &Args) -> Result<Binaries, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let dir = exe.parent().unwrap_or(Path::new("."));
    let wasiproc = args
        .wasiproc
        .clone()
        .unwrap_or_else(|| dir.join("wasiproc"));
    let wasmi = args.wasmi_cli.clone().unwrap_or_else(|| {
        dir.parent()
            .unwrap_or(Path::new("."))
            .join("wasmi-cli/bin/wasmi")
    });
    if !wasiproc.is_file() {
        return Err(format!(
            "{} not found (cargo build --release -p wasiproc-cli, or --wasiproc PATH)",
            wasiproc.display()
        ));
    }
    if !wasmi.is_file() {
        return Err(format!(
            "{} not found (benches/install-wasmi-cli.sh, or --wasmi-cli PATH)",
            wasmi.display()
        ));
    }
    Ok(Binaries { wasiproc, wasmi })
}

fn main() -> ExitCode {
    let args = Args::parse();
    let size = if args.quick { Size::Quick } else { Size::Full };
    for name in &args.only {
        if workloads::by_name(name).is_none() {
            eprintln!("compare: no workload {name:?}");
            return ExitCode::from(2);
        }
    }
    let selected: Vec<&Workload> = WORKLOADS
        .iter()
        .filter(|w| args.only.is_empty() || args.only.iter().any(|n| n == w.name))
        .collect();
    if let Some(missing) = selected.iter().find(|w| !w.path().is_file()) {
        eprintln!(
            "compare: {} not found (set WASIPROC_WORKLOADS to the directory of the workload modules)",
            missing.path().display()
        );
        return ExitCode::from(2);
    }
    let bins = if args.no_cli {
        None
    } else {
        match binaries(&args) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("compare: {e}; --no-cli skips the whole-process runs");
                return ExitCode::from(2);
            }
        }
    };
    let mut runners = Vec::new();
    if !args.no_in_process {
        runners.extend([Runner::Wasiproc, Runner::Wasmi]);
        if args.fuel {
            runners.extend([Runner::WasiprocFuel, Runner::WasmiFuel]);
        }
    }
    if bins.is_some() {
        runners.extend([Runner::WasiprocCli, Runner::WasmiCli, Runner::WasmiCliFuel]);
    }

    println!(
        "wasiproc vs wasmi 2 ({} sizes, {} reps alternating; {}, output checked)",
        if args.quick { "--quick" } else { "README" },
        args.reps,
        if args.cpu {
            "CPU time of the running thread or child process"
        } else {
            "wall time"
        }
    );
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for w in &selected {
        match measure(w, size, &args, &runners, bins.as_ref()) {
            Ok(row) => rows.push(row),
            Err(e) => {
                eprintln!("WRONG OUTPUT: {e}");
                failures.push(e);
            }
        }
    }

    if !args.no_in_process {
        println!("\nin process (compile + instantiate + _start):");
        in_process_table(&rows, args.fuel);
    }
    if bins.is_some() {
        println!("\nwhole process (what users run; wasiproc run always meters fuel):");
        cli_table(&rows);
    }

    if !args.no_load {
        println!();
        match fixtures::big() {
            Some(big) => {
                let funcs = fixtures::code_function_count(&big)
                    .map(|n| format!(", {n} functions"))
                    .unwrap_or_default();
                println!(
                    "module load + translate, big fixture ({}: {:.2} MiB{funcs}):",
                    fixtures::big_path().display(),
                    big.len() as f64 / (1024.0 * 1024.0)
                );
                if let Err(e) = load(&big, &args) {
                    eprintln!("LOAD FAILED: {e}");
                    failures.push(e);
                }
            }
            None => println!(
                "module load + translate: no big fixture at {} (run {})",
                fixtures::big_path().display(),
                fixtures::build_script().display()
            ),
        }
    }

    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("\nFAILED: {} wrong result(s):", failures.len());
        for f in &failures {
            println!("  {f}");
        }
        ExitCode::FAILURE
    }
}
