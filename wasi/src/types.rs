//! ABI types and constants of `wasi_snapshot_preview1`: file types, stat
//! records, flags and rights bits, with their byte layouts in guest memory.

use crate::errno::WasiResult;
use crate::memory::GuestMemory;

/// The type of a file descriptor or file (`filetype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Filetype {
    /// The type is unknown or differs from the others.
    Unknown = 0,
    /// A block device.
    BlockDevice = 1,
    /// A character device (a terminal, `/dev/null`).
    CharacterDevice = 2,
    /// A directory.
    Directory = 3,
    /// A regular file.
    RegularFile = 4,
    /// A datagram socket.
    SocketDgram = 5,
    /// A byte-stream socket.
    SocketStream = 6,
    /// A symbolic link.
    SymbolicLink = 7,
}

/// File attributes (`filestat`), 64 bytes in guest memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Filestat {
    /// Device ID of the device containing the file.
    pub dev: u64,
    /// File serial number.
    pub ino: u64,
    /// File type.
    pub filetype: u8,
    /// Number of hard links.
    pub nlink: u64,
    /// Size in bytes (for symbolic links: the length of the target).
    pub size: u64,
    /// Last data access time, nanoseconds since the Unix epoch.
    pub atim: u64,
    /// Last data modification time, nanoseconds since the Unix epoch.
    pub mtim: u64,
    /// Last status change time, nanoseconds since the Unix epoch.
    pub ctim: u64,
}

impl Filestat {
    /// Size in guest memory.
    pub const SIZE: u32 = 64;

    /// Writes the record at `ptr`.
    pub fn write(&self, mem: &mut GuestMemory<'_>, ptr: u32) -> WasiResult<()> {
        let mut b = [0u8; 64];
        b[0..8].copy_from_slice(&self.dev.to_le_bytes());
        b[8..16].copy_from_slice(&self.ino.to_le_bytes());
        b[16] = self.filetype;
        b[24..32].copy_from_slice(&self.nlink.to_le_bytes());
        b[32..40].copy_from_slice(&self.size.to_le_bytes());
        b[40..48].copy_from_slice(&self.atim.to_le_bytes());
        b[48..56].copy_from_slice(&self.mtim.to_le_bytes());
        b[56..64].copy_from_slice(&self.ctim.to_le_bytes());
        mem.write_bytes(ptr, &b)
    }
}

/// A new timestamp for `*_filestat_set_times`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewTimestamp {
    /// Leave unchanged.
    NoChange,
    /// The host's current time.
    Now,
    /// Nanoseconds since the Unix epoch.
    At(u64),
}

/// `fstflags` bits.
pub mod fstflags {
    /// Set `atim` to the given value.
    pub const ATIM: u16 = 1 << 0;
    /// Set `atim` to the current time.
    pub const ATIM_NOW: u16 = 1 << 1;
    /// Set `mtim` to the given value.
    pub const MTIM: u16 = 1 << 2;
    /// Set `mtim` to the current time.
    pub const MTIM_NOW: u16 = 1 << 3;
}

/// `fdflags` bits.
pub mod fdflags {
    /// Append mode.
    pub const APPEND: u16 = 1 << 0;
    /// Synchronized data integrity writes.
    pub const DSYNC: u16 = 1 << 1;
    /// Non-blocking mode.
    pub const NONBLOCK: u16 = 1 << 2;
    /// Synchronized read integrity.
    pub const RSYNC: u16 = 1 << 3;
    /// Synchronized file integrity writes.
    pub const SYNC: u16 = 1 << 4;
}

/// `oflags` bits of `path_open`.
pub mod oflags {
    /// Create the file if it does not exist.
    pub const CREAT: u16 = 1 << 0;
    /// Fail if not a directory.
    pub const DIRECTORY: u16 = 1 << 1;
    /// Fail if the file already exists.
    pub const EXCL: u16 = 1 << 2;
    /// Truncate the file to size 0.
    pub const TRUNC: u16 = 1 << 3;
}

/// `lookupflags` bits.
pub mod lookupflags {
    /// Follow a symbolic link in the last path component.
    pub const SYMLINK_FOLLOW: u32 = 1 << 0;
}

/// `rights` bits.
#[allow(missing_docs)]
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;
    /// Every right.
    pub const ALL: u64 = (1 << 30) - 1;

    /// Rights of a directory that only reads.
    pub const DIR_READ: u64 =
        PATH_OPEN | FD_READDIR | PATH_READLINK | PATH_FILESTAT_GET | FD_FILESTAT_GET;
    /// Rights of a directory that may also change its contents.
    pub const DIR_MUTATE: u64 = PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_SET_TIMES;
    /// Rights of a file opened for reading.
    pub const FILE_READ: u64 = FD_READ
        | FD_SEEK
        | FD_TELL
        | FD_ADVISE
        | FD_FILESTAT_GET
        | POLL_FD_READWRITE
        | FD_FDSTAT_SET_FLAGS;
    /// Rights a file gains when it may be changed.
    pub const FILE_WRITE: u64 = FD_WRITE
        | FD_DATASYNC
        | FD_SYNC
        | FD_ALLOCATE
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES;
}

/// Clock identifiers (`clockid`).
pub mod clockid {
    /// Wall clock time.
    pub const REALTIME: u32 = 0;
    /// A clock that never goes back.
    pub const MONOTONIC: u32 = 1;
    /// CPU time of the process.
    pub const PROCESS_CPUTIME: u32 = 2;
    /// CPU time of the thread.
    pub const THREAD_CPUTIME: u32 = 3;
}

/// `whence` values of `fd_seek`.
pub mod whence {
    /// From the start of the file.
    pub const SET: u8 = 0;
    /// From the current offset.
    pub const CUR: u8 = 1;
    /// From the end of the file.
    pub const END: u8 = 2;
}

/// `advice` values of `fd_advise`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Advice {
    /// No advice.
    Normal = 0,
    /// Sequential access.
    Sequential = 1,
    /// Random access.
    Random = 2,
    /// Needed soon.
    WillNeed = 3,
    /// Not needed soon.
    DontNeed = 4,
    /// Accessed once.
    NoReuse = 5,
}

impl Advice {
    /// The advice with ABI value `n`.
    pub fn from_raw(n: u8) -> Option<Advice> {
        Some(match n {
            0 => Advice::Normal,
            1 => Advice::Sequential,
            2 => Advice::Random,
            3 => Advice::WillNeed,
            4 => Advice::DontNeed,
            5 => Advice::NoReuse,
            _ => return None,
        })
    }
}

/// A directory entry as the host reports it (without `.` and `..`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// Serial number of the file.
    pub ino: u64,
    /// Type of the file.
    pub filetype: Filetype,
    /// The entry's name.
    pub name: String,
}

/// Size of a `dirent` header in guest memory.
pub const DIRENT_SIZE: u32 = 24;
/// Size of a `subscription` in guest memory.
pub const SUBSCRIPTION_SIZE: u32 = 48;
/// Size of an `event` in guest memory.
pub const EVENT_SIZE: u32 = 32;
