//! Memory per idle process: a root spawns N children that all block reading
//! a pipe the root holds, then closes it and waits for them. Each
//! measurement runs in a fresh OS process (this binary re-executed with
//! `--child N`), once with N children and once with 0, and the difference
//! of their peak resident set sizes divided by N is the memory of one idle
//! process. See benches/README.md.
//!
//! The root reads the realtime clock at its start, when all children are
//! idle (after spawning them and yielding twice) and at its end; the host
//! environment of the run answers those reads and samples VmRSS and the
//! time there, so the RSS at the idle moment and the spawn time are
//! measured directly, not only through the peak.

use clap::Parser;
use std::process::{Command, ExitCode};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasiproc_benches::process_run::{self, CHILD, IDLE_CHILD_WAT, wasm};
use wasiproc_process::RuntimeConfig;
use wasiproc_wasi::{BlockedOn, Errno, HostEnv, RealHost};

#[derive(Parser, Debug)]
#[command(about = "Measures the memory of an idle wasiproc process")]
struct Args {
    /// Idle processes alive at once (at least 1).
    #[arg(default_value_t = 10_000)]
    n: u32,
    /// Internal: run one measurement with this many children in this OS
    /// process and print its raw numbers.
    #[arg(long, hide = true)]
    child: bool,
}

/// A `/proc/self/status` field in KiB (`VmRSS`, `VmHWM`).
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// When a probe was taken and the RSS then (KiB).
type Probe = (Instant, u64);

/// The real host, except that every realtime clock read also records a
/// probe.
struct ProbeHost {
    inner: RealHost,
    probes: Arc<Mutex<Vec<Probe>>>,
}

impl HostEnv for ProbeHost {
    fn wall_clock(&mut self) -> Result<u64, Errno> {
        let rss = status_kib("VmRSS").unwrap_or(0);
        self.probes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((Instant::now(), rss));
        self.inner.wall_clock()
    }
    fn monotonic_now(&mut self) -> u64 {
        self.inner.monotonic_now()
    }
    fn clock_resolution(&mut self, realtime: bool) -> u64 {
        self.inner.clock_resolution(realtime)
    }
    fn random(&mut self, buf: &mut [u8]) {
        self.inner.random(buf)
    }
    fn stdin_read(&mut self, buf: &mut [u8]) -> Result<Option<usize>, Errno> {
        self.inner.stdin_read(buf)
    }
    fn stdin_ready(&mut self) -> bool {
        self.inner.stdin_ready()
    }
    fn wait(&mut self, on: &BlockedOn) -> Result<(), String> {
        self.inner.wait(on)
    }
}

/// The raw numbers of one measurement.
#[derive(Debug, Default)]
struct Sample {
    /// Peak RSS of the whole OS process (VmHWM), KiB.
    hwm: u64,
    /// RSS when the root starts, when all children are idle, at its end.
    rss_start: u64,
    rss_idle: u64,
    rss_end: u64,
    /// From the root's start to all children idle: spawning them.
    spawn: Duration,
    /// From all idle to the root's end: waking, ending and reaping them.
    teardown: Duration,
    /// Runtime::new + compiling + spawn_root + run.
    total: Duration,
}

const FIELDS: [&str; 7] = [
    "hwm_kib",
    "rss_start_kib",
    "rss_idle_kib",
    "rss_end_kib",
    "spawn_ns",
    "teardown_ns",
    "total_ns",
];

impl Sample {
    fn values(&self) -> [u64; 7] {
        [
            self.hwm,
            self.rss_start,
            self.rss_idle,
            self.rss_end,
            self.spawn.as_nanos() as u64,
            self.teardown.as_nanos() as u64,
            self.total.as_nanos() as u64,
        ]
    }

    fn print(&self) {
        for (k, v) in FIELDS.iter().zip(self.values()) {
            println!("{k} {v}");
        }
    }

    fn parse(text: &str) -> Result<Sample, String> {
        let mut v = [None; 7];
        for line in text.lines() {
            let mut it = line.split_whitespace();
            if let (Some(k), Some(x)) = (it.next(), it.next())
                && let Some(i) = FIELDS.iter().position(|f| *f == k)
            {
                v[i] = x.parse::<u64>().ok();
            }
        }
        let get = |i: usize| v[i].ok_or_else(|| format!("no {} in {text:?}", FIELDS[i]));
        Ok(Sample {
            hwm: get(0)?,
            rss_start: get(1)?,
            rss_idle: get(2)?,
            rss_end: get(3)?,
            spawn: Duration::from_nanos(get(4)?),
            teardown: Duration::from_nanos(get(5)?),
            total: Duration::from_nanos(get(6)?),
        })
    }
}

