//! What each process's store holds: its WASI context plus process state the
//! `wasi_process` functions need, and the mailbox through which they hand
//! requests to the scheduler.

use crate::account::{Charge, MemAccount, OverLimit};
use crate::limits::Limits;
use crate::pid::Pid;
use crate::status::ExitStatus;
use std::collections::{BTreeMap, BTreeSet};
use wasiproc_engine::Memory;
use wasiproc_wasi::{WasiCtx, table::FdTable};

/// A spawn configuration under construction (`spawn_config_*`). What it
/// holds is charged to its process's memory account (`held`).
#[derive(Debug)]
pub struct SpawnConfig {
    /// Arguments, `argv[0]` first.
    pub args: Vec<String>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
    /// Directory grants: parent fd, guest path, read-only.
    pub dirs: Vec<(u32, String, bool)>,
    /// Descriptor mappings: parent fd (`None` = null device), child fd.
    pub fds: Vec<(Option<u32>, u32)>,
    /// Modules the child may spawn.
    pub allow: BTreeSet<String>,
    /// The child's limits.
    pub limits: Limits,
    /// Bytes charged for the configuration and everything in it.
    pub held: Charge,
}

/// Bytes charged for an empty spawn configuration (the structure and its
/// entry in the process's table).
pub const CONFIG_BYTES: usize = std::mem::size_of::<SpawnConfig>() + 64;

/// Bytes charged to every process for its bookkeeping outside its store's
/// memories, tables and stacks (process entry, store, WASI context,
/// descriptor table): the measured memory of an idle process (procmem,
/// 7.8 KiB) rounded up.
pub const PROCESS_BYTES: usize = 8 * 1024;

/// Bytes charged per item of a configuration, on top of its text: the
/// `String` (or tuple, or set node) that holds it.
pub const ITEM_BYTES: usize = 64;

impl SpawnConfig {
    /// An empty configuration charged to `account`.
    pub fn new(account: &MemAccount) -> Result<Self, OverLimit> {
        Ok(SpawnConfig {
            args: Vec::new(),
            env: Vec::new(),
            dirs: Vec::new(),
            fds: Vec::new(),
            allow: BTreeSet::new(),
            limits: Limits::default(),
            held: Charge::of(account, CONFIG_BYTES)?,
        })
    }
}

/// Everything the scheduler needs to start a child.
pub struct ChildSpec {
    /// The module name as registered.
    pub module: String,
    /// Arguments; empty when the configuration gave none, and then the
    /// child's only argument is `module` (moved there once the module is
    /// found, not copied).
    pub args: Vec<String>,
    /// Environment.
    pub env: Vec<(String, String)>,
    /// The child's descriptors, by number: the table its WASI context
    /// starts with (limits are set when it is spawned).
    pub fds: FdTable,
    /// Modules the child may spawn.
    pub allow: BTreeSet<String>,
    /// Limits.
    pub limits: Limits,
}

impl ChildSpec {
    /// A specification that holds nothing (no allocation): what a spent
    /// request's box is left with.
    pub fn empty() -> Self {
        ChildSpec {
            module: String::new(),
            args: Vec::new(),
            env: Vec::new(),
            fds: FdTable::new(),
            allow: BTreeSet::new(),
            limits: Limits::default(),
        }
    }
}

/// Where the answer of a blocked `wasi_process` call goes: the caller's
/// memory and the output pointer the call named, checked when the call was
/// made (a memory never shrinks, so it still fits when the answer comes).
#[derive(Debug, Clone, Copy)]
pub struct Reply {
    /// The caller's exported memory.
    pub memory: Memory,
    /// Where the answer's bytes go in it.
    pub out: u32,
}

/// A request only the scheduler can serve. The scheduler answers it by
/// writing the answer's bytes where its [`Reply`] says and completing the
/// blocked call with the errno (the host function is not called again).
pub enum Request {
    /// Start a child; its pid goes to the reply's 4 bytes. Boxed: a
    /// process's data (and so its whole entry in the scheduler, see
    /// `runtime.rs`) stays under glibc's small-chunk size, which made every
    /// spawn's entry allocation take the slow path. The box is given back
    /// to the parent ([`ProcData::spare_spec`]) for its next spawn.
    Spawn(Box<ChildSpec>, Reply),
    /// Wait for a child (`None` = any); `nohang` returns at once. The
    /// status goes to the reply's 16 bytes.
    Wait {
        /// Which child.
        pid: Option<Pid>,
        /// Do not block.
        nohang: bool,
        /// Where the status goes.
        reply: Reply,
    },
    /// Kill a descendant and its subtree (only an errno comes back).
    Kill(Pid),
}

/// The scheduler's answer to a [`Request`], written back by the scheduler.
#[derive(Debug)]
pub enum Response {
    /// The new child's pid, or why it was refused (errno).
    Spawned(Result<Pid, u16>),
    /// An ended child and its status (`None` with `nohang`), or an errno.
    Waited(Result<Option<(Pid, ExitStatus)>, u16>),
    /// Done, or an errno.
    Killed(Result<(), u16>),
}

/// Marker carried by `HostError::Blocked` when a `wasi_process` call has a
/// request for the scheduler.
#[derive(Debug)]
pub struct ProcessCall;

/// The data of a process's store.
pub struct ProcData {
    /// The WASI context.
    pub wasi: WasiCtx,
    /// This process.
    pub pid: Pid,
    /// Its parent (updated when it is adopted by the root).
    pub ppid: Pid,
    /// Modules this process may spawn.
    pub allow: BTreeSet<String>,
    /// This process's limits.
    pub limits: Limits,
    /// Open spawn configurations by handle.
    pub configs: BTreeMap<u32, SpawnConfig>,
    /// Next configuration handle.
    pub next_config: u32,
    /// A request waiting for the scheduler.
    pub request: Option<Request>,
    /// The box of this process's last spawn request, emptied, kept for its
    /// next spawn (a spawning loop allocates it once).
    pub spare_spec: Option<Box<ChildSpec>>,
    /// The process's memory account (see [`crate::account`]).
    pub account: MemAccount,
}

impl ProcData {
    /// Gives back what an ended process holds, keeping the (empty) data:
    /// its descriptors are closed, and its arguments, environment, spawn
    /// permissions, spawn configurations (and their charges) and any
    /// request are dropped. Its account is kept until the data is replaced
    /// (an account's charges are with the limiter and the configurations).
    pub fn release(&mut self) {
        self.wasi.release();
        self.allow = BTreeSet::new();
        self.configs = BTreeMap::new();
        self.request = None;
        self.spare_spec = None;
    }

    /// Process data around a WASI context.
    pub fn new(
        wasi: WasiCtx,
        pid: Pid,
        ppid: Pid,
        allow: BTreeSet<String>,
        limits: Limits,
        account: MemAccount,
    ) -> Self {
        ProcData {
            wasi,
            pid,
            ppid,
            allow,
            limits,
            configs: BTreeMap::new(),
            next_config: 1,
            request: None,
            spare_spec: None,
            account,
        }
    }
}
