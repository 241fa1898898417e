//! Recording and replaying the host environment.
//!
//! [`RecordingHost`] wraps another [`HostEnv`] and appends every call that
//! crosses the sandbox boundary — its kind, its arguments and its result —
//! to a trace, tagged with the process that made it and the run's fuel
//! position (a [`RunPosition`] the scheduler keeps up to date).
//! [`ReplayHost`] serves the results back from a trace without touching the
//! host: each call's kind, arguments and position must equal the recorded
//! ones, or the replay stops with a [`Divergence`].
//!
//! The byte layout (frames, batches, records, checksums) is described in
//! docs/trace-format.md; [`Enc`], [`Dec`], [`write_frame`] and
//! [`read_frames`] implement it, and the command line builds the header and
//! the trailer with them.

use super::{FuelClock, Halt, HostEnv, HostHandle, OpenRequest};
use crate::blocked::{BlockedOn, Interest};
use crate::errno::Errno;
use crate::types::{Advice, DirEntry, Filestat, Filetype, NewTimestamp};
use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// The first bytes of a trace file.
pub const TRACE_MAGIC: &[u8; 8] = b"WPTRACE\0";
/// The format version written after the magic.
pub const TRACE_VERSION: u32 = 3;
/// Frame kind: the run's header (modules, arguments, grants, limits).
pub const FRAME_HEADER: u8 = 1;
/// Frame kind: a batch of call records.
pub const FRAME_BATCH: u8 = 2;
/// Frame kind: the trailer (outputs, exit status, record count); the last frame.
pub const FRAME_TRAILER: u8 = 3;
/// A batch is written once its records take this many bytes.
pub const BATCH_BYTES: usize = 64 * 1024;

/// FNV-1a, 64 bits: the checksum of frames and the hash of modules.
pub fn fnv64(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A problem with a trace: unreadable, truncated, corrupted, or a replay
/// that left the recorded path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceError(pub String);

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TraceError {}

fn corrupt(what: &str) -> TraceError {
    TraceError(format!("corrupt trace: {what}"))
}

/// Appends values in the trace's encoding (LEB128 integers, length-prefixed
/// byte strings).
#[derive(Debug, Default, Clone)]
pub struct Enc(pub Vec<u8>);

impl Enc {
    /// An unsigned integer, LEB128.
    pub fn u(&mut self, mut v: u64) -> &mut Self {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(b);
                return self;
            }
            self.0.push(b | 0x80);
        }
    }
    /// A boolean, one byte.
    pub fn b(&mut self, v: bool) -> &mut Self {
        self.0.push(u8::from(v));
        self
    }
    /// A byte string: its length, then its bytes.
    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.u(v.len() as u64);
        self.0.extend_from_slice(v);
        self
    }
    /// A UTF-8 string, as [`Enc::bytes`].
    pub fn str(&mut self, v: &str) -> &mut Self {
        self.bytes(v.as_bytes())
    }
}

/// Reads values written by [`Enc`]; every read checks the bounds.
#[derive(Debug, Clone)]
pub struct Dec<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Dec<'a> {
    /// Reads `buf` from its start.
    pub fn new(buf: &'a [u8]) -> Self {
        Dec { buf, pos: 0 }
    }
    /// Whether everything was read.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }
    /// An unsigned integer.
    pub fn u(&mut self) -> Result<u64, TraceError> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = *self
                .buf
                .get(self.pos)
                .ok_or_else(|| corrupt("record ends early"))?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(corrupt("integer too long"))
    }
    /// An unsigned integer that must fit in `u32`.
    pub fn u32(&mut self) -> Result<u32, TraceError> {
        u32::try_from(self.u()?).map_err(|_| corrupt("integer out of range"))
    }
    /// A boolean.
    pub fn b(&mut self) -> Result<bool, TraceError> {
        match self.raw(1)? {
            [0] => Ok(false),
            [1] => Ok(true),
            _ => Err(corrupt("bad boolean")),
        }
    }
    /// `n` raw bytes.
    pub fn raw(&mut self, n: usize) -> Result<&'a [u8], TraceError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| corrupt("record ends early"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    /// A byte string.
    pub fn bytes(&mut self) -> Result<&'a [u8], TraceError> {
        let n = usize::try_from(self.u()?).map_err(|_| corrupt("length out of range"))?;
        self.raw(n)
    }
    /// A UTF-8 string.
    pub fn str(&mut self) -> Result<String, TraceError> {
        String::from_utf8(self.bytes()?.to_vec()).map_err(|_| corrupt("string is not UTF-8"))
    }
}

/// Writes one frame: kind, payload length (u32 LE), payload, FNV-64 of the
/// three (u64 LE).
pub fn write_frame(out: &mut dyn Write, kind: u8, payload: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(payload.len())
        .map_err(|_| std::io::Error::other("trace frame larger than 4 GiB"))?;
    let mut head = [0u8; 5];
    head[0] = kind;
    head[1..].copy_from_slice(&len.to_le_bytes());
    let mut h = Fnv::default();
    h.feed(&head);
    h.feed(payload);
    out.write_all(&head)?;
    out.write_all(payload)?;
    out.write_all(&h.0.to_le_bytes())
}

