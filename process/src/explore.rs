//! [`Explore`]: runs a program under many schedules to find one that breaks
//! it, on every core, and saves each failure as a replayable trace
//! (docs/explore.md).
//!
//! Schedule `i` of an exploration is the strategy's schedule with seed
//! `first_seed + i` ([`Strategy::schedule`]); a shard `I/N` runs the `i`
//! with `i % N == I`. Each worker thread takes the next `i` and runs it to
//! the end on its own thread (a run's processes never leave it), with the
//! modules compiled once for all runs. Without [`Explore::all`] the
//! exploration stops at its first failure in seed order: workers stop
//! taking schedules past the lowest failing one found so far and finish
//! those below it, so the result does not depend on the number of workers.
//!
//! Every run is deterministic (virtual clocks, seeded random bytes, empty
//! stdin, captured stdout and stderr); each worker gives its runs fresh
//! copies of the read-write grants (read-only ones are shared), so runs do
//! not see each other's files.

use crate::run::{
    Compiled, Det, Ending, Error, Grant, HostMode, Output, Plan, RootIo, Run, build_with,
    ending_of, take_captured,
};
use crate::schedule::{Point, Schedule};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasiproc_wasi::{FuelClock, StdinTape};

/// How schedules are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// [`Schedule::Random`]: random picks and slice lengths.
    Random,
    /// [`Schedule::Pct`] with this depth, change points drawn over the
    /// fuel of the program's FIFO run.
    Pct {
        /// The bug depth looked for (at least 1).
        depth: u32,
    },
}

impl Strategy {
    /// The schedule of `seed`; `length` is the FIFO run's fuel.
    pub fn schedule(&self, seed: u64, length: u64) -> Schedule {
        match *self {
            Strategy::Random => Schedule::Random { seed },
            Strategy::Pct { depth } => Schedule::Pct {
                seed,
                depth,
                length: length.max(1),
            },
        }
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Strategy::Random => f.write_str("random"),
            Strategy::Pct { depth } => write!(f, "pct:{depth}"),
        }
    }
}

impl FromStr for Strategy {
    type Err = String;

    /// `random`, `pct` (depth 3) or `pct:DEPTH`.
    fn from_str(s: &str) -> Result<Strategy, String> {
        match s.split_once(':') {
            None if s == "random" => Ok(Strategy::Random),
            None if s == "pct" => Ok(Strategy::Pct { depth: 3 }),
            Some(("pct", d)) => match d.parse::<u32>() {
                Ok(depth @ 1..=1000) => Ok(Strategy::Pct { depth }),
                _ => Err(format!("strategy {s:?}: the depth must be 1 to 1000")),
            },
            _ => Err(format!("unknown strategy {s:?} (random, pct, pct:DEPTH)")),
        }
    }
}

/// Whether a run's stderr matches (for [`FailOn::Stderr`]).
pub type StderrMatcher = Arc<dyn Fn(&[u8]) -> bool + Send + Sync>;

/// The progress callback of [`Explore::progress`].
type ProgressFn = Box<dyn Fn(&Progress) + Send + Sync>;

/// What makes a run a failure.
#[derive(Clone)]
pub enum FailOn {
    /// The root exits with a code other than 0, traps, or the run fails
    /// (a deadlock, ...).
    Exit,
    /// The root's stdout differs from the FIFO run's (or the run fails).
    StdoutDiffers,
    /// The root's stderr matches: the function says whether it does;
    /// the text names the pattern in summaries.
    Stderr(StderrMatcher, String),
}

impl std::fmt::Debug for FailOn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_string())
    }
}

impl std::fmt::Display for FailOn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FailOn::Exit => f.write_str("exit"),
            FailOn::StdoutDiffers => f.write_str("stdout-differs"),
            FailOn::Stderr(_, re) => write!(f, "stderr:{re}"),
        }
    }
}

