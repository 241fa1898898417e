//! The runtime: module registry, process table and the deterministic
//! scheduler that runs every process of a run on one thread in fuel slices.

use crate::abi;
use crate::account::{Charge, MemAccount, ProcLimiter};
use crate::data::{ChildSpec, ITEM_BYTES, PROCESS_BYTES, ProcData, ProcessCall, Request, Response};
use crate::event::{Blocker, Event, EventKind, EventSink};
use crate::limits::Limits;
use crate::pid::{Pid, ROOT};
use crate::pipe::ActivityLog;
use crate::shared_host::SharedHost;
use crate::status::{ExitStatus, Limit};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt;
use wasiproc_engine::{
    CallOutcome, Config, Engine, Error, Func, Linker, Module, Store, StoreLimits, Suspension, Trap,
    TrapKind, Val,
};
use wasiproc_wasi::errno::Errno;
use wasiproc_wasi::table::Descriptor;
use wasiproc_wasi::{BlockedOn, FuelClock, HostEnv, Interest, PidCell, WasiCtx, WasiCtxBuilder};

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Fuel per scheduling slice.
    pub slice: u64,
    /// Most processes alive at once (the root included).
    pub max_processes: usize,
    /// Replace NaN results with the canonical NaN (deterministic floats).
    pub canonicalize_nans: bool,
    /// A clock to tell the run's total fuel consumed after every slice
    /// (the virtual clock of a [`wasiproc_wasi::DeterministicHost`]).
    pub fuel_clock: Option<FuelClock>,
    /// A cell to tell the pid on whose behalf the host is called (set
    /// before each slice and each readiness check; 0 while the scheduler
    /// waits for the outside), for recording and replaying a run.
    pub pid_cell: Option<PidCell>,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            slice: 10_000,
            max_processes: 10_000,
            canonicalize_nans: false,
            fuel_clock: None,
            pid_cell: None,
        }
    }
}

/// Why a run failed before its root ended.
#[derive(Debug)]
pub enum RunError {
    /// The root's module could not be loaded or linked, or a registered
    /// module failed to compile.
    Engine(Error),
    /// Every process is blocked and nothing outside the run can wake them.
    Deadlock(Vec<String>),
    /// Waiting for an outside event (stdin, a timer) failed.
    Wait(String),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Engine(e) => write!(f, "{e}"),
            RunError::Deadlock(lines) => {
                write!(f, "deadlock: every process is blocked")?;
                for l in lines {
                    write!(f, "\n  {l}")?;
                }
                Ok(())
            }
            RunError::Wait(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for RunError {}

impl From<Error> for RunError {
    fn from(e: Error) -> Self {
        RunError::Engine(e)
    }
}

/// One line of the per-process summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessSummary {
    /// The process.
    pub pid: Pid,
    /// Its parent at the time it ended.
    pub parent: Pid,
    /// Module name.
    pub module: String,
    /// Fuel consumed.
    pub fuel: u64,
    /// Largest linear memory seen at a slice boundary, in bytes.
    pub peak_memory: usize,
    /// How it ended.
    pub status: ExitStatus,
}

/// The result of a run.
#[derive(Debug)]
pub struct RunReport {
    /// How the root ended.
    pub status: ExitStatus,
    /// The root's trap, with its backtrace, if it trapped.
    pub trap: Option<Trap>,
    /// Every process of the run, in pid order.
    pub processes: Vec<ProcessSummary>,
}

/// What a process is doing.
enum State {
    /// In the run queue (or running).
    Runnable,
    /// Parked until a WASI condition holds.
    Blocked(BlockedOn),
    /// Parked in `wait` for a child (`None` = any).
    Waiting(Option<Pid>),
    /// Ended, not yet reaped by its parent.
    Zombie(ExitStatus),
}

struct Process {
    parent: Pid,
    module: String,
    store: Option<Store<ProcData>>,
    start: Option<Func>,
    started: bool,
    state: State,
    children: BTreeSet<Pid>,
    /// Children that ended and wait to be reaped (a subset of `children`).
    zombies: BTreeSet<Pid>,
    /// The result to complete a blocked host call with on the next slice.
    resume_with: Option<Val>,
    limits: Limits,
    fuel: u64,
    peak_memory: usize,
}

/// Runs a tree of processes. Build one per run.
pub struct Runtime {
    engine: Engine,
    linker: Linker<ProcData>,
    host: SharedHost,
    config: RuntimeConfig,
    modules: HashMap<String, Module>,
    procs: BTreeMap<Pid, Process>,
    queue: VecDeque<Pid>,
    next_pid: u32,
    live: usize,
    finished: Vec<ProcessSummary>,
    root_trap: Option<Trap>,
    /// Pipes whose state changed since the last look.
    log: ActivityLog,
    /// Blocked processes by the wake key (pipe) they wait on.
    waiters: HashMap<u64, BTreeSet<Pid>>,
    /// Blocked processes re-checked after every slice (timers, stdin,
    /// streams without a wake key).
    polled: BTreeSet<Pid>,
    /// The wake keys each blocked process is registered under.
    keys_of: HashMap<Pid, Vec<u64>>,
    /// Fuel consumed by all processes of the run so far.
    total_fuel: u64,
    /// Where events go, if anywhere.
    sink: Option<EventSink>,
}

impl Runtime {
    /// A runtime whose processes share `host` as their host environment.
    pub fn new(config: RuntimeConfig, host: Box<dyn HostEnv>) -> Result<Self, Error> {
        let mut engine_config = Config::new();
        engine_config
            .consume_fuel(true)
            .canonicalize_nans(config.canonicalize_nans);
        let engine = Engine::new(&engine_config);
        let host = SharedHost::new(host);
        let mut linker = Linker::new(&engine);
        wasiproc_wasi::add_to_linker(&mut linker, |d: &mut ProcData| &mut d.wasi)?;
        let log = ActivityLog::default();
        abi::add_to_linker(&mut linker, host.clone(), log.clone())?;
        Ok(Runtime {
            engine,
            linker,
            host,
            config,
            modules: HashMap::new(),
            procs: BTreeMap::new(),
            queue: VecDeque::new(),
            next_pid: 1,
            live: 0,
            finished: Vec::new(),
            root_trap: None,
            log,
            waiters: HashMap::new(),
            polled: BTreeSet::new(),
            keys_of: HashMap::new(),
            total_fuel: 0,
            sink: None,
        })
    }