/// Incremental FNV-1a 64.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn feed(&mut self, data: &[u8]) {
        for &b in data {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Checks the magic, the version and every frame's checksum of a whole
/// trace file; returns the frames as (kind, payload), in order. A file
/// whose last frame is not a trailer is reported as truncated.
pub fn read_frames(file: &[u8]) -> Result<Vec<(u8, &[u8])>, TraceError> {
    if file.len() < 12 || &file[..8] != TRACE_MAGIC {
        return Err(TraceError("not a wasiproc trace (bad magic number)".into()));
    }
    let version = u32::from_le_bytes([file[8], file[9], file[10], file[11]]);
    if version != TRACE_VERSION {
        return Err(TraceError(format!(
            "trace format version {version} is not supported (this wasiproc reads version \
             {TRACE_VERSION}; record the run again with this wasiproc)"
        )));
    }
    let mut frames = Vec::new();
    let mut pos = 12;
    while pos < file.len() {
        let at = pos;
        if file.len() - pos < 5 {
            return Err(truncated(at, frames.len()));
        }
        let kind = file[pos];
        let len = u32::from_le_bytes([file[pos + 1], file[pos + 2], file[pos + 3], file[pos + 4]])
            as usize;
        let end = pos + 5 + len;
        if file.len() < end + 8 || end < pos {
            return Err(truncated(at, frames.len()));
        }
        let sum = u64::from_le_bytes(file[end..end + 8].try_into().expect("8 bytes"));
        if fnv64(&file[pos..end]) != sum {
            return Err(TraceError(format!(
                "corrupt trace: checksum mismatch in frame {} (byte offset {at})",
                frames.len()
            )));
        }
        if !(FRAME_HEADER..=FRAME_TRAILER).contains(&kind) {
            return Err(corrupt(&format!(
                "unknown frame kind {kind} at byte offset {at}"
            )));
        }
        frames.push((kind, &file[pos + 5..end]));
        pos = end + 8;
    }
    match frames.last() {
        Some((FRAME_TRAILER, _)) => Ok(frames),
        _ => Err(TraceError(format!(
            "truncated trace: it ends after {} frames without its trailer ({} bytes)",
            frames.len(),
            file.len()
        ))),
    }
}

fn truncated(at: usize, n: usize) -> TraceError {
    TraceError(format!(
        "truncated trace: frame {n} at byte offset {at} is cut off"
    ))
}

/// The pid of the process on whose behalf the host is called, set by the
/// scheduler (0: the scheduler itself).
#[derive(Debug, Clone, Default)]
pub struct PidCell(Arc<AtomicU32>);

impl PidCell {
    /// A cell holding 0.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the current pid.
    pub fn set(&self, pid: u32) {
        self.0.store(pid, Ordering::Relaxed);
    }
    /// The current pid.
    pub fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Where a run is: the current process and the run's total fuel at the
/// start of the current slice.
#[derive(Debug, Clone, Default)]
pub struct RunPosition {
    /// The current process.
    pub pid: PidCell,
    /// The run's fuel, as the scheduler reports it.
    pub fuel: FuelClock,
}

impl RunPosition {
    fn now(&self) -> (u32, u64) {
        (self.pid.get(), self.fuel.fuel())
    }
}

/// The kinds of host calls, as numbered in the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum CallKind {
    WallClock = 1,
    MonotonicNow,
    ClockResolution,
    Random,
    StdinRead,
    StdinReady,
    StdinIsTerminal,
    Wait,
    OpenPreopen,
    OpenAt,
    Close,
    ReadAt,
    WriteAt,
    Append,
    Filestat,
    SetSize,
    SetTimes,
    Sync,
    Advise,
    Allocate,
    Readdir,
    StatAt,
    SetTimesAt,
    CreateDirAt,
    RemoveDirAt,
    UnlinkAt,
    RenameAt,
    LinkAt,
    SymlinkAt,
    ReadlinkAt,
    TcpListen,
    SockAccept,
    SockRecv,
    SockSend,
    SockShutdown,
    SockReady,
    SocksReady,
}

const KINDS: [CallKind; 37] = [
    CallKind::WallClock,
    CallKind::MonotonicNow,
    CallKind::ClockResolution,
    CallKind::Random,
    CallKind::StdinRead,
    CallKind::StdinReady,
    CallKind::StdinIsTerminal,
    CallKind::Wait,
    CallKind::OpenPreopen,
    CallKind::OpenAt,
    CallKind::Close,
    CallKind::ReadAt,
    CallKind::WriteAt,
    CallKind::Append,
    CallKind::Filestat,
    CallKind::SetSize,
    CallKind::SetTimes,
    CallKind::Sync,
    CallKind::Advise,
    CallKind::Allocate,
    CallKind::Readdir,
    CallKind::StatAt,
    CallKind::SetTimesAt,
    CallKind::CreateDirAt,
    CallKind::RemoveDirAt,
    CallKind::UnlinkAt,
    CallKind::RenameAt,
    CallKind::LinkAt,
    CallKind::SymlinkAt,
    CallKind::ReadlinkAt,
    CallKind::TcpListen,
    CallKind::SockAccept,
    CallKind::SockRecv,
    CallKind::SockSend,
    CallKind::SockShutdown,
    CallKind::SockReady,
    CallKind::SocksReady,
];

impl CallKind {
    fn from_u8(b: u8) -> Option<CallKind> {
        KINDS.get(usize::from(b).checked_sub(1)?).copied()
    }
    /// The `HostEnv` method's name.
    pub fn name(self) -> &'static str {
        match self {
            CallKind::WallClock => "wall_clock",
            CallKind::MonotonicNow => "monotonic_now",
            CallKind::ClockResolution => "clock_resolution",
            CallKind::Random => "random",
            CallKind::StdinRead => "stdin_read",
            CallKind::StdinReady => "stdin_ready",
            CallKind::StdinIsTerminal => "stdin_is_terminal",
            CallKind::Wait => "wait",
            CallKind::OpenPreopen => "open_preopen",
            CallKind::OpenAt => "open_at",
            CallKind::Close => "close",
            CallKind::ReadAt => "read_at",
            CallKind::WriteAt => "write_at",
            CallKind::Append => "append",
            CallKind::Filestat => "filestat",
            CallKind::SetSize => "set_size",
            CallKind::SetTimes => "set_times",
            CallKind::Sync => "sync",
            CallKind::Advise => "advise",
            CallKind::Allocate => "allocate",
            CallKind::Readdir => "readdir",
            CallKind::StatAt => "stat_at",
            CallKind::SetTimesAt => "set_times_at",
            CallKind::CreateDirAt => "create_dir_at",
            CallKind::RemoveDirAt => "remove_dir_at",
            CallKind::UnlinkAt => "unlink_at",
            CallKind::RenameAt => "rename_at",
            CallKind::LinkAt => "link_at",
            CallKind::SymlinkAt => "symlink_at",
            CallKind::ReadlinkAt => "readlink_at",
            CallKind::TcpListen => "tcp_listen",
            CallKind::SockAccept => "sock_accept",
            CallKind::SockRecv => "sock_recv",
            CallKind::SockSend => "sock_send",
            CallKind::SockShutdown => "sock_shutdown",
            CallKind::SockReady => "sock_ready",
            CallKind::SocksReady => "socks_ready",
        }
    }
}

// ---- encoding of arguments and results -------------------------------------

fn enc_errno(e: &mut Enc, r: Result<(), Errno>) -> bool {
    match r {
        Ok(()) => {
            e.u(0);
            true
        }
        Err(err) => {
            e.u(err as u64);
            false
        }
    }
}

fn dec_errno(d: &mut Dec<'_>) -> Result<Result<(), Errno>, TraceError> {
    match d.u()? {
        0 => Ok(Ok(())),
        n => u16::try_from(n)
            .ok()
            .and_then(Errno::from_raw)
            .map(Err)
            .ok_or_else(|| corrupt("unknown errno")),
    }
}

fn enc_result<T>(e: &mut Enc, r: &Result<T, Errno>, ok: impl FnOnce(&mut Enc, &T)) {
    match r {
        Ok(v) => {
            enc_errno(e, Ok(()));
            ok(e, v);
        }
        Err(err) => {
            enc_errno(e, Err(*err));
        }
    }
}

