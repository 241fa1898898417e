//! The runtime: module registry, process table and the deterministic
//! scheduler that runs every process of a run on one thread in fuel slices.

use crate::abi;
use crate::account::{Charge, MemAccount, ProcLimiter};
use crate::data::{
    ChildSpec, ITEM_BYTES, PROCESS_BYTES, ProcData, ProcessCall, Reply, Request, Response,
};
use crate::event::{Blocker, Event, EventKind, EventSink};
use crate::fxhash::FxHashMap;
use crate::limits::Limits;
use crate::pid::{Pid, ROOT};
use crate::pipe::ActivityLog;
use crate::schedule::{Point, Policy, Schedule};
use crate::shared_host::SharedHost;
use crate::status::{ExitStatus, Limit};
use std::cell::OnceCell;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;
use wasiproc_engine::{
    CallOutcome, Config, Engine, Error, Func, InstancePre, Linker, Module, Store, StoreLimits,
    Suspension, Trap, TrapKind, Val,
};
use wasiproc_wasi::errno::Errno;
use wasiproc_wasi::table::{Descriptor, FdQuota};
use wasiproc_wasi::{
    BlockedOn, FuelClock, Halt, HostEnv, HostHandle, Interest, PidCell, WasiCtx, Yielded,
};

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
    /// Which process runs next and for how much fuel (FIFO with `slice`
    /// by default; see [`Schedule`]).
    pub schedule: Schedule,
    /// Keep the preemption points of the run ([`Runtime::recorded_points`]):
    /// the [`Schedule::Points`] form of its schedule.
    pub record_points: bool,
    /// Bytes of freed linear memories the engine made by
    /// [`Runtime::engine_for`] keeps for the next spawns
    /// (`wasiproc_engine::Config::memory_pool`; [`MEMORY_POOL_BYTES`] by
    /// default, 0 for none). Host memory held after the processes that used
    /// it ended, never charged to a process; cleared before it is kept.
    pub memory_pool: usize,
    /// Let a process that would be picked again at once, with nothing
    /// else to do, start its next slice inside the interpreter instead of
    /// returning to the scheduler (`Store::set_slice_renewal`): the same
    /// schedule, fuel figures and outputs, without the ~680 instructions
    /// of a slice end. On by default; off only to compare the two paths.
    pub renew_slices: bool,
}

/// The default of [`RuntimeConfig::memory_pool`]: 8 MiB, about forty
/// one-page memories (a block is at least 192 KiB) or a few of the
/// 1-2 MiB memories a Rust or C command starts with.
pub const MEMORY_POOL_BYTES: usize = 8 << 20;

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            slice: 10_000,
            max_processes: 10_000,
            canonicalize_nans: false,
            fuel_clock: None,
            pid_cell: None,
            schedule: Schedule::Fifo,
            record_points: false,
            memory_pool: MEMORY_POOL_BYTES,
            renew_slices: true,
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
    /// The host environment failed on its own and stopped the run (a
    /// replay that left its recording: [`wasiproc_wasi::Halt`]); the
    /// reason.
    Halted(String),
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
            RunError::Wait(m) | RunError::Halted(m) => f.write_str(m),
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

/// What a living process is doing.
enum State {
    /// In the run queue (or running).
    Runnable,
    /// Parked until a WASI condition holds.
    Blocked(BlockedOn),
    /// Parked in `wait` for a child (`None` = any); the status goes where
    /// the reply says.
    Waiting(Option<Pid>, Reply),
}

/// A living process. Kept at most 1,032 bytes (a unit test checks it):
/// the boxed entry then comes from glibc's per-size cache (requests up to
/// 1,032 bytes); at 1,200 bytes every spawn's entry allocation took
/// malloc's slow path, consolidating the heap (about 1,500 instructions a
/// spawn, measured with callgrind).
struct Process {
    parent: Pid,
    /// Index of its module name in [`Runtime::names`].
    module: u32,
    store: Store<ProcData>,
    /// Its `_start`, until the first slice calls it.
    start: Option<Func>,
    state: State,
    /// Living children.
    children: BTreeSet<Pid>,
    /// Children that ended and wait to be reaped (never in `children`: a
    /// zombie is kept in one set only).
    zombies: BTreeSet<Pid>,
    /// How its next slice starts: its blocked call (a `sched_yield`, or a
    /// `wasi_process` call the scheduler answered) completed with this
    /// errno, or (`None`) calling `_start` or resuming where it stopped.
    /// (An errno is 16 bits: the entry stays a small allocation.)
    answer: Option<u16>,
    peak_memory: usize,
    /// The accounting node its fuel is charged to (its own when it was
    /// given a fuel or descendants limit, else its spawner's).
    node: NodeId,
    /// The node whose chain counts this process as a live descendant (its
    /// spawner's node; [`NO_NODE`] for the root).
    counted_in: NodeId,
}

/// A module registered for spawning.
struct Registered {
    module: Module,
    /// Id of its name in [`Runtime::names`].
    name: u32,
    /// Where `_start` is among its exports (looked up once, not per spawn).
    start: Option<usize>,
    /// The module with its imports resolved by the linker, made at its
    /// first spawn: every spawn then instantiates without looking its
    /// imports up, and shares one instance layout (engine `InstancePre`).
    pre: OnceCell<InstancePre<ProcData>>,
}

/// Emptied entries of ended processes kept for reuse ([`Runtime`]'s
/// `shells`): enough for the processes a spawning loop has ended between
/// two spawns, few enough that what they keep (a kilobyte each, and their
/// stores' lists, at most `RESET_KEEP` items each) stays small.
const SHELLS: usize = 4;

/// Gives back most of a map's room once it holds far fewer entries than
/// it had room for (a burst of processes or zombies is over): a hash map
/// never shrinks by itself.
fn trim<K: std::hash::Hash + Eq, V>(map: &mut FxHashMap<K, V>) {
    if map.capacity() > 1024 && map.len() < map.capacity() / 8 {
        map.shrink_to(map.len() * 2);
    }
}

/// No accounting node (a root is counted in none).
const NO_NODE: NodeId = NodeId::MAX;

/// An ended process until it is reaped: only its parent and status (a few
/// dozen bytes, see SECURITY.md).
struct Zombie {
    parent: Pid,
    status: ExitStatus,
}

/// The end-of-run summary line of an ended process: 24 bytes in a block
/// of [`Summaries`] and a 24-byte box (one 32-byte heap chunk).
///
/// Why a box: measured, without one small allocation per ended process
/// glibc no longer reused the memory a round of 10,000 processes freed for
/// the next round (cli/tests/load.rs: +27 MB of peak per round, with the
/// figures inline or with only an index); the small chunk it takes is one
/// the ended process has just freed. The figures fill that chunk instead of
/// a copy of the module's name, which they used to hold.
struct Ended {
    pid: Pid,
    parent: Pid,
    /// Index of its module name in [`Runtime::names`].
    module: u32,
    figures: Box<Figures>,
}

/// What an ended process used and how it ended.
struct Figures {
    fuel: u64,
    peak_memory: u64,
    status: ExitStatus,
}

