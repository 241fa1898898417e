//! The root's stdio: what an embedder chooses ([`Stdin`], [`Output`],
//! [`HostPipe`]) and the streams a run needs internally when it must know
//! what was written, in memory that does not grow with the output:
//!
//! - [`HashedStream`] (recording, replaying): writes through to the chosen
//!   stream and keeps only the length and SHA-256 of what was written;
//! - [`SpoolStdio`] (check-determinism, first run): keeps the bytes to pass
//!   them on after the verdict, in memory up to [`SPOOL_MEMORY`] bytes and
//!   beyond that in an unlinked temporary file;
//! - [`CompareStdio`] (check-determinism, second run): keeps nothing, but
//!   compares each write with the first run's bytes at the same offset and
//!   remembers where they first differ.
//!
//! The last two accept every write in full, so the guest sees the same
//! results in both runs of a check whatever the host's streams do.

use super::digest::Sha256;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex, MutexGuard};
use wasiproc_wasi::Errno;
use wasiproc_wasi::stream::{
    HostStderr, HostStdout, InputStream, OutputStream, StreamRead, StreamWrite,
};

/// Bytes of a first run's output kept in memory before it spills to a file.
pub(crate) const SPOOL_MEMORY: usize = 1 << 20;

/// Bytes compared or copied at a time.
const CHUNK: usize = 64 * 1024;

/// Bytes of each run shown where two outputs first differ.
const SNIPPET: usize = 40;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Length and SHA-256 of an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputDigest {
    /// Bytes written.
    pub len: u64,
    /// SHA-256 of the bytes.
    pub sha256: [u8; 32],
}

impl OutputDigest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        let mut h = Sha256::default();
        h.update(bytes);
        OutputDigest {
            len: h.len(),
            sha256: h.finish(),
        }
    }
}

/// A hash shared by the streams of a run and whoever reads it afterwards.
#[derive(Clone, Default)]
pub(crate) struct SharedHash(Arc<Mutex<Sha256>>);

impl SharedHash {
    /// Length and SHA-256 of what was hashed so far.
    pub fn digest(&self) -> OutputDigest {
        let h = lock(&self.0);
        OutputDigest {
            len: h.len(),
            sha256: h.finish(),
        }
    }
}

/// Another stream, hashing what it takes.
pub(crate) struct HashedStream {
    to: Box<dyn OutputStream>,
    hash: SharedHash,
}

impl HashedStream {
    /// Writes to `to`, hashing into `hash`.
    pub(crate) fn new(to: Box<dyn OutputStream>, hash: SharedHash) -> Self {
        HashedStream { to, hash }
    }
}

impl OutputStream for HashedStream {
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno> {
        let r = self.to.write(buf)?;
        if let StreamWrite::Written(n) = r {
            lock(&self.hash.0).update(&buf[..n.min(buf.len())]);
        }
        Ok(r)
    }
    fn ready(&mut self) -> bool {
        self.to.ready()
    }
    fn is_terminal(&self) -> bool {
        self.to.is_terminal()
    }
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        Some(Box::new(HashedStream::new(
            self.to.try_clone()?,
            self.hash.clone(),
        )))
    }
    fn wake_key(&self) -> Option<u64> {
        self.to.wake_key()
    }
}

/// A first run's output: in memory up to [`SPOOL_MEMORY`], then in a file.
#[derive(Default)]
pub(crate) struct Spool {
    mem: Vec<u8>,
    file: Option<File>,
    len: u64,
    error: Option<String>,
}