    /// Sends every scheduler [`Event`] of the run to `sink`, in order
    /// (replacing an earlier sink). Without a sink, no event is built.
    pub fn set_event_sink(&mut self, sink: impl FnMut(&Event) + Send + 'static) {
        self.sink = Some(Box::new(sink));
    }

    /// Fuel consumed by all processes of the run so far.
    pub fn fuel_consumed(&self) -> u64 {
        self.total_fuel
    }

    /// Reports an event to the sink; `kind` is built only if there is one.
    #[inline]
    fn emit(&mut self, pid: Pid, kind: impl FnOnce() -> EventKind) {
        if let Some(sink) = self.sink.as_mut() {
            sink(&Event {
                fuel: self.total_fuel,
                pid,
                kind: kind(),
            });
        }
    }

    /// The engine processes run on (modules must be compiled with it).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The run's shared host environment; give it to the root's WASI
    /// context builder ([`WasiCtxBuilder::host_env`]).
    pub fn host(&self) -> SharedHost {
        self.host.clone()
    }

    /// Registers a module processes may be allowed to spawn under `name`.
    /// Spawning it any number of times reuses this translation.
    pub fn register(&mut self, name: &str, module: Module) {
        self.modules.insert(abi::normalize(name), module);
    }

    /// Starts the root process (pid 1) running `module`'s `_start` with the
    /// given WASI context, spawn permissions and limits.
    pub fn spawn_root(
        &mut self,
        module: &Module,
        name: &str,
        wasi: WasiCtx,
        allow: BTreeSet<String>,
        limits: Limits,
    ) -> Result<Pid, Error> {
        let allow = allow.iter().map(|n| abi::normalize(n)).collect();
        let data = ProcData::new(wasi, ROOT, Pid(0), allow, limits);
        self.start_process(module, name, data, Pid(0), limits, 0)
    }