fn dec_result<T>(
    d: &mut Dec<'_>,
    ok: impl FnOnce(&mut Dec<'_>) -> Result<T, TraceError>,
) -> Result<Result<T, Errno>, TraceError> {
    match dec_errno(d)? {
        Ok(()) => Ok(Ok(ok(d)?)),
        Err(e) => Ok(Err(e)),
    }
}

fn enc_stat(e: &mut Enc, s: &Filestat) {
    e.u(s.dev)
        .u(s.ino)
        .u(u64::from(s.filetype))
        .u(s.nlink)
        .u(s.size)
        .u(s.atim)
        .u(s.mtim)
        .u(s.ctim);
}

fn dec_stat(d: &mut Dec<'_>) -> Result<Filestat, TraceError> {
    Ok(Filestat {
        dev: d.u()?,
        ino: d.u()?,
        filetype: u8::try_from(d.u()?).map_err(|_| corrupt("bad file type"))?,
        nlink: d.u()?,
        size: d.u()?,
        atim: d.u()?,
        mtim: d.u()?,
        ctim: d.u()?,
    })
}

fn filetype_from(n: u64) -> Result<Filetype, TraceError> {
    Ok(match n {
        0 => Filetype::Unknown,
        1 => Filetype::BlockDevice,
        2 => Filetype::CharacterDevice,
        3 => Filetype::Directory,
        4 => Filetype::RegularFile,
        5 => Filetype::SocketDgram,
        6 => Filetype::SocketStream,
        7 => Filetype::SymbolicLink,
        _ => return Err(corrupt("bad file type")),
    })
}

fn enc_ts(e: &mut Enc, t: NewTimestamp) {
    match t {
        NewTimestamp::NoChange => e.u(0),
        NewTimestamp::Now => e.u(1),
        NewTimestamp::At(ns) => e.u(2).u(ns),
    };
}

fn enc_req(e: &mut Enc, r: &OpenRequest) {
    let bits = u64::from(r.follow)
        | u64::from(r.create) << 1
        | u64::from(r.directory) << 2
        | u64::from(r.exclusive) << 3
        | u64::from(r.truncate) << 4
        | u64::from(r.read) << 5
        | u64::from(r.write) << 6;
    e.u(bits).u(u64::from(r.sync_flags));
}

// ---- recording ---------------------------------------------------------------

/// Where a [`RecordingHost`] writes: the trace file, with the current batch.
pub struct Recorder {
    out: Box<dyn Write + Send>,
    batch: Enc,
    in_batch: u64,
    total: u64,
    last_fuel: u64,
    error: Option<std::io::Error>,
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder")
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

/// A [`Recorder`] shared by the recording host and whoever writes the
/// header and the trailer.
pub type SharedRecorder = Arc<Mutex<Recorder>>;

impl Recorder {
    /// Starts a trace on `out`: writes the magic, the version and the
    /// header frame (`header` is its payload).
    pub fn new(mut out: Box<dyn Write + Send>, header: &[u8]) -> std::io::Result<SharedRecorder> {
        out.write_all(TRACE_MAGIC)?;
        out.write_all(&TRACE_VERSION.to_le_bytes())?;
        write_frame(&mut out, FRAME_HEADER, header)?;
        Ok(Arc::new(Mutex::new(Recorder {
            out,
            batch: Enc::default(),
            in_batch: 0,
            total: 0,
            last_fuel: 0,
            error: None,
        })))
    }

    /// Calls recorded so far.
    pub fn calls(&self) -> u64 {
        self.total
    }

    fn flush_batch(&mut self) {
        if self.in_batch == 0 {
            return;
        }
        let mut payload = Enc::default();
        payload.u(self.total - self.in_batch).u(self.in_batch);
        payload.0.extend_from_slice(&self.batch.0);
        if self.error.is_none()
            && let Err(e) = write_frame(&mut self.out, FRAME_BATCH, &payload.0)
        {
            self.error = Some(e);
        }
        self.batch.0.clear();
        self.in_batch = 0;
    }

    /// Writes the last batch and the trailer frame (`trailer` is the
    /// caller's part of its payload; the record count is prepended), and
    /// flushes. Reports the first write error of the whole recording.
    pub fn finish(&mut self, trailer: &[u8]) -> std::io::Result<()> {
        self.flush_batch();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let mut payload = Enc::default();
        payload.u(self.total);
        payload.0.extend_from_slice(trailer);
        write_frame(&mut self.out, FRAME_TRAILER, &payload.0)?;
        self.out.flush()
    }

    fn record(&mut self, pos: (u32, u64), kind: CallKind, args: &Enc, result: &Enc) {
        let delta = pos.1.wrapping_sub(self.last_fuel);
        self.last_fuel = pos.1;
        self.batch.u(u64::from(pos.0)).u(delta);
        self.batch.0.push(kind as u8);
        self.batch.bytes(&args.0);
        self.batch.0.extend_from_slice(&result.0);
        self.in_batch += 1;
        self.total += 1;
        if self.batch.0.len() >= BATCH_BYTES {
            self.flush_batch();
        }
    }
}

/// A [`HostEnv`] that forwards to another and records every call.
pub struct RecordingHost {
    inner: Box<dyn HostEnv>,
    rec: SharedRecorder,
    pos: RunPosition,
    args: Enc,
    res: Enc,
}

impl RecordingHost {
    /// Records the calls to `inner` into `rec`, tagged with `pos`.
    pub fn new(inner: Box<dyn HostEnv>, rec: SharedRecorder, pos: RunPosition) -> Self {
        RecordingHost {
            inner,
            rec,
            pos,
            args: Enc::default(),
            res: Enc::default(),
        }
    }

    fn start(&mut self) -> (&mut Enc, &mut Enc) {
        self.args.0.clear();
        self.res.0.clear();
        (&mut self.args, &mut self.res)
    }

    fn commit(&mut self, kind: CallKind) {
        let mut rec = self.rec.lock().unwrap_or_else(|p| p.into_inner());
        rec.record(self.pos.now(), kind, &self.args, &self.res);
    }
}

// ---- replay --------------------------------------------------------------------

/// The recorded call a replay expected and what the guest did instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence(pub String);

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The result a [`ReplayHost`] call gives once the run has left the
/// recording: a stand-in the guest never sees (the WASI call fails with the
/// divergence, see [`Halt`]) and the scheduler only uses until it stops.
trait Stand: Sized {
    fn stand_in() -> Self;
}

impl<T> Stand for Result<T, Errno> {
    fn stand_in() -> Self {
        Err(Errno::Io)
    }
}

impl Stand for Result<(), String> {
    fn stand_in() -> Self {
        Err("the replay left its recording".into())
    }
}

impl Stand for u64 {
    fn stand_in() -> Self {
        0
    }
}

impl Stand for bool {
    fn stand_in() -> Self {
        false
    }
}

impl Stand for () {
    fn stand_in() -> Self {}
}

/// No answers: the scheduler then asks each socket on its own, and a replay
/// that left its recording answers each of those with `false`.
impl Stand for Vec<bool> {
    fn stand_in() -> Self {
        Vec::new()
    }
}

struct Cursor {
    records: Vec<u8>,
    pos: usize,
    index: u64,
    total: u64,
    last_fuel: u64,
}

/// The state of a replay, shared with whoever checks it after the run.
#[derive(Clone)]
pub struct ReplayProbe(Arc<Mutex<Cursor>>, Halt);

impl fmt::Debug for ReplayProbe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReplayProbe")
    }
}

