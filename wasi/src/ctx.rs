//! [`WasiCtx`], the state of one guest's WASI view of the world, and
//! [`WasiCtxBuilder`], which grants it arguments, environment, stdio and
//! directories.

use crate::errno::{Errno, WasiError, WasiResult};
use crate::host::{Halt, HostEnv, RealHost};
use crate::poll::PendingPoll;
use crate::sock::PendingRecv;
use crate::stream::{HostStderr, HostStdout, InputStream, OutputStream, ReadPipe, Sink};
use crate::table::{Descriptor, DirFd, FdTable, SockFd};
use std::cell::Cell;
use std::path::PathBuf;
use wasiproc_engine::{Instance, Memory};

/// The WASI state of one guest: arguments, environment, descriptors and the
/// host environment. Embed it in a store's data and register the functions
/// with [`crate::add_to_linker`].
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) fds: FdTable,
    pub(crate) host: Box<dyn HostEnv>,
    /// Where the host reports a failure that ends the run (a replay that
    /// left its recording): every call fails once it holds one.
    pub(crate) halt: Option<Halt>,
    /// What the call that reported "blocked" keeps for its retry: at most
    /// one call of a process is ever parked, so one field holds either.
    /// Boxed: it is part of every process's context, whose size the
    /// process layer keeps small, and only a blocked call has one.
    pub(crate) pending: Option<Box<Pending>>,
    /// Fuel the current call may still charge for host work, and what it
    /// has charged so far (see [`WasiCtx::charge`]).
    pub(crate) fuel: HostFuel,
    /// The calling instance's exported "memory" as last looked up: an
    /// instance's exports never change, so calls from the same instance
    /// skip the lookup by name (see [`WasiCtx::cached_memory`]).
    memory: Cell<Option<(Instance, Option<Memory>)>>,
}

/// The fuel a WASI call may spend on host work proportional to sizes the
/// guest chose (docs/wasi.md, "Fuel"). The linker sets the caller's
/// remaining fuel before each call and charges what was spent after it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HostFuel {
    pub(crate) left: u64,
    pub(crate) spent: u64,
}

impl HostFuel {
    /// Charges `amount` if the call can still pay for it.
    #[inline]
    pub(crate) fn charge(&mut self, amount: u64) -> WasiResult<()> {
        if amount > self.left.saturating_sub(self.spent) {
            return Err(WasiError::OutOfFuel);
        }
        self.spent += amount;
        Ok(())
    }
}

impl Default for HostFuel {
    fn default() -> Self {
        HostFuel {
            left: u64::MAX,
            spent: 0,
        }
    }
}

/// Fuel per byte copied between guest memory and the host (reads, writes,
/// pipe transfers, strings): one unit per this many bytes.
pub const FUEL_BYTES_PER_UNIT: u64 = 64;

/// Fuel per `poll_oneoff` subscription.
pub const FUEL_PER_SUBSCRIPTION: u64 = 64;

/// The fuel for copying `bytes` bytes: one unit per [`FUEL_BYTES_PER_UNIT`].
pub fn bytes_fuel(bytes: u64) -> u64 {
    bytes / FUEL_BYTES_PER_UNIT
}

impl Drop for WasiCtx {
    /// Closes every host file and directory the context still holds, so a
    /// process gives its descriptors back however it ends.
    fn drop(&mut self) {
        self.close_all();
    }
}

impl std::fmt::Debug for WasiCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiCtx")
            .field("args", &self.args)
            .field("env", &self.env)
            .field("fds", &self.fds)
            .finish_non_exhaustive()
    }
}

impl WasiCtx {
    /// Gives back what the context holds, as dropping it would, but keeps
    /// the (empty) context: every descriptor is closed (host files,
    /// directories and sockets through the host environment, pipe ends
    /// dropped) and the arguments and environment are freed. For an
    /// embedder that reuses the memory of a context's owner.
    pub fn release(&mut self) {
        self.close_all();
        self.args = Vec::new();
        self.env = Vec::new();
        self.pending = None;
        self.memory.set(None);
    }