    fn start_process(
        &mut self,
        module: &Module,
        name: &str,
        data: ProcData,
        parent: Pid,
        limits: Limits,
        start_bytes: usize,
    ) -> Result<Pid, Error> {
        let pid = Pid(self.next_pid);
        // Memory is charged to the process and every ancestor (account.rs):
        // the root's account holds the run's limit.
        let account = match self.procs.get(&parent).and_then(|p| p.store.as_ref()) {
            Some(s) => s.data().account.child(limits.memory),
            None => MemAccount::root(limits.memory),
        };
        let start_bytes = start_bytes.saturating_add(PROCESS_BYTES);
        let held = Charge::of(&account, start_bytes).map_err(|_| {
            Error::Limit(format!(
                "a process of {start_bytes} bytes (bookkeeping, arguments and environment) \
                 exceeds the memory limit"
            ))
        })?;
        let mut store = Store::new(&self.engine, data);
        store.data_mut().pid = pid;
        let limited = account.is_limited();
        store.data_mut().account = account;
        store.set_limiter(ProcLimiter::holding(held));
        store.set_fuel_slice(Some(self.config.slice))?;
        store.set_fuel(limits.fuel.unwrap_or(u64::MAX))?;
        if limited {
            // A child that outgrows its limit ends with "limit exceeded"; the
            // root sees memory.grow fail with -1, as under wasmtime.
            store.set_limits(StoreLimits {
                trap_on_grow_failure: pid != ROOT,
                ..StoreLimits::default()
            });
        }
        let instance = self.linker.instantiate(&mut store, module)?;
        let start = instance
            .get_func(&store, "_start")
            .ok_or_else(|| Error::Usage(format!("{name} has no _start function")))?;
        self.next_pid += 1;
        self.live += 1;
        self.procs.insert(
            pid,
            Process {
                parent,
                module: name.to_string(),
                store: Some(store),
                start: Some(start),
                started: false,
                state: State::Runnable,
                children: BTreeSet::new(),
                zombies: BTreeSet::new(),
                resume_with: None,
                limits,
                fuel: 0,
                peak_memory: 0,
            },
        );
        if let Some(p) = self.procs.get_mut(&parent) {
            p.children.insert(pid);
        }
        self.queue.push_back(pid);
        self.emit(parent, || EventKind::Spawned {
            child: pid,
            module: name.to_string(),
        });
        Ok(pid)
    }

    /// Runs until the root ends; then kills what is left.
    pub fn run(&mut self) -> Result<RunReport, RunError> {
        loop {
            if matches!(
                self.procs.get(&ROOT).map(|p| &p.state),
                Some(State::Zombie(_)) | None
            ) {
                break;
            }
            let Some(pid) = self.queue.pop_front() else {
                if self.wake_ready() {
                    continue;
                }
                self.wait_outside()?;
                continue;
            };
            self.run_slice(pid);
            self.wake_ready();
        }
        let status = match self.procs.get(&ROOT).map(|p| &p.state) {
            Some(State::Zombie(s)) => s.clone(),
            _ => ExitStatus::Killed(Pid(0)),
        };
        let rest: Vec<Pid> = self
            .procs
            .iter()
            .filter(|(_, p)| !matches!(p.state, State::Zombie(_)))
            .map(|(pid, _)| *pid)
            .collect();
        for pid in rest {
            self.finish(pid, ExitStatus::Killed(Pid(0)));
        }
        let mut processes = std::mem::take(&mut self.finished);
        processes.sort_by_key(|p| p.pid);
        Ok(RunReport {
            status,
            trap: self.root_trap.take(),
            processes,
        })
    }

    /// Runs slices until the root ends or the run has consumed `budget`
    /// more fuel (checked at slice boundaries, so a step may overshoot by
    /// up to one slice). `Ok(Some(report))` once the root has ended (what
    /// is left is killed, as [`Runtime::run`] does); `Ok(None)` when the
    /// budget is spent first. A [`RunError::Deadlock`] leaves the runtime
    /// as it was: an embedder whose streams can wake a process (input fed
    /// to a stream, output drained) may do so and step again. Stepping and
    /// [`Runtime::run`] can be mixed; the scheduling is the same.
    pub fn step(&mut self, budget: u64) -> Result<Option<RunReport>, RunError> {
        let stop = self.total_fuel.saturating_add(budget);
        loop {
            if matches!(
                self.procs.get(&ROOT).map(|p| &p.state),
                Some(State::Zombie(_)) | None
            ) {
                // `run` sees the root ended and only concludes the run.
                return self.run().map(Some);
            }
            if self.total_fuel >= stop {
                return Ok(None);
            }
            let Some(pid) = self.queue.pop_front() else {
                if self.wake_ready() {
                    continue;
                }
                self.wait_outside()?;
                continue;
            };
            self.run_slice(pid);
            self.wake_ready();
        }
    }

