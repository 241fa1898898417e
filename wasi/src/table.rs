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
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

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

/// A host socket: a granted listener or an accepted connection.
#[derive(Debug, Clone)]
pub struct SockFd {
    /// The host environment's handle.
    pub handle: HostHandle,
    /// A listening socket (`sock_accept`); otherwise a connection.
    pub listener: bool,
    /// `fdflags::NONBLOCK`: calls that would wait answer `Again` instead.
    pub nonblock: bool,
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
    /// A host socket.
    Socket(SockFd),
}

impl std::fmt::Debug for Descriptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Descriptor::HostStdin => f.write_str("HostStdin"),
            Descriptor::Input(_) => f.write_str("Input(..)"),
            Descriptor::Output(_) => f.write_str("Output(..)"),
            Descriptor::File(x) => f.debug_tuple("File").field(x).finish(),
            Descriptor::Dir(x) => f.debug_tuple("Dir").field(x).finish(),
            Descriptor::Socket(x) => f.debug_tuple("Socket").field(x).finish(),
        }
    }
}

/// A bound on the descriptors held by a group of tables together (a
/// process and its descendants): each table charges its descriptors to its
/// quota and to every quota above it, and gives them back when it closes
/// them or is dropped.
#[derive(Debug)]
pub struct FdQuota {
    limit: u32,
    used: AtomicU32,
    parent: Option<Arc<FdQuota>>,
}

impl FdQuota {
    /// A quota of `limit` descriptors, counted also against `parent`.
    pub fn new(limit: u32, parent: Option<Arc<FdQuota>>) -> Arc<Self> {
        Arc::new(FdQuota {
            limit,
            used: AtomicU32::new(0),
            parent,
        })
    }

    /// Descriptors held under this quota now.
    pub fn used(&self) -> u32 {
        self.used.load(Ordering::Relaxed)
    }

    /// The limit.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Whether `n` more fit in this quota and every one above it.
    fn has_room(&self, n: u32) -> bool {
        let mut q = Some(self);
        while let Some(cur) = q {
            if cur.used().saturating_add(n) > cur.limit {
                return false;
            }
            q = cur.parent.as_deref();
        }
        true
    }

    fn add(&self, n: u32) {
        let mut q = Some(self);
        while let Some(cur) = q {
            cur.used.fetch_add(n, Ordering::Relaxed);
            q = cur.parent.as_deref();
        }
    }

    fn sub(&self, n: u32) {
        let mut q = Some(self);
        while let Some(cur) = q {
            cur.used.fetch_sub(n.min(cur.used()), Ordering::Relaxed);
            q = cur.parent.as_deref();
        }
    }
}

/// Numbers below this are kept in a vector indexed by number; higher ones
/// (only a spawn's explicit mappings or a renumbering can make them) in a
/// map. The vector holds at most this many entries (a few KiB).
const DENSE: u32 = 64;

/// Guest descriptor numbers and what they stand for.
#[derive(Debug, Default)]
pub struct FdTable {
    /// Descriptors numbered below [`DENSE`], by number; never ends with
    /// `None`, so its length is one past the highest such number in use.
    dense: Vec<Option<Descriptor>>,
    /// Descriptors numbered [`DENSE`] and up, made on the first (boxed: a
    /// table is part of every process's entry, kept small).
    #[allow(clippy::box_collection)] // 8 bytes in the entry instead of 24
    sparse: Option<Box<BTreeMap<u32, Descriptor>>>,
    /// Descriptors held (in both parts).
    count: u32,
    free: BTreeSet<u32>,
    /// Most descriptors this table may hold (`None`: no own limit).
    cap: Option<u32>,
    /// The shared quota its descriptors are counted against.
    quota: Option<Arc<FdQuota>>,
}

impl Drop for FdTable {
    fn drop(&mut self) {
        if let Some(q) = &self.quota {
            q.sub(self.count);
        }
    }
}

