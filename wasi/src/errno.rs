//! Every errno of `wasi_snapshot_preview1` and the one place where failures
//! are converted: host `std::io::Error`s and Linux error numbers into
//! [`Errno`], and [`WasiError`] (errno, trap, exit or "blocked") into what a
//! host function hands back to the engine.
//!
//! Two tiers of failure: an [`Errno`] is returned to the guest as the
//! function's result; a trap, an exit or a "blocked" report stops the guest
//! call ([`WasiError::into_host`]).

use crate::blocked::{BlockedOn, Yielded};
use std::fmt;
use wasiproc_engine::{HostError, Trap, TrapKind};

macro_rules! errnos {
    ($($name:ident = $n:literal, $text:literal;)*) => {
        /// A `wasi_snapshot_preview1` errno. The discriminant is the ABI value.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u16)]
        pub enum Errno {
            $(#[doc = $text] $name = $n,)*
        }

        impl Errno {
            /// The errno's description, as in the WASI specification.
            pub fn description(self) -> &'static str {
                match self { $(Errno::$name => $text,)* }
            }

            /// The errno with ABI value `n`, if there is one.
            pub fn from_raw(n: u16) -> Option<Errno> {
                match n { $($n => Some(Errno::$name),)* _ => None }
            }
        }
    };
}

errnos! {
    Success = 0, "No error occurred. System call completed successfully.";
    TooBig = 1, "Argument list too long.";
    Acces = 2, "Permission denied.";
    Addrinuse = 3, "Address in use.";
    Addrnotavail = 4, "Address not available.";
    Afnosupport = 5, "Address family not supported.";
    Again = 6, "Resource unavailable, or operation would block.";
    Already = 7, "Connection already in progress.";
    Badf = 8, "Bad file descriptor.";
    Badmsg = 9, "Bad message.";
    Busy = 10, "Device or resource busy.";
    Canceled = 11, "Operation canceled.";
    Child = 12, "No child processes.";
    Connaborted = 13, "Connection aborted.";
    Connrefused = 14, "Connection refused.";
    Connreset = 15, "Connection reset.";
    Deadlk = 16, "Resource deadlock would occur.";
    Destaddrreq = 17, "Destination address required.";
    Dom = 18, "Mathematics argument out of domain of function.";
    Dquot = 19, "Reserved.";
    Exist = 20, "File exists.";
    Fault = 21, "Bad address.";
    Fbig = 22, "File too large.";
    Hostunreach = 23, "Host is unreachable.";
    Idrm = 24, "Identifier removed.";
    Ilseq = 25, "Illegal byte sequence.";
    Inprogress = 26, "Operation in progress.";
    Intr = 27, "Interrupted function.";
    Inval = 28, "Invalid argument.";
    Io = 29, "I/O error.";
    Isconn = 30, "Socket is connected.";
    Isdir = 31, "Is a directory.";
    Loop = 32, "Too many levels of symbolic links.";
    Mfile = 33, "File descriptor value too large.";
    Mlink = 34, "Too many links.";
    Msgsize = 35, "Message too large.";
    Multihop = 36, "Reserved.";
    Nametoolong = 37, "Filename too long.";
    Netdown = 38, "Network is down.";
    Netreset = 39, "Connection aborted by network.";
    Netunreach = 40, "Network unreachable.";
    Nfile = 41, "Too many files open in system.";
    Nobufs = 42, "No buffer space available.";
    Nodev = 43, "No such device.";
    Noent = 44, "No such file or directory.";
    Noexec = 45, "Executable file format error.";
    Nolck = 46, "No locks available.";
    Nolink = 47, "Reserved.";
    Nomem = 48, "Not enough space.";
    Nomsg = 49, "No message of the desired type.";
    Noprotoopt = 50, "Protocol not available.";
    Nospc = 51, "No space left on device.";
    Nosys = 52, "Function not supported.";
    Notconn = 53, "The socket is not connected.";
    Notdir = 54, "Not a directory or a symbolic link to a directory.";
    Notempty = 55, "Directory not empty.";
    Notrecoverable = 56, "State not recoverable.";
    Notsock = 57, "Not a socket.";
    Notsup = 58, "Not supported, or operation not supported on socket.";
    Notty = 59, "Inappropriate I/O control operation.";
    Nxio = 60, "No such device or address.";
    Overflow = 61, "Value too large to be stored in data type.";
    Ownerdead = 62, "Previous owner died.";
    Perm = 63, "Operation not permitted.";
    Pipe = 64, "Broken pipe.";
    Proto = 65, "Protocol error.";
    Protonosupport = 66, "Protocol not supported.";
    Prototype = 67, "Protocol wrong type for socket.";
    Range = 68, "Result too large.";
    Rofs = 69, "Read-only file system.";
    Spipe = 70, "Invalid seek.";
    Srch = 71, "No such process.";
    Stale = 72, "Reserved.";
    Timedout = 73, "Connection timed out.";
    Txtbsy = 74, "Text file busy.";
    Xdev = 75, "Cross-device link.";
    Notcapable = 76, "Extension: Capabilities insufficient.";
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (errno {})", self.description(), *self as u16)
    }
}

impl std::error::Error for Errno {}