    /// The linker every process is instantiated with, for an embedder's
    /// own import modules (define them before the first spawn).
    pub fn linker_mut(&mut self) -> &mut Linker<ProcData> {
        &mut self.linker
    }

    /// Runs one slice of `pid` and files the outcome.
    fn run_slice(&mut self, pid: Pid) {
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        if !matches!(p.state, State::Runnable) || p.store.is_none() {
            return;
        }
        self.emit(pid, || EventKind::SliceStart);
        self.set_pid(pid);
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        let Some(store) = p.store.as_mut() else {
            return;
        };
        let before = p.fuel;
        let result = if let Some(v) = p.resume_with.take() {
            store.resume_with(&[v])
        } else if p.started {
            store.resume()
        } else {
            p.started = true;
            match p.start {
                Some(f) => f.call_resumable(&mut *store, &[]),
                None => Err(Error::Usage("no _start".into())),
            }
        };
        p.fuel = store.fuel_consumed();
        p.peak_memory = p.peak_memory.max(store.memory_bytes());
        let used = p.fuel.saturating_sub(before);
        self.total_fuel = self.total_fuel.saturating_add(used);
        if let Some(clock) = &self.config.fuel_clock {
            clock.set_fuel(self.total_fuel);
        }
        self.emit(pid, || EventKind::SliceEnd { fuel: used });
        match result {
            Ok(CallOutcome::Finished(_)) => self.finish(pid, ExitStatus::Exited(0)),
            Ok(CallOutcome::Suspended(Suspension::OutOfSlice)) => self.queue.push_back(pid),
            Ok(CallOutcome::Suspended(Suspension::Blocked(why))) => {
                if why.is::<ProcessCall>() {
                    self.serve(pid);
                } else if let Ok(on) = why.downcast::<BlockedOn>() {
                    if *on == BlockedOn::Yield {
                        // sched_yield: back of the queue, completed with errno 0.
                        if let Some(p) = self.procs.get_mut(&pid) {
                            p.resume_with = Some(Val::I32(0));
                        }
                        self.queue.push_back(pid);
                    } else {
                        self.block(pid, *on);
                    }
                } else {
                    self.finish(pid, ExitStatus::Trapped(TrapKind::Host));
                }
            }
            Err(Error::Exit(code)) => self.finish(pid, ExitStatus::Exited(code)),
            Err(Error::Trap(trap)) => {
                let status = match trap.kind() {
                    TrapKind::OutOfFuel => ExitStatus::OutOfFuel,
                    TrapKind::MemoryLimit => ExitStatus::LimitExceeded(Limit::Memory),
                    kind => ExitStatus::Trapped(kind),
                };
                if pid == ROOT {
                    self.root_trap = Some(trap);
                }
                self.finish(pid, status);
            }
            Err(_) => self.finish(pid, ExitStatus::Trapped(TrapKind::Host)),
        }
    }

    /// Serves the request a process filed, leaving the response in its data.
    fn serve(&mut self, pid: Pid) {
        let request = self
            .procs
            .get_mut(&pid)
            .and_then(|p| p.store.as_mut())
            .and_then(|s| s.data_mut().request.take());
        let response = match request {
            Some(Request::Spawn(spec)) => Some(Response::Spawned(self.spawn_child(pid, spec))),
            Some(Request::Kill(target)) => Some(Response::Killed(self.kill(pid, target))),
            Some(Request::Wait { pid: which, nohang }) => match self.reap(pid, which) {
                Ok(Some(found)) => Some(Response::Waited(Ok(Some(found)))),
                Ok(None) if nohang => Some(Response::Waited(Ok(None))),
                Ok(None) => {
                    let p = self.procs.get_mut(&pid).expect("requester exists");
                    p.state = State::Waiting(which);
                    self.emit(pid, || EventKind::Blocked(Blocker::Child(which)));
                    None
                }
                Err(e) => Some(Response::Waited(Err(e as u16))),
            },
            None => Some(Response::Killed(Err(Errno::Inval as u16))),
        };
        if let Some(r) = response {
            self.respond(pid, r);
        }
    }