/// How many schedules to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Schedules `first_seed .. first_seed + n` (those of the shard).
    Runs(u64),
    /// As many as fit in this time.
    Time(Duration),
}

/// What the progress callback is told, a few times a second.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Progress {
    /// Schedules run so far.
    pub schedules: u64,
    /// Failing schedules found so far.
    pub failures: u64,
    /// Time since the exploration started.
    pub elapsed: Duration,
}

/// A failing schedule.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Failure {
    /// Its seed.
    pub seed: u64,
    /// Its schedule (`--schedule` of `wasiproc run`).
    pub schedule: Schedule,
    /// How the run ended (`exit code 1`, `error: deadlock: ...`).
    pub ending: String,
    /// The first line of its stdout.
    pub stdout_line: String,
    /// Its trace, when traces are kept.
    pub trace: Option<PathBuf>,
    /// Its minimised form, when asked for.
    pub minimized: Option<Minimized>,
}

/// A failing schedule reduced to few preemption points.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Minimized {
    /// The points of the failing schedule before reduction.
    pub from: usize,
    /// The reduced schedule ([`Schedule::Points`]); it still fails.
    pub schedule: Schedule,
    /// Runs the reduction took.
    pub runs: u64,
    /// Its trace, when traces are kept.
    pub trace: Option<PathBuf>,
}

impl Minimized {
    /// The preemption points left.
    pub fn points(&self) -> usize {
        match &self.schedule {
            Schedule::Points(p) => p.len(),
            _ => 0,
        }
    }
}

/// What an exploration found.
#[derive(Debug)]
#[non_exhaustive]
pub struct Summary {
    /// The root's name.
    pub root: String,
    /// The strategy.
    pub strategy: Strategy,
    /// The failure criterion, as text.
    pub fail_on: String,
    /// The shard `(index, count)`.
    pub shard: (u64, u64),
    /// The first seed.
    pub first_seed: u64,
    /// The budget in schedules, if it was one.
    pub runs: Option<u64>,
    /// Schedules counted: all of the budget's, or, when the exploration
    /// stopped at a failure, those up to and including it (in seed order).
    pub schedules: u64,
    /// Schedules actually run (more than `schedules` when workers ran past
    /// a failure found by another); for throughput.
    pub executed: u64,
    /// How the FIFO run ended, and its fuel.
    pub fifo: (String, u64),
    /// Failing schedules in seed order (only the first without
    /// [`Explore::all`]).
    pub failures: Vec<Failure>,
    /// Time taken (not in the text or JSON summary's stable part).
    pub elapsed: Duration,
    /// Worker threads used.
    pub jobs: usize,
    /// Whether it went on after the first failure ([`Explore::all`]).
    pub all: bool,
}

/// An exploration under construction.
pub struct Explore {
    plan: Plan,
    strategy: Strategy,
    budget: Budget,
    jobs: usize,
    fail_on: FailOn,
    keep: Option<PathBuf>,
    minimize: bool,
    shard: (u64, u64),
    all: bool,
    first_seed: u64,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for Explore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Explore")
            .field("root", &self.plan.root_name)
            .field("strategy", &self.strategy)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

/// The outcome of one run.
struct Outcome {
    ending: Ending,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    fuel: u64,
    points: Vec<Point>,
}

impl Explore {
    /// An exploration of `run`'s program (its modules, arguments,
    /// environment, grants, limits, slice and random seed; stdio, sinks
    /// and host functions are not used): 1,000 random schedules from seed
    /// 0, on every core, failing on a non-zero exit.
    pub fn new(run: &Run) -> Explore {
        let mut plan = run.plan().clone();
        plan.deterministic = true;
        Explore {
            plan,
            strategy: Strategy::Random,
            budget: Budget::Runs(1000),
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            fail_on: FailOn::Exit,
            keep: None,
            minimize: false,
            shard: (0, 1),
            all: false,
            first_seed: 0,
            progress: None,
        }
    }

