//! [`DeterministicHost`]: a host environment whose clocks and random bytes
//! are functions of the run itself, so that the same program with the same
//! inputs produces the same results on every run and every machine.
//!
//! - **Clocks** are virtual and read a [`FuelClock`]: monotonic time is the
//!   fuel the whole run has consumed so far ([`NS_PER_FUEL`] ns per unit)
//!   plus the time skipped by waits; the wall clock is that plus
//!   [`VIRTUAL_EPOCH_NS`] (2000-01-01T00:00:00Z). Whoever drives the stores
//!   feeds the clock the run's total fuel ([`FuelClock::set_fuel`]; the
//!   process runtime does it after every slice), so within one slice the
//!   clocks stand still. [`HostEnv::wait`] on a timer does not sleep: it
//!   jumps the clock to the deadline. Both clocks report a resolution of
//!   1 ns.
//! - **Random bytes** come from xoshiro256** ([`Xoshiro256StarStar`], the
//!   generator of Blackman and Vigna), seeded by expanding the 64-bit seed
//!   with SplitMix64, written out here so the stream never depends on a
//!   crate version: the same seed gives the same bytes everywhere.
//! - **Stdin** is the host's, read through a [`StdinTape`]: a read blocks
//!   (the whole run, in real time; no virtual time passes) until it can fill
//!   the guest's buffer or the input ends, and stdin is always "ready". So
//!   what a read returns depends only on the bytes of the input, never on
//!   when they arrive. Stdin is reported as not being a terminal.
//! - **Sockets** are the host's, through the inner [`RealHost`]: accepted
//!   connections, their order and the bytes received (and how they were
//!   split in time) are inputs, like files; record the run to keep them.
//!   A wait that includes sockets polls them in real time, for at most the
//!   virtual time left to its deadline, and jumps the clock to the deadline
//!   only when none became ready.
//! - **Files** are the host's, through an inner [`RealHost`]: their
//!   contents are inputs of the run. Device and inode numbers are replaced
//!   by small numbers handed out in the order the run first sees each file
//!   (the same on every run that sees the same files in the same order);
//!   timestamps are the host's. Setting a file's time to "now" uses the
//!   virtual wall clock.

use super::{HostEnv, HostHandle, OpenRequest, RealHost};
use crate::blocked::{BlockedOn, Interest};
use crate::errno::Errno;
use crate::types::{Advice, DirEntry, Filestat, Filetype, NewTimestamp};
use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The virtual wall clock's start: 2000-01-01T00:00:00Z, in nanoseconds
/// since the Unix epoch.
pub const VIRTUAL_EPOCH_NS: u64 = 946_684_800 * 1_000_000_000;

/// Virtual nanoseconds per unit of fuel.
pub const NS_PER_FUEL: u64 = 1;

#[derive(Debug, Default)]
struct ClockState {
    /// The run's total fuel consumed, as last reported.
    fuel: AtomicU64,
    /// Virtual nanoseconds skipped by waits.
    skipped: AtomicU64,
}

/// A virtual clock advanced by fuel and by waits; clones share it.
///
/// The driver of a run reports the run's total fuel consumed with
/// [`FuelClock::set_fuel`]; a [`DeterministicHost`] reads the time with
/// [`FuelClock::now`] and jumps it forward with [`FuelClock::advance_to`].
/// Reading and updating are a few relaxed atomic operations.
#[derive(Debug, Clone, Default)]
pub struct FuelClock {
    state: Arc<ClockState>,
}

impl FuelClock {
    /// A clock at time 0 with no fuel consumed.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reports that the run has consumed `total` fuel so far. The clock
    /// never goes back: a smaller total than an earlier one is ignored.
    pub fn set_fuel(&self, total: u64) {
        self.state.fuel.fetch_max(total, Ordering::Relaxed);
    }

    /// The run's total fuel consumed, as last reported.
    pub fn fuel(&self) -> u64 {
        self.state.fuel.load(Ordering::Relaxed)
    }