    fn respond(&mut self, pid: Pid, response: Response) {
        if let Some(p) = self.procs.get_mut(&pid) {
            if let Some(store) = p.store.as_mut() {
                store.data_mut().response = Some(response);
            }
            let was_waiting = matches!(p.state, State::Waiting(_));
            p.state = State::Runnable;
            self.queue.push_back(pid);
            if was_waiting {
                self.emit(pid, || EventKind::Woken);
            }
        }
    }

    /// A zombie child of `parent` matching `which` (lowest pid first), reaped.
    fn reap(
        &mut self,
        parent: Pid,
        which: Option<Pid>,
    ) -> Result<Option<(Pid, ExitStatus)>, Errno> {
        let p = self.procs.get_mut(&parent).ok_or(Errno::Srch)?;
        let found = match which {
            Some(c) if !p.children.contains(&c) => return Err(Errno::Child),
            Some(c) => p.zombies.contains(&c).then_some(c),
            None if p.children.is_empty() => return Err(Errno::Child),
            None => p.zombies.first().copied(),
        };
        let Some(c) = found else { return Ok(None) };
        p.zombies.remove(&c);
        p.children.remove(&c);
        let status = match self.procs.remove(&c).map(|z| z.state) {
            Some(State::Zombie(status)) => status,
            _ => ExitStatus::Killed(Pid(0)),
        };
        Ok(Some((c, status)))
    }

    fn live_descendants(&self, pid: Pid) -> u32 {
        let mut count = 0;
        let mut stack: Vec<Pid> = self.procs[&pid].children.iter().copied().collect();
        while let Some(c) = stack.pop() {
            if let Some(p) = self.procs.get(&c) {
                if !matches!(p.state, State::Zombie(_)) {
                    count += 1;
                }
                stack.extend(p.children.iter().copied());
            }
        }
        count
    }

    fn spawn_child(&mut self, parent: Pid, spec: ChildSpec) -> Result<Pid, u16> {
        if self.live >= self.config.max_processes {
            return Err(Errno::Again as u16);
        }
        let mut a = Some(parent);
        while let Some(anc) = a {
            let Some(p) = self.procs.get(&anc) else { break };
            if let Some(max) = p.limits.descendants
                && self.live_descendants(anc) + 1 > max
            {
                return Err(Errno::Again as u16);
            }
            a = if anc == ROOT { None } else { Some(p.parent) };
        }
        let module = self
            .modules
            .get(&spec.module)
            .cloned()
            .ok_or(Errno::Noent as u16)?;
        let start_bytes = spec
            .args
            .iter()
            .map(|a| a.len() + ITEM_BYTES)
            .chain(spec.env.iter().map(|(k, v)| k.len() + v.len() + ITEM_BYTES))
            .sum();
        let mut builder = WasiCtxBuilder::new();
        builder
            .args(spec.args)
            .envs(spec.env)
            .host_env(self.host.clone());
        let mut wasi = builder.build().map_err(|_| Errno::Io as u16)?;
        for n in 0..3 {
            let _ = wasi.fds_mut().remove(n);
        }
        for (n, d) in spec.fds {
            wasi.fds_mut().insert_at(n, d);
        }
        let data = ProcData::new(wasi, Pid(0), parent, spec.allow, spec.limits);
        self.start_process(
            &module,
            &spec.module,
            data,
            parent,
            spec.limits,
            start_bytes,
        )
        .map_err(|e| match e {
            // Over a memory limit, or the host is out of memory.
            Error::Limit(_) => Errno::Nomem as u16,
            _ => Errno::Noexec as u16,
        })
    }

    fn is_descendant(&self, pid: Pid, of: Pid) -> bool {
        let mut cur = pid;
        while let Some(p) = self.procs.get(&cur) {
            if p.parent == of {
                return true;
            }
            if cur == ROOT || p.parent.0 == 0 {
                return false;
            }
            cur = p.parent;
        }
        false
    }

    fn kill(&mut self, killer: Pid, target: Pid) -> Result<(), u16> {
        let Some(t) = self.procs.get(&target) else {
            return Err(Errno::Srch as u16);
        };
        if !self.is_descendant(target, killer) {
            return Err(Errno::Perm as u16);
        }
        if matches!(t.state, State::Zombie(_)) {
            return Ok(());
        }
        self.emit(killer, || EventKind::Killed { target });
        // Collect the subtree first, then end it from the leaves up.
        let mut order = vec![target];
        let mut i = 0;
        while i < order.len() {
            if let Some(p) = self.procs.get(&order[i]) {
                order.extend(p.children.iter().copied());
            }
            i += 1;
        }
        for pid in order.into_iter().rev() {
            if self
                .procs
                .get(&pid)
                .is_some_and(|p| !matches!(p.state, State::Zombie(_)))
            {
                self.finish(pid, ExitStatus::Killed(killer));
            }
        }
        Ok(())
    }