    /// How schedules are drawn.
    pub fn strategy(&mut self, s: Strategy) -> &mut Self {
        self.strategy = s;
        self
    }

    /// How many schedules to run.
    pub fn budget(&mut self, b: Budget) -> &mut Self {
        self.budget = b;
        self
    }

    /// Worker threads (at least 1; default: the available cores).
    pub fn jobs(&mut self, n: usize) -> &mut Self {
        self.jobs = n.max(1);
        self
    }

    /// What makes a run a failure.
    pub fn fail_on(&mut self, f: FailOn) -> &mut Self {
        self.fail_on = f;
        self
    }

    /// Saves each failure's trace (and its minimised one) in `dir` as
    /// `seed-N.trace` (`seed-N.min.trace`).
    pub fn keep(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.keep = Some(dir.into());
        self
    }

    /// Reduces each reported failure to few preemption points.
    pub fn minimize(&mut self, on: bool) -> &mut Self {
        self.minimize = on;
        self
    }

    /// Runs only shard `index` of `count` (`index < count`).
    pub fn shard(&mut self, index: u64, count: u64) -> &mut Self {
        self.shard = (index, count.max(1));
        self
    }

    /// Goes on after the first failure and reports every one.
    pub fn all(&mut self, on: bool) -> &mut Self {
        self.all = on;
        self
    }

    /// The seed of schedule 0.
    pub fn first_seed(&mut self, seed: u64) -> &mut Self {
        self.first_seed = seed;
        self
    }