    /// Nanoseconds skipped by [`FuelClock::advance_to`] so far.
    pub fn skipped(&self) -> u64 {
        self.state.skipped.load(Ordering::Relaxed)
    }

    /// Virtual monotonic time in nanoseconds: fuel × [`NS_PER_FUEL`] plus
    /// the time skipped by waits.
    pub fn now(&self) -> u64 {
        self.fuel()
            .saturating_mul(NS_PER_FUEL)
            .saturating_add(self.skipped())
    }

    /// Moves the clock forward to `deadline` (no effect if it is already
    /// there or past it).
    pub fn advance_to(&self, deadline: u64) {
        let now = self.now();
        if deadline > now {
            self.state
                .skipped
                .fetch_add(deadline - now, Ordering::Relaxed);
        }
    }
}

/// The xoshiro256** pseudo-random generator (Blackman & Vigna, 2018),
/// seeded from a `u64` with SplitMix64 as its authors recommend.
///
/// Bytes are produced 8 at a time, little-endian; a request whose length is
/// not a multiple of 8 uses the first bytes of one more output and discards
/// the rest, so each request starts on a fresh output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Xoshiro256StarStar {
    s: [u64; 4],
}

/// One step of SplitMix64: advances `state` and returns the next output.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Xoshiro256StarStar {
    /// The generator whose state is the next four SplitMix64 outputs from
    /// `seed`.
    pub fn seed_from_u64(seed: u64) -> Self {
        let mut sm = seed;
        let s = [
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
        ];
        Xoshiro256StarStar { s }
    }

    /// The generator with exactly this state (which must not be all zero).
    pub fn from_state(s: [u64; 4]) -> Self {
        Xoshiro256StarStar { s }
    }

    /// The next 64-bit output.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Fills `buf` (see the type's documentation for the byte order).
    pub fn fill_bytes(&mut self, buf: &mut [u8]) {
        let mut chunks = buf.chunks_exact_mut(8);
        for c in &mut chunks {
            c.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            let n = rest.len();
            rest.copy_from_slice(&self.next_u64().to_le_bytes()[..n]);
        }
    }
}

/// The host's standard input, read as a deterministic host reads it.
struct HostStdinReader;