impl Errno {
    /// Converts a Linux error number (as in `errno.h`) to the WASI errno,
    /// the way wasmtime does on Linux; unknown numbers become [`Errno::Io`].
    pub fn from_linux(code: i32) -> Errno {
        use Errno::*;
        match code {
            1 => Perm,
            2 => Noent,
            3 => Srch,
            4 => Intr,
            5 => Io,
            6 => Nxio,
            7 => TooBig,
            8 => Noexec,
            9 => Badf,
            10 => Child,
            11 => Again,
            12 => Nomem,
            13 => Acces,
            14 => Fault,
            16 => Busy,
            17 => Exist,
            18 => Xdev,
            19 => Nodev,
            20 => Notdir,
            21 => Isdir,
            22 => Inval,
            23 => Nfile,
            24 => Mfile,
            25 => Notty,
            26 => Txtbsy,
            27 => Fbig,
            28 => Nospc,
            29 => Spipe,
            30 => Rofs,
            31 => Mlink,
            32 => Pipe,
            33 => Dom,
            34 => Range,
            35 => Deadlk,
            36 => Nametoolong,
            37 => Nolck,
            38 => Nosys,
            39 => Notempty,
            40 => Loop,
            42 => Nomsg,
            43 => Idrm,
            67 => Nolink,
            71 => Proto,
            72 => Multihop,
            74 => Badmsg,
            75 => Overflow,
            84 => Ilseq,
            88 => Notsock,
            89 => Destaddrreq,
            90 => Msgsize,
            91 => Prototype,
            92 => Noprotoopt,
            93 => Protonosupport,
            95 => Notsup,
            97 => Afnosupport,
            98 => Addrinuse,
            99 => Addrnotavail,
            100 => Netdown,
            101 => Netunreach,
            102 => Netreset,
            103 => Connaborted,
            104 => Connreset,
            105 => Nobufs,
            106 => Isconn,
            107 => Notconn,
            110 => Timedout,
            111 => Connrefused,
            113 => Hostunreach,
            114 => Already,
            115 => Inprogress,
            116 => Stale,
            122 => Dquot,
            125 => Canceled,
            130 => Ownerdead,
            131 => Notrecoverable,
            _ => Io,
        }
    }
}

impl From<std::io::Error> for Errno {
    /// Host I/O errors: the OS error number when there is one; otherwise the
    /// error kind. cap-std reports a path that would leave its directory as
    /// `PermissionDenied` without an OS number, which becomes [`Errno::Perm`]
    /// (as in wasmtime).
    fn from(e: std::io::Error) -> Errno {
        if let Some(code) = e.raw_os_error() {
            return Errno::from_linux(code);
        }
        use std::io::ErrorKind as K;
        match e.kind() {
            K::NotFound => Errno::Noent,
            K::PermissionDenied => Errno::Perm,
            K::AlreadyExists => Errno::Exist,
            K::InvalidInput => Errno::Inval,
            K::Unsupported => Errno::Notsup,
            K::WouldBlock => Errno::Again,
            K::Interrupted => Errno::Intr,
            K::BrokenPipe => Errno::Pipe,
            K::OutOfMemory => Errno::Nomem,
            _ => Errno::Io,
        }
    }
}

impl From<rustix::io::Errno> for Errno {
    fn from(e: rustix::io::Errno) -> Errno {
        Errno::from_linux(e.raw_os_error())
    }
}

impl From<std::num::TryFromIntError> for Errno {
    fn from(_: std::num::TryFromIntError) -> Errno {
        Errno::Overflow
    }
}

/// How a WASI function can fail: an errno for the guest, or something that
/// stops the guest call.
#[derive(Debug)]
pub enum WasiError {
    /// Returned to the guest as the function's result.
    Errno(Errno),
    /// A pointer or length the guest passed leaves its linear memory: the
    /// guest traps (as the witx conventions and wasmtime require).
    MemoryOutOfBounds,
    /// The guest traps with this message.
    Trap(String),
    /// The guest called `proc_exit` with this code.
    Exit(i32),
    /// The call must wait; it is called again with the same arguments once
    /// the condition may hold.
    Blocked(BlockedOn),
    /// The host work the call would do costs more fuel than the guest has
    /// left: the guest traps with "out of fuel" before anything is done.
    OutOfFuel,
}

impl From<Errno> for WasiError {
    fn from(e: Errno) -> Self {
        WasiError::Errno(e)
    }
}

impl From<std::io::Error> for WasiError {
    fn from(e: std::io::Error) -> Self {
        WasiError::Errno(e.into())
    }
}

impl From<std::num::TryFromIntError> for WasiError {
    fn from(_: std::num::TryFromIntError) -> Self {
        WasiError::Errno(Errno::Overflow)
    }
}

impl WasiError {
    /// The engine-facing result: `Ok(errno)` for errnos, `Err` for the rest.
    pub fn into_host(self) -> Result<i32, HostError> {
        match self {
            WasiError::Errno(e) => Ok(e as i32),
            WasiError::MemoryOutOfBounds => {
                Err(HostError::Trap(Trap::new(TrapKind::MemoryOutOfBounds)))
            }
            WasiError::Trap(m) => Err(HostError::trap(m)),
            WasiError::Exit(c) => Err(HostError::Exit(c)),
            // A yield suspends with a zero-sized value: no allocation.
            WasiError::Blocked(BlockedOn::Yield) => Err(HostError::Blocked(Box::new(Yielded))),
            WasiError::Blocked(b) => Err(HostError::Blocked(Box::new(b))),
            WasiError::OutOfFuel => Err(HostError::Trap(Trap::new(TrapKind::OutOfFuel))),
        }
    }
}

/// The result type of every WASI function implementation.
pub type WasiResult<T> = Result<T, WasiError>;