    /// Ends a process: it becomes a zombie, its store (and descriptors) are
    /// dropped, its children are adopted by the root (ended ones discarded),
    /// and a parent waiting for it is woken.
    fn finish(&mut self, pid: Pid, status: ExitStatus) {
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        if matches!(p.state, State::Zombie(_)) {
            return;
        }
        if let Some(store) = p.store.take() {
            p.fuel = store.fuel_consumed();
            p.peak_memory = p.peak_memory.max(store.memory_bytes());
        }
        p.start = None;
        p.state = State::Zombie(status.clone());
        self.live -= 1;
        self.emit(pid, || EventKind::Exited(status.clone()));
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        let parent = p.parent;
        let children: Vec<Pid> = std::mem::take(&mut p.children).into_iter().collect();
        self.finished.push(ProcessSummary {
            pid,
            parent,
            module: p.module.clone(),
            fuel: p.fuel,
            peak_memory: p.peak_memory,
            status: status.clone(),
        });
        // A stale run-queue entry is skipped when popped (it is not runnable).
        self.unregister(pid);
        if pid != ROOT {
            for c in children {
                let zombie = self
                    .procs
                    .get(&c)
                    .is_some_and(|cp| matches!(cp.state, State::Zombie(_)));
                if zombie {
                    self.procs.remove(&c);
                } else if let Some(cp) = self.procs.get_mut(&c) {
                    cp.parent = ROOT;
                    if let Some(s) = cp.store.as_mut() {
                        s.data_mut().ppid = ROOT;
                    }
                    if let Some(root) = self.procs.get_mut(&ROOT) {
                        root.children.insert(c);
                    }
                }
            }
        }
        if let Some(pp) = self.procs.get_mut(&parent) {
            pp.zombies.insert(pid);
        }
        let waiting = self.procs.get(&parent).and_then(|pp| match pp.state {
            State::Waiting(which) => Some(which),
            _ => None,
        });
        if let Some(which) = waiting
            && which.is_none_or(|w| w == pid)
            && let Ok(Some(found)) = self.reap(parent, Some(pid))
        {
            self.respond(parent, Response::Waited(Ok(Some(found))));
        }
    }

    /// Tells the pid cell, if any, who the host is called for.
    fn set_pid(&self, pid: Pid) {
        if let Some(cell) = &self.config.pid_cell {
            cell.set(pid.0);
        }
    }

    /// Whether `pid`'s condition holds. The clock and stdin are asked at
    /// most once per check, however many subscriptions the condition has:
    /// each answer is a host call, recorded by `--record`.
    fn ready(&mut self, pid: Pid, on: &BlockedOn) -> bool {
        self.set_pid(pid);
        self.ready_at(pid, on, &mut Outside::default())
    }

    fn ready_at(&mut self, pid: Pid, on: &BlockedOn, seen: &mut Outside) -> bool {
        match on {
            BlockedOn::Timer { deadline } => {
                *seen.now.get_or_insert_with(|| self.host.monotonic_now()) >= *deadline
            }
            BlockedOn::Stdin => *seen.stdin.get_or_insert_with(|| self.host.stdin_ready()),
            BlockedOn::Fd { fd, interest } => {
                let Some(store) = self.procs.get_mut(&pid).and_then(|p| p.store.as_mut()) else {
                    return true;
                };
                match (store.data_mut().wasi.fds_mut().get_mut(*fd), interest) {
                    (Ok(Descriptor::Input(s)), Interest::Read) => s.ready(),
                    (Ok(Descriptor::Output(s)), Interest::Write) => s.ready(),
                    (Ok(Descriptor::HostStdin), _) => {
                        *seen.stdin.get_or_insert_with(|| self.host.stdin_ready())
                    }
                    _ => true,
                }
            }
            BlockedOn::Any(all) => all.iter().any(|c| self.ready_at(pid, c, seen)),
            BlockedOn::Yield => true,
        }
    }