impl Read for HostStdinReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use rustix::event::{PollFd, PollFlags, poll};
        use std::os::fd::AsFd;
        let stdin = std::io::stdin();
        loop {
            match rustix::io::read(stdin.as_fd(), &mut *buf) {
                Ok(n) => return Ok(n),
                Err(rustix::io::Errno::INTR) => {}
                Err(rustix::io::Errno::AGAIN) => {
                    // A non-blocking stdin: wait until it is readable.
                    let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
                    match poll(&mut fds, None) {
                        Ok(_) | Err(rustix::io::Errno::INTR) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

struct Tape {
    source: Box<dyn Read + Send>,
    /// Offset in the input of `data[0]`.
    base: u64,
    /// Input bytes read and still kept.
    data: Vec<u8>,
    /// How the input ended, once it has: `Ok` at end of input, or the
    /// error the source reported.
    end: Option<Result<(), Errno>>,
    /// Drop bytes once read (a tape with a single reader).
    trim: bool,
}

impl Tape {
    /// Reads from the source until the tape holds `upto` bytes of input or
    /// the input has ended.
    fn fill(&mut self, upto: u64) {
        let mut chunk = Vec::new();
        while self.end.is_none() && self.base + (self.data.len() as u64) < upto {
            chunk.resize(64 * 1024, 0);
            match self.source.read(&mut chunk) {
                Ok(0) => self.end = Some(Ok(())),
                Ok(n) => self.data.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => self.end = Some(Err(e.into())),
            }
        }
    }
}

/// The host's stdin as deterministic runs read it: a read at a position
/// returns as many bytes as the buffer holds, fewer only at the end of the
/// input, so its result depends only on the bytes of the input and never on
/// how they were split in time. Clones share one tape: every reader sees the
/// same input from its own position, which is how the two runs of a
/// determinism check both read the one host stdin. A tape that is not
/// shared forgets the bytes once they are read.
#[derive(Clone)]
pub struct StdinTape {
    tape: Arc<Mutex<Tape>>,
}

impl std::fmt::Debug for StdinTape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = self.lock();
        f.debug_struct("StdinTape")
            .field("base", &t.base)
            .field("kept", &t.data.len())
            .field("end", &t.end)
            .finish()
    }
}

impl StdinTape {
    /// A tape of the host's stdin whose bytes are kept for every clone.
    pub fn host() -> Self {
        Self::from_reader(HostStdinReader)
    }

    /// A tape of the bytes `source` gives (kept for every clone).
    pub fn from_reader(source: impl Read + Send + 'static) -> Self {
        StdinTape {
            tape: Arc::new(Mutex::new(Tape {
                source: Box::new(source),
                base: 0,
                data: Vec::new(),
                end: None,
                trim: false,
            })),
        }
    }

    /// A tape of the host's stdin with a single reader: bytes are dropped
    /// once read.
    fn host_single() -> Self {
        let t = Self::host();
        t.lock().trim = true;
        t
    }

    fn lock(&self) -> MutexGuard<'_, Tape> {
        self.tape.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads the input at offset `pos` into `buf`, filling it unless the
    /// input ends first; returns the number of bytes (0 at the end).
    pub fn read_at(&self, pos: u64, buf: &mut [u8]) -> Result<usize, Errno> {
        let mut t = self.lock();
        t.fill(pos.saturating_add(buf.len() as u64));
        let start = pos.saturating_sub(t.base) as usize;
        let avail = t.data.len().saturating_sub(start);
        let n = avail.min(buf.len());
        buf[..n].copy_from_slice(&t.data[start..start + n]);
        if n == 0
            && !buf.is_empty()
            && let Some(Err(e)) = t.end
        {
            return Err(e);
        }
        // A single reader's bytes are dropped once read, in batches, so
        // small reads do not move the rest of the buffer each time.
        let read = (start + n).min(t.data.len());
        if t.trim && (read >= 64 * 1024 || read == t.data.len()) {
            t.data.drain(..read);
            t.base += read as u64;
        }
        Ok(n)
    }
}

/// The deterministic host environment (see the module documentation).
pub struct DeterministicHost {
    clock: FuelClock,
    rng: Xoshiro256StarStar,
    stdin: StdinTape,
    stdin_pos: u64,
    fs: RealHost,
    /// Real device numbers → virtual ones (1, 2, ...).
    devs: HashMap<u64, u64>,
    /// Real (device, inode) → virtual inode numbers (1, 2, ...).
    inodes: HashMap<(u64, u64), u64>,
}

impl std::fmt::Debug for DeterministicHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeterministicHost")
            .field("now", &self.clock.now())
            .field("fs", &self.fs)
            .finish_non_exhaustive()
    }
}

impl DeterministicHost {
    /// A deterministic host whose random bytes come from `seed` and whose
    /// clocks read `clock`; stdin is the host's (not shared with another
    /// host).
    pub fn new(seed: u64, clock: FuelClock) -> Self {
        DeterministicHost {
            clock,
            rng: Xoshiro256StarStar::seed_from_u64(seed),
            stdin: StdinTape::host_single(),
            stdin_pos: 0,
            fs: RealHost::new(),
            devs: HashMap::new(),
            inodes: HashMap::new(),
        }
    }

    /// Reads stdin from `tape` (from its beginning) instead.
    pub fn with_stdin(mut self, tape: StdinTape) -> Self {
        self.stdin = tape;
        self.stdin_pos = 0;
        self
    }

    /// The clock this host reads.
    pub fn clock(&self) -> &FuelClock {
        &self.clock
    }

