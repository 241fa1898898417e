//! The host environment: the one door through which nondeterminism enters a
//! guest's run.
//!
//! Everything a guest can observe that is not a function of its module, its
//! arguments, its environment and its own earlier actions comes from a
//! [`HostEnv`]: the wall clock, the monotonic clock, random bytes, the host's
//! standard input, and every result from the host filesystem (open, read,
//! stat, readdir, ...). The WASI functions never touch `std::time`,
//! `std::fs` or the OS directly; they call this trait.
//!
//! Host files and directories are named by opaque [`HostHandle`]s that the
//! environment hands out (in a deterministic order: 1, 2, 3, ...); the WASI
//! layer maps guest descriptors to handles and keeps all policy (rights,
//! read-only grants, file positions) itself, so an implementation only does
//! mechanism. Every method returns plain data or an [`Errno`], so results can
//! be written to a trace and served back.
//!
//! Implementations:
//! - [`RealHost`]: the real clocks, the OS random source, the host's stdin,
//!   and the host filesystem through cap-std (the only place that uses
//!   ambient authority is [`HostEnv::open_preopen`], called once per grant
//!   when the context is built; every later path is resolved beneath a
//!   granted directory and cannot leave it).
//! - [`DeterministicHost`]: virtual clocks advanced by fuel (read from a
//!   [`FuelClock`] the scheduler feeds) and by waits, which jump to the
//!   deadline instead of sleeping; seeded random bytes (xoshiro256**); the
//!   host's stdin read so that results depend only on its bytes; the host
//!   filesystem through a [`RealHost`] (files are inputs).
//! - [`RecordingHost`] wraps another and appends each call, its arguments
//!   and its result to a trace; [`ReplayHost`] serves results from a trace,
//!   touches no host file, and stops at the first call whose kind, arguments
//!   or position differ from the recorded ones (`record.rs`,
//!   docs/trace-format.md). The seam is designed for them: arguments and
//!   results are values, handles are numbers, and waiting
//!   ([`HostEnv::wait`]) is part of the trait.
//!
//! Filesystem methods have defaults that answer [`Errno::Notsup`] (or
//! [`Errno::Badf`] for handle operations), so an environment without a
//! filesystem implements only the clocks, random and stdin.
//!
//! Sockets are host handles too: [`HostEnv::tcp_listen`] binds a granted
//! listener (ambient authority, once per grant, like
//! [`HostEnv::open_preopen`]); accepting, receiving, sending and readiness
//! are non-blocking calls whose results are values, so they are recorded
//! and replayed like file reads ([`HostEnv::wait`] waits for them with
//! `poll(2)`). The defaults answer as a host without a network does.

mod deterministic;
mod real;
pub mod record;

pub use deterministic::{
    DeterministicHost, FuelClock, NS_PER_FUEL, StdinTape, VIRTUAL_EPOCH_NS, Xoshiro256StarStar,
    splitmix64,
};
pub use real::RealHost;
pub use record::{PidCell, RecordingHost, ReplayHost, RunPosition};

use crate::blocked::{BlockedOn, Interest};
use crate::errno::Errno;
use crate::types::{Advice, DirEntry, Filestat, Filetype, NewTimestamp};
use std::sync::{Arc, OnceLock};

/// Where a host environment reports a failure of its own that must end the
/// whole run — a [`ReplayHost`] whose run left the recording. Shared by the
/// environment, the WASI contexts built on it ([`HostEnv::halt`]) and the
/// scheduler: the host call that found the failure, and every later one,
/// fails with it, and the driver stops the run and returns it as an error.
/// The first reason given is kept.
#[derive(Debug, Clone, Default)]
pub struct Halt(Arc<OnceLock<String>>);

impl Halt {
    /// A cell with no failure in it.
    pub fn new() -> Self {
        Halt::default()
    }

    /// Reports `reason`, unless a failure was reported already.
    pub fn halt(&self, reason: String) {
        let _ = self.0.set(reason);
    }