impl ReplayProbe {
    /// The first divergence of the run, if it left the recording.
    pub fn divergence(&self) -> Option<Divergence> {
        self.1.reason().map(|r| Divergence(r.to_owned()))
    }

    /// The cell the replay reports its divergence in; whoever finds
    /// another one (more fuel than recorded) reports it there too.
    pub fn halt(&self) -> &Halt {
        &self.1
    }

    /// `Ok` when every recorded call was replayed; otherwise the first one
    /// that was not.
    pub fn check_consumed(&self) -> Result<u64, Divergence> {
        let c = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if c.index == c.total {
            return Ok(c.total);
        }
        let mut d = Dec::new(&c.records[c.pos..]);
        let next = (|| -> Result<String, TraceError> {
            let pid = d.u()?;
            let fuel = c.last_fuel.wrapping_add(d.u()?);
            let kind = CallKind::from_u8(d.raw(1)?[0]).ok_or_else(|| corrupt("bad call kind"))?;
            Ok(format!("{} by pid {pid} at fuel {fuel}", kind.name()))
        })()
        .unwrap_or_else(|e| e.0);
        Err(Divergence(format!(
            "replay diverged: the run ended after {} of {} recorded host calls; call #{} was {next}",
            c.index, c.total, c.index
        )))
    }
}

/// A [`HostEnv`] that serves every result from a trace and touches nothing
/// outside. At the first call that differs from the recording it reports
/// the [`Divergence`] in its [`Halt`] cell ([`HostEnv::halt`]): that call
/// and every later one fail without reading the trace, and the driver
/// stops the run.
pub struct ReplayHost {
    cur: Arc<Mutex<Cursor>>,
    pos: RunPosition,
    halt: Halt,
    args: Enc,
}

impl ReplayHost {
    /// A replay of the batch frames of a trace (payloads, in order), whose
    /// trailer counted `total` calls. Checks the batches' numbering.
    pub fn new(
        batches: &[&[u8]],
        total: u64,
        pos: RunPosition,
    ) -> Result<(Self, ReplayProbe), TraceError> {
        let mut records = Vec::new();
        let mut count = 0u64;
        for (i, b) in batches.iter().enumerate() {
            let mut d = Dec::new(b);
            let first = d.u()?;
            let n = d.u()?;
            if first != count {
                return Err(corrupt(&format!(
                    "batch {i} starts at call #{first}, expected #{count}"
                )));
            }
            count = count
                .checked_add(n)
                .ok_or_else(|| corrupt("call count overflows"))?;
            records.extend_from_slice(&b[d.pos..]);
        }
        if count != total {
            return Err(TraceError(format!(
                "truncated trace: its batches hold {count} calls, its trailer counts {total}"
            )));
        }
        let cur = Arc::new(Mutex::new(Cursor {
            records,
            pos: 0,
            index: 0,
            total,
            last_fuel: 0,
        }));
        let halt = Halt::new();
        Ok((
            ReplayHost {
                cur: cur.clone(),
                pos,
                halt: halt.clone(),
                args: Enc::default(),
            },
            ReplayProbe(cur, halt),
        ))
    }

    fn args(&mut self) -> &mut Enc {
        self.args.0.clear();
        &mut self.args
    }