    fn virtual_dev(&mut self, dev: u64) -> u64 {
        let n = self.devs.len() as u64 + 1;
        *self.devs.entry(dev).or_insert(n)
    }

    fn virtual_ino(&mut self, dev: u64, ino: u64) -> u64 {
        let n = self.inodes.len() as u64 + 1;
        *self.inodes.entry((dev, ino)).or_insert(n)
    }

    fn virtual_stat(&mut self, mut st: Filestat) -> Filestat {
        st.ino = self.virtual_ino(st.dev, st.ino);
        st.dev = self.virtual_dev(st.dev);
        st
    }

    fn virtual_time(&mut self, t: NewTimestamp) -> Result<NewTimestamp, Errno> {
        Ok(match t {
            NewTimestamp::Now => NewTimestamp::At(self.wall_clock()?),
            t => t,
        })
    }
}

impl HostEnv for DeterministicHost {
    fn wall_clock(&mut self) -> Result<u64, Errno> {
        VIRTUAL_EPOCH_NS
            .checked_add(self.clock.now())
            .ok_or(Errno::Overflow)
    }

    fn monotonic_now(&mut self) -> u64 {
        self.clock.now()
    }

    fn clock_resolution(&mut self, _realtime: bool) -> u64 {
        1
    }

    fn random(&mut self, buf: &mut [u8]) {
        self.rng.fill_bytes(buf);
    }

    fn stdin_read(&mut self, buf: &mut [u8]) -> Result<Option<usize>, Errno> {
        let n = self.stdin.read_at(self.stdin_pos, buf)?;
        self.stdin_pos += n as u64;
        Ok(Some(n))
    }

    fn stdin_ready(&mut self) -> bool {
        true
    }

    fn stdin_is_terminal(&mut self) -> bool {
        false
    }

    fn wait(&mut self, on: &BlockedOn) -> Result<(), String> {
        if on.includes_stdin() {
            // Stdin is always ready: its reads block in real time only.
            return Ok(());
        }
        if !on.sockets().is_empty() {
            // A peer makes a socket ready, in real time. Virtual time jumps
            // to the deadline only if none is ready within the time left
            // (taken as real time), so a server waiting with a timeout
            // neither spins nor misses a connection.
            let deadline = on.deadline();
            let left = deadline.map(|d| Duration::from_nanos(d.saturating_sub(self.clock.now())));
            if !self.fs.wait_sockets(on, left)
                && let Some(d) = deadline
            {
                self.clock.advance_to(d);
            }
            return Ok(());
        }
        if let Some(deadline) = on.deadline() {
            self.clock.advance_to(deadline);
            return Ok(());
        }
        match on.fds().first() {
            Some((fd, _)) => Err(format!(
                "deadlock: the guest waits on fd {fd}, which nothing can make ready"
            )),
            None => Ok(()),
        }
    }

    fn open_preopen(&mut self, host_path: &std::path::Path) -> Result<HostHandle, Errno> {
        self.fs.open_preopen(host_path)
    }

    fn open_at(
        &mut self,
        dir: HostHandle,
        path: &str,
        req: &OpenRequest,
    ) -> Result<(HostHandle, Filetype), Errno> {
        self.fs.open_at(dir, path, req)
    }

    fn close(&mut self, h: HostHandle) {
        self.fs.close(h)
    }

    fn read_at(&mut self, h: HostHandle, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        self.fs.read_at(h, buf, offset)
    }

    fn write_at(&mut self, h: HostHandle, buf: &[u8], offset: u64) -> Result<usize, Errno> {
        self.fs.write_at(h, buf, offset)
    }

    fn append(&mut self, h: HostHandle, buf: &[u8]) -> Result<(usize, u64), Errno> {
        self.fs.append(h, buf)
    }

    fn filestat(&mut self, h: HostHandle) -> Result<Filestat, Errno> {
        let st = self.fs.filestat(h)?;
        Ok(self.virtual_stat(st))
    }

