//! Pipes between processes: a 64 KiB buffer with counted read and write
//! ends. Readers see end of stream once every writer is gone; writers get
//! `EPIPE` once every reader is gone. Neither end ever blocks the thread:
//! an empty or full pipe answers "would block" and the WASI layer reports
//! the process as blocked on that descriptor.

use crate::account::Charge;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use wasiproc_wasi::errno::Errno;
use wasiproc_wasi::stream::{InputStream, OutputStream, StreamRead, StreamWrite};

/// Bytes a pipe holds before writers wait.
pub const PIPE_CAPACITY: usize = 64 * 1024;

#[derive(Debug, Default)]
struct PipeState {
    buf: VecDeque<u8>,
    readers: usize,
    writers: usize,
    /// The buffer's bytes, charged to the account of the process that
    /// created the pipe; given back when the pipe's last end is dropped.
    held: Option<Charge>,
}

/// The names of pipes whose state changed (data, room, an end closed) since
/// the scheduler last looked: it re-checks only processes waiting on them.
/// A flag tells whether any key is noted, so that the scheduler's look after
/// every slice costs one load when no pipe changed.
#[derive(Debug, Clone, Default)]
pub struct ActivityLog {
    changed: Arc<(Mutex<Vec<u64>>, AtomicBool)>,
}

impl ActivityLog {
    fn note(&self, key: u64) {
        let (keys, noted) = &*self.changed;
        let mut v = keys.lock().unwrap_or_else(|p| p.into_inner());
        if v.last() != Some(&key) {
            v.push(key);
        }
        // Set under the lock, after the push, and cleared under it by
        // `drain`: a key is never noted without the flag.
        noted.store(true, Ordering::Release);
    }

    /// Whether a key was noted since the last [`ActivityLog::drain`].
    #[inline]
    pub fn has_news(&self) -> bool {
        self.changed.1.load(Ordering::Acquire)
    }

    /// Takes the keys noted so far.
    pub fn drain(&self) -> Vec<u64> {
        if !self.has_news() {
            return Vec::new();
        }
        let (keys, noted) = &*self.changed;
        let mut v = keys.lock().unwrap_or_else(|p| p.into_inner());
        noted.store(false, Ordering::Release);
        std::mem::take(&mut *v)
    }
}

static NEXT_PIPE: AtomicU64 = AtomicU64::new(1);

/// The shared buffer of one pipe.
#[derive(Debug, Clone)]
pub struct Pipe {
    state: Arc<Mutex<PipeState>>,
    key: u64,
    log: ActivityLog,
}

fn lock(state: &Mutex<PipeState>) -> std::sync::MutexGuard<'_, PipeState> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

/// A new pipe: its read end and its write end. State changes are noted in `log`.
pub fn pipe(log: &ActivityLog) -> (PipeReader, PipeWriter) {
    new_pipe(log, None)
}

/// A new pipe whose buffer is charged to `held`'s account as it grows: a
/// write that would take the account over its limit fails with `ENOMEM`.
pub fn pipe_charged(log: &ActivityLog, held: Charge) -> (PipeReader, PipeWriter) {
    new_pipe(log, Some(held))
}

fn new_pipe(log: &ActivityLog, held: Option<Charge>) -> (PipeReader, PipeWriter) {
    let pipe = Pipe {
        state: Arc::new(Mutex::new(PipeState {
            held,
            ..PipeState::default()
        })),
        key: NEXT_PIPE.fetch_add(1, Ordering::Relaxed),
        log: log.clone(),
    };
    (pipe.reader(), pipe.writer())
}

impl Pipe {
    fn reader(&self) -> PipeReader {
        lock(&self.state).readers += 1;
        PipeReader { pipe: self.clone() }
    }

    fn writer(&self) -> PipeWriter {
        lock(&self.state).writers += 1;
        PipeWriter { pipe: self.clone() }
    }
}

/// The read end of a pipe.
#[derive(Debug)]
pub struct PipeReader {
    pipe: Pipe,
}

/// The write end of a pipe.
#[derive(Debug)]
pub struct PipeWriter {
    pipe: Pipe,
}

impl Drop for PipeReader {
    fn drop(&mut self) {
        lock(&self.pipe.state).readers -= 1;
        self.pipe.log.note(self.pipe.key);
    }
}

impl Drop for PipeWriter {
    fn drop(&mut self) {
        lock(&self.pipe.state).writers -= 1;
        self.pipe.log.note(self.pipe.key);
    }
}

