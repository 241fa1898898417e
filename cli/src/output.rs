//! The root's stdout and stderr when the command line must know what they
//! were, in memory that does not grow with the output:
//!
//! - [`HashedStdio`] (`--record`, `replay`): writes through to the host's
//!   stream and keeps only the length and SHA-256 of what was written;
//! - [`SpoolStdio`] (`--check-determinism`, first run): keeps the bytes to
//!   pass them on after the verdict, in memory up to [`SPOOL_MEMORY`] bytes
//!   and beyond that in an unlinked temporary file;
//! - [`CompareStdio`] (`--check-determinism`, second run): keeps nothing,
//!   but compares each write with the first run's bytes at the same offset
//!   and remembers where they first differ.
//!
//! All three accept every write in full, so the guest sees the same results
//! in both runs of a check whatever the host's streams do.

use crate::digest::Sha256;
use crate::run::PlainStdio;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex, MutexGuard};
use wasiproc_wasi::Errno;
use wasiproc_wasi::stream::{OutputStream, StreamWrite};

/// Bytes of a first run's output kept in memory before it spills to a file.
pub const SPOOL_MEMORY: usize = 1 << 20;

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
    #[cfg(test)]
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
pub struct SharedHash(Arc<Mutex<Sha256>>);

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

/// The host's stdout or stderr (never a terminal), hashing what is written.
pub struct HashedStdio {
    to: PlainStdio,
    hash: SharedHash,
}

impl HashedStdio {
    /// Writes to `to`, hashing into `hash`.
    pub fn new(to: PlainStdio, hash: SharedHash) -> Self {
        HashedStdio { to, hash }
    }
}

impl OutputStream for HashedStdio {
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno> {
        let r = self.to.write(buf)?;
        if let StreamWrite::Written(n) = r {
            lock(&self.hash.0).update(&buf[..n.min(buf.len())]);
        }
        Ok(r)
    }
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        Some(Box::new(HashedStdio::new(self.to, self.hash.clone())))
    }
}

/// A first run's output: in memory up to [`SPOOL_MEMORY`], then in a file.
#[derive(Default)]
pub struct Spool {
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
pub type SharedSpool = Arc<Mutex<Spool>>;

/// Keeps every byte written in a [`Spool`].
pub struct SpoolStdio(pub SharedSpool);

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
pub struct Compare {
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
pub type SharedCompare = Arc<Mutex<Compare>>;

/// Compares every byte written with a first run's output.
pub struct CompareStdio(pub SharedCompare);

impl OutputStream for CompareStdio {
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno> {
        lock(&self.0).write(buf);
        Ok(StreamWrite::Written(buf.len()))
    }
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        Some(Box::new(CompareStdio(self.0.clone())))
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
    fn digests_follow_what_was_written() {
        let h = SharedHash::default();
        lock(&h.0).update(b"hello ");
        lock(&h.0).update(b"world");
        assert_eq!(h.digest(), OutputDigest::of(b"hello world"));
        assert_eq!(h.digest().len, 11);
    }
}
