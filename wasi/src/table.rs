//! The descriptor table: what each guest file descriptor number stands for.
//!
//! Numbers are assigned as wasmtime does: the most recently freed number is
//! reused first (highest first), otherwise one past the highest in use.
//! Policy lives here, not in the host environment: a descriptor records how
//! it was opened (read/write), its position, its append flag, and whether
//! the grant it came from allows changes ([`DirFd::mutable`]).

use crate::errno::Errno;
use crate::host::HostHandle;
use crate::stream::{InputStream, OutputStream};
use crate::types::Filetype;
use std::collections::{BTreeMap, BTreeSet};

/// An open host file.
#[derive(Debug, Clone)]
pub struct FileFd {
    /// The host environment's handle.
    pub handle: HostHandle,
    /// Type reported by the host (regular file, device, ...).
    pub filetype: Filetype,
    /// Current offset for `fd_read`/`fd_write`/`fd_seek`.
    pub pos: u64,
    /// Opened for reading.
    pub read: bool,
    /// Opened for writing.
    pub write: bool,
    /// Writes go to the end of the file.
    pub append: bool,
    /// `fdflags::NONBLOCK` was set (recorded; files never block).
    pub nonblock: bool,
    /// The `SYNC`/`DSYNC`/`RSYNC` fdflags it was opened with (the host file
    /// is opened with the matching `O_*SYNC`); reported by `fd_fdstat_get`.
    pub sync: u16,
    /// The grant this file was reached through allows changes.
    pub mutable: bool,
}

/// An open host directory.
#[derive(Debug, Clone)]
pub struct DirFd {
    /// The host environment's handle.
    pub handle: HostHandle,
    /// The guest path of a preopened directory (`fd_prestat_*`).
    pub preopen: Option<String>,
    /// The grant allows creating, removing, renaming and writing beneath it.
    /// A directory opened beneath a read-only grant stays read-only.
    pub mutable: bool,
}

/// What a descriptor number stands for.
pub enum Descriptor {
    /// The host's standard input, read through [`crate::HostEnv`].
    HostStdin,
    /// A pluggable input stream.
    Input(Box<dyn InputStream>),
    /// A pluggable output stream (stdout, stderr, captured output, pipes).
    Output(Box<dyn OutputStream>),
    /// A host file.
    File(FileFd),
    /// A host directory.
    Dir(DirFd),
}

impl std::fmt::Debug for Descriptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Descriptor::HostStdin => f.write_str("HostStdin"),
            Descriptor::Input(_) => f.write_str("Input(..)"),
            Descriptor::Output(_) => f.write_str("Output(..)"),
            Descriptor::File(x) => f.debug_tuple("File").field(x).finish(),
            Descriptor::Dir(x) => f.debug_tuple("Dir").field(x).finish(),
        }
    }
}

/// Guest descriptor numbers and what they stand for.
#[derive(Debug, Default)]
pub struct FdTable {
    used: BTreeMap<u32, Descriptor>,
    free: BTreeSet<u32>,
}

impl FdTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a descriptor and returns its number.
    pub fn push(&mut self, d: Descriptor) -> Result<u32, Errno> {
        let fd = match self.free.pop_last() {
            Some(fd) => fd,
            None => match self.used.last_key_value() {
                Some((last, _)) => last.checked_add(1).ok_or(Errno::Mfile)?,
                None => 0,
            },
        };
        self.used.insert(fd, d);
        Ok(fd)
    }

    /// Puts a descriptor at a given number, returning what was there.
    pub fn insert_at(&mut self, fd: u32, d: Descriptor) -> Option<Descriptor> {
        self.free.remove(&fd);
        self.used.insert(fd, d)
    }

    /// The descriptor `fd`.
    pub fn get(&self, fd: u32) -> Result<&Descriptor, Errno> {
        self.used.get(&fd).ok_or(Errno::Badf)
    }

    /// The descriptor `fd`, mutably.
    pub fn get_mut(&mut self, fd: u32) -> Result<&mut Descriptor, Errno> {
        self.used.get_mut(&fd).ok_or(Errno::Badf)
    }

    /// Removes `fd`.
    pub fn remove(&mut self, fd: u32) -> Result<Descriptor, Errno> {
        let d = self.used.remove(&fd).ok_or(Errno::Badf)?;
        self.free.insert(fd);
        Ok(d)
    }

    /// The file behind `fd` (`Badf` for anything else).
    pub fn file(&self, fd: u32) -> Result<&FileFd, Errno> {
        match self.get(fd)? {
            Descriptor::File(f) => Ok(f),
            _ => Err(Errno::Badf),
        }
    }

    /// The file behind `fd`, mutably.
    pub fn file_mut(&mut self, fd: u32) -> Result<&mut FileFd, Errno> {
        match self.get_mut(fd)? {
            Descriptor::File(f) => Ok(f),
            _ => Err(Errno::Badf),
        }
    }

    /// The directory behind `fd` (`Badf` for anything else).
    pub fn dir(&self, fd: u32) -> Result<&DirFd, Errno> {
        match self.get(fd)? {
            Descriptor::Dir(d) => Ok(d),
            _ => Err(Errno::Badf),
        }
    }

    /// A seekable file: `Spipe` for streams, `Badf` for directories.
    pub fn seekable(&mut self, fd: u32) -> Result<&mut FileFd, Errno> {
        match self.get_mut(fd)? {
            Descriptor::File(f) => Ok(f),
            Descriptor::HostStdin | Descriptor::Input(_) | Descriptor::Output(_) => {
                Err(Errno::Spipe)
            }
            Descriptor::Dir(_) => Err(Errno::Badf),
        }
    }

    /// The numbers in use, in order.
    pub fn fds(&self) -> impl Iterator<Item = u32> + '_ {
        self.used.keys().copied()
    }
}