/// Creates a temporary file that is already unlinked: it disappears with
/// its last descriptor, however wasiproc ends.
fn unlinked_temp_file() -> std::io::Result<File> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir();
    loop {
        let path = dir.join(format!(
            "wasiproc-check-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => {
                std::fs::remove_file(&path)?;
                return Ok(f);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

impl Spool {
    /// Bytes written.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Why the bytes could not all be kept, if they could not.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    fn write(&mut self, buf: &[u8]) {
        self.len += buf.len() as u64;
        if self.error.is_some() {
            return;
        }
        if self.file.is_none() {
            let fits = self.mem.len() + buf.len() <= SPOOL_MEMORY;
            if fits && self.mem.try_reserve(buf.len()).is_ok() {
                self.mem.extend_from_slice(buf);
                return;
            }
            let spilled = unlinked_temp_file().and_then(|mut f| {
                f.write_all(&self.mem)?;
                Ok(f)
            });
            match spilled {
                Ok(f) => {
                    self.file = Some(f);
                    self.mem = Vec::new();
                }
                Err(e) => {
                    self.error = Some(format!("cannot create a temporary file: {e}"));
                    return;
                }
            }
        }
        if let Some(f) = &mut self.file
            && let Err(e) = f.write_all(buf)
        {
            self.error = Some(format!("cannot write the temporary file: {e}"));
        }
    }

    /// Reads the bytes at `offset` into `buf`; returns how many there were.
    pub fn read_at(&self, offset: u64, buf: &mut [u8]) -> usize {
        let avail = self.len.saturating_sub(offset).min(buf.len() as u64) as usize;
        match &self.file {
            None => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX);
                let src = self.mem.get(start..).unwrap_or(&[]);
                let n = avail.min(src.len());
                buf[..n].copy_from_slice(&src[..n]);
                n
            }
            Some(f) => {
                let mut done = 0;
                while done < avail {
                    match f.read_at(&mut buf[done..avail], offset + done as u64) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => done += n,
                    }
                }
                done
            }
        }
    }

    /// Writes all the bytes to `out`.
    pub fn copy_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut buf = vec![0u8; CHUNK];
        let mut at = 0u64;
        while at < self.len {
            let n = self.read_at(at, &mut buf);
            if n == 0 {
                break;
            }
            out.write_all(&buf[..n])?;
            at += n as u64;
        }
        out.flush()
    }
}

/// A [`Spool`] shared by the streams of a run and whoever reads it afterwards.
pub(crate) type SharedSpool = Arc<Mutex<Spool>>;

/// Keeps every byte written in a [`Spool`].
pub(crate) struct SpoolStdio(pub(crate) SharedSpool);

impl OutputStream for SpoolStdio {
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno> {
        lock(&self.0).write(buf);
        Ok(StreamWrite::Written(buf.len()))
    }
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        Some(Box::new(SpoolStdio(self.0.clone())))
    }
}

/// A second run's output compared, as it is written, with a first run's.
pub(crate) struct Compare {
    first: SharedSpool,
    len: u64,
    lines: u64,
    differs_at: Option<u64>,
    tail: Vec<u8>,
    scratch: Vec<u8>,
}

impl Compare {
    /// Compares with the bytes in `first`.
    pub fn new(first: SharedSpool) -> Self {
        Compare {
            first,
            len: 0,
            lines: 0,
            differs_at: None,
            tail: Vec::new(),
            scratch: Vec::new(),
        }
    }

    fn write(&mut self, buf: &[u8]) {
        let start = self.len;
        self.len += buf.len() as u64;
        if self.differs_at.is_some() {
            let keep = (SNIPPET + 1).saturating_sub(self.tail.len()).min(buf.len());
            self.tail.extend_from_slice(&buf[..keep]);
            return;
        }
        if self.scratch.len() < CHUNK {
            self.scratch.resize(CHUNK, 0);
        }
        let first = lock(&self.first);
        let mut done = 0;
        while done < buf.len() {
            let n = (buf.len() - done).min(CHUNK);
            let got = first.read_at(start + done as u64, &mut self.scratch[..n]);
            let mine = &buf[done..done + n];
            let same = self.scratch[..got]
                .iter()
                .zip(mine)
                .position(|(a, b)| a != b)
                .unwrap_or(got);
            self.lines += mine[..same].iter().filter(|&&c| c == b'\n').count() as u64;
            if same < n {
                self.differs_at = Some(start + (done + same) as u64);
                let end = (done + same + SNIPPET + 1).min(buf.len());
                self.tail = buf[done + same..end].to_vec();
                return;
            }
            done += n;
        }
    }