    /// Closes every descriptor: host files, directories and sockets
    /// through the host environment; the rest (pipe ends, streams) dropped.
    fn close_all(&mut self) {
        let WasiCtx { fds, host, .. } = self;
        fds.drain_each(|d| crate::fd::release_with(&mut **host, d));
    }

    /// A builder with nothing granted.
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::new()
    }

    /// A context from its parts, without a builder: `fds` are its
    /// descriptors as they are (limits and quota included), nothing is
    /// opened. For a caller that made the descriptors itself (a spawned
    /// process's, shared from its parent); the vectors are taken as they
    /// are, not copied.
    pub fn from_parts(
        args: Vec<String>,
        env: Vec<(String, String)>,
        fds: FdTable,
        mut host: Box<dyn HostEnv>,
    ) -> WasiCtx {
        WasiCtx {
            args,
            env,
            fds,
            halt: host.halt(),
            memory: Cell::new(None),
            host,
            pending: None,
            fuel: HostFuel::default(),
        }
    }

    /// The guest's arguments (the first is the program name).
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// The guest's environment variables.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// The descriptor table.
    pub fn fds(&self) -> &FdTable {
        &self.fds
    }

    /// The descriptor table, mutably (the process layer maps pipes here).
    pub fn fds_mut(&mut self) -> &mut FdTable {
        &mut self.fds
    }

    /// The exported "memory" of `instance` (`Some(None)`: it exports
    /// none) when this context looked it up before, for host functions
    /// that need it on every call (an instance's exports never change).
    #[inline]
    pub fn cached_memory(&self, instance: Instance) -> Option<Option<Memory>> {
        match self.memory.get() {
            Some((i, m)) if i == instance => Some(m),
            _ => None,
        }
    }

    /// Records what `instance` exports as "memory" for
    /// [`WasiCtx::cached_memory`] (one instance at a time).
    #[inline]
    pub fn cache_memory(&self, instance: Instance, memory: Option<Memory>) {
        self.memory.set(Some((instance, memory)));
    }

    /// The host environment.
    pub fn host(&mut self) -> &mut dyn HostEnv {
        &mut *self.host
    }

    /// Charges `amount` of fuel for host work before the work is done:
    /// `OutOfFuel` (a trap, nothing done) when the caller cannot pay.
    pub fn charge(&mut self, amount: u64) -> WasiResult<()> {
        self.fuel.charge(amount)
    }

    /// Starts a host call that may charge up to `fuel_left` (the caller's
    /// remaining fuel).
    pub fn begin_call(&mut self, fuel_left: u64) {
        self.fuel = HostFuel {
            left: fuel_left,
            spent: 0,
        };
    }

    /// Ends a host call: the fuel it charged, to be taken from the caller.
    pub fn end_call(&mut self) -> u64 {
        std::mem::take(&mut self.fuel).spent
    }
}

enum StdinSpec {
    Empty,
    Host,
    Stream(Box<dyn InputStream>),
}

struct Preopen {
    host: PathBuf,
    guest: String,
    read_only: bool,
}

/// The state a blocked call keeps until it is retried.
pub(crate) enum Pending {
    /// A `poll_oneoff`: its subscriptions and their deadlines.
    Poll(PendingPoll),
    /// A `RECV_WAITALL` receive: what it got so far.
    Recv(PendingRecv),
}

/// Why a [`WasiCtx`] could not be built.
#[derive(Debug)]
pub struct BuildError {
    /// The host directory that could not be granted (or, with `listener`,
    /// the address that could not be listened on).
    pub path: PathBuf,
    /// Why.
    pub errno: Errno,
    /// A TCP listener could not be bound, rather than a directory opened.
    pub listener: bool,
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.listener {
            "listen on"
        } else {
            "grant directory"
        };
        write!(
            f,
            "cannot {what} {}: {}",
            self.path.display(),
            self.errno.description().trim_end_matches('.')
        )
    }
}