    /// Called a few times a second with the exploration's progress.
    pub fn progress(&mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> &mut Self {
        self.progress = Some(Box::new(f));
        self
    }

    /// Runs the exploration.
    pub fn execute(&mut self) -> Result<Summary, Error> {
        let (index, count) = self.shard;
        if index >= count {
            return Err(Error::Usage(format!(
                "shard {}/{count}: the index must be below the count",
                index + 1
            )));
        }
        let start = Instant::now();
        let compiled = Compiled::new(&self.plan)?;
        if compiled.root.is_none() {
            return Err(Error::NoStart);
        }
        let scratch = Scratch::new(&self.plan)?;
        // The FIFO run: the reference stdout, and the fuel PCT draws over.
        let mut worker0 = scratch.worker(0)?;
        let fifo = worker0.run(&compiled, Schedule::Fifo, false)?;
        let base_stdout = fifo.stdout.clone();
        let length = fifo.fuel;
        // Shard positions k = 0, 1, ...: schedule index i = k * count + index.
        let limit = match self.budget {
            Budget::Runs(n) => n.saturating_sub(index).div_ceil(count),
            Budget::Time(_) => u64::MAX,
        };
        let deadline = match self.budget {
            Budget::Time(d) => Some(start + d),
            Budget::Runs(_) => None,
        };
        let seed_of = |k: u64| {
            self.first_seed
                .wrapping_add(k.wrapping_mul(count).wrapping_add(index))
        };
        let next = AtomicU64::new(0);
        let stop = AtomicU64::new(u64::MAX);
        let executed = AtomicU64::new(0);
        let failed = AtomicU64::new(0);
        let running = AtomicUsize::new(self.jobs);
        let found: Mutex<Vec<(u64, Outcome)>> = Mutex::new(Vec::new());
        let error: Mutex<Option<Error>> = Mutex::new(None);
        let halt = AtomicBool::new(false);
        let mut workers = vec![worker0];
        for w in 1..self.jobs {
            workers.push(scratch.worker(w)?);
        }
        let this: &Explore = self;
        let all = this.all;
        let judge = |o: &Outcome| this.fails(o, &base_stdout);
        std::thread::scope(|s| {
            for mut w in workers.drain(..) {
                let (compiled, next, stop, executed, failed, found, error, halt, running) = (
                    &compiled, &next, &stop, &executed, &failed, &found, &error, &halt, &running,
                );
                let strategy = this.strategy;
                let judge = &judge;
                let seed_of = &seed_of;
                s.spawn(move || {
                    loop {
                        if halt.load(Ordering::Relaxed)
                            || deadline.is_some_and(|d| Instant::now() >= d)
                        {
                            break;
                        }
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= limit || k >= stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let schedule = strategy.schedule(seed_of(k), length);
                        match w.run(compiled, schedule, false) {
                            Ok(o) => {
                                executed.fetch_add(1, Ordering::Relaxed);
                                if judge(&o) {
                                    failed.fetch_add(1, Ordering::Relaxed);
                                    if !all {
                                        stop.fetch_min(k + 1, Ordering::Relaxed);
                                    }
                                    lock(found).push((k, o));
                                }
                            }
                            Err(e) => {
                                lock(error).get_or_insert(e);
                                halt.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                    running.fetch_sub(1, Ordering::Release);
                });
            }
            if let Some(report) = &this.progress {
                while running.load(Ordering::Acquire) > 0 {
                    std::thread::sleep(Duration::from_millis(100));
                    report(&Progress {
                        schedules: executed.load(Ordering::Relaxed),
                        failures: failed.load(Ordering::Relaxed),
                        elapsed: start.elapsed(),
                    });
                }
            }
        });
        if let Some(e) = lock(&error).take() {
            return Err(e);
        }
        let mut found = std::mem::take(&mut *lock(&found));
        found.sort_by_key(|(k, _)| *k);
        if !self.all {
            found.truncate(1);
        }
        let executed = executed.load(Ordering::Relaxed);
        let schedules = match (self.all, found.first()) {
            (false, Some((k, _))) => k + 1,
            _ => match self.budget {
                Budget::Runs(_) => limit,
                Budget::Time(_) => next.load(Ordering::Relaxed).min(executed),
            },
        };
        if let Some(dir) = &self.keep {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Setup(format!("cannot create {}: {e}", dir.display())))?;
        }
        let mut w = scratch.worker(0)?;
        let mut failures = Vec::new();
        for (k, o) in found {
            let seed = seed_of(k);
            let schedule = self.strategy.schedule(seed, length);
            let trace = match &self.keep {
                Some(dir) => Some(self.save(&mut w, &schedule, dir, &format!("seed-{seed}"))?),
                None => None,
            };
            let minimized = if self.minimize {
                self.reduce(&mut w, &compiled, &schedule, &judge, seed)?
            } else {
                None
            };
            failures.push(Failure {
                seed,
                schedule,
                ending: o.ending.to_string(),
                stdout_line: first_line(&o.stdout),
                trace,
                minimized,
            });
        }
        Ok(Summary {
            root: self.plan.root_name.clone(),
            strategy: self.strategy,
            fail_on: self.fail_on.to_string(),
            shard: self.shard,
            first_seed: self.first_seed,
            runs: match self.budget {
                Budget::Runs(n) => Some(n),
                Budget::Time(_) => None,
            },
            schedules,
            executed,
            fifo: (fifo.ending.to_string(), fifo.fuel),
            failures,
            elapsed: start.elapsed(),
            jobs: self.jobs,
            all: self.all,
        })
    }

    /// Whether a run's outcome is a failure.
    fn fails(&self, o: &Outcome, base_stdout: &[u8]) -> bool {
        let error = matches!(o.ending, Ending::Error(_));
        match &self.fail_on {
            FailOn::Exit => error || !matches!(&o.ending, Ending::Status(0, _)),
            FailOn::StdoutDiffers => error || o.stdout != base_stdout,
            FailOn::Stderr(matches, _) => matches(&o.stderr),
        }
    }

    /// Records the run of `schedule` into `dir/NAME.trace`.
    fn save(
        &self,
        w: &mut Worker,
        schedule: &Schedule,
        dir: &Path,
        name: &str,
    ) -> Result<PathBuf, Error> {
        w.reset()?;
        let path = dir.join(format!("{name}.trace"));
        let file = std::fs::File::create(&path)
            .map_err(|e| Error::Setup(format!("cannot create {}: {e}", path.display())))?;
        let mut plan = w.plan.clone();
        plan.schedule = schedule.clone();
        let mut run = Run::from_plan(plan);
        run.stdin(crate::Stdin::Null)
            .stdout(Output::Null)
            .stderr(Output::Null)
            .record(std::io::BufWriter::new(file));
        match run.execute() {
            Ok(_) | Err(Error::Run(_)) => Ok(path),
            Err(e) => Err(e),
        }
    }

    /// Reduces the failing `schedule` to few preemption points: its run's
    /// points ([`Schedule::Points`], the same interleaving), then delta
    /// debugging (Zeller's ddmin) over them, each candidate kept if it
    /// still fails.
    fn reduce(
        &self,
        w: &mut Worker,
        compiled: &Compiled,
        schedule: &Schedule,
        judge: &dyn Fn(&Outcome) -> bool,
        seed: u64,
    ) -> Result<Option<Minimized>, Error> {
        let full = w.run(compiled, schedule.clone(), true)?.points;
        let mut runs = 1u64;
        let mut test = |points: &[Point]| -> Result<bool, Error> {
            runs += 1;
            let o = w.run(compiled, Schedule::Points(points.to_vec()), false)?;
            Ok(judge(&o))
        };
        if !test(&full)? {
            // The points did not reproduce the failure: nothing to reduce.
            return Ok(None);
        }
        let points = ddmin(full.clone(), &mut test, 4_000)?;
        let schedule = Schedule::Points(points);
        let trace = match &self.keep {
            Some(dir) => Some(self.save(w, &schedule, dir, &format!("seed-{seed}.min"))?),
            None => None,
        };
        Ok(Some(Minimized {
            from: full.len(),
            schedule,
            runs,
            trace,
        }))
    }
}

/// Delta debugging: a 1-minimal subset of `c` for which `test` holds
/// (`test(c)` holds), trying the empty set first; at most `budget` tests.
fn ddmin(
    mut c: Vec<Point>,
    test: &mut dyn FnMut(&[Point]) -> Result<bool, Error>,
    budget: u64,
) -> Result<Vec<Point>, Error> {
    let mut spent = 0u64;
    if c.is_empty() || test(&[])? {
        return Ok(Vec::new());
    }
    let mut n = 2usize;
    while c.len() >= 2 && spent < budget {
        let chunk = c.len().div_ceil(n);
        let mut reduced = false;
        let mut start = 0;
        while start < c.len() && spent < budget {
            let end = (start + chunk).min(c.len());
            let rest: Vec<Point> = c[..start].iter().chain(&c[end..]).copied().collect();
            spent += 1;
            if test(&rest)? {
                c = rest;
                n = (n - 1).max(2);
                reduced = true;
                break;
            }
            start = end;
        }
        if !reduced {
            if n >= c.len() {
                break;
            }
            n = (n * 2).min(c.len());
        }
    }
    Ok(c)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The first line of `bytes`, as text.
fn first_line(bytes: &[u8]) -> String {
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    String::from_utf8_lossy(line).into_owned()
}

/// The read-write grants of a plan and where each worker's copies live.
struct Scratch {
    plan: Plan,
    /// (index in plan.grants, what it held when the exploration started).
    writable: Vec<(usize, Arc<Original>)>,
    dir: PathBuf,
}

/// A read-write grant's contents when the exploration started: in memory
/// when small, so that resetting a copy reads nothing from disk.
enum Original {
    /// Its directories (`None`) and files, by relative path, parents first.
    Snapshot(Vec<(PathBuf, Option<Vec<u8>>)>),
    /// Too big to keep: copied from the directory itself.
    Disk(PathBuf),
}

/// Grants up to this many bytes of files are kept in memory.
const SNAPSHOT_BYTES: u64 = 16 << 20;

/// The files and directories beneath `dir` (relative paths, parents
/// first), or `None` when their files hold more than `budget` bytes.
fn snapshot(
    dir: &Path,
    rel: &Path,
    budget: &mut u64,
    out: &mut Vec<(PathBuf, Option<Vec<u8>>)>,
) -> std::io::Result<bool> {
    for entry in std::fs::read_dir(dir.join(rel))? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = rel.join(entry.file_name());
        if kind.is_dir() {
            out.push((path.clone(), None));
            if !snapshot(dir, &path, budget, out)? {
                return Ok(false);
            }
        } else if kind.is_file() {
            let len = entry.metadata()?.len();
            if len > *budget {
                return Ok(false);
            }
            *budget -= len;
            out.push((path, Some(std::fs::read(entry.path())?)));
        }
    }
    Ok(true)
}

impl Scratch {
    fn new(plan: &Plan) -> Result<Scratch, Error> {
        let mut writable = Vec::new();
        for (i, g) in plan.grants.iter().enumerate().filter(|(_, g)| !g.read_only) {
            let host = PathBuf::from(&g.host);
            let mut files = Vec::new();
            let fits = snapshot(
                &host,
                Path::new(""),
                &mut SNAPSHOT_BYTES.clone(),
                &mut files,
            )
            .map_err(|e| Error::Setup(format!("cannot read {}: {e}", host.display())))?;
            let original = if fits {
                Original::Snapshot(files)
            } else {
                Original::Disk(host)
            };
            writable.push((i, Arc::new(original)));
        }
        static NEXT: AtomicU64 = AtomicU64::new(0);
        // A memory filesystem where there is one: removing a run's files
        // from a disk filesystem took 4-8 ms per run (ext4), more than the
        // run itself.
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!(
            "wasiproc-explore-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        Ok(Scratch {
            plan: plan.clone(),
            writable,
            dir,
        })
    }

    /// Worker `n`'s plan, its grants pointing at its own copies.
    fn worker(&self, n: usize) -> Result<Worker, Error> {
        let mut plan = self.plan.clone();
        let mut copies = Vec::new();
        for (i, original) in &self.writable {
            let copy = self.dir.join(format!("w{n}")).join(format!("g{i}"));
            plan.grants[*i] = Grant {
                host: copy.to_string_lossy().into_owned(),
                ..plan.grants[*i].clone()
            };
            copies.push((original.clone(), copy));
        }
        Ok(Worker { plan, copies })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !self.writable.is_empty() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// One worker thread's plan and grant copies.
struct Worker {
    plan: Plan,
    /// (original, copy) of each read-write grant.
    copies: Vec<(Arc<Original>, PathBuf)>,
}

impl Worker {
    /// Gives the grants' copies their original contents again.
    fn reset(&self) -> Result<(), Error> {
        for (original, copy) in &self.copies {
            restore(original, copy).map_err(|e| {
                Error::Setup(format!(
                    "cannot reset the grant copy {}: {e}",
                    copy.display()
                ))
            })?;
        }
        Ok(())
    }

    /// One run of `schedule`, to its end.
    fn run(
        &mut self,
        compiled: &Compiled,
        schedule: Schedule,
        record_points: bool,
    ) -> Result<Outcome, Error> {
        self.reset()?;
        self.plan.schedule = schedule;
        let det = Det {
            seed: self.plan.seed,
            clock: FuelClock::new(),
            stdin: Some(StdinTape::from_reader(std::io::empty())),
        };
        let (io, captured) = RootIo::new(None, Output::capture(), Output::capture(), true);
        let built = build_with(
            &self.plan,
            HostMode::Det(det),
            None,
            io,
            Vec::new(),
            &[],
            Some((compiled, record_points)),
        )?;
        let Some(mut rt) = built else {
            return Err(Error::NoStart);
        };
        let result = rt.run();
        let points = rt.recorded_points();
        let fuel = rt.fuel_consumed();
        drop(rt);
        Ok(Outcome {
            ending: ending_of(&result),
            stdout: take_captured(&captured.0).unwrap_or_default(),
            stderr: take_captured(&captured.1).unwrap_or_default(),
            fuel,
            points,
        })
    }
}

/// Empties `copy` (creating it if need be) and puts `original`'s contents
/// in it.
fn restore(original: &Original, copy: &Path) -> std::io::Result<()> {
    match std::fs::read_dir(copy) {
        Ok(entries) => {
            for entry in entries {
                let entry = entry?;
                if entry.file_type()?.is_dir() {
                    std::fs::remove_dir_all(entry.path())?;
                } else {
                    std::fs::remove_file(entry.path())?;
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir_all(copy)?,
        Err(e) => return Err(e),
    }
    match original {
        Original::Snapshot(files) => {
            for (rel, data) in files {
                match data {
                    None => std::fs::create_dir(copy.join(rel))?,
                    Some(bytes) => std::fs::write(copy.join(rel), bytes)?,
                }
            }
            Ok(())
        }
        Original::Disk(dir) => copy_tree(dir, copy),
    }
}

/// Copies the directory tree `from` to `to` (files and directories; other
/// kinds are skipped).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// A string as a JSON string literal.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn path_text(p: &Option<PathBuf>) -> Option<String> {
    p.as_ref().map(|p| p.display().to_string())
}

impl Summary {
    /// The stable text summary: the same for any number of workers, and
    /// for a merge of all shards (timings are not in it).
    pub fn text(&self) -> String {
        let mut s = String::new();
        let seeds = match self.runs {
            Some(n) => format!(
                "seeds {}..{}",
                self.first_seed,
                self.first_seed.saturating_add(n)
            ),
            None => format!("seeds from {}", self.first_seed),
        };
        let shard = if self.shard.1 > 1 {
            format!(", shard {}/{}", self.shard.0 + 1, self.shard.1)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "explore {}: strategy {}, {seeds}{shard}, fail on {}",
            self.root, self.strategy, self.fail_on
        );
        let _ = writeln!(s, "fifo run: {}, fuel {}", self.fifo.0, self.fifo.1);
        let _ = writeln!(
            s,
            "schedules: {}, failing: {}",
            self.schedules,
            self.failures.len()
        );
        for f in &self.failures {
            let _ = writeln!(s, "failure: seed {}: {}", f.seed, f.ending);
            if !f.stdout_line.is_empty() {
                let _ = writeln!(s, "  stdout: {}", f.stdout_line);
            }
            let _ = writeln!(s, "  schedule: {}", f.schedule);
            if let Some(t) = path_text(&f.trace) {
                let _ = writeln!(s, "  trace: {t}");
            }
            if let Some(m) = &f.minimized {
                let _ = writeln!(
                    s,
                    "  minimized: {} of {} points: {}",
                    m.points(),
                    m.from,
                    m.schedule
                );
                if let Some(t) = path_text(&m.trace) {
                    let _ = writeln!(s, "  minimized trace: {t}");
                }
            }
        }
        s
    }

    /// The summary as one JSON object (the text summary's facts, plus
    /// `executed`, `elapsed_s` and `jobs`).
    pub fn json(&self) -> String {
        let mut s = String::new();
        let opt = |v: Option<String>| v.map_or("null".to_string(), |t| json_str(&t));
        let _ = write!(
            s,
            "{{\"root\":{},\"strategy\":{},\"fail_on\":{},\"shard\":[{},{}],\"first_seed\":{},\
             \"runs\":{},\"schedules\":{},\"executed\":{},\"fifo\":{{\"ending\":{},\"fuel\":{}}},\
             \"all\":{},\"elapsed_s\":{:.3},\"jobs\":{},\"failures\":[",
            json_str(&self.root),
            json_str(&self.strategy.to_string()),
            json_str(&self.fail_on),
            self.shard.0,
            self.shard.1,
            self.first_seed,
            self.runs.map_or("null".to_string(), |n| n.to_string()),
            self.schedules,
            self.executed,
            json_str(&self.fifo.0),
            self.fifo.1,
            self.all,
            self.elapsed.as_secs_f64(),
            self.jobs
        );
        for (i, f) in self.failures.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let _ = write!(
                s,
                "{{\"seed\":{},\"ending\":{},\"stdout\":{},\"schedule\":{},\"trace\":{},\
                 \"minimized\":",
                f.seed,
                json_str(&f.ending),
                json_str(&f.stdout_line),
                json_str(&f.schedule.to_string()),
                opt(path_text(&f.trace)),
            );
            match &f.minimized {
                None => s.push_str("null"),
                Some(m) => {
                    let _ = write!(
                        s,
                        "{{\"points\":{},\"from\":{},\"schedule\":{},\"runs\":{},\"trace\":{}}}",
                        m.points(),
                        m.from,
                        json_str(&m.schedule.to_string()),
                        m.runs,
                        opt(path_text(&m.trace))
                    );
                }
            }
            s.push('}');
        }
        s.push_str("]}");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategies_parse() {
        assert_eq!("random".parse(), Ok(Strategy::Random));
        assert_eq!("pct".parse(), Ok(Strategy::Pct { depth: 3 }));
        assert_eq!("pct:2".parse(), Ok(Strategy::Pct { depth: 2 }));
        assert!("pct:0".parse::<Strategy>().is_err());
        assert!("chaos".parse::<Strategy>().is_err());
    }

    #[test]
    fn ddmin_finds_the_points_a_failure_needs() {
        let points: Vec<Point> = (0..40)
            .map(|i| Point {
                pid: 2,
                fuel: i * 10,
                next: 1,
            })
            .collect();
        // Fails when both points 70 and 310 are kept.
        let mut tests = 0;
        let mut test = |c: &[Point]| {
            tests += 1;
            Ok(c.iter().any(|p| p.fuel == 70) && c.iter().any(|p| p.fuel == 310))
        };
        let min = ddmin(points, &mut test, 1000).unwrap();
        assert_eq!(
            min.iter().map(|p| p.fuel).collect::<Vec<_>>(),
            vec![70, 310]
        );
        assert!(tests < 100, "{tests} tests");
    }

    #[test]
    fn a_grant_copy_is_reset_to_the_original_contents() {
        let top = std::env::temp_dir().join(format!("wasiproc-restore-{}", std::process::id()));
        let (orig, copy) = (top.join("orig"), top.join("copy"));
        std::fs::create_dir_all(orig.join("sub")).unwrap();
        std::fs::write(orig.join("a"), b"A").unwrap();
        std::fs::write(orig.join("sub/b"), b"B").unwrap();
        let mut files = Vec::new();
        assert!(snapshot(&orig, Path::new(""), &mut 1, &mut files).is_ok_and(|fits| !fits));
        files.clear();
        assert!(snapshot(&orig, Path::new(""), &mut 100, &mut files).unwrap());
        for original in [Original::Snapshot(files), Original::Disk(orig.clone())] {
            // A run changed a file, removed one and left new ones behind.
            std::fs::create_dir_all(copy.join("new/deep")).unwrap();
            std::fs::write(copy.join("new/deep/x"), b"x").unwrap();
            std::fs::write(copy.join("a"), b"changed").unwrap();
            restore(&original, &copy).unwrap();
            let mut names: Vec<_> = std::fs::read_dir(&copy)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            names.sort();
            assert_eq!(names, ["a", "sub"]);
            assert_eq!(std::fs::read(copy.join("a")).unwrap(), b"A");
            assert_eq!(std::fs::read(copy.join("sub/b")).unwrap(), b"B");
        }
        let _ = std::fs::remove_dir_all(&top);
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_str("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u0001\"");
    }
}