    /// Where this output first differs from the first run's, with a little
    /// of each from there; `None` when they are identical.
    pub fn difference(&self) -> Option<String> {
        let first = lock(&self.first);
        let at = match self.differs_at {
            Some(at) => at,
            None if self.len == first.len() => return None,
            None => self.len,
        };
        let mut theirs = [0u8; SNIPPET + 1];
        let got = first.read_at(at, &mut theirs);
        let snippet = |bytes: &[u8], len: u64| {
            if at >= len {
                return "end of output".to_string();
            }
            let shown = &bytes[..bytes.len().min(SNIPPET)];
            let more = if at + (shown.len() as u64) < len {
                "..."
            } else {
                ""
            };
            format!("\"{}\"{more}", shown.escape_ascii())
        };
        Some(format!(
            "at byte {at} (line {}): run 1 ({} bytes): {}; run 2 ({} bytes): {}",
            self.lines + 1,
            first.len(),
            snippet(&theirs[..got], first.len()),
            self.len,
            snippet(&self.tail, self.len),
        ))
    }
}

/// A [`Compare`] shared by the streams of a run and whoever reads it afterwards.
pub(crate) type SharedCompare = Arc<Mutex<Compare>>;

/// Compares every byte written with a first run's output.
pub(crate) struct CompareStdio(pub(crate) SharedCompare);

impl OutputStream for CompareStdio {
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno> {
        lock(&self.0).write(buf);
        Ok(StreamWrite::Written(buf.len()))
    }
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        Some(Box::new(CompareStdio(self.0.clone())))
    }
}

/// The host's stdout or stderr, never reported as a terminal: whether the
/// host's output goes to a terminal must not change what a deterministic
/// run's guest sees.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PlainStdio {
    /// The host's stdout.
    Out,
    /// The host's stderr.
    Err,
}

impl OutputStream for PlainStdio {
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno> {
        match self {
            PlainStdio::Out => HostStdout.write(buf),
            PlainStdio::Err => HostStderr.write(buf),
        }
    }
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        Some(Box::new(*self))
    }
}

/// Where the root process's standard input comes from. Children get what
/// their parent passes them (docs/abi.md).
#[derive(Default)]
pub enum Stdin {
    /// The host's own standard input, read through the run's host
    /// environment (recorded when the run is recorded).
    #[default]
    Inherit,
    /// No input: the first read returns end of file.
    Null,
    /// These bytes, then end of file.
    Bytes(Vec<u8>),
    /// A file's contents, then end of file.
    File(std::fs::File),
    /// What the embedder writes into the pipe while the run goes on
    /// (see [`crate::Running`]); end of file once it is closed.
    Pipe(HostPipe),
}

impl std::fmt::Debug for Stdin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stdin::Inherit => "Inherit",
            Stdin::Null => "Null",
            Stdin::Bytes(_) => "Bytes(..)",
            Stdin::File(_) => "File(..)",
            Stdin::Pipe(_) => "Pipe(..)",
        })
    }
}

/// The function behind [`Output::Callback`]: called with each write.
pub type OutputCallback = Box<dyn FnMut(&[u8]) + Send>;

/// Where the root process's standard output or error goes. Children that
/// inherit the descriptor write to the same place.
#[derive(Default)]
pub enum Output {
    /// The host's own stream (never reported as a terminal in a
    /// deterministic run).
    #[default]
    Inherit,
    /// Thrown away.
    Null,
    /// Kept in memory, up to this many bytes (a write past them fails with
    /// `EFBIG`), and returned in [`crate::Report::stdout`] /
    /// [`crate::Report::stderr`].
    Capture(usize),
    /// Written to this file.
    File(std::fs::File),
    /// Written to this writer.
    Writer(Box<dyn Write + Send>),
    /// Each write is handed to this function.
    Callback(OutputCallback),
    /// Read by the embedder from the pipe while the run goes on (see
    /// [`crate::Running`]); a write that finds it full waits until the
    /// embedder has read.
    Pipe(HostPipe),
}

impl Output {
    /// [`Output::Capture`] with a limit of 64 MiB.
    pub fn capture() -> Output {
        Output::Capture(64 << 20)
    }
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Output::Inherit => f.write_str("Inherit"),
            Output::Null => f.write_str("Null"),
            Output::Capture(n) => write!(f, "Capture({n})"),
            Output::File(_) => f.write_str("File(..)"),
            Output::Writer(_) => f.write_str("Writer(..)"),
            Output::Callback(_) => f.write_str("Callback(..)"),
            Output::Pipe(_) => f.write_str("Pipe(..)"),
        }
    }
}