    /// Parks `pid` until `on` holds, registered under the wake keys of the
    /// pipes it waits on (or polled, when the condition has parts without one).
    fn block(&mut self, pid: Pid, on: BlockedOn) {
        let mut keys = Vec::new();
        let mut poll = on.deadline().is_some() || on.includes_stdin();
        if let Some(store) = self.procs.get_mut(&pid).and_then(|p| p.store.as_mut()) {
            for (fd, _) in on.fds() {
                let key = match store.data_mut().wasi.fds_mut().get_mut(fd) {
                    Ok(Descriptor::Input(s)) => s.wake_key(),
                    Ok(Descriptor::Output(s)) => s.wake_key(),
                    _ => None,
                };
                match key {
                    Some(k) => keys.push(k),
                    None => poll = true,
                }
            }
        }
        if poll || keys.is_empty() {
            self.polled.insert(pid);
        }
        for k in &keys {
            self.waiters.entry(*k).or_default().insert(pid);
        }
        self.keys_of.insert(pid, keys);
        self.emit(pid, || EventKind::Blocked(Blocker::On(on.clone())));
        if let Some(p) = self.procs.get_mut(&pid) {
            p.state = State::Blocked(on);
        }
    }

    /// Removes `pid` from the wait registrations.
    fn unregister(&mut self, pid: Pid) {
        self.polled.remove(&pid);
        for k in self.keys_of.remove(&pid).unwrap_or_default() {
            if let Some(set) = self.waiters.get_mut(&k) {
                set.remove(&pid);
                if set.is_empty() {
                    self.waiters.remove(&k);
                }
            }
        }
    }

    /// Moves blocked processes whose condition holds to the run queue, in
    /// pid order: those waiting on a pipe that changed, and the polled ones.
    /// Returns whether any was woken.
    fn wake_ready(&mut self) -> bool {
        let mut candidates: BTreeSet<Pid> = self.polled.clone();
        for key in self.log.drain() {
            if let Some(set) = self.waiters.get(&key) {
                candidates.extend(set.iter().copied());
            }
        }
        let mut woke = false;
        for pid in candidates {
            let on = match self.procs.get(&pid).map(|p| &p.state) {
                Some(State::Blocked(on)) => on.clone(),
                _ => continue,
            };
            if self.ready(pid, &on) {
                self.unregister(pid);
                if let Some(p) = self.procs.get_mut(&pid) {
                    p.state = State::Runnable;
                    self.queue.push_back(pid);
                    woke = true;
                    self.emit(pid, || EventKind::Woken);
                }
            }
        }
        woke
    }

    /// Nothing can run: wait for stdin or the earliest timer, or report a
    /// deadlock when neither can wake anyone.
    fn wait_outside(&mut self) -> Result<(), RunError> {
        let mut outside = Vec::new();
        let mut lines = Vec::new();
        for (pid, p) in &self.procs {
            let what = match &p.state {
                State::Blocked(on) => {
                    external(on, &mut outside);
                    format!("waits for {on}")
                }
                State::Waiting(Some(c)) => format!("waits for child {c}"),
                State::Waiting(None) => "waits for any child".to_string(),
                _ => continue,
            };
            lines.push(format!("pid {pid} ({}): {what}", p.module));
        }
        if outside.is_empty() {
            return Err(RunError::Deadlock(lines));
        }
        // Only the earliest deadline and stdin matter to the host's wait.
        let mut on = Vec::new();
        if outside.iter().any(BlockedOn::includes_stdin) {
            on.push(BlockedOn::Stdin);
        }
        if let Some(deadline) = outside.iter().filter_map(BlockedOn::deadline).min() {
            on.push(BlockedOn::Timer { deadline });
        }
        self.set_pid(Pid(0));
        self.host.wait(&BlockedOn::Any(on)).map_err(RunError::Wait)
    }
}

/// The outside answers of one readiness check, asked for at most once.
#[derive(Default)]
struct Outside {
    now: Option<u64>,
    stdin: Option<bool>,
}

/// The parts of a condition that something outside the run can satisfy.
fn external(on: &BlockedOn, out: &mut Vec<BlockedOn>) {
    match on {
        BlockedOn::Timer { .. } | BlockedOn::Stdin => out.push(on.clone()),
        BlockedOn::Any(all) => all.iter().for_each(|c| external(c, out)),
        BlockedOn::Fd { .. } | BlockedOn::Yield => {}
    }
}
