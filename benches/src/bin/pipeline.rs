//! The pipeline benchmark: `tcat | tgrep PATTERN | tsort | tuniq -c` over
//! 10 MiB of text (benches/pipeline, built by benches/build-pipeline.sh),
//! as four wasiproc processes connected by wasiproc pipes (`wasiproc run
//! tpipe.wasm`), as the four stages run one after the other under
//! `wasiproc run` with files between them, and the same two ways natively.
//! Prints the medians and the ratios: pipeline / sum of its stages (the
//! cost of the pipes and the switches between processes), and wasiproc /
//! native. Every run's output is compared with the native pipeline's. See
//! benches/README.md.

use clap::Parser;
use std::cell::RefCell;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use wasiproc_benches::median;

#[derive(Parser, Debug)]
#[command(about = "Runs a four-stage text pipeline under wasiproc and natively")]
struct Args {
    /// Size of the input text, MiB.
    #[arg(long, default_value_t = 10)]
    mib: u64,
    /// Runs of each variant, alternating.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    reps: u32,
    /// Time each run by the CPU time of its processes (user + system, from
    /// /proc/self/stat's cutime + cstime, 10 ms resolution) instead of wall
    /// time: on a machine shared with other work, wall times move with the
    /// load while CPU times do not.
    #[arg(long)]
    cpu: bool,
    /// The wasiproc CLI (default: `wasiproc` beside this binary).
    #[arg(long, value_name = "PATH")]
    wasiproc: Option<PathBuf>,
}

/// `--cpu`: runs are timed by their processes' CPU time.
static CPU: AtomicBool = AtomicBool::new(false);

/// CPU time (user + system) of this process's waited-for children so far:
/// /proc/self/stat's cutime and cstime (fields 16 and 17), 10 ms ticks.
fn children_cpu() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // The command name (field 2) is parenthesised and may hold spaces:
    // count the fields after its closing parenthesis (field 3 first).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(13)
        .take(2)
        .map(|v| v.parse::<u64>().unwrap_or(0))
        .sum();
    Duration::from_millis(ticks * 10)
}

/// A clock for one run: wall time, or with `--cpu` the CPU time of the
/// children waited for since it started.
struct Clock(Instant, Duration);

impl Clock {
    fn start() -> Clock {
        Clock(Instant::now(), children_cpu())
    }

    fn elapsed(&self) -> Duration {
        if CPU.load(Ordering::Relaxed) {
            children_cpu().saturating_sub(self.1)
        } else {
            self.0.elapsed()
        }
    }
}

/// The fixed string the grep stage keeps lines with.
const PATTERN: &str = "an";

/// The stages in order, with their arguments.
const STAGES: [(&str, &[&str]); 4] = [
    ("tcat", &[]),
    ("tgrep", &[PATTERN]),
    ("tsort", &[]),
    ("tuniq", &["-c"]),
];

/// Words the input's lines are made of.
const WORDS: [&str; 24] = [
    "alpha", "banana", "cedar", "delta", "ember", "fan", "granite", "harbor", "ink", "jade",
    "kernel", "lantern", "maple", "nectar", "orange", "pan", "quartz", "river", "stone", "tan",
    "umber", "violet", "wander", "yarn",
];

/// Writes `mib` MiB of lines of one to four words (a fixed xorshift
/// sequence, so every run sorts and counts the same text).
fn write_input(path: &Path, mib: u64) -> std::io::Result<()> {
    let mut text = Vec::with_capacity((mib << 20) as usize + 64);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    while (text.len() as u64) < mib << 20 {
        let words = 1 + next() % 4;
        for i in 0..words {
            if i > 0 {
                text.push(b' ');
            }
            text.extend_from_slice(WORDS[(next() % WORDS.len() as u64) as usize].as_bytes());
        }
        text.push(b'\n');
    }
    std::fs::write(path, text)
}

/// Where the programs and files are.
struct Setup {
    wasiproc: PathBuf,
    wasm: PathBuf,
    native: PathBuf,
    work: PathBuf,
}

impl Setup {
    fn input(&self) -> PathBuf {
        self.work.join("input.txt")
    }

