//! Side-by-side runner: each workload in wasiproc and in wasmi 2, alternating
//! within one process, output checked against the expected line; prints the
//! median wall times, the ratio wasiproc/wasmi and its geomean, the module
//! load + translate times on the big fixture, and with `--fuel` the cost of
//! fuel metering in wasiproc. See benches/README.md.

use clap::Parser;
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
    /// Only these workloads (comma-separated names).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Skip the module load + translate comparison on the big fixture.
    #[arg(long)]
    no_load: bool,
    /// Time each run by the CPU time of the running thread (user + system,
    /// from /proc/thread-self/stat, 10 ms resolution) instead of wall time:
    /// much less sensitive to other load on a shared machine.
    #[arg(long)]
    cpu: bool,
}

/// The contestants of one workload run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Runner {
    Wasiproc,
    Wasmi,
    WasiprocFuel,
    WasmiFuel,
}

impl Runner {
    fn label(self) -> &'static str {
        match self {
            Runner::Wasiproc => "wasiproc",
            Runner::Wasmi => "wasmi",
            Runner::WasiprocFuel => "wasiproc+fuel",
            Runner::WasmiFuel => "wasmi+fuel",
        }
    }

    /// Compiles, instantiates and runs `_start`, timed as a whole (wall
    /// time, or with `cpu` the thread's CPU time).
    fn run(self, wasm: &[u8], argv: &[&str], cpu: bool) -> (Duration, Result<Output, String>) {
        let (t, c) = (Instant::now(), thread_cpu());
        let out = match self {
            Runner::Wasiproc => wasiproc_run::compile_and_run(wasm, argv, false),
            Runner::WasiprocFuel => wasiproc_run::compile_and_run(wasm, argv, true),
            Runner::Wasmi => wasmi_run::compile_and_run(wasm, argv),
            Runner::WasmiFuel => wasmi_run::compile_and_run_fuel(wasm, argv),
        };
        let time = if cpu {
            thread_cpu().saturating_sub(c)
        } else {
            t.elapsed()
        };
        (time, out)
    }
}

/// The CPU time (user + system) the calling thread has used so far, from
/// /proc/thread-self/stat (fields 14 and 15, in clock ticks, taken as the
/// usual 100 per second); zero where that file cannot be read.
fn thread_cpu() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/thread-self/stat") else {
        return Duration::ZERO;
    };
    // The command name (field 2) is parenthesised and may contain spaces:
    // count fields after its closing parenthesis (field 3 comes first).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    Duration::from_millis(f.iter().sum::<u64>() * 10)
}

struct Row {
    name: &'static str,
    arg: &'static str,
    wasiproc: Vec<Duration>,
    wasmi: Vec<Duration>,
    fuel: Vec<Duration>,
    wasmi_fuel: Vec<Duration>,
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
fn measure(w: &Workload, size: Size, args: &Args) -> Result<Row, String> {
    let case = w.case(size);
    let wasm = w.wasm()?;
    let argv = w.argv(size);
    let mut runners = vec![Runner::Wasiproc, Runner::Wasmi];
    if args.fuel {
        runners.push(Runner::WasiprocFuel);
        runners.push(Runner::WasmiFuel);
    }
    let mut row = Row {
        name: w.name,
        arg: case.arg,
        wasiproc: vec![],
        wasmi: vec![],
        fuel: vec![],
        wasmi_fuel: vec![],
    };
    for rep in 0..args.reps {
        let mut line = format!("  {} {} rep {}/{}:", w.name, case.arg, rep + 1, args.reps);
        let mut order = runners.clone();
        if rep % 2 == 1 {
            order.reverse();
        }
        for r in order {
            let (time, out) = r.run(&wasm, &argv, args.cpu);
            out.and_then(|o| o.check(case.expected))
                .map_err(|e| format!("{} {} on {}: {e}", w.name, case.arg, r.label()))?;
            line.push_str(&format!(" {} {} s", r.label(), secs(time)));
            match r {
                Runner::Wasiproc => row.wasiproc.push(time),
                Runner::Wasmi => row.wasmi.push(time),
                Runner::WasiprocFuel => row.fuel.push(time),
                Runner::WasmiFuel => row.wasmi_fuel.push(time),
            }
        }
        eprintln!("{line}");
    }
    Ok(row)
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

    println!(
        "wasiproc vs wasmi 2 ({} sizes, {} reps alternating; {} of compile + instantiate + _start, output checked)",
        if args.quick { "--quick" } else { "README" },
        args.reps,
        if args.cpu {
            "thread CPU time"
        } else {
            "wall time"
        }
    );
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for w in &selected {
        match measure(w, size, &args) {
            Ok(row) => rows.push(row),
            Err(e) => {
                eprintln!("WRONG OUTPUT: {e}");
                failures.push(e);
            }
        }
    }

    println!();
    let mut head = format!(
        "{:<8} {:>7} {:>10} {:>10} {:>9}  {:<17} {:<17}",
        "workload", "arg", "wasiproc s", "wasmi s", "wp/wasmi", "wasiproc min-max", "wasmi min-max"
    );
    if args.fuel {
        head.push_str(&format!(
            " {:>7} {:>9} {:>12} {:>10} {:>12}",
            "fuel s", "fuel/off", "wasmi+fuel s", "fuel/wasmi", "fuel/wasmi+f"
        ));
    }
    println!("{}", head.trim_end());
    let mut ratios = Vec::new();
    let mut fuel_ratios = Vec::new();
    let mut fuel_vs_wasmi = Vec::new();
    let mut fuel_vs_wasmi_fuel = Vec::new();
    for row in &rows {
        let (a, b) = (median(&row.wasiproc), median(&row.wasmi));
        let r = ratio(a, b);
        ratios.push(r);
        let mut line = format!(
            "{:<8} {:>7} {:>10} {:>10} {:>8.2}x  {:<17} {:<17}",
            row.name,
            row.arg,
            secs(a),
            secs(b),
            r,
            spread(&row.wasiproc),
            spread(&row.wasmi)
        );
        if args.fuel {
            let f = median(&row.fuel);
            let fr = ratio(f, a);
            fuel_ratios.push(fr);
            let wf = median(&row.wasmi_fuel);
            let (vw, vwf) = (ratio(f, b), ratio(f, wf));
            fuel_vs_wasmi.push(vw);
            fuel_vs_wasmi_fuel.push(vwf);
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
    if let Some(g) = geomean(&ratios) {
        println!(
            "geomean wasiproc/wasmi: {g:.2}x over {} workloads",
            ratios.len()
        );
    }
    if let Some(g) = geomean(&fuel_ratios) {
        println!("geomean wasiproc fuel-on/fuel-off: {g:.2}x");
    }
    if let Some(g) = geomean(&fuel_vs_wasmi) {
        println!("geomean wasiproc+fuel / wasmi (no fuel): {g:.2}x");
    }
    if let Some(g) = geomean(&fuel_vs_wasmi_fuel) {
        println!("geomean wasiproc+fuel / wasmi+fuel: {g:.2}x");
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