/// Bytes captured by [`Output::Capture`], shared with the stream.
pub(crate) type Captured = Arc<Mutex<Vec<u8>>>;

/// Keeps what is written, up to a limit, allocated fallibly.
struct CaptureStream {
    buf: Captured,
    limit: usize,
}

impl OutputStream for CaptureStream {
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno> {
        let mut b = lock(&self.buf);
        if b.len().saturating_add(buf.len()) > self.limit {
            return Err(Errno::Fbig);
        }
        b.try_reserve(buf.len()).map_err(|_| Errno::Nomem)?;
        b.extend_from_slice(buf);
        Ok(StreamWrite::Written(buf.len()))
    }
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        Some(Box::new(CaptureStream {
            buf: self.buf.clone(),
            limit: self.limit,
        }))
    }
}

/// Hands each write to a writer or a function, shared by the clones.
#[derive(Clone)]
struct SharedWriter(Arc<Mutex<Box<dyn Write + Send>>>);

impl OutputStream for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno> {
        lock(&self.0).write_all(buf).map_err(|_| Errno::Io)?;
        Ok(StreamWrite::Written(buf.len()))
    }
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        Some(Box::new(self.clone()))
    }
}

/// A [`Write`] over a callback.
struct CallbackWriter(OutputCallback);

impl Write for CallbackWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        (self.0)(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A file read as a stream, shared by the clones.
#[derive(Clone)]
struct FileInput(Arc<Mutex<std::fs::File>>);

impl InputStream for FileInput {
    fn read(&mut self, buf: &mut [u8]) -> Result<StreamRead, Errno> {
        use std::io::Read;
        lock(&self.0)
            .read(buf)
            .map(StreamRead::Data)
            .map_err(|_| Errno::Io)
    }
    fn try_clone(&self) -> Option<Box<dyn InputStream>> {
        Some(Box::new(self.clone()))
    }
}

#[derive(Default)]
struct PipeState {
    data: std::collections::VecDeque<u8>,
    capacity: usize,
    closed: bool,
}

/// A bounded byte pipe between the embedder and a run: as [`Stdin::Pipe`]
/// the embedder writes and the guest reads, as [`Output::Pipe`] the guest
/// writes and the embedder reads. Clones are handles to the same pipe. A
/// guest that finds it empty (reading) or full (writing) blocks, and the
/// scheduler runs others; when nothing else can run, [`crate::Running::step`]
/// returns [`crate::Progress::Stalled`] so the embedder can act.
#[derive(Clone)]
pub struct HostPipe(Arc<Mutex<PipeState>>);

impl std::fmt::Debug for HostPipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = lock(&self.0);
        f.debug_struct("HostPipe")
            .field("buffered", &p.data.len())
            .field("capacity", &p.capacity)
            .field("closed", &p.closed)
            .finish()
    }
}

impl HostPipe {
    /// An empty pipe holding at most `capacity` bytes (at least 1).
    pub fn new(capacity: usize) -> HostPipe {
        HostPipe(Arc::new(Mutex::new(PipeState {
            capacity: capacity.max(1),
            ..PipeState::default()
        })))
    }

    /// Appends as much of `bytes` as there is room for; returns how many
    /// bytes were taken (0 when full or closed, or when memory runs out).
    pub fn write(&self, bytes: &[u8]) -> usize {
        let mut p = lock(&self.0);
        if p.closed {
            return 0;
        }
        let n = bytes.len().min(p.capacity - p.data.len());
        if p.data.try_reserve(n).is_err() {
            return 0;
        }
        p.data.extend(&bytes[..n]);
        n
    }

    /// Takes every byte buffered so far.
    pub fn read_available(&self) -> Vec<u8> {
        let mut p = lock(&self.0);
        p.data.drain(..).collect()
    }

    /// Bytes buffered.
    pub fn len(&self) -> usize {
        lock(&self.0).data.len()
    }

    /// True when nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ends the stream: a reader gets end of file once the buffer is
    /// drained, a writer gets `EPIPE`.
    pub fn close(&self) {
        lock(&self.0).closed = true;
    }

    /// True once [`HostPipe::close`] was called.
    pub fn is_closed(&self) -> bool {
        lock(&self.0).closed
    }
}