    /// The failure reported, if any.
    #[inline]
    pub fn reason(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

/// A host file or directory opened by a [`HostEnv`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HostHandle(pub u64);

/// What `path_open` asks of the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpenRequest {
    /// Follow a symbolic link in the last component.
    pub follow: bool,
    /// Create the file if missing.
    pub create: bool,
    /// Fail unless it is a directory.
    pub directory: bool,
    /// With `create`: fail if it exists.
    pub exclusive: bool,
    /// Truncate to length 0.
    pub truncate: bool,
    /// Open for reading.
    pub read: bool,
    /// Open for writing.
    pub write: bool,
    /// Synchronized writes (`O_SYNC`, `O_DSYNC`, `O_RSYNC`), as `fdflags` bits.
    pub sync_flags: u16,
}

/// Everything a WASI context needs from the outside world.
///
/// Times are nanoseconds. Paths are relative to a directory handle, are
/// UTF-8, and are resolved so that they cannot leave that directory.
pub trait HostEnv: Send {
    /// Wall-clock time since the Unix epoch.
    fn wall_clock(&mut self) -> Result<u64, Errno>;
    /// Monotonic time since an arbitrary start; never decreases.
    fn monotonic_now(&mut self) -> u64;
    /// Resolution of the wall clock (`realtime = true`) or monotonic clock.
    fn clock_resolution(&mut self, realtime: bool) -> u64;
    /// Fills `buf` with random bytes.
    fn random(&mut self, buf: &mut [u8]);

    /// Reads the host's standard input without blocking: `Ok(Some(n))` for
    /// `n` bytes (0 = end of input), `Ok(None)` when nothing is available.
    fn stdin_read(&mut self, buf: &mut [u8]) -> Result<Option<usize>, Errno>;
    /// True when a read of the host's stdin would not block.
    fn stdin_ready(&mut self) -> bool;
    /// True when the host's stdin is a terminal.
    fn stdin_is_terminal(&mut self) -> bool {
        false
    }
    /// Waits until `on` may hold (stdin readable, a deadline reached). Used
    /// by the single-process driver; a virtual clock advances to the
    /// deadline instead of sleeping. Conditions only a scheduler can satisfy
    /// (a pipe between processes) are an error here.
    fn wait(&mut self, on: &BlockedOn) -> Result<(), String>;

    /// The cell in which this environment reports a failure that must end
    /// the run ([`Halt`]), if it can fail so (a replay); asked once when a
    /// WASI context is built on it and once by a scheduler.
    fn halt(&mut self) -> Option<Halt> {
        None
    }

    /// Opens a granted host directory (ambient authority, once per grant).
    fn open_preopen(&mut self, _host_path: &std::path::Path) -> Result<HostHandle, Errno> {
        Err(Errno::Notsup)
    }
    /// Opens `path` beneath directory `dir`; returns the handle and whether
    /// it is a directory or a file.
    fn open_at(
        &mut self,
        _dir: HostHandle,
        _path: &str,
        _req: &OpenRequest,
    ) -> Result<(HostHandle, Filetype), Errno> {
        Err(Errno::Notsup)
    }
    /// Releases a handle.
    fn close(&mut self, _h: HostHandle) {}
    /// Reads at `offset`; returns the bytes read (0 at end of file).
    fn read_at(&mut self, _h: HostHandle, _buf: &mut [u8], _offset: u64) -> Result<usize, Errno> {
        Err(Errno::Badf)
    }
    /// Writes at `offset`; returns the bytes written.
    fn write_at(&mut self, _h: HostHandle, _buf: &[u8], _offset: u64) -> Result<usize, Errno> {
        Err(Errno::Badf)
    }
    /// Appends at the end; returns the bytes written and the new size.
    fn append(&mut self, _h: HostHandle, _buf: &[u8]) -> Result<(usize, u64), Errno> {
        Err(Errno::Badf)
    }
    /// Attributes of an open file or directory.
    fn filestat(&mut self, _h: HostHandle) -> Result<Filestat, Errno> {
        Err(Errno::Badf)
    }
    /// Sets the size of an open file.
    fn set_size(&mut self, _h: HostHandle, _size: u64) -> Result<(), Errno> {
        Err(Errno::Badf)
    }
    /// Sets timestamps of an open file or directory.
    fn set_times(
        &mut self,
        _h: HostHandle,
        _atim: NewTimestamp,
        _mtim: NewTimestamp,
    ) -> Result<(), Errno> {
        Err(Errno::Badf)
    }
    /// Flushes data and metadata (`data_only`: data only).
    fn sync(&mut self, _h: HostHandle, _data_only: bool) -> Result<(), Errno> {
        Err(Errno::Badf)
    }
    /// Passes access-pattern advice to the host.
    fn advise(&mut self, _h: HostHandle, _off: u64, _len: u64, _a: Advice) -> Result<(), Errno> {
        Err(Errno::Badf)
    }
    /// Reserves space so that `[off, off + len)` is allocated.
    fn allocate(&mut self, _h: HostHandle, _off: u64, _len: u64) -> Result<(), Errno> {
        Err(Errno::Badf)
    }
    /// The entries of an open directory, sorted by name, without `.` and `..`.
    fn readdir(&mut self, _h: HostHandle) -> Result<Vec<DirEntry>, Errno> {
        Err(Errno::Badf)
    }
    /// Attributes of `path` beneath `dir`.
    fn stat_at(&mut self, _dir: HostHandle, _path: &str, _follow: bool) -> Result<Filestat, Errno> {
        Err(Errno::Notsup)
    }
    /// Sets timestamps of `path` beneath `dir`.
    fn set_times_at(
        &mut self,
        _dir: HostHandle,
        _path: &str,
        _follow: bool,
        _atim: NewTimestamp,
        _mtim: NewTimestamp,
    ) -> Result<(), Errno> {
        Err(Errno::Notsup)
    }
    /// Creates a directory.
    fn create_dir_at(&mut self, _dir: HostHandle, _path: &str) -> Result<(), Errno> {
        Err(Errno::Notsup)
    }
    /// Removes an empty directory.
    fn remove_dir_at(&mut self, _dir: HostHandle, _path: &str) -> Result<(), Errno> {
        Err(Errno::Notsup)
    }
    /// Removes a file or symbolic link.
    fn unlink_at(&mut self, _dir: HostHandle, _path: &str) -> Result<(), Errno> {
        Err(Errno::Notsup)
    }
    /// Renames `from` beneath `from_dir` to `to` beneath `to_dir`.
    fn rename_at(
        &mut self,
        _from_dir: HostHandle,
        _from: &str,
        _to_dir: HostHandle,
        _to: &str,
    ) -> Result<(), Errno> {
        Err(Errno::Notsup)
    }
    /// Creates a hard link `to` (beneath `to_dir`) to `from` (beneath `from_dir`).
    fn link_at(
        &mut self,
        _from_dir: HostHandle,
        _from: &str,
        _to_dir: HostHandle,
        _to: &str,
    ) -> Result<(), Errno> {
        Err(Errno::Notsup)
    }
    /// Creates a symbolic link at `path` beneath `dir` whose contents are `target`.
    fn symlink_at(&mut self, _target: &str, _dir: HostHandle, _path: &str) -> Result<(), Errno> {
        Err(Errno::Notsup)
    }
    /// The contents of the symbolic link at `path` beneath `dir`.
    fn readlink_at(&mut self, _dir: HostHandle, _path: &str) -> Result<String, Errno> {
        Err(Errno::Notsup)
    }

