//! Pluggable streams for descriptors that are not host files: what a guest
//! reads on stdin when it is not the host's stdin, and where its stdout and
//! stderr go. Streams hold data that is internal to a run (captured output,
//! in-memory input, pipes between processes), so they are deterministic by
//! construction; the host's own stdin is not a stream but is read through
//! [`crate::HostEnv`].

use crate::errno::Errno;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// The result of reading a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamRead {
    /// This many bytes were read; 0 means end of stream.
    Data(usize),
    /// Nothing available yet; the caller reports "blocked".
    WouldBlock,
}

/// The result of writing a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamWrite {
    /// This many bytes were taken.
    Written(usize),
    /// No room yet; the caller reports "blocked".
    WouldBlock,
}

/// A readable stream behind a guest descriptor.
pub trait InputStream: Send {
    /// Reads into `buf`.
    fn read(&mut self, buf: &mut [u8]) -> Result<StreamRead, Errno>;
    /// True when a read would not block (data or end of stream).
    fn ready(&mut self) -> bool {
        true
    }
    /// True when the stream is a terminal (reported as a character device).
    fn is_terminal(&self) -> bool {
        false
    }
    /// A second handle to the same stream, for passing the descriptor to
    /// another process; `None` when the stream cannot be shared.
    fn try_clone(&self) -> Option<Box<dyn InputStream>> {
        None
    }
    /// A number that names the object whose state decides readiness (e.g. a
    /// pipe), so a scheduler can re-check only the waiters of objects that
    /// changed; `None` means "check whenever anything may have changed".
    fn wake_key(&self) -> Option<u64> {
        None
    }
}

/// A writable stream behind a guest descriptor.
pub trait OutputStream: Send {
    /// Writes from `buf`.
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno>;
    /// True when a write would not block.
    fn ready(&mut self) -> bool {
        true
    }
    /// True when the stream is a terminal (reported as a character device).
    fn is_terminal(&self) -> bool {
        false
    }
    /// A second handle to the same stream, for passing the descriptor to
    /// another process; `None` when the stream cannot be shared.
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        None
    }
    /// See [`InputStream::wake_key`].
    fn wake_key(&self) -> Option<u64> {
        None
    }
}

/// In-memory input: the guest reads these bytes, then end of stream.
#[derive(Debug, Clone, Default)]
pub struct ReadPipe {
    data: Vec<u8>,
    pos: usize,
}

impl ReadPipe {
    /// Input consisting of `data`.
    pub fn new(data: impl Into<Vec<u8>>) -> Self {
        ReadPipe {
            data: data.into(),
            pos: 0,
        }
    }
}

impl InputStream for ReadPipe {
    fn read(&mut self, buf: &mut [u8]) -> Result<StreamRead, Errno> {
        let n = buf.len().min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(StreamRead::Data(n))
    }
}

/// Input that is at its end at once: reads give 0 bytes. Unlike an empty
/// [`ReadPipe`] it holds nothing, so making one allocates nothing, and it
/// can be shared (the null device of a spawned process's stdin).
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyInput;

impl InputStream for EmptyInput {
    fn read(&mut self, _buf: &mut [u8]) -> Result<StreamRead, Errno> {
        Ok(StreamRead::Data(0))
    }
    fn try_clone(&self) -> Option<Box<dyn InputStream>> {
        Some(Box::new(EmptyInput))
    }
}

/// Captured output: everything written is kept; clones share the buffer, so
/// the embedder keeps one clone and reads [`WritePipe::contents`] afterwards.
#[derive(Debug, Clone, Default)]
pub struct WritePipe {
    buf: Arc<Mutex<Vec<u8>>>,
}

impl WritePipe {
    /// An empty capture buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// A copy of everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.buf.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

impl OutputStream for WritePipe {
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno> {
        let mut b = self.buf.lock().map_err(|_| Errno::Io)?;
        // Captured output grows with what the guest writes: fallibly.
        b.try_reserve(buf.len()).map_err(|_| Errno::Nomem)?;
        b.extend_from_slice(buf);
        Ok(StreamWrite::Written(buf.len()))
    }
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        Some(Box::new(self.clone()))
    }
}

/// Output that is thrown away (the default for stdout and stderr).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sink;

impl OutputStream for Sink {
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno> {
        Ok(StreamWrite::Written(buf.len()))
    }
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        Some(Box::new(Sink))
    }
}

/// The host process's standard output (`inherit_stdout`).
#[derive(Debug, Clone, Copy, Default)]
pub struct HostStdout;

/// The host process's standard error (`inherit_stderr`).
#[derive(Debug, Clone, Copy, Default)]
pub struct HostStderr;

impl OutputStream for HostStdout {
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno> {
        let mut out = std::io::stdout().lock();
        out.write_all(buf)?;
        out.flush()?;
        Ok(StreamWrite::Written(buf.len()))
    }
    fn is_terminal(&self) -> bool {
        std::io::IsTerminal::is_terminal(&std::io::stdout())
    }
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        Some(Box::new(*self))
    }
}

impl OutputStream for HostStderr {
    fn write(&mut self, buf: &[u8]) -> Result<StreamWrite, Errno> {
        let mut out = std::io::stderr().lock();
        out.write_all(buf)?;
        out.flush()?;
        Ok(StreamWrite::Written(buf.len()))
    }
    fn is_terminal(&self) -> bool {
        std::io::IsTerminal::is_terminal(&std::io::stderr())
    }
    fn try_clone(&self) -> Option<Box<dyn OutputStream>> {
        Some(Box::new(*self))
    }
}