impl InputStream for HostPipe {
    fn read(&mut self, buf: &mut [u8]) -> Result<StreamRead, Errno> {
        let mut p = lock(&self.0);
        if p.data.is_empty() {
            return Ok(if p.closed {
                StreamRead::Data(0)
            } else {
                StreamRead::WouldBlock
            });
        }
        let n = buf.len().min(p.data.len());
        for (d, s) in buf.iter_mut().zip(p.data.drain(..n)) {
            *d = s;
        }
        Ok(StreamRead::Data(n))
    }
    fn ready(&mut self) -> bool {
        let p = lock(&self.0);
        p.closed || !p.data.is_empty()
    }
    fn try_clone(&self) -> Option<Box<dyn InputStream>> {
        Some(Box::new(self.clone()))
    }
}

impl OutputStream for HostPipe {
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno> {
        if lock(&self.0).closed {
            return Err(Errno::Pipe);
        }
        match HostPipe::write(self, buf) {
            0 if !buf.is_empty() => Ok(StreamWrite::WouldBlock),
            n => Ok(StreamWrite::Written(n)),
        }
    }
    fn ready(&mut self) -> bool {
        let p = lock(&self.0);
        p.closed || p.data.len() < p.capacity
    }
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        Some(Box::new(self.clone()))
    }
}

/// Bytes in memory that a run writes and the embedder reads afterwards:
/// a [`Write`] whose clones share one buffer, for [`crate::Run::record`]
/// (a trace in memory) or [`crate::Run::chrome_trace`].
#[derive(Debug, Clone, Default)]
pub struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    /// An empty buffer.
    pub fn new() -> SharedBuffer {
        SharedBuffer::default()
    }

    /// A copy of everything written so far.
    pub fn to_vec(&self) -> Vec<u8> {
        lock(&self.0).clone()
    }

    /// Takes everything written so far, leaving the buffer empty.
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *lock(&self.0))
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut b = lock(&self.0);
        b.try_reserve(buf.len())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::OutOfMemory))?;
        b.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The stream behind an [`Output`]; `deterministic` keeps the host's
/// streams from being reported as terminals. `None`: the host's own stream
/// as the WASI context builder inherits it.
pub(crate) fn output_stream(
    out: Output,
    which: PlainStdio,
    deterministic: bool,
    captured: &mut Option<Captured>,
) -> Option<Box<dyn OutputStream>> {
    Some(match out {
        Output::Inherit if deterministic => Box::new(which),
        Output::Inherit => return None,
        Output::Null => Box::new(wasiproc_wasi::stream::Sink),
        Output::Capture(limit) => {
            let buf = Captured::default();
            *captured = Some(buf.clone());
            Box::new(CaptureStream { buf, limit })
        }
        Output::File(f) => Box::new(SharedWriter(Arc::new(Mutex::new(Box::new(f))))),
        Output::Writer(w) => Box::new(SharedWriter(Arc::new(Mutex::new(w)))),
        Output::Callback(f) => Box::new(SharedWriter(Arc::new(Mutex::new(Box::new(
            CallbackWriter(f),
        ))))),
        Output::Pipe(p) => Box::new(p),
    })
}