/// One measurement with `n` idle children, in this OS process.
fn measure(n: u32) -> Result<Sample, String> {
    let root = wasm(&process_run::idle_root(n));
    let child = wasm(IDLE_CHILD_WAT);
    let probes = Arc::new(Mutex::new(Vec::new()));
    let host = ProbeHost {
        inner: RealHost::new(),
        probes: probes.clone(),
    };
    let config = RuntimeConfig {
        max_processes: n as usize + 1,
        ..RuntimeConfig::default()
    };
    let t = Instant::now();
    let mut rt = process_run::prepare(config, Box::new(host), &root, &[(CHILD, &child)])?;
    let report = process_run::run_checked(&mut rt)?;
    let total = t.elapsed();
    if report.processes.len() != n as usize + 1 {
        return Err(format!(
            "{} processes ended, expected {}",
            report.processes.len(),
            n + 1
        ));
    }
    let hwm = status_kib("VmHWM").ok_or("no VmHWM in /proc/self/status")?;
    drop(rt);
    let probes = probes.lock().unwrap_or_else(|p| p.into_inner());
    let &[(t0, rss_start), (t1, rss_idle), (t2, rss_end)] = probes.as_slice() else {
        return Err(format!("expected 3 probes, got {}", probes.len()));
    };
    Ok(Sample {
        hwm,
        rss_start,
        rss_idle,
        rss_end,
        spawn: t1 - t0,
        teardown: t2 - t1,
        total,
    })
}

/// What `mallopt(M_MMAP_THRESHOLD, 128 KiB)` in the CLI does, as a glibc
/// tunable for the re-executed measurement (pinning the threshold also
/// turns off its dynamic adjustment).
const PIN_MMAP_THRESHOLD: &str = "glibc.malloc.mmap_threshold=131072";

/// Runs one measurement in a fresh OS process, with glibc's mmap threshold
/// pinned as in the CLI or left at glibc's (dynamic) default.
fn measure_in_child(n: u32, pin: bool) -> Result<Sample, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let mut cmd = Command::new(exe);
    cmd.args(["--child", &n.to_string()]);
    if pin {
        let tunables = match std::env::var("GLIBC_TUNABLES") {
            Ok(t) if !t.is_empty() => format!("{t}:{PIN_MMAP_THRESHOLD}"),
            _ => PIN_MMAP_THRESHOLD.to_string(),
        };
        cmd.env("GLIBC_TUNABLES", tunables);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("running the measurement: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "measurement with {n} children failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Sample::parse(&String::from_utf8_lossy(&out.stdout))
}

fn kib_per(delta_kib: u64, base_kib: u64, n: u32) -> f64 {
    delta_kib.saturating_sub(base_kib) as f64 / f64::from(n)
}

/// Prints the comparison of a run with `n` children and one with 0.
fn report(n: u32, full: &Sample, base: &Sample) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "  KiB per idle process: {:.2} (peak - peak of 0), {:.2} (idle RSS - idle RSS of 0), {:.2} (idle RSS - root start, same run)",
        kib_per(full.hwm, base.hwm, n),
        kib_per(full.rss_idle, base.rss_idle, n),
        kib_per(full.rss_idle, full.rss_start, n),
    );
    println!(
        "  peak RSS (VmHWM): {} KiB with {n}, {} KiB with 0; RSS when all idle: {} KiB with {n}, {} KiB with 0; at the root's start: {} / {} KiB; at its end: {} / {} KiB",
        full.hwm,
        base.hwm,
        full.rss_idle,
        base.rss_idle,
        full.rss_start,
        base.rss_start,
        full.rss_end,
        base.rss_end,
    );
    println!(
        "  spawn {n}: {:.2} ms ({:.2} us per spawn, until all idle); teardown (close, {n} wake + exit + wait): {:.2} ms; whole run: {:.2} ms (with 0: {:.2} ms)",
        ms(full.spawn),
        full.spawn.as_secs_f64() * 1e6 / f64::from(n),
        ms(full.teardown),
        ms(full.total),
        ms(base.total),
    );
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.child {
        return match measure(args.n) {
            Ok(s) => {
                s.print();
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("procmem: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let n = args.n;
    if n == 0 {
        eprintln!("procmem: N must be at least 1");
        return ExitCode::from(2);
    }
    println!(
        "procmem: {n} idle processes (each blocked in fd_read on a pipe), one fresh OS process per measurement"
    );
    for (pin, label) in [
        (
            true,
            "glibc mmap threshold pinned at 128 KiB, as the CLI does",
        ),
        (
            false,
            "glibc's default, dynamic mmap threshold (an embedder that does not pin it)",
        ),
    ] {
        let pair = measure_in_child(0, pin).and_then(|b| Ok((b, measure_in_child(n, pin)?)));
        match pair {
            Ok((base, full)) => {
                println!("{label}:");
                report(n, &full, &base);
            }
            Err(e) => {
                eprintln!("procmem: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