/// Summary lines per block of [`Summaries`] (about 4 KiB).
const SUMMARY_BLOCK: usize = 4096 / std::mem::size_of::<Ended>();

/// The summary lines of the ended processes, in blocks of a fixed size:
/// the lines never move and never leave a vector's spare capacity behind
/// (at most one partly filled block), so an ended process costs its line,
/// its box and a block pointer's share (SECURITY.md, "Accounting").
#[derive(Default)]
struct Summaries {
    blocks: Vec<Vec<Ended>>,
}

impl Summaries {
    fn push(&mut self, line: Ended) {
        match self.blocks.last_mut() {
            Some(b) if b.len() < SUMMARY_BLOCK => b.push(line),
            _ => {
                let mut b = Vec::with_capacity(SUMMARY_BLOCK);
                b.push(line);
                self.blocks.push(b);
            }
        }
    }

    /// Every line, the blocks given back as they are read.
    fn drain(&mut self) -> std::iter::Flatten<std::vec::IntoIter<Vec<Ended>>> {
        std::mem::take(&mut self.blocks).into_iter().flatten()
    }
}

/// Index of an accounting [`Node`].
type NodeId = u32;

/// Where a new process is accounted: the node its fuel is charged to, the
/// node whose chain counts it as a live descendant (none for the root),
/// and the bytes its memory account is charged from its start (arguments
/// and environment; [`PROCESS_BYTES`] is added to them).
struct Placement {
    node: NodeId,
    counted_in: Option<NodeId>,
    start_bytes: usize,
}

/// Accounting shared by a subtree of processes, shaped like a cgroup: a
/// process given a fuel or descendants limit gets a node of its own under
/// its spawner's node; every other process uses its spawner's node. Fuel
/// used is charged to the node and every node above it; a spawn counts the
/// child in the spawner's node and every node above it until the child
/// ends (even if the root adopts it). Nodes live while a process or a node
/// below refers to them.
struct Node {
    parent: Option<NodeId>,
    refs: u32,
    fuel_limit: Option<u64>,
    fuel_used: u64,
    desc_limit: Option<u32>,
    desc_live: u32,
    /// This node or one above it has a fuel limit.
    fuel_bounded: bool,
}

/// Runs a tree of processes. Build one per run.
pub struct Runtime {
    engine: Engine,
    linker: Linker<ProcData>,
    host: SharedHost,
    config: RuntimeConfig,
    /// Registered modules by name.
    modules: FxHashMap<String, Registered>,
    /// Living processes. A hash map (an insert and a remove per spawn cost
    /// a third of a B-tree's); whatever walks it sorts the pids first
    /// ([`Runtime::living`]), so every order stays the pids'.
    /// Boxed: a `Process` holds its whole store, and the map moves its
    /// values as it grows (unboxed, copying them was 13% of a spawn).
    procs: FxHashMap<Pid, Box<Process>>,
    /// Entries of ended processes, emptied (their store reset, their data
    /// released), for the next spawns: a spawn then allocates neither the
    /// entry nor its store's lists. At most [`SHELLS`]. (Boxes: the
    /// boxes themselves are what is reused, moved into `procs` as they are.)
    #[allow(clippy::vec_box)]
    shells: Vec<Box<Process>>,
    /// Ended processes not yet reaped (and the root once it ended).
    /// Never walked, so a hash map.
    dead: FxHashMap<Pid, Zombie>,
    queue: VecDeque<Pid>,
    next_pid: u32,
    live: usize,
    /// Module names of processes, interned.
    names: Vec<String>,
    name_ids: FxHashMap<String, u32>,
    finished: Summaries,
    nodes: Vec<Node>,
    free_nodes: Vec<NodeId>,
    root_trap: Option<Trap>,
    /// Pipes whose state changed since the last look.
    log: ActivityLog,
    /// Blocked processes by the wake key (pipe) they wait on.
    waiters: FxHashMap<u64, BTreeSet<Pid>>,
    /// Blocked processes re-checked after every slice (timers, stdin,
    /// streams without a wake key).
    polled: BTreeSet<Pid>,
    /// The wake keys each blocked process is registered under.
    keys_of: FxHashMap<Pid, Vec<u64>>,
    /// Fuel consumed by all processes of the run so far.
    total_fuel: u64,
    /// Where events go, if anywhere.
    sink: Option<EventSink>,
    /// Where the host reports a failure that ends the run, if it can.
    halt: Option<Halt>,
    /// The schedule's state (`None`: FIFO with fixed slices).
    policy: Option<Policy>,
    /// The slice the policy gave the next process (`None`: unbounded).
    next_slice: Option<u64>,
    /// Slices processes started in place ([`Runtime::slices_renewed`]).
    renewed: u64,
}

impl Runtime {
    /// A runtime whose processes share `host` as their host environment.
    pub fn new(config: RuntimeConfig, host: Box<dyn HostEnv>) -> Result<Self, Error> {
        let engine = Runtime::engine_for(&config);
        Runtime::with_engine(config, host, engine)
    }

    /// An engine for runtimes of `config` (fuel metering on, NaNs as
    /// `config` says): modules compiled with it once can be registered in
    /// many runs ([`Runtime::with_engine`]), on any thread.
    pub fn engine_for(config: &RuntimeConfig) -> Engine {
        let mut engine_config = Config::new();
        engine_config
            .consume_fuel(true)
            .canonicalize_nans(config.canonicalize_nans)
            .memory_pool(config.memory_pool);
        Engine::new(&engine_config)
    }