/// The stream behind a [`Stdin`] that is not read through the host
/// environment.
pub(crate) fn input_stream(input: Stdin) -> Option<Box<dyn InputStream>> {
    match input {
        Stdin::Inherit => None,
        Stdin::Null => Some(Box::new(wasiproc_wasi::ReadPipe::new(Vec::new()))),
        Stdin::Bytes(b) => Some(Box::new(wasiproc_wasi::ReadPipe::new(b))),
        Stdin::File(f) => Some(Box::new(FileInput(Arc::new(Mutex::new(f))))),
        Stdin::Pipe(p) => Some(Box::new(p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `a` to a spool and `b` (in pieces of `piece` bytes) to a
    /// comparison against it.
    fn diff(a: &[u8], b: &[u8], piece: usize) -> Option<String> {
        let spool = SharedSpool::default();
        let mut s = SpoolStdio(spool.clone());
        for c in a.chunks(piece.max(1)) {
            s.write(c).unwrap();
        }
        let cmp = Arc::new(Mutex::new(Compare::new(spool)));
        let mut c = CompareStdio(cmp.clone());
        for p in b.chunks(piece.max(1)) {
            c.write(p).unwrap();
        }
        let compared = lock(&cmp);
        compared.difference()
    }

    #[test]
    fn byte_differences_name_the_offset_line_and_text() {
        for piece in [1, 3, 100] {
            assert_eq!(diff(b"same", b"same", piece), None);
            let d = diff(b"a\nbc1\n", b"a\nbc2\n", piece).unwrap();
            assert_eq!(
                d,
                "at byte 4 (line 2): run 1 (6 bytes): \"1\\n\"; run 2 (6 bytes): \"2\\n\""
            );
            let d = diff(b"abc", b"ab", piece).unwrap();
            assert!(d.contains("run 2 (2 bytes): end of output"), "{d}");
            let d = diff(b"ab", b"abc", piece).unwrap();
            assert!(
                d.starts_with(
                    "at byte 2 (line 1): run 1 (2 bytes): end of output; run 2 (3 bytes): \"c\""
                ),
                "{d}"
            );
        }
        let long = vec![b'x'; 100];
        let mut other = long.clone();
        other[50] = b'y';
        let d = diff(&long, &other, 7).unwrap();
        assert!(
            d.starts_with(&format!(
                "at byte 50 (line 1): run 1 (100 bytes): \"{}\"...; run 2 (100 bytes): \"y{}\"...",
                "x".repeat(40),
                "x".repeat(39)
            )),
            "{d}"
        );
    }

    #[test]
    fn a_spool_spills_past_its_memory_and_reads_back() {
        let spool = SharedSpool::default();
        let mut s = SpoolStdio(spool.clone());
        let block: Vec<u8> = (0..=255u8).cycle().take(CHUNK + 5).collect();
        let n = SPOOL_MEMORY / block.len() + 3;
        for _ in 0..n {
            s.write(&block).unwrap();
        }
        let sp = lock(&spool);
        assert!(sp.file.is_some() && sp.mem.capacity() == 0 && sp.error().is_none());
        assert_eq!(sp.len(), (n * block.len()) as u64);
        let mut out = Vec::new();
        sp.copy_to(&mut out).unwrap();
        assert_eq!(out, block.repeat(n));
        drop(sp);
        let mut other = block.repeat(n);
        let last = other.len() - 1;
        other[last] ^= 1;
        let cmp = Arc::new(Mutex::new(Compare::new(spool)));
        CompareStdio(cmp.clone()).write(&other).unwrap();
        let d = lock(&cmp).difference().unwrap();
        assert!(d.starts_with(&format!("at byte {last} ")), "{d}");
    }

    #[test]
    fn a_capture_stops_at_its_limit_and_a_host_pipe_at_its_capacity() {
        let buf = Captured::default();
        let mut c = CaptureStream {
            buf: buf.clone(),
            limit: 5,
        };
        assert_eq!(c.write(b"abc").unwrap(), StreamWrite::Written(3));
        assert_eq!(c.write(b"def"), Err(Errno::Fbig));
        assert_eq!(*lock(&buf), b"abc");

        let p = HostPipe::new(4);
        assert_eq!(p.write(b"123456"), 4);
        let mut w = p.clone();
        assert!(!OutputStream::ready(&mut w));
        assert_eq!(
            OutputStream::write(&mut w, b"7").unwrap(),
            StreamWrite::WouldBlock
        );
        let mut r = p.clone();
        let mut got = [0u8; 3];
        assert_eq!(r.read(&mut got).unwrap(), StreamRead::Data(3));
        assert_eq!(&got, b"123");
        assert_eq!(p.read_available(), b"4");
        assert!(!InputStream::ready(&mut r));
        assert_eq!(r.read(&mut got).unwrap(), StreamRead::WouldBlock);
        p.close();
        assert!(InputStream::ready(&mut r));
        assert_eq!(r.read(&mut got).unwrap(), StreamRead::Data(0));
        assert_eq!(OutputStream::write(&mut w, b"x"), Err(Errno::Pipe));
    }

    #[test]
    fn digests_follow_what_was_written() {
        let h = SharedHash::default();
        lock(&h.0).update(b"hello ");
        lock(&h.0).update(b"world");
        assert_eq!(h.digest(), OutputDigest::of(b"hello world"));
        assert_eq!(h.digest().len, 11);
    }
}