    /// A stage's output file of the stage-by-stage runs.
    fn stage_out(&self, i: usize, tag: &str) -> PathBuf {
        self.work.join(format!("{tag}-stage{i}.txt"))
    }
}

/// Runs `cmd` with stdin from `input` and stdout to `output`; the time from
/// spawn to exit, or what went wrong.
fn timed(mut cmd: Command, input: &Path, output: &Path) -> Result<Duration, String> {
    let what = format!("{cmd:?}");
    let stdin = File::open(input).map_err(|e| format!("{}: {e}", input.display()))?;
    let stdout = File::create(output).map_err(|e| format!("{}: {e}", output.display()))?;
    let t = Clock::start();
    let out = cmd
        .stdin(stdin)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("{what}: {e}"))?;
    let time = t.elapsed();
    if !out.status.success() {
        return Err(format!(
            "{what}: {}; stderr {:?}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(time)
}

/// `wasiproc run tpipe.wasm PATTERN` with the stages allowed.
fn wasiproc_pipeline(s: &Setup, output: &Path) -> Result<Duration, String> {
    let mut cmd = Command::new(&s.wasiproc);
    cmd.arg("run")
        .arg("--mapdir")
        .arg(format!("/::{}", s.wasm.display()));
    for (name, _) in STAGES {
        cmd.arg("--allow-command").arg(format!("{name}.wasm"));
    }
    cmd.arg(s.wasm.join("tpipe.wasm")).arg(PATTERN);
    timed(cmd, &s.input(), output)
}

/// The four stages one after the other (each reads the previous one's
/// output file), under `wasiproc run` or natively; the sum of their times,
/// and each stage's time added to `each`.
fn stage_by_stage(
    s: &Setup,
    wasm: bool,
    each: &RefCell<[Vec<Duration>; 4]>,
) -> Result<Duration, String> {
    let tag = if wasm { "wasiproc" } else { "native" };
    let mut input = s.input();
    let mut total = Duration::ZERO;
    for (i, (name, args)) in STAGES.iter().enumerate() {
        let mut cmd = if wasm {
            let mut c = Command::new(&s.wasiproc);
            c.arg("run").arg(s.wasm.join(format!("{name}.wasm")));
            c
        } else {
            Command::new(s.native.join(name))
        };
        cmd.args(*args);
        let out = s.stage_out(i, tag);
        let t = timed(cmd, &input, &out)?;
        each.borrow_mut()[i].push(t);
        total += t;
        input = out;
    }
    Ok(total)
}

/// The native stages connected by OS pipes.
fn native_pipeline(s: &Setup, output: &Path) -> Result<Duration, String> {
    let stdin = File::open(s.input()).map_err(|e| e.to_string())?;
    let stdout = File::create(output).map_err(|e| e.to_string())?;
    let t = Clock::start();
    let mut children = Vec::new();
    let mut next_in = Stdio::from(stdin);
    for (i, (name, args)) in STAGES.iter().enumerate() {
        let last = i + 1 == STAGES.len();
        let mut cmd = Command::new(s.native.join(name));
        cmd.args(*args).stdin(next_in);
        if last {
            cmd.stdout(stdout.try_clone().map_err(|e| e.to_string())?);
        } else {
            cmd.stdout(Stdio::piped());
        }
        let mut child = cmd.spawn().map_err(|e| format!("{name}: {e}"))?;
        next_in = match child.stdout.take() {
            Some(o) => Stdio::from(o),
            None => Stdio::null(),
        };
        children.push((name, child));
    }
    for (name, mut child) in children {
        let status = child.wait().map_err(|e| format!("{name}: {e}"))?;
        if !status.success() {
            return Err(format!("native {name}: {status}"));
        }
    }
    Ok(t.elapsed())
}

fn same(a: &Path, b: &Path) -> Result<(), String> {
    let (x, y) = (
        std::fs::read(a).map_err(|e| e.to_string())?,
        std::fs::read(b).map_err(|e| e.to_string())?,
    );
    if x == y {
        Ok(())
    } else {
        Err(format!(
            "{} ({} bytes) differs from {} ({} bytes)",
            a.display(),
            x.len(),
            b.display(),
            y.len()
        ))
    }
}

fn run(args: &Args) -> Result<(), String> {
    CPU.store(args.cpu, Ordering::Relaxed);
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin_dir = exe.parent().unwrap_or(Path::new("."));
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pipeline/out");
    let s = Setup {
        wasiproc: args
            .wasiproc
            .clone()
            .unwrap_or_else(|| bin_dir.join("wasiproc")),
        wasm: out.join("wasm"),
        native: out.join("native"),
        work: bin_dir.join("pipeline-bench"),
    };
    if !s.wasiproc.is_file() {
        return Err(format!(
            "{} not found (cargo build --release -p wasiproc-cli)",
            s.wasiproc.display()
        ));
    }
    if !s.wasm.join("tpipe.wasm").is_file() || !s.native.join("tuniq").is_file() {
        return Err(format!(
            "{} not built (run benches/build-pipeline.sh)",
            out.display()
        ));
    }
    std::fs::create_dir_all(&s.work).map_err(|e| e.to_string())?;
    write_input(&s.input(), args.mib).map_err(|e| e.to_string())?;
    let reference = s.work.join("native-pipeline.txt");
    let wasm_out = s.work.join("wasiproc-pipeline.txt");

    let wasm_stages = RefCell::new([vec![], vec![], vec![], vec![]]);
    let native_stages = RefCell::new([vec![], vec![], vec![], vec![]]);
    type Variant<'a> = (&'a str, Box<dyn Fn() -> Result<Duration, String> + 'a>);
    let variants: Vec<Variant> = vec![
        (
            "wasiproc pipeline",
            Box::new(|| wasiproc_pipeline(&s, &wasm_out)),
        ),
        (
            "wasiproc stages, sum",
            Box::new(|| stage_by_stage(&s, true, &wasm_stages)),
        ),
        (
            "native pipeline",
            Box::new(|| native_pipeline(&s, &reference)),
        ),
        (
            "native stages, sum",
            Box::new(|| stage_by_stage(&s, false, &native_stages)),
        ),
    ];
    let mut times = vec![Vec::new(); variants.len()];
    for rep in 0..args.reps {
        let mut order: Vec<usize> = (0..variants.len()).collect();
        if rep % 2 == 1 {
            order.reverse();
        }
        let mut line = format!("  rep {}/{}:", rep + 1, args.reps);
        for i in order {
            let t = (variants[i].1)()?;
            line.push_str(&format!(" {} {:.3} s", variants[i].0, t.as_secs_f64()));
            times[i].push(t);
        }
        eprintln!("{line}");
        same(&wasm_out, &reference)?;
        same(&s.stage_out(3, "wasiproc"), &reference)?;
        same(&s.stage_out(3, "native"), &reference)?;
    }
    let m: Vec<f64> = times.iter().map(|t| median(t).as_secs_f64()).collect();
    println!(
        "pipeline tcat | tgrep {PATTERN} | tsort | tuniq -c over {} MiB ({} reps, median {} s; outputs identical, {} bytes)",
        args.mib,
        args.reps,
        if args.cpu { "CPU" } else { "wall" },
        std::fs::metadata(&reference).map(|m| m.len()).unwrap_or(0)
    );
    for ((name, _), t) in variants.iter().zip(&m) {
        println!("  {name:<22} {t:>8.3}");
    }
    for (i, (name, _)) in STAGES.iter().enumerate() {
        let (w, n) = (
            median(&wasm_stages.borrow()[i]).as_secs_f64(),
            median(&native_stages.borrow()[i]).as_secs_f64(),
        );
        println!(
            "    {name:<8} wasiproc {w:>7.3}  native {n:>7.3}  {:>5.1}x",
            w / n
        );
    }
    println!("  wasiproc pipeline / its stages' sum: {:.2}x", m[0] / m[1]);
    println!("  native pipeline / its stages' sum:   {:.2}x", m[2] / m[3]);
    println!("  wasiproc pipeline / native pipeline: {:.1}x", m[0] / m[2]);
    println!("  wasiproc stages / native stages:     {:.1}x", m[1] / m[3]);
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pipeline: {e}");
            ExitCode::FAILURE
        }
    }
}