impl std::error::Error for BuildError {}

/// Grants for a [`WasiCtx`], set with chainable setters. Nothing is granted
/// by default: no arguments, no environment, empty stdin, discarded output,
/// no directories. `inherit_*` methods make ambient access visible.
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: StdinSpec,
    stdout: Box<dyn OutputStream>,
    stderr: Box<dyn OutputStream>,
    preopens: Vec<Preopen>,
    listeners: Vec<String>,
    host: Option<Box<dyn HostEnv>>,
    /// Descriptors 0, 1 and 2 are made (see [`WasiCtxBuilder::no_stdio`]).
    stdio: bool,
}

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for WasiCtxBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiCtxBuilder")
            .field("args", &self.args)
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

impl WasiCtxBuilder {
    /// A builder with nothing granted.
    pub fn new() -> Self {
        WasiCtxBuilder {
            args: Vec::new(),
            env: Vec::new(),
            stdin: StdinSpec::Empty,
            stdout: Box::new(Sink),
            stderr: Box::new(Sink),
            preopens: Vec::new(),
            listeners: Vec::new(),
            host: None,
            stdio: true,
        }
    }

    /// Appends one argument (the first one is the program name).
    pub fn arg(&mut self, arg: impl Into<String>) -> &mut Self {
        self.args.push(arg.into());
        self
    }