    /// Binds a TCP listener to `addr` (`HOST:PORT`), non-blocking (ambient
    /// authority, once per grant).
    fn tcp_listen(&mut self, _addr: &str) -> Result<HostHandle, Errno> {
        Err(Errno::Notsup)
    }
    /// Accepts a connection on listener `h` without blocking: `Ok(None)`
    /// when none is waiting. The connection is non-blocking.
    fn sock_accept(&mut self, _h: HostHandle) -> Result<Option<HostHandle>, Errno> {
        Err(Errno::Notsock)
    }
    /// Receives into `buf` without blocking (`peek`: leaves the bytes in
    /// the socket): `Ok(Some(0))` at end of stream, `Ok(None)` when nothing
    /// has arrived.
    fn sock_recv(
        &mut self,
        _h: HostHandle,
        _buf: &mut [u8],
        _peek: bool,
    ) -> Result<Option<usize>, Errno> {
        Err(Errno::Notsock)
    }
    /// Sends from `buf` without blocking: `Ok(None)` when there is no room.
    fn sock_send(&mut self, _h: HostHandle, _buf: &[u8]) -> Result<Option<usize>, Errno> {
        Err(Errno::Notsock)
    }
    /// Shuts down the receiving (`how` bit 0) and/or sending (bit 1) side.
    fn sock_shutdown(&mut self, _h: HostHandle, _how: u8) -> Result<(), Errno> {
        Err(Errno::Notsock)
    }
    /// Whether an accept or receive (`Read`) or a send (`Write`) on `h`
    /// would not block (an error or a hang-up counts as ready).
    fn sock_ready(&mut self, _h: HostHandle, _interest: Interest) -> bool {
        true
    }
    /// [`HostEnv::sock_ready`] for many sockets at once (one `poll(2)` in
    /// [`RealHost`]; one trace record): an answer per entry, in order.
    fn socks_ready(&mut self, which: &[(HostHandle, Interest)]) -> Vec<bool> {
        which.iter().map(|(h, i)| self.sock_ready(*h, *i)).collect()
    }
}