    fn set_size(&mut self, h: HostHandle, size: u64) -> Result<(), Errno> {
        self.fs.set_size(h, size)
    }

    fn set_times(
        &mut self,
        h: HostHandle,
        atim: NewTimestamp,
        mtim: NewTimestamp,
    ) -> Result<(), Errno> {
        let (atim, mtim) = (self.virtual_time(atim)?, self.virtual_time(mtim)?);
        self.fs.set_times(h, atim, mtim)
    }

    fn sync(&mut self, h: HostHandle, data_only: bool) -> Result<(), Errno> {
        self.fs.sync(h, data_only)
    }

    fn advise(&mut self, h: HostHandle, off: u64, len: u64, a: Advice) -> Result<(), Errno> {
        self.fs.advise(h, off, len, a)
    }

    fn allocate(&mut self, h: HostHandle, off: u64, len: u64) -> Result<(), Errno> {
        self.fs.allocate(h, off, len)
    }

    fn readdir(&mut self, h: HostHandle) -> Result<Vec<DirEntry>, Errno> {
        // Entries of the directory's own device (a mount point beneath it
        // shows the inode of the directory it covers, as readdir does).
        let dev = self.fs.filestat(h)?.dev;
        let mut entries = self.fs.readdir(h)?;
        for e in &mut entries {
            e.ino = self.virtual_ino(dev, e.ino);
        }
        Ok(entries)
    }

    fn stat_at(&mut self, dir: HostHandle, path: &str, follow: bool) -> Result<Filestat, Errno> {
        let st = self.fs.stat_at(dir, path, follow)?;
        Ok(self.virtual_stat(st))
    }

    fn set_times_at(
        &mut self,
        dir: HostHandle,
        path: &str,
        follow: bool,
        atim: NewTimestamp,
        mtim: NewTimestamp,
    ) -> Result<(), Errno> {
        let (atim, mtim) = (self.virtual_time(atim)?, self.virtual_time(mtim)?);
        self.fs.set_times_at(dir, path, follow, atim, mtim)
    }

    fn create_dir_at(&mut self, dir: HostHandle, path: &str) -> Result<(), Errno> {
        self.fs.create_dir_at(dir, path)
    }

    fn remove_dir_at(&mut self, dir: HostHandle, path: &str) -> Result<(), Errno> {
        self.fs.remove_dir_at(dir, path)
    }

    fn unlink_at(&mut self, dir: HostHandle, path: &str) -> Result<(), Errno> {
        self.fs.unlink_at(dir, path)
    }

    fn rename_at(
        &mut self,
        from_dir: HostHandle,
        from: &str,
        to_dir: HostHandle,
        to: &str,
    ) -> Result<(), Errno> {
        self.fs.rename_at(from_dir, from, to_dir, to)
    }

    fn link_at(
        &mut self,
        from_dir: HostHandle,
        from: &str,
        to_dir: HostHandle,
        to: &str,
    ) -> Result<(), Errno> {
        self.fs.link_at(from_dir, from, to_dir, to)
    }

    fn symlink_at(&mut self, target: &str, dir: HostHandle, path: &str) -> Result<(), Errno> {
        self.fs.symlink_at(target, dir, path)
    }

    fn readlink_at(&mut self, dir: HostHandle, path: &str) -> Result<String, Errno> {
        self.fs.readlink_at(dir, path)
    }

    fn tcp_listen(&mut self, addr: &str) -> Result<HostHandle, Errno> {
        self.fs.tcp_listen(addr)
    }

    fn sock_accept(&mut self, h: HostHandle) -> Result<Option<HostHandle>, Errno> {
        self.fs.sock_accept(h)
    }

    fn sock_recv(
        &mut self,
        h: HostHandle,
        buf: &mut [u8],
        peek: bool,
    ) -> Result<Option<usize>, Errno> {
        self.fs.sock_recv(h, buf, peek)
    }