impl FdTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Limits the table: at most `cap` descriptors in it, and every one
    /// counted against `quota` (and the quotas above it). The descriptors
    /// it already holds are counted at once: `Mfile` (nothing changed) if
    /// they do not fit.
    pub fn set_limits(
        &mut self,
        cap: Option<u32>,
        quota: Option<Arc<FdQuota>>,
    ) -> Result<(), Errno> {
        let n = self.count;
        if cap.is_some_and(|c| n > c) || quota.as_ref().is_some_and(|q| !q.has_room(n)) {
            return Err(Errno::Mfile);
        }
        if let Some(q) = &quota {
            q.add(n);
        }
        if let Some(old) = std::mem::replace(&mut self.quota, quota) {
            old.sub(n);
        }
        self.cap = cap;
        Ok(())
    }

    /// The number of descriptors held.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// True when no descriptor is open.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The quota the table counts against.
    pub fn quota(&self) -> Option<&Arc<FdQuota>> {
        self.quota.as_ref()
    }

    /// Whether `n` more descriptors fit under the table's limit and quota.
    pub fn has_room(&self, n: u32) -> bool {
        let held = self.count;
        self.cap.is_none_or(|c| held.saturating_add(n) <= c)
            && self.quota.as_ref().is_none_or(|q| q.has_room(n))
    }

    /// Adds a descriptor and returns its number; `Mfile` past the table's
    /// limit or quota (the descriptor is handed back to be released).
    pub fn try_push(&mut self, d: Descriptor) -> Result<u32, (Errno, Descriptor)> {
        if !self.has_room(1) {
            return Err((Errno::Mfile, d));
        }
        match self.push_unchecked(d) {
            Ok(fd) => Ok(fd),
            Err(e) => Err(e),
        }
    }

    /// Adds a descriptor and returns its number (`Mfile` past the limit or
    /// quota; the descriptor is then dropped, so use [`FdTable::try_push`]
    /// for one that holds a host handle).
    pub fn push(&mut self, d: Descriptor) -> Result<u32, Errno> {
        self.try_push(d).map_err(|(e, _)| e)
    }

    fn push_unchecked(&mut self, d: Descriptor) -> Result<u32, (Errno, Descriptor)> {
        let fd = match self.free.pop_last() {
            Some(fd) => fd,
            None => match self.sparse.as_ref().and_then(|m| m.last_key_value()) {
                Some((last, _)) => match last.checked_add(1) {
                    Some(n) => n,
                    None => return Err((Errno::Mfile, d)),
                },
                None => self.dense.len() as u32,
            },
        };
        self.put(fd, d);
        if let Some(q) = &self.quota {
            q.add(1);
        }
        Ok(fd)
    }

    /// Puts a descriptor at a given number, returning what was there. A new
    /// number is counted against the quota without a check (moving a
    /// descriptor with `fd_renumber` frees one first; a process's starting
    /// descriptors are checked by [`FdTable::set_limits`]).
    pub fn insert_at(&mut self, fd: u32, d: Descriptor) -> Option<Descriptor> {
        if !self.free.is_empty() {
            self.free.remove(&fd);
        }
        let old = self.put(fd, d);
        if old.is_none()
            && let Some(q) = &self.quota
        {
            q.add(1);
        }
        old
    }

    /// Puts `d` at `fd`, returning what was there (counted, not charged).
    fn put(&mut self, fd: u32, d: Descriptor) -> Option<Descriptor> {
        let old = if fd < DENSE {
            let i = fd as usize;
            // At most DENSE entries: a few KiB of bookkeeping.
            if i == self.dense.len() {
                // The next number (a new table's stdio, a push): appended.
                self.dense.push(Some(d));
                self.count += 1;
                return None;
            }
            if i > self.dense.len() {
                self.dense.resize_with(i + 1, || None);
            }
            self.dense[i].replace(d)
        } else {
            self.sparse.get_or_insert_default().insert(fd, d)
        };
        if old.is_none() {
            self.count += 1;
        }
        old
    }

    /// The descriptor `fd`.
    pub fn get(&self, fd: u32) -> Result<&Descriptor, Errno> {
        if fd < DENSE {
            self.dense.get(fd as usize).and_then(Option::as_ref)
        } else {
            self.sparse.as_ref().and_then(|m| m.get(&fd))
        }
        .ok_or(Errno::Badf)
    }

    /// The descriptor `fd`, mutably.
    pub fn get_mut(&mut self, fd: u32) -> Result<&mut Descriptor, Errno> {
        if fd < DENSE {
            self.dense.get_mut(fd as usize).and_then(Option::as_mut)
        } else {
            self.sparse.as_mut().and_then(|m| m.get_mut(&fd))
        }
        .ok_or(Errno::Badf)
    }

    /// Removes `fd`.
    pub fn remove(&mut self, fd: u32) -> Result<Descriptor, Errno> {
        let d = if fd < DENSE {
            let d = self
                .dense
                .get_mut(fd as usize)
                .and_then(Option::take)
                .ok_or(Errno::Badf)?;
            while self.dense.last().is_some_and(Option::is_none) {
                self.dense.pop();
            }
            d
        } else {
            let m = self.sparse.as_mut().ok_or(Errno::Badf)?;
            m.remove(&fd).ok_or(Errno::Badf)?
        };
        self.count -= 1;
        self.free.insert(fd);
        if let Some(q) = &self.quota {
            q.sub(1);
        }
        Ok(d)
    }

    /// Removes every descriptor (the caller releases what they hold).
    pub fn drain(&mut self) -> impl Iterator<Item = Descriptor> + use<> {
        let dense = std::mem::take(&mut self.dense);
        let sparse = std::mem::take(&mut self.sparse);
        if let Some(q) = &self.quota {
            q.sub(self.count);
        }
        self.count = 0;
        self.free.clear();
        let sparse = sparse.map(|m| *m).unwrap_or_default();
        dense.into_iter().flatten().chain(sparse.into_values())
    }

    /// Removes every descriptor and hands each to `f` (which releases
    /// what it holds): [`FdTable::drain`] without its iterator, for a
    /// table that is being dropped.
    pub fn drain_each(&mut self, mut f: impl FnMut(Descriptor)) {
        if let Some(q) = &self.quota {
            q.sub(self.count);
        }
        self.count = 0;
        for d in std::mem::take(&mut self.dense).into_iter().flatten() {
            f(d);
        }
        if let Some(m) = self.sparse.take() {
            for d in m.into_values() {
                f(d);
            }
        }
        // (Clearing an empty set still costs a call.)
        if !self.free.is_empty() {
            self.free.clear();
        }
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
            Descriptor::HostStdin
            | Descriptor::Input(_)
            | Descriptor::Output(_)
            | Descriptor::Socket(_) => Err(Errno::Spipe),
            Descriptor::Dir(_) => Err(Errno::Badf),
        }
    }

    /// The socket behind `fd`: `Notsock` for another open descriptor,
    /// `Badf` for a number that is not open.
    pub fn socket(&self, fd: u32) -> Result<&SockFd, Errno> {
        match self.get(fd)? {
            Descriptor::Socket(s) => Ok(s),
            _ => Err(Errno::Notsock),
        }
    }

    /// The numbers in use, in order.
    pub fn fds(&self) -> impl Iterator<Item = u32> + '_ {
        let dense = self.dense.iter().enumerate();
        dense
            .filter(|(_, d)| d.is_some())
            .map(|(n, _)| n as u32)
            .chain(self.sparse.iter().flat_map(|m| m.keys().copied()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::Sink;

    fn out() -> Descriptor {
        Descriptor::Output(Box::new(Sink))
    }

    #[test]
    fn numbers_are_reused_highest_freed_first_in_both_parts() {
        let q = FdQuota::new(1000, None);
        let mut t = FdTable::new();
        t.set_limits(None, Some(q.clone())).unwrap();
        for n in 0..5 {
            assert_eq!(t.push(out()), Ok(n));
        }
        t.remove(1).unwrap();
        t.remove(3).unwrap();
        assert_eq!(t.remove(3).err(), Some(Errno::Badf));
        assert_eq!(t.push(out()), Ok(3));
        assert_eq!(t.push(out()), Ok(1));
        assert_eq!(t.push(out()), Ok(5));
        // Removing the highest frees it for the next push, too.
        t.remove(5).unwrap();
        t.remove(4).unwrap();
        assert_eq!(t.push(out()), Ok(5));
        assert_eq!(t.push(out()), Ok(4));
        // A number far above the dense part, then past it.
        assert!(t.insert_at(1_000_000, out()).is_none());
        assert!(t.insert_at(DENSE, out()).is_none());
        assert_eq!(t.push(out()), Ok(1_000_001));
        assert!(t.get(1_000_000).is_ok() && t.get(DENSE).is_ok());
        assert_eq!(t.get(DENSE + 1).err(), Some(Errno::Badf));
        assert!(t.insert_at(2, out()).is_some(), "replaces what was there");
        assert_eq!(t.len(), 9);
        assert_eq!(q.used(), 9);
        let fds: Vec<u32> = t.fds().collect();
        assert_eq!(fds, [0, 1, 2, 3, 4, 5, DENSE, 1_000_000, 1_000_001]);
        t.remove(1_000_001).unwrap();
        t.remove(1_000_000).unwrap();
        t.remove(DENSE).unwrap();
        assert_eq!(t.push(out()), Ok(1_000_001));
        assert_eq!(t.drain().count(), 7);
        assert!(t.is_empty());
        assert_eq!(q.used(), 0);
        assert_eq!(t.push(out()), Ok(0), "a drained table starts over");
        drop(t);
        assert_eq!(q.used(), 0);
    }

    #[test]
    fn an_empty_table_numbers_from_the_first_free_past_a_mapping() {
        let mut t = FdTable::new();
        assert!(t.insert_at(4, out()).is_none());
        assert_eq!(t.push(out()), Ok(5));
        assert_eq!(t.get(0).err(), Some(Errno::Badf));
        assert_eq!(t.remove(0).err(), Some(Errno::Badf));
        t.remove(5).unwrap();
        t.remove(4).unwrap();
        assert!(t.is_empty());
        assert_eq!(t.push(out()), Ok(5));
    }
}