    /// Appends arguments.
    pub fn args<S: Into<String>>(&mut self, args: impl IntoIterator<Item = S>) -> &mut Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable.
    pub fn env(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Sets environment variables.
    pub fn envs<K: Into<String>, V: Into<String>>(
        &mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> &mut Self {
        self.env
            .extend(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Passes the host's whole environment (ambient access).
    pub fn inherit_env(&mut self) -> &mut Self {
        self.env.extend(std::env::vars());
        self
    }

    /// The guest's stdin reads from `stream`.
    pub fn stdin(&mut self, stream: impl InputStream + 'static) -> &mut Self {
        self.stdin = StdinSpec::Stream(Box::new(stream));
        self
    }

    /// The guest's stdout writes to `stream`.
    pub fn stdout(&mut self, stream: impl OutputStream + 'static) -> &mut Self {
        self.stdout = Box::new(stream);
        self
    }

    /// The guest's stderr writes to `stream`.
    pub fn stderr(&mut self, stream: impl OutputStream + 'static) -> &mut Self {
        self.stderr = Box::new(stream);
        self
    }

    /// Makes no descriptors 0, 1 and 2 (the stdin, stdout and stderr
    /// settings are ignored): for a context whose descriptors the caller
    /// puts in place itself (a spawned process's, with
    /// [`crate::table::FdTable::insert_at`]), so that none is made only
    /// to be closed. Granted directories then start at 0.
    pub fn no_stdio(&mut self) -> &mut Self {
        self.stdio = false;
        self
    }

    /// The guest reads the host's stdin (through the host environment).
    pub fn inherit_stdin(&mut self) -> &mut Self {
        self.stdin = StdinSpec::Host;
        self
    }

    /// The guest writes to the host's stdout.
    pub fn inherit_stdout(&mut self) -> &mut Self {
        self.stdout(HostStdout)
    }

    /// The guest writes to the host's stderr.
    pub fn inherit_stderr(&mut self) -> &mut Self {
        self.stderr(HostStderr)
    }

    /// Inherits stdin, stdout and stderr.
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.inherit_stdin().inherit_stdout().inherit_stderr()
    }

    /// Grants the host directory `host` to the guest as `guest`, read-write.
    pub fn preopened_dir(
        &mut self,
        host: impl Into<PathBuf>,
        guest: impl Into<String>,
    ) -> &mut Self {
        self.preopens.push(Preopen {
            host: host.into(),
            guest: guest.into(),
            read_only: false,
        });
        self
    }

    /// Grants the host directory `host` to the guest as `guest`, read-only:
    /// nothing beneath it can be created, written, renamed, removed or have
    /// its times changed through this grant, whatever other grants allow.
    pub fn preopened_dir_read_only(
        &mut self,
        host: impl Into<PathBuf>,
        guest: impl Into<String>,
    ) -> &mut Self {
        self.preopens.push(Preopen {
            host: host.into(),
            guest: guest.into(),
            read_only: true,
        });
        self
    }

    /// Grants a TCP listener bound to `addr` (`HOST:PORT`). Listeners are
    /// numbered from 3 in the order given, before the preopened
    /// directories, as wasmtime's `--tcplisten` does (docs/wasi.md).
    pub fn tcp_listener(&mut self, addr: impl Into<String>) -> &mut Self {
        self.listeners.push(addr.into());
        self
    }

    /// Uses `host` as the host environment instead of [`RealHost`].
    pub fn host_env(&mut self, host: impl HostEnv + 'static) -> &mut Self {
        self.host = Some(Box::new(host));
        self
    }

    /// Opens the granted directories and builds the context. The builder is
    /// left empty.
    pub fn build(&mut self) -> Result<WasiCtx, BuildError> {
        let mut host: Box<dyn HostEnv> = self
            .host
            .take()
            .unwrap_or_else(|| Box::new(RealHost::new()));
        let mut fds = FdTable::new();
        let push = |fds: &mut FdTable, d| fds.push(d).expect("a fresh table has room");
        let stdin = std::mem::replace(&mut self.stdin, StdinSpec::Empty);
        let stdout = std::mem::replace(&mut self.stdout, Box::new(Sink));
        let stderr = std::mem::replace(&mut self.stderr, Box::new(Sink));
        if std::mem::replace(&mut self.stdio, true) {
            let stdin = match stdin {
                StdinSpec::Empty => Descriptor::Input(Box::new(ReadPipe::default())),
                StdinSpec::Host => Descriptor::HostStdin,
                StdinSpec::Stream(s) => Descriptor::Input(s),
            };
            push(&mut fds, stdin);
            push(&mut fds, Descriptor::Output(stdout));
            push(&mut fds, Descriptor::Output(stderr));
        }
        // Gives back the grants opened so far.
        let undo = |fds: &mut FdTable, host: &mut Box<dyn HostEnv>| {
            for d in fds.drain() {
                match d {
                    Descriptor::Dir(d) => host.close(d.handle),
                    Descriptor::Socket(s) => host.close(s.handle),
                    _ => {}
                }
            }
        };
        for addr in std::mem::take(&mut self.listeners) {
            match host.tcp_listen(&addr) {
                Ok(handle) => push(
                    &mut fds,
                    Descriptor::Socket(SockFd {
                        handle,
                        listener: true,
                        nonblock: false,
                    }),
                ),
                Err(errno) => {
                    undo(&mut fds, &mut host);
                    return Err(BuildError {
                        path: PathBuf::from(&addr),
                        errno,
                        listener: true,
                    });
                }
            };
        }
        for p in std::mem::take(&mut self.preopens) {
            let handle = match host.open_preopen(&p.host) {
                Ok(h) => h,
                Err(errno) => {
                    undo(&mut fds, &mut host);
                    return Err(BuildError {
                        path: p.host.clone(),
                        errno,
                        listener: false,
                    });
                }
            };
            push(
                &mut fds,
                Descriptor::Dir(DirFd {
                    handle,
                    preopen: Some(p.guest),
                    mutable: !p.read_only,
                }),
            );
        }
        Ok(WasiCtx::from_parts(
            std::mem::take(&mut self.args),
            std::mem::take(&mut self.env),
            fds,
            host,
        ))
    }
}