    /// A runtime on `engine` (made by [`Runtime::engine_for`] with the
    /// same `canonicalize_nans`), so that modules compiled with it once
    /// serve many runs.
    pub fn with_engine(
        config: RuntimeConfig,
        host: Box<dyn HostEnv>,
        engine: Engine,
    ) -> Result<Self, Error> {
        if !engine.config().fuel_enabled() {
            return Err(Error::Usage(
                "a runtime's engine must meter fuel (Runtime::engine_for)".into(),
            ));
        }
        let host = SharedHost::new(host);
        let halt = host.clone().halt();
        let mut linker = Linker::new(&engine);
        wasiproc_wasi::add_to_linker(&mut linker, |d: &mut ProcData| &mut d.wasi)?;
        let log = ActivityLog::default();
        abi::add_to_linker(&mut linker, host.clone(), log.clone())?;
        let policy = Policy::new(&config.schedule, config.slice, config.record_points);
        Ok(Runtime {
            policy,
            next_slice: None,
            renewed: 0,
            engine,
            linker,
            host,
            config,
            modules: FxHashMap::default(),
            procs: FxHashMap::default(),
            shells: Vec::new(),
            dead: FxHashMap::default(),
            queue: VecDeque::new(),
            next_pid: 1,
            live: 0,
            names: Vec::new(),
            name_ids: FxHashMap::default(),
            finished: Summaries::default(),
            nodes: Vec::new(),
            free_nodes: Vec::new(),
            root_trap: None,
            log,
            waiters: FxHashMap::default(),
            polled: BTreeSet::new(),
            keys_of: FxHashMap::default(),
            total_fuel: 0,
            sink: None,
            halt,
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
    /// context builder ([`wasiproc_wasi::WasiCtxBuilder::host_env`]).
    pub fn host(&self) -> SharedHost {
        self.host.clone()
    }

    /// Registers a module processes may be allowed to spawn under `name`.
    /// Spawning it any number of times reuses this translation.
    pub fn register(&mut self, name: &str, module: Module) {
        let name = abi::normalize(name);
        let id = self.name_id(&name);
        let start = start_export(&module);
        let registered = Registered {
            module,
            name: id,
            start,
            pre: OnceCell::new(),
        };
        self.modules.insert(name, registered);
    }

    /// The memory account of a new process under `parent` (a root account,
    /// which holds the run's limit, when `parent` is not a living process):
    /// its bytes are charged to it and every ancestor (account.rs).
    fn account_under(&self, parent: Pid, memory: Option<usize>) -> MemAccount {
        match self.live_ref(parent) {
            Some(p) => p.store.data().account.child(memory),
            None => MemAccount::root(memory),
        }
    }

    /// The pids of the living processes, lowest first.
    fn living(&self) -> Vec<Pid> {
        let mut pids: Vec<Pid> = self.procs.keys().copied().collect();
        pids.sort_unstable();
        pids
    }

    fn live_mut(&mut self, pid: Pid) -> Option<&mut Process> {
        self.procs.get_mut(&pid).map(|p| &mut **p)
    }

    fn live_ref(&self, pid: Pid) -> Option<&Process> {
        self.procs.get(&pid).map(|p| &**p)
    }

    fn emit_spawned(&mut self, parent: Pid, child: Pid, name: u32) {
        if self.sink.is_some() {
            let module = self.names[name as usize].clone();
            self.emit(parent, || EventKind::Spawned { child, module });
        }
    }

    fn name_id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.name_ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.name_ids.insert(name.to_string(), id);
        id
    }

    /// A new accounting node under `parent`.
    fn new_node(&mut self, parent: Option<NodeId>, fuel: Option<u64>, desc: Option<u32>) -> NodeId {
        let fuel_bounded =
            fuel.is_some() || parent.is_some_and(|n| self.nodes[n as usize].fuel_bounded);
        if let Some(n) = parent {
            self.nodes[n as usize].refs += 1;
        }
        let node = Node {
            parent,
            refs: 1,
            fuel_limit: fuel,
            fuel_used: 0,
            desc_limit: desc,
            desc_live: 0,
            fuel_bounded,
        };
        match self.free_nodes.pop() {
            Some(id) => {
                self.nodes[id as usize] = node;
                id
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as NodeId
            }
        }
    }

    /// Drops one reference to `id` (freeing it, and so on up, at zero).
    fn release_node(&mut self, id: NodeId) {
        let mut cur = Some(id);
        while let Some(n) = cur {
            let node = &mut self.nodes[n as usize];
            node.refs -= 1;
            if node.refs > 0 {
                return;
            }
            cur = node.parent;
            self.free_nodes.push(n);
        }
    }

    /// Fuel a process charged to `id` may still use: the least that any
    /// node on the chain has left (`None`: unbounded).
    fn fuel_available(&self, id: NodeId) -> Option<u64> {
        fuel_available(&self.nodes, id)
    }

    /// Charges `used` fuel to `id` and every node above it.
    fn charge_fuel(&mut self, id: NodeId, used: u64) {
        if used == 0 || !self.nodes[id as usize].fuel_bounded {
            return;
        }
        let mut cur = Some(id);
        while let Some(n) = cur {
            let node = &mut self.nodes[n as usize];
            node.fuel_used = node.fuel_used.saturating_add(used);
            cur = node.parent;
        }
    }

    /// Whether one more live descendant fits every limit on `id`'s chain.
    fn descendant_room(&self, id: NodeId) -> bool {
        let mut cur = Some(id);
        while let Some(n) = cur {
            let node = &self.nodes[n as usize];
            if node.desc_limit.is_some_and(|max| node.desc_live >= max) {
                return false;
            }
            cur = node.parent;
        }
        true
    }

    /// Adds `delta` (+1 or -1) live descendants to `id`'s chain.
    fn count_descendant(&mut self, id: NodeId, add: bool) {
        let mut cur = Some(id);
        while let Some(n) = cur {
            let node = &mut self.nodes[n as usize];
            node.desc_live = if add {
                node.desc_live.saturating_add(1)
            } else {
                node.desc_live.saturating_sub(1)
            };
            cur = node.parent;
        }
    }

    /// Starts the root process (pid 1) running `module`'s `_start` with the
    /// given WASI context, spawn permissions and limits. The root's fuel
    /// and descendants limits bound the whole run; its descriptor limit
    /// bounds its own table.
    pub fn spawn_root(
        &mut self,
        module: &Module,
        name: &str,
        mut wasi: WasiCtx,
        allow: BTreeSet<String>,
        limits: Limits,
    ) -> Result<Pid, Error> {
        let allow = allow.iter().map(|n| abi::normalize(n)).collect();
        wasi.fds_mut()
            .set_limits(limits.fds, None)
            .map_err(|_| Error::Usage(format!("{name}: more descriptors than its limit")))?;
        let account = self.account_under(Pid(0), limits.memory);
        let data = ProcData::new(wasi, ROOT, Pid(0), allow, limits, account);
        let node = self.new_node(None, limits.fuel, limits.descendants);
        let name = self.name_id(name);
        let at = Placement {
            node,
            counted_in: None,
            start_bytes: 0,
        };
        self.linker
            .instantiate_pre(module)
            .and_then(|pre| self.start_process(&pre, name, start_export(module), data, Pid(0), at))
            .inspect_err(|_| self.release_node(node))
    }

    /// Instantiates a process; on success it owns `at.node` and
    /// `at.counted_in` (one reference each, taken by the caller), on
    /// failure the caller still does.
    fn start_process(
        &mut self,
        pre: &InstancePre<ProcData>,
        name: u32,
        start: Option<usize>,
        data: ProcData,
        parent: Pid,
        at: Placement,
    ) -> Result<Pid, Error> {
        let Placement {
            node,
            counted_in,
            start_bytes,
        } = at;
        let pid = Pid(self.next_pid);
        let start_bytes = start_bytes.saturating_add(PROCESS_BYTES);
        let held = Charge::of(&data.account, start_bytes).map_err(|_| {
            Error::Limit(format!(
                "a process of {start_bytes} bytes (bookkeeping, arguments and environment) \
                 exceeds the memory limit"
            ))
        })?;
        let limited = data.account.is_limited();
        let counted_in_node = counted_in.unwrap_or(NO_NODE);
        let mut p = match self.shells.pop() {
            // The entry of an ended process, emptied (see `finish`): its
            // allocation and its store's lists are used again.
            Some(mut p) => {
                debug_assert!(p.children.is_empty() && p.zombies.is_empty());
                p.parent = parent;
                p.module = name;
                p.start = None;
                p.state = State::Runnable;
                p.answer = None;
                p.peak_memory = 0;
                p.node = node;
                p.counted_in = counted_in_node;
                *p.store.data_mut() = data;
                p
            }
            // The entry is made first and the store set up in place: built
            // on the stack and moved in, the store was copied twice per
            // spawn.
            None => Box::new(Process {
                parent,
                module: name,
                store: Store::new(&self.engine, data),
                start: None,
                state: State::Runnable,
                children: BTreeSet::new(),
                zombies: BTreeSet::new(),
                answer: None,
                peak_memory: 0,
                node,
                counted_in: counted_in_node,
            }),
        };
        let store = &mut p.store;
        store.data_mut().pid = pid;
        store.set_limiter(ProcLimiter::holding(held));
        store.set_fuel_slice(Some(self.config.slice))?;
        store.set_fuel(self.fuel_available(node).unwrap_or(u64::MAX))?;
        if limited {
            // A child that outgrows its limit ends with "limit exceeded"; the
            // root sees memory.grow fail with -1, as under wasmtime.
            store.set_limits(StoreLimits {
                trap_on_grow_failure: pid != ROOT,
                ..StoreLimits::default()
            });
        }
        let instance = pre.instantiate(&mut *store)?;
        let start = start
            .and_then(|i| instance.get_export_at(&*store, i))
            .and_then(|e| e.into_func())
            .ok_or_else(|| {
                Error::Usage(format!(
                    "{} has no _start function",
                    self.names[name as usize]
                ))
            })?;
        p.start = Some(start);
        self.next_pid += 1;
        self.live += 1;
        self.procs.insert(pid, p);
        if let Some(c) = counted_in {
            self.count_descendant(c, true);
        }
        if let Some(p) = self.live_mut(parent) {
            p.children.insert(pid);
        }
        self.queue.push_back(pid);
        self.emit_spawned(parent, pid, name);
        Ok(pid)
    }

    /// Stops the run when the host reported a failure of its own.
    #[inline]
    fn check_halt(&self) -> Result<(), RunError> {
        match self.halt.as_ref().and_then(Halt::reason) {
            Some(reason) => Err(RunError::Halted(reason.to_owned())),
            None => Ok(()),
        }
    }

    /// Waits for the outside; a host that failed while asked reports its
    /// own failure rather than the wait's.
    fn wait_or_halt(&mut self) -> Result<(), RunError> {
        let waited = self.wait_outside();
        self.check_halt()?;
        waited
    }

    /// Runs until the root ends; then kills what is left. A host failure
    /// ([`RunError::Halted`]) stops the run after the slice or check that
    /// found it.
    pub fn run(&mut self) -> Result<RunReport, RunError> {
        loop {
            self.check_halt()?;
            if !self.procs.contains_key(&ROOT) {
                break;
            }
            let Some(pid) = self.next_to_run() else {
                if self.wake_ready() {
                    continue;
                }
                self.wait_or_halt()?;
                continue;
            };
            self.run_slice(pid, u64::MAX);
            self.wake_ready();
        }
        let status = match self.dead.get(&ROOT) {
            Some(z) => z.status.clone(),
            None => ExitStatus::Killed(Pid(0)),
        };
        for pid in self.living() {
            self.finish(pid, ExitStatus::Killed(Pid(0)));
        }
        let mut processes: Vec<ProcessSummary> = self
            .finished
            .drain()
            .map(|e| ProcessSummary {
                pid: e.pid,
                parent: e.parent,
                module: self.names[e.module as usize].clone(),
                fuel: e.figures.fuel,
                peak_memory: e.figures.peak_memory as usize,
                status: e.figures.status,
            })
            .collect();
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
            self.check_halt()?;
            if !self.procs.contains_key(&ROOT) {
                // `run` sees the root ended and only concludes the run.
                return self.run().map(Some);
            }
            if self.total_fuel >= stop {
                return Ok(None);
            }
            let Some(pid) = self.next_to_run() else {
                if self.wake_ready() {
                    continue;
                }
                self.wait_or_halt()?;
                continue;
            };
            self.run_slice(pid, stop);
            self.wake_ready();
        }
    }

    /// The next process to run: the queue's first under FIFO, else the
    /// policy's pick among the runnable ones (its slice kept for
    /// [`Runtime::run_slice`]).
    fn next_to_run(&mut self) -> Option<Pid> {
        if self.policy.is_none() {
            return self.queue.pop_front();
        }
        // Only living, runnable processes, each once, in queue order.
        let mut seen = BTreeSet::new();
        let procs = &self.procs;
        self.queue.retain(|pid| {
            procs
                .get(pid)
                .is_some_and(|p| matches!(p.state, State::Runnable))
                && seen.insert(*pid)
        });
        if self.queue.is_empty() {
            return None;
        }
        let policy = self.policy.as_mut()?;
        let (i, slice) = policy.pick(&self.queue, self.total_fuel);
        self.next_slice = slice;
        self.queue.remove(i)
    }

    /// How many slices processes started in place so far, without
    /// returning to the scheduler ([`RuntimeConfig::renew_slices`]): each
    /// one a slice end that found the same process to run next and nothing
    /// else to do.
    pub fn slices_renewed(&self) -> u64 {
        self.renewed
    }

    /// The preemption points of the run so far, when
    /// [`RuntimeConfig::record_points`] was set with a schedule other than
    /// FIFO: run as [`Schedule::Points`], they give the same interleaving.
    pub fn recorded_points(&mut self) -> Vec<Point> {
        self.policy
            .as_mut()
            .map(Policy::take_points)
            .unwrap_or_default()
    }

    /// Ends every living process, killed by the host (as the end of a run
    /// ends those left), releasing what each holds — its descriptors
    /// included, whose closing may be host calls. For a run that failed
    /// (a deadlock): the Run API does it before a recording's trailer is
    /// written and at the same point of a replay, so both see those calls.
    pub fn kill_all(&mut self) {
        for pid in self.living() {
            self.finish(pid, ExitStatus::Killed(Pid(0)));
        }
    }

    /// The linker every process is instantiated with, for an embedder's
    /// own import modules (define them before the first spawn).
    pub fn linker_mut(&mut self) -> &mut Linker<ProcData> {
        // Imports resolved so far may resolve otherwise now.
        for r in self.modules.values_mut() {
            r.pre.take();
        }
        &mut self.linker
    }

    /// Whether, once `pid`'s slice ends with its fuel spent, this loop
    /// would do nothing but run `pid` again with a fresh slice — as long as
    /// the process calls no host function (see [`Runtime::run_slice`]).
    fn would_resume_at_once(&self) -> bool {
        self.config.renew_slices
            // FIFO: the queue holds nobody else, so `pid`, pushed back,
            // is popped again; a policy would draw or record a point.
            && self.policy.is_none()
            && self.queue.is_empty()
            // `wake_ready` returns at its first test: nothing polled (a
            // timer, stdin, a socket), no pipe changed.
            && self.polled.is_empty()
            && !self.log.has_news()
            // No event per slice to emit, no fuel clock to advance, no
            // host that can halt the run.
            && self.sink.is_none()
            && self.config.fuel_clock.is_none()
            && self.halt.is_none()
    }

    /// Runs one slice of `pid` and files the outcome. `stop`: the run's
    /// total fuel at which the caller wants control back ([`Runtime::step`]).
    ///
    /// When [`Runtime::would_resume_at_once`] holds, the store refills a
    /// spent slice in place instead of suspending (`set_slice_renewal`),
    /// until the process calls a host function or the run's total reaches
    /// `stop`; the slices so joined are filed here as one. That is exactly
    /// what the slices one by one would do: without a host call nothing
    /// outside the process changes (no pipe, no halt, no other process
    /// made runnable: every other one is blocked, waiting or unpolled), so
    /// after each of them this loop would push `pid` back, find nothing to
    /// wake, pop `pid` again, set the same fuel (bounded: the least left on
    /// its chain, which only `pid`'s use lowered, as the store's own total
    /// did) and resume it with a fresh slice. The sums charged and the
    /// peak memory (which only grows) are those of the single slices.
    fn run_slice(&mut self, pid: Pid, stop: u64) {
        let renew = self.would_resume_at_once();
        let room = stop.saturating_sub(self.total_fuel);
        let slice = self.policy.is_some().then_some(self.next_slice);
        // The entry is looked up once per slice: the fields used beside it
        // are borrowed one by one.
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        if !matches!(p.state, State::Runnable) {
            return;
        }
        let node = p.node;
        let available = fuel_available(&self.nodes, node);
        if let Some(sink) = self.sink.as_mut() {
            sink(&Event {
                fuel: self.total_fuel,
                pid,
                kind: EventKind::SliceStart,
            });
        }
        if let Some(cell) = &self.config.pid_cell {
            cell.set(pid.0);
        }
        let store = &mut p.store;
        if let Some(slice) = slice {
            let _ = store.set_fuel_slice(slice);
        }
        if let Some(fuel) = available {
            // The least any budget above it has left (docs/abi.md, limits).
            let _ = store.set_fuel(fuel);
        }
        let before = store.fuel_consumed();
        let renewed_before = store.slices_renewed();
        // A slice is started in place only while the run's total stays
        // below `stop`, the test `step` makes before each slice.
        store.set_slice_renewal(if renew {
            before.saturating_add(room)
        } else {
            0
        });
        let result = if let Some(errno) = p.answer.take() {
            store.resume_with(&[Val::I32(i32::from(errno))])
        } else if let Some(f) = p.start.take() {
            f.call_resumable(&mut *store, &[])
        } else {
            store.resume()
        };
        let after = store.fuel_consumed();
        let renewed = store.slices_renewed().wrapping_sub(renewed_before);
        p.peak_memory = p.peak_memory.max(store.memory_bytes());
        // A `sched_yield`: completed with errno 0 on the next slice.
        let yielded = matches!(&result, Ok(CallOutcome::Suspended(Suspension::Blocked(why)))
            if why.is::<Yielded>());
        if yielded {
            p.answer = Some(0);
        }
        let used = after.saturating_sub(before);
        self.renewed += u64::from(renewed);
        self.charge_fuel(node, used);
        self.total_fuel = self.total_fuel.saturating_add(used);
        if let Some(clock) = &self.config.fuel_clock {
            clock.set_fuel(self.total_fuel);
        }
        self.emit(pid, || EventKind::SliceEnd { fuel: used });
        if let Some(policy) = self.policy.as_mut() {
            let cut = matches!(result, Ok(CallOutcome::Suspended(Suspension::OutOfSlice)));
            let yielded = matches!(&result, Ok(CallOutcome::Suspended(Suspension::Blocked(why)))
                if why.downcast_ref::<BlockedOn>() == Some(&BlockedOn::Yield));
            policy.after_slice(pid, used, cut, yielded, self.total_fuel);
        }
        match result {
            Ok(CallOutcome::Finished(_)) => self.finish(pid, ExitStatus::Exited(0)),
            Ok(CallOutcome::Suspended(Suspension::OutOfSlice)) => self.queue.push_back(pid),
            Ok(CallOutcome::Suspended(Suspension::Blocked(why))) => {
                if yielded {
                    // sched_yield: back of the queue (`yielded` is set).
                    self.queue.push_back(pid);
                } else if why.is::<ProcessCall>() {
                    self.serve(pid);
                } else if let Ok(on) = why.downcast::<BlockedOn>() {
                    self.block(pid, *on);
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

    /// Serves the request a process filed, answering it (see
    /// [`Runtime::respond`]) unless it now waits for a child.
    fn serve(&mut self, pid: Pid) {
        let request = self
            .live_mut(pid)
            .and_then(|p| p.store.data_mut().request.take());
        match request {
            Some(Request::Spawn(mut boxed, reply)) => {
                let spec = std::mem::replace(&mut *boxed, ChildSpec::empty());
                let spawned = self.spawn_child(pid, spec);
                if let Some(p) = self.live_mut(pid) {
                    // Kept (emptied) for the process's next spawn.
                    p.store.data_mut().spare_spec = Some(boxed);
                }
                self.respond(pid, Response::Spawned(spawned), Some(reply));
            }
            Some(Request::Kill(target)) => {
                let killed = self.kill(pid, target);
                self.respond(pid, Response::Killed(killed), None);
            }
            Some(Request::Wait {
                pid: which,
                nohang,
                reply,
            }) => match self.reap(pid, which) {
                Ok(Some(found)) => {
                    self.respond(pid, Response::Waited(Ok(Some(found))), Some(reply))
                }
                Ok(None) if nohang => self.respond(pid, Response::Waited(Ok(None)), Some(reply)),
                Ok(None) => {
                    if let Some(p) = self.live_mut(pid) {
                        p.state = State::Waiting(which, reply);
                    }
                    self.emit(pid, || EventKind::Blocked(Blocker::Child(which)));
                }
                Err(e) => self.respond(pid, Response::Waited(Err(e as u16)), Some(reply)),
            },
            None => self.respond(pid, Response::Killed(Err(Errno::Inval as u16)), None),
        }
    }

    /// Answers `pid`'s blocked `wasi_process` call: the answer's bytes (a
    /// pid, a status) are written where `reply` says, and the call is
    /// completed with its errno when the process next runs (`EFAULT` if the
    /// bytes could not be written, as the call itself would have answered).
    fn respond(&mut self, pid: Pid, response: Response, reply: Option<Reply>) {
        if let Some(p) = self.live_mut(pid) {
            let pid_bytes;
            let status;
            let (bytes, errno): (&[u8], u16) = match &response {
                Response::Spawned(Ok(child)) => {
                    pid_bytes = child.0.to_le_bytes();
                    (&pid_bytes, 0)
                }
                Response::Waited(Ok(found)) => {
                    status = match found {
                        Some((c, s)) => abi::status_bytes(*c, Some(s)),
                        None => abi::status_bytes(Pid(0), None),
                    };
                    (&status, 0)
                }
                Response::Killed(Ok(())) => (&[], 0),
                Response::Spawned(Err(e)) | Response::Waited(Err(e)) | Response::Killed(Err(e)) => {
                    (&[], *e)
                }
            };
            let errno = match reply {
                Some(r) if !bytes.is_empty() => {
                    match r.memory.write(&mut p.store, r.out as usize, bytes) {
                        Ok(()) => errno,
                        Err(_) => Errno::Fault as u16,
                    }
                }
                _ => errno,
            };
            p.answer = Some(errno);
            let was_waiting = matches!(p.state, State::Waiting(..));
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
        let p = self.live_mut(parent).ok_or(Errno::Srch)?;
        let found = match which {
            Some(c) if p.zombies.remove(&c) => c,
            Some(c) if p.children.contains(&c) => return Ok(None),
            Some(_) => return Err(Errno::Child),
            // The lowest zombie, found and taken out in one walk.
            None => match p.zombies.pop_first() {
                Some(c) => c,
                None if p.children.is_empty() => return Err(Errno::Child),
                None => return Ok(None),
            },
        };
        let c = found;
        let found = self.dead.remove(&c);
        trim(&mut self.dead);
        let status = match found {
            Some(z) => z.status,
            None => ExitStatus::Killed(Pid(0)),
        };
        Ok(Some((c, status)))
    }

    /// Starts a child for `parent`. The child's WASI context is built
    /// first, so every descriptor the spec holds is released whatever
    /// refuses the spawn. Limits are checked in O(1) per accounting node
    /// above the parent (docs/abi.md): no walk over processes.
    fn spawn_child(&mut self, parent: Pid, spec: ChildSpec) -> Result<Pid, u16> {
        let ChildSpec {
            module: module_name,
            mut args,
            env,
            mut fds,
            allow,
            limits: asked,
        } = spec;
        // Whatever refuses the spawn, every descriptor the spec holds is
        // given back.
        let found = self.spawn_room(parent, &module_name).and_then(|found| {
            if args.is_empty() {
                // The module's name is the only argument: moved, not copied.
                args.try_reserve_exact(1).map_err(|_| Errno::Nomem)?;
            }
            Ok(found)
        });
        let (parent_node, parent_limits, parent_quota, pre, name, start) = match found {
            Ok(found) => found,
            Err(e) => {
                for d in fds.drain() {
                    abi::release(&self.host, d);
                }
                return Err(e as u16);
            }
        };
        if args.is_empty() {
            args.push(module_name);
        }
        // Arguments and environment are charged to the child from its start.
        let start_bytes = args
            .iter()
            .map(|a| a.len() + ITEM_BYTES)
            .chain(env.iter().map(|(k, v)| k.len() + v.len() + ITEM_BYTES))
            .sum();
        let node = if asked.fuel.is_some() || asked.descendants.is_some() {
            self.new_node(Some(parent_node), asked.fuel, asked.descendants)
        } else {
            self.nodes[parent_node as usize].refs += 1;
            parent_node
        };
        self.nodes[parent_node as usize].refs += 1;
        let cap = asked.fds.or(parent_limits.fds);
        let quota = match asked.fds {
            Some(limit) => Some(FdQuota::new(limit, parent_quota)),
            None => parent_quota,
        };
        if fds.set_limits(cap, quota).is_err() {
            // The descriptors it would start with exceed its limit: it
            // ends before running, with a status its parent can wait for.
            for d in fds.drain() {
                abi::release(&self.host, d);
            }
            self.release_node(node);
            self.release_node(parent_node);
            return Ok(self.stillborn(parent, name, ExitStatus::LimitExceeded(Limit::Fds)));
        }
        let wasi = WasiCtx::from_parts(args, env, fds, Box::new(self.host.clone()));
        let mut limits = asked;
        limits.fuel = self.fuel_available(node);
        limits.fds = cap;
        let account = self.account_under(parent, limits.memory);
        let data = ProcData::new(wasi, Pid(0), parent, allow, limits, account);
        let at = Placement {
            node,
            counted_in: Some(parent_node),
            start_bytes,
        };
        match self.start_process(&pre, name, start, data, parent, at) {
            Ok(pid) => Ok(pid),
            Err(e) => {
                self.release_node(node);
                self.release_node(parent_node);
                Err(match e {
                    // Over a memory limit, or the host is out of memory.
                    Error::Limit(_) => Errno::Nomem as u16,
                    _ => Errno::Noexec as u16,
                })
            }
        }
    }

    /// Whether `parent` may spawn `module` now: its accounting node, limits
    /// and descriptor quota, and the registered module (its name id and
    /// `_start`), or why not.
    #[allow(clippy::type_complexity)]
    fn spawn_room(
        &self,
        parent: Pid,
        module: &str,
    ) -> Result<
        (
            NodeId,
            Limits,
            Option<Arc<FdQuota>>,
            InstancePre<ProcData>,
            u32,
            Option<usize>,
        ),
        Errno,
    > {
        let p = self.live_ref(parent).ok_or(Errno::Srch)?;
        let (parent_node, parent_limits) = (p.node, p.store.data().limits);
        if self.live >= self.config.max_processes || self.next_pid == u32::MAX {
            // Pids are never reused and never wrap: once u32::MAX - 1 have
            // been given, spawns answer EAGAIN.
            return Err(Errno::Again);
        }
        if !self.descendant_room(parent_node) {
            return Err(Errno::Again);
        }
        let r = self.modules.get(module).ok_or(Errno::Noent)?;
        let pre = match r.pre.get() {
            Some(pre) => pre.clone(),
            // An import the linker does not define: not executable.
            None => {
                let made = (self.linker.instantiate_pre(&r.module)).map_err(|_| Errno::Noexec)?;
                r.pre.get_or_init(|| made).clone()
            }
        };
        let quota = p.store.data().wasi.fds().quota().cloned();
        Ok((parent_node, parent_limits, quota, pre, r.name, r.start))
    }

    /// A child that ended before it ran: a zombie of `parent` at once.
    fn stillborn(&mut self, parent: Pid, name: u32, status: ExitStatus) -> Pid {
        let pid = Pid(self.next_pid);
        self.next_pid += 1;
        self.emit_spawned(parent, pid, name);
        self.emit(pid, || EventKind::Exited(status.clone()));
        self.finished.push(Ended {
            pid,
            parent,
            module: name,
            figures: Box::new(Figures {
                fuel: 0,
                peak_memory: 0,
                status: status.clone(),
            }),
        });
        if let Some(p) = self.live_mut(parent) {
            p.zombies.insert(pid);
        }
        self.dead.insert(pid, Zombie { parent, status });
        pid
    }

    fn parent_of(&self, pid: Pid) -> Option<Pid> {
        match self.procs.get(&pid) {
            Some(p) => Some(p.parent),
            None => self.dead.get(&pid).map(|z| z.parent),
        }
    }

    fn is_descendant(&self, pid: Pid, of: Pid) -> bool {
        let mut cur = pid;
        while let Some(parent) = self.parent_of(cur) {
            if parent == of {
                return true;
            }
            if cur == ROOT || parent.0 == 0 {
                return false;
            }
            cur = parent;
        }
        false
    }

    fn kill(&mut self, killer: Pid, target: Pid) -> Result<(), u16> {
        let zombie = self.dead.contains_key(&target);
        if !zombie && !self.procs.contains_key(&target) {
            return Err(Errno::Srch as u16);
        }
        if !self.is_descendant(target, killer) {
            return Err(Errno::Perm as u16);
        }
        if zombie {
            return Ok(());
        }
        self.emit(killer, || EventKind::Killed { target });
        // Collect the subtree first, then end it from the leaves up.
        let mut order = vec![target];
        let mut i = 0;
        while i < order.len() {
            if let Some(p) = self.live_ref(order[i]) {
                order.extend(p.children.iter().copied());
            }
            i += 1;
        }
        for pid in order.into_iter().rev() {
            if self.live_ref(pid).is_some() {
                self.finish(pid, ExitStatus::Killed(killer));
            }
        }
        Ok(())
    }

    /// Ends a process: its store (memory, descriptors, names) is dropped
    /// and only its status is kept, as a zombie, until its parent reaps it;
    /// its children are adopted by the root (ended ones discarded), its
    /// accounting is given back, and a parent waiting for it is woken.
    /// O(number of its children) plus O(accounting nodes above it).
    fn finish(&mut self, pid: Pid, status: ExitStatus) {
        let Some(mut p) = self.procs.remove(&pid) else {
            return;
        };
        trim(&mut self.procs);
        // Fields are read out and the entry dropped where it is: moving the
        // whole entry (its store) out of its box was a kilobyte's copy.
        let fuel = p.store.fuel_consumed();
        let peak_memory = p.peak_memory.max(p.store.memory_bytes());
        let (parent, module, node, counted_in) = (p.parent, p.module, p.node, p.counted_in);
        // Taken out only when there is something to hand on: an empty set
        // is left to drop with the entry (each drop of a set walks it).
        let children = (!p.children.is_empty()).then(|| std::mem::take(&mut p.children));
        let zombies = (!p.zombies.is_empty()).then(|| std::mem::take(&mut p.zombies));
        // Only a blocked process is registered as a waiter.
        let registered = matches!(p.state, State::Blocked(_));
        // Descriptors, memory and names go now, however the process ended:
        // with the entry, or, while fewer than SHELLS are kept, emptied in
        // place and the entry kept for a later spawn.
        if self.shells.len() < SHELLS {
            p.store.reset();
            p.store.data_mut().release();
            p.state = State::Runnable;
            self.shells.push(p);
        } else {
            drop(p);
        }
        self.live -= 1;
        if counted_in != NO_NODE {
            let c = counted_in;
            self.count_descendant(c, false);
            self.release_node(c);
        }
        self.release_node(node);
        self.emit(pid, || EventKind::Exited(status.clone()));
        self.finished.push(Ended {
            pid,
            parent,
            module,
            figures: Box::new(Figures {
                fuel,
                peak_memory: peak_memory as u64,
                status: status.clone(),
            }),
        });
        // A stale run-queue entry is skipped when popped (it is not live).
        if registered {
            self.unregister(pid);
        }
        if pid != ROOT
            && let Some(children) = children
        {
            for c in children {
                if let Some(cp) = self.procs.get_mut(&c) {
                    cp.parent = ROOT;
                    cp.store.data_mut().ppid = ROOT;
                    if let Some(root) = self.procs.get_mut(&ROOT) {
                        root.children.insert(c);
                    }
                }
            }
        }
        if pid != ROOT
            && let Some(zombies) = zombies
        {
            // Its unreaped children can never be reaped now.
            for z in zombies {
                self.dead.remove(&z);
            }
            trim(&mut self.dead);
        }
        let Some(pp) = self.live_mut(parent) else {
            if pid == ROOT {
                self.dead.insert(pid, Zombie { parent, status });
            }
            return;
        };
        pp.children.remove(&pid);
        match pp.state {
            // A parent waiting for it reaps it at once (it had no other
            // zombie matching its wait, or it would not be waiting).
            State::Waiting(w, reply) if w.is_none_or(|w| w == pid) => {
                self.respond(
                    parent,
                    Response::Waited(Ok(Some((pid, status)))),
                    Some(reply),
                );
            }
            _ => {
                pp.zombies.insert(pid);
                self.dead.insert(pid, Zombie { parent, status });
            }
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
    fn ready(
        &mut self,
        pid: Pid,
        on: &BlockedOn,
        sockets: &HashMap<(u64, Interest), bool>,
    ) -> bool {
        self.set_pid(pid);
        let mut seen = Outside {
            sockets,
            now: None,
            stdin: None,
        };
        self.ready_at(pid, on, &mut seen)
    }

    fn ready_at(&mut self, pid: Pid, on: &BlockedOn, seen: &mut Outside) -> bool {
        match on {
            BlockedOn::Timer { deadline } => {
                *seen.now.get_or_insert_with(|| self.host.monotonic_now()) >= *deadline
            }
            BlockedOn::Stdin => *seen.stdin.get_or_insert_with(|| self.host.stdin_ready()),
            BlockedOn::Socket {
                handle, interest, ..
            } => match seen.sockets.get(&(*handle, *interest)) {
                Some(ready) => *ready,
                None => self.host.sock_ready(HostHandle(*handle), *interest),
            },
            BlockedOn::Fd { fd, interest } => {
                let Some(p) = self.live_mut(pid) else {
                    return true;
                };
                match (p.store.data_mut().wasi.fds_mut().get_mut(*fd), interest) {
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
        let mut poll = on.deadline().is_some() || on.includes_stdin() || !on.sockets().is_empty();
        if let Some(p) = self.live_mut(pid) {
            for (fd, _) in on.fds() {
                let key = match p.store.data_mut().wasi.fds_mut().get_mut(fd) {
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
        if let Some(p) = self.live_mut(pid) {
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
        // After most slices nothing is polled and no pipe changed.
        if self.polled.is_empty() && !self.log.has_news() {
            return false;
        }
        let mut candidates: BTreeSet<Pid> = self.polled.clone();
        for key in self.log.drain() {
            if let Some(set) = self.waiters.get(&key) {
                candidates.extend(set.iter().copied());
            }
        }
        // Every awaited socket is asked about once, in one host call (one
        // poll(2), one trace record), on behalf of the scheduler.
        let mut which: Vec<(HostHandle, Interest)> = Vec::new();
        for pid in &candidates {
            if let Some(State::Blocked(on)) = self.live_ref(*pid).map(|p| &p.state) {
                which.extend(on.sockets().into_iter().map(|(h, i)| (HostHandle(h), i)));
            }
        }
        which.sort_unstable_by_key(|(h, i)| (h.0, *i == Interest::Write));
        which.dedup();
        let sockets: HashMap<(u64, Interest), bool> = if which.is_empty() {
            HashMap::new()
        } else {
            self.set_pid(Pid(0));
            let answers = self.host.socks_ready(&which);
            which
                .iter()
                .zip(answers)
                .map(|((h, i), r)| ((h.0, *i), r))
                .collect()
        };
        let mut woke = false;
        for pid in candidates {
            let on = match self.live_ref(pid).map(|p| &p.state) {
                Some(State::Blocked(on)) => on.clone(),
                _ => continue,
            };
            if self.ready(pid, &on, &sockets) {
                self.unregister(pid);
                if let Some(p) = self.live_mut(pid) {
                    p.state = State::Runnable;
                    self.queue.push_back(pid);
                    woke = true;
                    self.emit(pid, || EventKind::Woken);
                }
            }
        }
        woke
    }

    /// Nothing can run: wait for stdin, a socket or the earliest timer, or report a
    /// deadlock when neither can wake anyone.
    fn wait_outside(&mut self) -> Result<(), RunError> {
        let mut outside = Vec::new();
        let mut lines = Vec::new();
        for pid in self.living() {
            let p = &self.procs[&pid];
            let what = match &p.state {
                State::Blocked(on) => {
                    external(on, &mut outside);
                    format!("waits for {on}")
                }
                State::Waiting(Some(c), _) => format!("waits for child {c}"),
                State::Waiting(None, _) => "waits for any child".to_string(),
                _ => continue,
            };
            lines.push(format!(
                "pid {pid} ({}): {what}",
                self.names[p.module as usize]
            ));
        }
        if outside.is_empty() {
            return Err(RunError::Deadlock(lines));
        }
        // Only the earliest deadline, stdin and the sockets matter to the
        // host's wait (which polls them, without spinning).
        let mut on = Vec::new();
        if outside.iter().any(BlockedOn::includes_stdin) {
            on.push(BlockedOn::Stdin);
        }
        if let Some(deadline) = outside.iter().filter_map(BlockedOn::deadline).min() {
            on.push(BlockedOn::Timer { deadline });
        }
        on.extend(
            outside
                .iter()
                .filter(|c| matches!(c, BlockedOn::Socket { .. }))
                .cloned(),
        );
        self.set_pid(Pid(0));
        self.host.wait(&BlockedOn::Any(on)).map_err(RunError::Wait)
    }
}

/// The least fuel any budget on `id`'s chain has left (`None`: no budget
/// bounds it).
fn fuel_available(nodes: &[Node], id: NodeId) -> Option<u64> {
    if !nodes[id as usize].fuel_bounded {
        return None;
    }
    let mut least = u64::MAX;
    let mut cur = Some(id);
    while let Some(n) = cur {
        let node = &nodes[n as usize];
        if let Some(limit) = node.fuel_limit {
            least = least.min(limit.saturating_sub(node.fuel_used));
        }
        cur = node.parent;
    }
    Some(least)
}

/// Where `module` exports `_start` among its exports, if it does.
fn start_export(module: &Module) -> Option<usize> {
    module.exports().position(|e| e.name == "_start")
}

/// The outside answers of one readiness check, asked for at most once
/// (the sockets' for all the checks of a wake-up round at once).
struct Outside<'a> {
    sockets: &'a HashMap<(u64, Interest), bool>,
    now: Option<u64>,
    stdin: Option<bool>,
}

/// The parts of a condition that something outside the run can satisfy.
fn external(on: &BlockedOn, out: &mut Vec<BlockedOn>) {
    match on {
        BlockedOn::Timer { .. } | BlockedOn::Stdin | BlockedOn::Socket { .. } => {
            out.push(on.clone())
        }
        BlockedOn::Any(all) => all.iter().for_each(|c| external(c, out)),
        BlockedOn::Fd { .. } | BlockedOn::Yield => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasiproc_wasi::RealHost;

    /// Spawns `child.wasm` and exits with the errno of a refused spawn, or
    /// with the child's exit code.
    const ROOT: &str = r#"(module
      (import "wasi_process" "spawn_config_new" (func $cfg_new (param i32) (result i32)))
      (import "wasi_process" "spawn" (func $spawn (param i32 i32 i32 i32) (result i32)))
      (import "wasi_process" "wait" (func $wait (param i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 100) "child.wasm")
      (func (export "_start") (local $e i32)
        (drop (call $cfg_new (i32.const 0)))
        (local.set $e (call $spawn (i32.load (i32.const 0)) (i32.const 100) (i32.const 10) (i32.const 4)))
        (if (local.get $e) (then (call $exit (local.get $e))))
        (drop (call $wait (i32.load (i32.const 4)) (i32.const 0) (i32.const 16)))
        (call $exit (i32.load (i32.const 24)))))"#;

    const EXIT7: &str = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (func (export "_start") (call $exit (i32.const 7))))"#;

    /// Runs ROOT with the pid counter set to `next` after the root started.
    fn run_with_next_pid(next: u32) -> (ExitStatus, Vec<Pid>) {
        let mut rt = Runtime::new(RuntimeConfig::default(), Box::new(RealHost::new())).unwrap();
        let child = Module::new(rt.engine(), wat::parse_str(EXIT7).unwrap()).unwrap();
        rt.register("child.wasm", child);
        let root = Module::new(rt.engine(), wat::parse_str(ROOT).unwrap()).unwrap();
        let mut b = wasiproc_wasi::WasiCtxBuilder::new();
        b.host_env(rt.host());
        let allow = ["child.wasm".to_string()].into_iter().collect();
        rt.spawn_root(
            &root,
            "root.wasm",
            b.build().unwrap(),
            allow,
            Limits::default(),
        )
        .unwrap();
        rt.next_pid = next;
        let report = rt.run().unwrap();
        (
            report.status,
            report.processes.iter().map(|p| p.pid).collect(),
        )
    }

    #[test]
    fn the_pid_counter_never_wraps() {
        // The last pid is given; after it, spawns are refused with EAGAIN.
        assert_eq!(
            run_with_next_pid(u32::MAX - 1),
            (ExitStatus::Exited(7), vec![ROOT_PID, Pid(u32::MAX - 1)])
        );
        assert_eq!(
            run_with_next_pid(u32::MAX),
            (ExitStatus::Exited(Errno::Again as i32), vec![ROOT_PID])
        );
    }

    const ROOT_PID: Pid = crate::pid::ROOT;
}
#[cfg(test)]
mod trim_tests {
    use super::{FxHashMap, trim};

    #[test]
    fn a_map_gives_back_its_room_after_a_burst() {
        let mut m: FxHashMap<u32, u64> = FxHashMap::default();
        m.extend((0..5000).map(|i| (i, 0)));
        let burst = m.capacity();
        m.retain(|k, _| *k < 10);
        trim(&mut m);
        assert!(m.capacity() < burst / 8, "{} of {burst}", m.capacity());
        assert_eq!(m.len(), 10);
        // A small map is left alone.
        let mut small: FxHashMap<u32, u64> = (0..100).map(|i| (i, 0)).collect();
        let room = small.capacity();
        small.clear();
        trim(&mut small);
        assert_eq!(small.capacity(), room);
    }
}

#[cfg(test)]
mod sizes {
    /// A living process's entry stays within what glibc serves from its
    /// per-size cache (see [`super::Process`]): a field that pushes it over
    /// makes every spawn slower, so it must be a choice.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_living_process_entry_stays_a_small_allocation() {
        let size = std::mem::size_of::<super::Process>();
        assert!(size <= 1032, "a living process's entry is {size} bytes");
    }

    /// An ended process's summary line (SECURITY.md, *Ended processes*).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_summary_line_is_24_bytes_and_its_figures_fit_a_32_byte_chunk() {
        assert_eq!(std::mem::size_of::<super::Ended>(), 24);
        assert!(std::mem::size_of::<super::Figures>() <= 24);
    }
}