    fn sock_send(&mut self, h: HostHandle, buf: &[u8]) -> Result<Option<usize>, Errno> {
        self.fs.sock_send(h, buf)
    }

    fn sock_shutdown(&mut self, h: HostHandle, how: u8) -> Result<(), Errno> {
        self.fs.sock_shutdown(h, how)
    }

    fn sock_ready(&mut self, h: HostHandle, interest: Interest) -> bool {
        self.fs.sock_ready(h, interest)
    }

    fn socks_ready(&mut self, which: &[(HostHandle, Interest)]) -> Vec<bool> {
        self.fs.socks_ready(which)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_outputs() {
        let mut s = 0u64;
        assert_eq!(splitmix64(&mut s), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(&mut s), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(splitmix64(&mut s), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn xoshiro256starstar_matches_the_reference_outputs() {
        // The reference implementation from state {1, 2, 3, 4}.
        let mut r = Xoshiro256StarStar::from_state([1, 2, 3, 4]);
        let got: Vec<u64> = (0..4).map(|_| r.next_u64()).collect();
        assert_eq!(got, [11520, 0, 1509978240, 1215971899390074240]);
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let bytes = |seed| {
            let mut h = DeterministicHost::new(seed, FuelClock::new());
            let mut a = [0u8; 13];
            let mut b = [0u8; 32];
            h.random(&mut a);
            h.random(&mut b);
            (a, b)
        };
        assert_eq!(bytes(7), bytes(7));
        assert_ne!(bytes(7), bytes(8));
        let (a, b) = bytes(0);
        assert_ne!(a[..8], b[..8]);
        // Each request starts on a fresh output, little-endian.
        let mut r = Xoshiro256StarStar::seed_from_u64(0);
        let first = r.next_u64().to_le_bytes();
        let second = r.next_u64().to_le_bytes();
        assert_eq!(a[..8], first);
        assert_eq!(a[8..], second[..5]);
    }

    #[test]
    fn clocks_follow_fuel_and_jump_to_deadlines() {
        let clock = FuelClock::new();
        let mut h = DeterministicHost::new(0, clock.clone());
        assert_eq!(h.monotonic_now(), 0);
        assert_eq!(h.wall_clock().unwrap(), VIRTUAL_EPOCH_NS);
        clock.set_fuel(1_000);
        assert_eq!(h.monotonic_now(), 1_000 * NS_PER_FUEL);
        // A smaller total is ignored: the clock never goes back.
        clock.set_fuel(10);
        assert_eq!(h.monotonic_now(), 1_000 * NS_PER_FUEL);
        // Waiting for a timer jumps to it at once.
        let t = std::time::Instant::now();
        h.wait(&BlockedOn::Any(vec![
            BlockedOn::Timer {
                deadline: 5_000_000_000,
            },
            BlockedOn::Timer {
                deadline: 9_000_000_000,
            },
        ]))
        .unwrap();
        assert!(t.elapsed() < std::time::Duration::from_secs(1));
        assert_eq!(h.monotonic_now(), 5_000_000_000);
        assert_eq!(h.wall_clock().unwrap(), VIRTUAL_EPOCH_NS + 5_000_000_000);
        // A deadline in the past changes nothing; fuel adds on top.
        h.wait(&BlockedOn::Timer { deadline: 1 }).unwrap();
        clock.set_fuel(2_000);
        assert_eq!(h.monotonic_now(), 5_000_000_000 + 1_000 * NS_PER_FUEL);
        assert_eq!(h.clock_resolution(true), 1);
        // Nothing outside the run can make a pipe ready.
        let e = h
            .wait(&BlockedOn::Fd {
                fd: 3,
                interest: crate::Interest::Read,
            })
            .unwrap_err();
        assert!(e.contains("deadlock"), "{e}");
    }

    /// A source that hands out its bytes in small, irregular pieces.
    struct Trickle(Vec<u8>, usize);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.1 += 1;
            let n = (self.1 % 3 + 1).min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0.drain(..n);
            Ok(n)
        }
    }

    #[test]
    fn stdin_reads_fill_the_buffer_whatever_the_chunks() {
        let tape = StdinTape::from_reader(Trickle(b"hello, deterministic world".to_vec(), 0));
        let mut a = DeterministicHost::new(0, FuelClock::new()).with_stdin(tape.clone());
        let mut b = DeterministicHost::new(0, FuelClock::new()).with_stdin(tape);
        assert!(a.stdin_ready());
        assert!(!a.stdin_is_terminal());
        for h in [&mut a, &mut b] {
            let mut buf = [0u8; 10];
            assert_eq!(h.stdin_read(&mut buf).unwrap(), Some(10));
            assert_eq!(&buf, b"hello, det");
            assert_eq!(h.stdin_read(&mut buf).unwrap(), Some(10));
            assert_eq!(&buf, b"erministic");
            assert_eq!(h.stdin_read(&mut buf).unwrap(), Some(6));
            assert_eq!(&buf[..6], b" world");
            assert_eq!(h.stdin_read(&mut buf).unwrap(), Some(0));
        }
    }

    #[test]
    fn a_single_reader_tape_forgets_what_was_read() {
        let tape = StdinTape::from_reader(Trickle(vec![7u8; 1000], 0));
        tape.lock().trim = true;
        let mut buf = [0u8; 100];
        let mut pos = 0;
        loop {
            let n = tape.read_at(pos, &mut buf).unwrap();
            if n == 0 {
                break;
            }
            pos += n as u64;
            assert!(tape.lock().data.len() < 64 * 1024 + 100);
        }
        assert_eq!(pos, 1000);
        assert!(tape.lock().data.is_empty());
        // Large inputs are dropped in batches as well.
        let tape = StdinTape::from_reader(std::io::Cursor::new(vec![1u8; 300_000]));
        tape.lock().trim = true;
        let mut pos = 0;
        let mut buf = [0u8; 1000];
        while let Ok(n @ 1..) = tape.read_at(pos, &mut buf) {
            pos += n as u64;
            assert!(tape.lock().data.len() <= 2 * 64 * 1024 + 1000);
        }
        assert_eq!(pos, 300_000);
    }

    #[test]
    fn a_stdin_error_is_reported_after_the_data() {
        struct Broken(bool);
        impl Read for Broken {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if std::mem::replace(&mut self.0, true) {
                    Err(std::io::Error::from_raw_os_error(5)) // EIO
                } else {
                    buf[0] = b'x';
                    Ok(1)
                }
            }
        }
        let tape = StdinTape::from_reader(Broken(false));
        let mut buf = [0u8; 4];
        assert_eq!(tape.read_at(0, &mut buf), Ok(1));
        assert_eq!(tape.read_at(1, &mut buf), Err(Errno::Io));
    }

    #[test]
    fn files_get_virtual_device_and_inode_numbers() {
        let dir = std::env::temp_dir().join(format!("wasiproc-det-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("b"), "b").unwrap();
        std::fs::write(dir.join("a"), "a").unwrap();
        let mut h = DeterministicHost::new(0, FuelClock::new());
        let root = h.open_preopen(&dir).unwrap();
        let st = h.filestat(root).unwrap();
        assert_eq!((st.dev, st.ino), (1, 1));
        let entries = h.readdir(root).unwrap();
        let inos: Vec<u64> = entries.iter().map(|e| e.ino).collect();
        assert_eq!(inos, [2, 3], "a, b in name order");
        let b = h.stat_at(root, "b", true).unwrap();
        assert_eq!((b.dev, b.ino), (1, 3));
        // "now" is the virtual wall clock.
        h.set_times_at(root, "a", true, NewTimestamp::Now, NewTimestamp::Now)
            .unwrap();
        let a = h.stat_at(root, "a", true).unwrap();
        assert_eq!(a.mtim, VIRTUAL_EPOCH_NS);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