    /// Takes the next record, checks it against `kind`, the arguments in
    /// `self.args` and the position, and decodes its result with `f`. At a
    /// divergence (or after one) the trace is not read: the divergence is
    /// reported in the halt cell and the result is a stand-in.
    fn next<T: Stand>(
        &mut self,
        kind: CallKind,
        f: impl FnOnce(&mut Dec<'_>) -> Result<T, TraceError>,
    ) -> T {
        if self.halt.reason().is_some() {
            return T::stand_in();
        }
        match self.try_next(kind, f) {
            Ok(v) => v,
            Err(d) => {
                self.halt.halt(d.0);
                T::stand_in()
            }
        }
    }

    fn try_next<T>(
        &mut self,
        kind: CallKind,
        f: impl FnOnce(&mut Dec<'_>) -> Result<T, TraceError>,
    ) -> Result<T, Divergence> {
        let (pid, fuel) = self.pos.now();
        let mut c = self.cur.lock().unwrap_or_else(|p| p.into_inner());
        let index = c.index;
        let here = || format!("pid {pid} at fuel {fuel}, host call #{index}");
        if index >= c.total {
            return Err(Divergence(format!(
                "replay diverged: {}: the guest called {} but the trace has no more calls",
                here(),
                kind.name()
            )));
        }
        let start = c.pos;
        let mut d = Dec::new(&c.records[start..]);
        let bad = |e: TraceError| Divergence(format!("{e} (at {})", here()));
        let rpid = d.u().map_err(bad)?;
        let rfuel = c.last_fuel.wrapping_add(d.u().map_err(bad)?);
        let rkind = d.raw(1).map_err(bad)?[0];
        let rkind = CallKind::from_u8(rkind).ok_or_else(|| bad(corrupt("bad call kind")))?;
        let rargs = d.bytes().map_err(bad)?;
        let recorded = || format!("{} by pid {rpid} at fuel {rfuel}", rkind.name());
        if rkind != kind || (u64::from(pid), fuel) != (rpid, rfuel) {
            return Err(Divergence(format!(
                "replay diverged: {}: the guest called {} but the trace has {}",
                here(),
                kind.name(),
                recorded()
            )));
        }
        if rargs != self.args.0.as_slice() {
            return Err(Divergence(format!(
                "replay diverged: {}: the guest called {} with other arguments than the recorded {}",
                here(),
                kind.name(),
                recorded()
            )));
        }
        let v = f(&mut d).map_err(bad)?;
        let used = d.pos;
        c.pos = start + used;
        c.index += 1;
        c.last_fuel = rfuel;
        Ok(v)
    }
}

// ---- the two hosts, method by method ------------------------------------------

fn copy_into(buf: &mut [u8], data: &[u8]) -> Result<usize, TraceError> {
    if data.len() > buf.len() {
        return Err(corrupt("recorded data is longer than the buffer"));
    }
    buf[..data.len()].copy_from_slice(data);
    Ok(data.len())
}

fn dec_unit(d: &mut Dec<'_>) -> Result<Result<(), Errno>, TraceError> {
    dec_errno(d)
}

/// Defines, for each `HostEnv` method returning `Result<(), Errno>` whose
/// arguments are handles, paths and plain numbers, the recording and the
/// replaying implementation.
macro_rules! unit_calls {
    ($mac:ident) => {
        $mac! {
            set_size(h: HostHandle, size: u64) => SetSize, |e| { e.u(h.0).u(size); };
            set_times(h: HostHandle, atim: NewTimestamp, mtim: NewTimestamp) => SetTimes,
                |e| { e.u(h.0); enc_ts(e, atim); enc_ts(e, mtim); };
            sync(h: HostHandle, data_only: bool) => Sync, |e| { e.u(h.0).b(data_only); };
            advise(h: HostHandle, off: u64, len: u64, a: Advice) => Advise,
                |e| { e.u(h.0).u(off).u(len).u(a as u64); };
            allocate(h: HostHandle, off: u64, len: u64) => Allocate, |e| { e.u(h.0).u(off).u(len); };
            set_times_at(dir: HostHandle, path: &str, follow: bool, atim: NewTimestamp, mtim: NewTimestamp) => SetTimesAt,
                |e| { e.u(dir.0).str(path).b(follow); enc_ts(e, atim); enc_ts(e, mtim); };
            create_dir_at(dir: HostHandle, path: &str) => CreateDirAt, |e| { e.u(dir.0).str(path); };
            remove_dir_at(dir: HostHandle, path: &str) => RemoveDirAt, |e| { e.u(dir.0).str(path); };
            unlink_at(dir: HostHandle, path: &str) => UnlinkAt, |e| { e.u(dir.0).str(path); };
            rename_at(from_dir: HostHandle, from: &str, to_dir: HostHandle, to: &str) => RenameAt,
                |e| { e.u(from_dir.0).str(from).u(to_dir.0).str(to); };
            link_at(from_dir: HostHandle, from: &str, to_dir: HostHandle, to: &str) => LinkAt,
                |e| { e.u(from_dir.0).str(from).u(to_dir.0).str(to); };
            symlink_at(target: &str, dir: HostHandle, path: &str) => SymlinkAt,
                |e| { e.str(target).u(dir.0).str(path); };
        }
    };
}

macro_rules! record_unit {
    ($( $name:ident($($arg:ident : $ty:ty),*) => $kind:ident, |$e:ident| $body:block; )*) => {
        $(
            fn $name(&mut self $(, $arg: $ty)*) -> Result<(), Errno> {
                let r = self.inner.$name($($arg),*);
                let ($e, res) = self.start();
                $body
                enc_errno(res, r);
                self.commit(CallKind::$kind);
                r
            }
        )*
    };
}

macro_rules! replay_unit {
    ($( $name:ident($($arg:ident : $ty:ty),*) => $kind:ident, |$e:ident| $body:block; )*) => {
        $(
            fn $name(&mut self $(, $arg: $ty)*) -> Result<(), Errno> {
                let $e = self.args();
                $body
                self.next(CallKind::$kind, dec_unit)
            }
        )*
    };
}

impl HostEnv for RecordingHost {
    fn wall_clock(&mut self) -> Result<u64, Errno> {
        let r = self.inner.wall_clock();
        let (_, res) = self.start();
        enc_result(res, &r, |e, v| {
            e.u(*v);
        });
        self.commit(CallKind::WallClock);
        r
    }
    fn monotonic_now(&mut self) -> u64 {
        let r = self.inner.monotonic_now();
        self.start().1.u(r);
        self.commit(CallKind::MonotonicNow);
        r
    }
    fn clock_resolution(&mut self, realtime: bool) -> u64 {
        let r = self.inner.clock_resolution(realtime);
        let (a, res) = self.start();
        a.b(realtime);
        res.u(r);
        self.commit(CallKind::ClockResolution);
        r
    }
    fn random(&mut self, buf: &mut [u8]) {
        self.inner.random(buf);
        let (a, res) = self.start();
        a.u(buf.len() as u64);
        res.0.extend_from_slice(buf);
        self.commit(CallKind::Random);
    }
    fn stdin_read(&mut self, buf: &mut [u8]) -> Result<Option<usize>, Errno> {
        let r = self.inner.stdin_read(buf);
        let (a, res) = self.start();
        a.u(buf.len() as u64);
        enc_result(res, &r, |e, v| match v {
            None => {
                e.u(0);
            }
            Some(n) => {
                e.u(1).bytes(&buf[..*n]);
            }
        });
        self.commit(CallKind::StdinRead);
        r
    }
    fn stdin_ready(&mut self) -> bool {
        let r = self.inner.stdin_ready();
        self.start().1.b(r);
        self.commit(CallKind::StdinReady);
        r
    }
    fn stdin_is_terminal(&mut self) -> bool {
        let r = self.inner.stdin_is_terminal();
        self.start().1.b(r);
        self.commit(CallKind::StdinIsTerminal);
        r
    }
    fn wait(&mut self, on: &BlockedOn) -> Result<(), String> {
        let r = self.inner.wait(on);
        let (a, res) = self.start();
        a.str(&format!("{on:?}"));
        match &r {
            Ok(()) => res.u(0),
            Err(msg) => res.u(1).str(msg),
        };
        self.commit(CallKind::Wait);
        r
    }
    fn open_preopen(&mut self, host_path: &std::path::Path) -> Result<HostHandle, Errno> {
        let r = self.inner.open_preopen(host_path);
        let (a, res) = self.start();
        a.str(&host_path.to_string_lossy());
        enc_result(res, &r, |e, h| {
            e.u(h.0);
        });
        self.commit(CallKind::OpenPreopen);
        r
    }
    fn open_at(
        &mut self,
        dir: HostHandle,
        path: &str,
        req: &OpenRequest,
    ) -> Result<(HostHandle, Filetype), Errno> {
        let r = self.inner.open_at(dir, path, req);
        let (a, res) = self.start();
        a.u(dir.0).str(path);
        enc_req(a, req);
        enc_result(res, &r, |e, (h, t)| {
            e.u(h.0).u(*t as u64);
        });
        self.commit(CallKind::OpenAt);
        r
    }
    fn close(&mut self, h: HostHandle) {
        self.inner.close(h);
        self.start().0.u(h.0);
        self.commit(CallKind::Close);
    }
    fn read_at(&mut self, h: HostHandle, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        let r = self.inner.read_at(h, buf, offset);
        let (a, res) = self.start();
        a.u(h.0).u(buf.len() as u64).u(offset);
        enc_result(res, &r, |e, n| {
            e.bytes(&buf[..*n]);
        });
        self.commit(CallKind::ReadAt);
        r
    }
    fn write_at(&mut self, h: HostHandle, buf: &[u8], offset: u64) -> Result<usize, Errno> {
        let r = self.inner.write_at(h, buf, offset);
        let (a, res) = self.start();
        a.u(h.0).u(buf.len() as u64).u(fnv64(buf)).u(offset);
        enc_result(res, &r, |e, n| {
            e.u(*n as u64);
        });
        self.commit(CallKind::WriteAt);
        r
    }
    fn append(&mut self, h: HostHandle, buf: &[u8]) -> Result<(usize, u64), Errno> {
        let r = self.inner.append(h, buf);
        let (a, res) = self.start();
        a.u(h.0).u(buf.len() as u64).u(fnv64(buf));
        enc_result(res, &r, |e, (n, size)| {
            e.u(*n as u64).u(*size);
        });
        self.commit(CallKind::Append);
        r
    }
    fn filestat(&mut self, h: HostHandle) -> Result<Filestat, Errno> {
        let r = self.inner.filestat(h);
        let (a, res) = self.start();
        a.u(h.0);
        enc_result(res, &r, enc_stat);
        self.commit(CallKind::Filestat);
        r
    }
    fn readdir(&mut self, h: HostHandle) -> Result<Vec<DirEntry>, Errno> {
        let r = self.inner.readdir(h);
        let (a, res) = self.start();
        a.u(h.0);
        enc_result(res, &r, |e, entries| {
            e.u(entries.len() as u64);
            for d in entries {
                e.u(d.ino).u(d.filetype as u64).str(&d.name);
            }
        });
        self.commit(CallKind::Readdir);
        r
    }
    fn stat_at(&mut self, dir: HostHandle, path: &str, follow: bool) -> Result<Filestat, Errno> {
        let r = self.inner.stat_at(dir, path, follow);
        let (a, res) = self.start();
        a.u(dir.0).str(path).b(follow);
        enc_result(res, &r, enc_stat);
        self.commit(CallKind::StatAt);
        r
    }
    fn readlink_at(&mut self, dir: HostHandle, path: &str) -> Result<String, Errno> {
        let r = self.inner.readlink_at(dir, path);
        let (a, res) = self.start();
        a.u(dir.0).str(path);
        enc_result(res, &r, |e, s| {
            e.str(s);
        });
        self.commit(CallKind::ReadlinkAt);
        r
    }

    fn tcp_listen(&mut self, addr: &str) -> Result<HostHandle, Errno> {
        let r = self.inner.tcp_listen(addr);
        let (a, res) = self.start();
        a.str(addr);
        enc_result(res, &r, |e, h| {
            e.u(h.0);
        });
        self.commit(CallKind::TcpListen);
        r
    }
    fn sock_accept(&mut self, h: HostHandle) -> Result<Option<HostHandle>, Errno> {
        let r = self.inner.sock_accept(h);
        let (a, res) = self.start();
        a.u(h.0);
        enc_result(res, &r, |e, c| match c {
            None => {
                e.u(0);
            }
            Some(c) => {
                e.u(1).u(c.0);
            }
        });
        self.commit(CallKind::SockAccept);
        r
    }
    fn sock_recv(
        &mut self,
        h: HostHandle,
        buf: &mut [u8],
        peek: bool,
    ) -> Result<Option<usize>, Errno> {
        let r = self.inner.sock_recv(h, buf, peek);
        let (a, res) = self.start();
        a.u(h.0).u(buf.len() as u64).b(peek);
        enc_result(res, &r, |e, v| match v {
            None => {
                e.u(0);
            }
            Some(n) => {
                e.u(1).bytes(&buf[..*n]);
            }
        });
        self.commit(CallKind::SockRecv);
        r
    }
    fn sock_send(&mut self, h: HostHandle, buf: &[u8]) -> Result<Option<usize>, Errno> {
        let r = self.inner.sock_send(h, buf);
        let (a, res) = self.start();
        a.u(h.0).u(buf.len() as u64).u(fnv64(buf));
        enc_result(res, &r, |e, v| match v {
            None => {
                e.u(0);
            }
            Some(n) => {
                e.u(1).u(*n as u64);
            }
        });
        self.commit(CallKind::SockSend);
        r
    }
    fn sock_shutdown(&mut self, h: HostHandle, how: u8) -> Result<(), Errno> {
        let r = self.inner.sock_shutdown(h, how);
        let (a, res) = self.start();
        a.u(h.0).u(u64::from(how));
        enc_errno(res, r);
        self.commit(CallKind::SockShutdown);
        r
    }
    fn sock_ready(&mut self, h: HostHandle, interest: Interest) -> bool {
        let r = self.inner.sock_ready(h, interest);
        let (a, res) = self.start();
        a.u(h.0).b(interest == Interest::Write);
        res.b(r);
        self.commit(CallKind::SockReady);
        r
    }
    fn socks_ready(&mut self, which: &[(HostHandle, Interest)]) -> Vec<bool> {
        let r = self.inner.socks_ready(which);
        let (a, res) = self.start();
        a.u(which.len() as u64);
        for (h, i) in which {
            a.u(h.0).b(*i == Interest::Write);
        }
        for b in &r {
            res.b(*b);
        }
        self.commit(CallKind::SocksReady);
        r
    }
    unit_calls!(record_unit);
}

impl HostEnv for ReplayHost {
    fn halt(&mut self) -> Option<Halt> {
        Some(self.halt.clone())
    }
    fn wall_clock(&mut self) -> Result<u64, Errno> {
        self.args();
        self.next(CallKind::WallClock, |d| dec_result(d, |d| d.u()))
    }
    fn monotonic_now(&mut self) -> u64 {
        self.args();
        self.next(CallKind::MonotonicNow, |d| d.u())
    }
    fn clock_resolution(&mut self, realtime: bool) -> u64 {
        self.args().b(realtime);
        self.next(CallKind::ClockResolution, |d| d.u())
    }
    fn random(&mut self, buf: &mut [u8]) {
        self.args().u(buf.len() as u64);
        let n = buf.len();
        self.next(CallKind::Random, |d| {
            buf.copy_from_slice(d.raw(n)?);
            Ok(())
        })
    }
    fn stdin_read(&mut self, buf: &mut [u8]) -> Result<Option<usize>, Errno> {
        self.args().u(buf.len() as u64);
        self.next(CallKind::StdinRead, |d| {
            dec_result(d, |d| match d.u()? {
                0 => Ok(None),
                1 => Ok(Some(copy_into(buf, d.bytes()?)?)),
                _ => Err(corrupt("bad stdin result")),
            })
        })
    }
    fn stdin_ready(&mut self) -> bool {
        self.args();
        self.next(CallKind::StdinReady, |d| d.b())
    }
    fn stdin_is_terminal(&mut self) -> bool {
        self.args();
        self.next(CallKind::StdinIsTerminal, |d| d.b())
    }
    fn wait(&mut self, on: &BlockedOn) -> Result<(), String> {
        self.args().str(&format!("{on:?}"));
        self.next(CallKind::Wait, |d| match d.u()? {
            0 => Ok(Ok(())),
            1 => Ok(Err(d.str()?)),
            _ => Err(corrupt("bad wait result")),
        })
    }
    fn open_preopen(&mut self, host_path: &std::path::Path) -> Result<HostHandle, Errno> {
        self.args().str(&host_path.to_string_lossy());
        self.next(CallKind::OpenPreopen, |d| {
            dec_result(d, |d| Ok(HostHandle(d.u()?)))
        })
    }
    fn open_at(
        &mut self,
        dir: HostHandle,
        path: &str,
        req: &OpenRequest,
    ) -> Result<(HostHandle, Filetype), Errno> {
        let a = self.args();
        a.u(dir.0).str(path);
        enc_req(a, req);
        self.next(CallKind::OpenAt, |d| {
            dec_result(d, |d| Ok((HostHandle(d.u()?), filetype_from(d.u()?)?)))
        })
    }
    fn close(&mut self, h: HostHandle) {
        self.args().u(h.0);
        self.next(CallKind::Close, |_| Ok(()))
    }
    fn read_at(&mut self, h: HostHandle, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        self.args().u(h.0).u(buf.len() as u64).u(offset);
        self.next(CallKind::ReadAt, |d| {
            dec_result(d, |d| copy_into(buf, d.bytes()?))
        })
    }
    fn write_at(&mut self, h: HostHandle, buf: &[u8], offset: u64) -> Result<usize, Errno> {
        self.args()
            .u(h.0)
            .u(buf.len() as u64)
            .u(fnv64(buf))
            .u(offset);
        self.next(CallKind::WriteAt, |d| {
            dec_result(d, |d| Ok(d.u()? as usize))
        })
    }
    fn append(&mut self, h: HostHandle, buf: &[u8]) -> Result<(usize, u64), Errno> {
        self.args().u(h.0).u(buf.len() as u64).u(fnv64(buf));
        self.next(CallKind::Append, |d| {
            dec_result(d, |d| Ok((d.u()? as usize, d.u()?)))
        })
    }
    fn filestat(&mut self, h: HostHandle) -> Result<Filestat, Errno> {
        self.args().u(h.0);
        self.next(CallKind::Filestat, |d| dec_result(d, dec_stat))
    }
    fn readdir(&mut self, h: HostHandle) -> Result<Vec<DirEntry>, Errno> {
        self.args().u(h.0);
        self.next(CallKind::Readdir, |d| {
            dec_result(d, |d| {
                let n = d.u()?;
                let mut out = Vec::new();
                for _ in 0..n {
                    out.push(DirEntry {
                        ino: d.u()?,
                        filetype: filetype_from(d.u()?)?,
                        name: d.str()?,
                    });
                }
                Ok(out)
            })
        })
    }
    fn stat_at(&mut self, dir: HostHandle, path: &str, follow: bool) -> Result<Filestat, Errno> {
        self.args().u(dir.0).str(path).b(follow);
        self.next(CallKind::StatAt, |d| dec_result(d, dec_stat))
    }
    fn readlink_at(&mut self, dir: HostHandle, path: &str) -> Result<String, Errno> {
        self.args().u(dir.0).str(path);
        self.next(CallKind::ReadlinkAt, |d| dec_result(d, |d| d.str()))
    }

    fn tcp_listen(&mut self, addr: &str) -> Result<HostHandle, Errno> {
        self.args().str(addr);
        self.next(CallKind::TcpListen, |d| {
            dec_result(d, |d| Ok(HostHandle(d.u()?)))
        })
    }
    fn sock_accept(&mut self, h: HostHandle) -> Result<Option<HostHandle>, Errno> {
        self.args().u(h.0);
        self.next(CallKind::SockAccept, |d| {
            dec_result(d, |d| match d.u()? {
                0 => Ok(None),
                1 => Ok(Some(HostHandle(d.u()?))),
                _ => Err(corrupt("bad accept result")),
            })
        })
    }
    fn sock_recv(
        &mut self,
        h: HostHandle,
        buf: &mut [u8],
        peek: bool,
    ) -> Result<Option<usize>, Errno> {
        self.args().u(h.0).u(buf.len() as u64).b(peek);
        self.next(CallKind::SockRecv, |d| {
            dec_result(d, |d| match d.u()? {
                0 => Ok(None),
                1 => Ok(Some(copy_into(buf, d.bytes()?)?)),
                _ => Err(corrupt("bad receive result")),
            })
        })
    }
    fn sock_send(&mut self, h: HostHandle, buf: &[u8]) -> Result<Option<usize>, Errno> {
        self.args().u(h.0).u(buf.len() as u64).u(fnv64(buf));
        let len = buf.len();
        self.next(CallKind::SockSend, |d| {
            dec_result(d, |d| match d.u()? {
                0 => Ok(None),
                1 => match usize::try_from(d.u()?) {
                    Ok(n) if n <= len => Ok(Some(n)),
                    _ => Err(corrupt("recorded send is longer than the buffer")),
                },
                _ => Err(corrupt("bad send result")),
            })
        })
    }
    fn sock_shutdown(&mut self, h: HostHandle, how: u8) -> Result<(), Errno> {
        self.args().u(h.0).u(u64::from(how));
        self.next(CallKind::SockShutdown, dec_unit)
    }
    fn sock_ready(&mut self, h: HostHandle, interest: Interest) -> bool {
        self.args().u(h.0).b(interest == Interest::Write);
        self.next(CallKind::SockReady, |d| d.b())
    }
    fn socks_ready(&mut self, which: &[(HostHandle, Interest)]) -> Vec<bool> {
        let a = self.args();
        a.u(which.len() as u64);
        for (h, i) in which {
            a.u(h.0).b(*i == Interest::Write);
        }
        self.next(CallKind::SocksReady, |d| {
            which.iter().map(|_| d.b()).collect()
        })
    }
    unit_calls!(replay_unit);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::DeterministicHost;

    #[test]
    fn varints_round_trip() {
        let mut e = Enc::default();
        for v in [0, 1, 127, 128, 300, u64::MAX] {
            e.u(v);
        }
        let mut d = Dec::new(&e.0);
        for v in [0, 1, 127, 128, 300, u64::MAX] {
            assert_eq!(d.u().unwrap(), v);
        }
        assert!(d.is_empty());
        assert!(d.u().is_err());
    }

    /// A trace file in memory, shared with the test that reads it back.
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Records a few calls of a deterministic host into frames in memory.
    fn recorded() -> (Vec<u8>, RunPosition) {
        let pos = RunPosition::default();
        let file = Arc::new(Mutex::new(Vec::new()));
        let rec = Recorder::new(Box::new(Shared(file.clone())), b"h").unwrap();
        let inner = DeterministicHost::new(3, pos.fuel.clone());
        let mut host = RecordingHost::new(Box::new(inner), rec.clone(), pos.clone());
        pos.pid.set(1);
        pos.fuel.set_fuel(10);
        let mut buf = [0u8; 12];
        host.random(&mut buf);
        assert_eq!(host.monotonic_now(), 10);
        pos.pid.set(2);
        pos.fuel.set_fuel(25);
        assert_eq!(host.stat_at(HostHandle(9), "x", true), Err(Errno::Badf));
        rec.lock().unwrap().finish(b"").unwrap();
        let bytes = file.lock().unwrap().clone();
        (bytes, pos)
    }

    /// A replay host over the batches of [`recorded`], with its position handle.
    fn replay_of_recorded() -> (ReplayHost, ReplayProbe, RunPosition) {
        let (file, _) = recorded();
        let frames = read_frames(&file).unwrap();
        let batches: Vec<&[u8]> = frames[1..frames.len() - 1].iter().map(|f| f.1).collect();
        let pos = RunPosition::default();
        let (host, probe) = ReplayHost::new(&batches, 3, pos.clone()).unwrap();
        (host, probe, pos)
    }

    #[test]
    fn a_replay_serves_the_recorded_results() {
        let (mut host, probe, pos) = replay_of_recorded();
        let mut want = [0u8; 12];
        DeterministicHost::new(3, FuelClock::new()).random(&mut want);
        pos.pid.set(1);
        pos.fuel.set_fuel(10);
        let mut buf = [0u8; 12];
        host.random(&mut buf);
        assert_eq!(buf, want);
        assert!(probe.check_consumed().is_err());
        assert_eq!(host.monotonic_now(), 10);
        pos.pid.set(2);
        pos.fuel.set_fuel(25);
        assert_eq!(host.stat_at(HostHandle(9), "x", true), Err(Errno::Badf));
        assert_eq!(probe.check_consumed(), Ok(3));
    }

    #[test]
    fn a_replay_stops_at_other_arguments() {
        let (mut host, probe, pos) = replay_of_recorded();
        pos.pid.set(1);
        pos.fuel.set_fuel(10);
        host.random(&mut [0u8; 12]);
        host.monotonic_now();
        assert_eq!(probe.divergence(), None);
        pos.pid.set(2);
        pos.fuel.set_fuel(25);
        // The diverging call fails, and reports why in the halt cell.
        assert_eq!(host.stat_at(HostHandle(9), "y", true), Err(Errno::Io));
        let d = probe.divergence().expect("diverged");
        assert!(
            d.0.ends_with("with other arguments than the recorded stat_at by pid 2 at fuel 25"),
            "{d}"
        );
        assert_eq!(
            host.halt().and_then(|h| h.reason().map(str::to_owned)),
            Some(d.0)
        );
    }

    #[test]
    fn a_replay_stops_at_another_process() {
        let (mut host, probe, pos) = replay_of_recorded();
        pos.pid.set(3);
        pos.fuel.set_fuel(10);
        let mut buf = [7u8; 12];
        host.random(&mut buf);
        assert_eq!(buf, [7u8; 12], "a diverging call serves nothing");
        let d = probe.divergence().expect("diverged");
        assert!(
            d.0.ends_with(
                "pid 3 at fuel 10, host call #0: the guest called random but the trace has random by pid 1 at fuel 10"
            ),
            "{d}"
        );
        // After a divergence, calls (the closes of a run being dropped
        // included) fail without reading the trace; the first reason stays.
        pos.pid.set(1);
        host.close(HostHandle(3));
        assert_eq!(host.monotonic_now(), 0);
        assert_eq!(probe.divergence(), Some(d));
        assert!(probe.check_consumed().is_err(), "nothing was consumed");
    }

    /// A host whose sockets answer fixed values: a listener 7 with one
    /// pending connection 8, which has `ping` to receive.
    struct FakeNet {
        accepted: bool,
    }

    impl HostEnv for FakeNet {
        fn wall_clock(&mut self) -> Result<u64, Errno> {
            Ok(0)
        }
        fn monotonic_now(&mut self) -> u64 {
            0
        }
        fn clock_resolution(&mut self, _: bool) -> u64 {
            1
        }
        fn random(&mut self, _: &mut [u8]) {}
        fn stdin_read(&mut self, _: &mut [u8]) -> Result<Option<usize>, Errno> {
            Ok(Some(0))
        }
        fn stdin_ready(&mut self) -> bool {
            true
        }
        fn wait(&mut self, _: &BlockedOn) -> Result<(), String> {
            Ok(())
        }
        fn tcp_listen(&mut self, _: &str) -> Result<HostHandle, Errno> {
            Ok(HostHandle(7))
        }
        fn sock_accept(&mut self, _: HostHandle) -> Result<Option<HostHandle>, Errno> {
            let first = !self.accepted;
            self.accepted = true;
            Ok(first.then_some(HostHandle(8)))
        }
        fn sock_recv(
            &mut self,
            _: HostHandle,
            buf: &mut [u8],
            _: bool,
        ) -> Result<Option<usize>, Errno> {
            buf[..4].copy_from_slice(b"ping");
            Ok(Some(4))
        }
        fn sock_send(&mut self, _: HostHandle, buf: &[u8]) -> Result<Option<usize>, Errno> {
            Ok(Some(buf.len() - 1))
        }
        fn sock_shutdown(&mut self, _: HostHandle, _: u8) -> Result<(), Errno> {
            Err(Errno::Notconn)
        }
        fn sock_ready(&mut self, _: HostHandle, i: Interest) -> bool {
            i == Interest::Write
        }
    }

    /// Makes the same socket calls on `host` and returns what it answered.
    fn socket_calls(host: &mut dyn HostEnv) -> String {
        let mut buf = [0u8; 16];
        let l = host.tcp_listen("127.0.0.1:1");
        let a = (
            host.sock_accept(HostHandle(7)),
            host.sock_accept(HostHandle(7)),
        );
        let r = host.sock_recv(HostHandle(8), &mut buf, true);
        let s = host.sock_send(HostHandle(8), b"pong");
        let d = host.sock_shutdown(HostHandle(8), 3);
        let ready = host.socks_ready(&[
            (HostHandle(7), Interest::Read),
            (HostHandle(8), Interest::Write),
        ]);
        format!("{l:?} {a:?} {r:?} {:?} {s:?} {d:?} {ready:?}", &buf[..4])
    }

    #[test]
    fn socket_calls_are_recorded_and_served_back_without_a_network() {
        let file = Arc::new(Mutex::new(Vec::new()));
        let rec = Recorder::new(Box::new(Shared(file.clone())), b"h").unwrap();
        let pos = RunPosition::default();
        let inner = Box::new(FakeNet { accepted: false });
        let mut host = RecordingHost::new(inner, rec.clone(), pos.clone());
        let recorded = socket_calls(&mut host);
        assert_eq!(
            recorded,
            "Ok(HostHandle(7)) (Ok(Some(HostHandle(8))), Ok(None)) Ok(Some(4)) [112, 105, 110, \
             103] Ok(Some(3)) Err(Notconn) [false, true]"
        );
        let calls = rec.lock().unwrap().calls();
        rec.lock().unwrap().finish(b"").unwrap();
        let bytes = file.lock().unwrap().clone();
        let frames = read_frames(&bytes).unwrap();
        let batches: Vec<&[u8]> = frames[1..frames.len() - 1].iter().map(|f| f.1).collect();
        let (mut replay, probe) = ReplayHost::new(&batches, calls, RunPosition::default()).unwrap();
        assert_eq!(socket_calls(&mut replay), recorded);
        assert_eq!(probe.check_consumed(), Ok(calls));
    }

    #[test]
    fn frames_detect_flips_and_truncation() {
        let mut file = Vec::new();
        file.extend_from_slice(TRACE_MAGIC);
        file.extend_from_slice(&TRACE_VERSION.to_le_bytes());
        write_frame(&mut file, FRAME_HEADER, b"head").unwrap();
        write_frame(&mut file, FRAME_TRAILER, b"tail").unwrap();
        assert_eq!(read_frames(&file).unwrap().len(), 2);
        for i in 0..file.len() {
            let mut bad = file.clone();
            bad[i] ^= 0x10;
            assert!(read_frames(&bad).is_err(), "flip at {i}");
        }
        for n in 0..file.len() {
            assert!(read_frames(&file[..n]).is_err(), "cut at {n}");
        }
    }
}
