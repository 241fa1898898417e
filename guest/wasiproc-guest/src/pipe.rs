//! Pipes: [`pipe`], its two ends, and the parent's ends of a child's piped
//! stdio ([`ChildStdin`], [`ChildStdout`], [`ChildStderr`]).
//!
//! Each is a `std::fs::File` over the descriptor the host handed out, so
//! reading and writing are plain `fd_read`/`fd_write` and dropping closes it.

use crate::errno::check;
use crate::sys;
use std::fmt;
use std::fs::File;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};

/// Creates a pipe (64 KiB of buffer): `(read end, write end)`.
///
/// Reading an empty pipe blocks while a write end is open anywhere and ends
/// (returns 0) once none is; writing a full pipe blocks while a read end is
/// open and fails with `EPIPE` (`io::ErrorKind::BrokenPipe`) once none is.
/// Give an end to a child with [`Stdio::from`](crate::Stdio) or
/// [`Command::fd`](crate::Command::fd), and drop the parent's copy of it so
/// that the other end sees end of file.
pub fn pipe() -> io::Result<(PipeReader, PipeWriter)> {
    let (mut read_fd, mut write_fd) = (0u32, 0u32);
    // SAFETY: both out-pointers point at live, writable u32s.
    check(unsafe { sys::pipe(&mut read_fd, &mut write_fd) })?;
    // SAFETY: the host just created these descriptors for us; nothing else
    // owns them.
    unsafe {
        Ok((
            PipeReader::from_raw_fd(read_fd as RawFd),
            PipeWriter::from_raw_fd(write_fd as RawFd),
        ))
    }
}

macro_rules! fd_wrapper {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name(File);

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.0.as_fd()
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.0.as_raw_fd()
            }
        }

        impl IntoRawFd for $name {
            fn into_raw_fd(self) -> RawFd {
                self.0.into_raw_fd()
            }
        }

        impl FromRawFd for $name {
            /// Takes ownership of `fd`.
            ///
            /// # Safety
            /// `fd` must be an open descriptor that nothing else owns.
            unsafe fn from_raw_fd(fd: RawFd) -> Self {
                // SAFETY: the caller's promise.
                $name(unsafe { File::from_raw_fd(fd) })
            }
        }

        impl From<$name> for OwnedFd {
            fn from(x: $name) -> OwnedFd {
                x.0.into()
            }
        }

        impl From<OwnedFd> for $name {
            fn from(fd: OwnedFd) -> $name {
                $name(File::from(fd))
            }
        }

        impl From<$name> for File {
            fn from(x: $name) -> File {
                x.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0.as_raw_fd()).finish()
            }
        }
    };
}

macro_rules! impl_read {
    ($name:ident) => {
        impl Read for $name {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.0.read(buf)
            }
            fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
                self.0.read_vectored(bufs)
            }
        }
    };
}

macro_rules! impl_write {
    ($name:ident) => {
        impl Write for $name {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                self.0.write(buf)
            }
            fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
                self.0.write_vectored(bufs)
            }
            fn flush(&mut self) -> io::Result<()> {
                self.0.flush()
            }
        }
    };
}

fd_wrapper!(
    /// The read end of a [`pipe`].
    PipeReader
);
impl_read!(PipeReader);

fd_wrapper!(
    /// The write end of a [`pipe`].
    PipeWriter
);
impl_write!(PipeWriter);

fd_wrapper!(
    /// The parent's end of a child's piped stdin (from `Stdio::piped()`):
    /// what is written here, the child reads. Drop it (or let
    /// [`Child::wait`](crate::Child::wait) drop it) so the child sees end of
    /// file.
    ChildStdin
);
impl_write!(ChildStdin);

fd_wrapper!(
    /// The parent's end of a child's piped stdout (from `Stdio::piped()`).
    ChildStdout
);
impl_read!(ChildStdout);

fd_wrapper!(
    /// The parent's end of a child's piped stderr (from `Stdio::piped()`).
    ChildStderr
);
impl_read!(ChildStderr);