impl InputStream for PipeReader {
    fn read(&mut self, buf: &mut [u8]) -> Result<StreamRead, Errno> {
        let mut st = lock(&self.pipe.state);
        if st.buf.is_empty() {
            return Ok(if st.writers == 0 {
                StreamRead::Data(0)
            } else {
                StreamRead::WouldBlock
            });
        }
        let n = buf.len().min(st.buf.len());
        let (a, b) = st.buf.as_slices();
        let from_a = n.min(a.len());
        buf[..from_a].copy_from_slice(&a[..from_a]);
        buf[from_a..n].copy_from_slice(&b[..n - from_a]);
        st.buf.drain(..n);
        drop(st);
        self.pipe.log.note(self.pipe.key);
        Ok(StreamRead::Data(n))
    }

    fn ready(&mut self) -> bool {
        let st = lock(&self.pipe.state);
        !st.buf.is_empty() || st.writers == 0
    }

    fn try_clone(&self) -> Option<Box<dyn InputStream>> {
        Some(Box::new(self.pipe.reader()))
    }

    fn wake_key(&self) -> Option<u64> {
        Some(self.pipe.key)
    }
}

/// Makes room for `n` more bytes in the buffer (at most [`PIPE_CAPACITY`]
/// in all), fallibly and charged: `ENOMEM` when the allocation fails or the
/// account is over its limit.
fn reserve(st: &mut PipeState, n: usize) -> Result<(), Errno> {
    let need = st.buf.len() + n;
    let before = st.buf.capacity();
    if need <= before {
        return Ok(());
    }
    let want = before
        .saturating_mul(2)
        .clamp(need, PIPE_CAPACITY.max(need));
    let more = want - before;
    if let Some(held) = st.held.as_mut() {
        held.grow(more).map_err(|_| Errno::Nomem)?;
    }
    if st.buf.try_reserve_exact(want - st.buf.len()).is_err() {
        if let Some(held) = st.held.as_mut() {
            held.shrink(more);
        }
        return Err(Errno::Nomem);
    }
    Ok(())
}

impl OutputStream for PipeWriter {
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno> {
        let mut st = lock(&self.pipe.state);
        if st.readers == 0 {
            return Err(Errno::Pipe);
        }
        let room = PIPE_CAPACITY - st.buf.len();
        if room == 0 {
            return Ok(StreamWrite::WouldBlock);
        }
        let n = room.min(buf.len());
        reserve(&mut st, n)?;
        st.buf.extend(&buf[..n]);
        drop(st);
        self.pipe.log.note(self.pipe.key);
        Ok(StreamWrite::Written(n))
    }

    fn ready(&mut self) -> bool {
        let st = lock(&self.pipe.state);
        st.buf.len() < PIPE_CAPACITY || st.readers == 0
    }

    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        Some(Box::new(self.pipe.writer()))
    }

    fn wake_key(&self) -> Option<u64> {
        Some(self.pipe.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eof_after_last_writer_and_epipe_after_last_reader() {
        let (mut r, mut w) = pipe(&ActivityLog::default());
        let mut buf = [0u8; 8];
        assert_eq!(r.read(&mut buf).unwrap(), StreamRead::WouldBlock);
        assert_eq!(w.write(b"hi").unwrap(), StreamWrite::Written(2));
        let w2 = w.try_clone().unwrap();
        drop(w);
        assert_eq!(r.read(&mut buf).unwrap(), StreamRead::Data(2));
        assert_eq!(
            r.read(&mut buf).unwrap(),
            StreamRead::WouldBlock,
            "a writer remains"
        );
        drop(w2);
        assert_eq!(r.read(&mut buf).unwrap(), StreamRead::Data(0));
        let (r, mut w) = pipe(&ActivityLog::default());
        drop(r);
        assert_eq!(w.write(b"x"), Err(Errno::Pipe));
    }

    #[test]
    fn a_full_pipe_makes_writers_wait() {
        let (mut r, mut w) = pipe(&ActivityLog::default());
        let big = vec![7u8; PIPE_CAPACITY + 10];
        assert_eq!(w.write(&big).unwrap(), StreamWrite::Written(PIPE_CAPACITY));
        assert!(!w.ready());
        assert_eq!(w.write(&big).unwrap(), StreamWrite::WouldBlock);
        let mut buf = vec![0u8; 100];
        assert_eq!(r.read(&mut buf).unwrap(), StreamRead::Data(100));
        assert!(w.ready());
    }
}
