//! Errnos of the `wasi_process` calls and their conversion to `io::Error`.

use std::fmt;
use std::io;

/// A WASI preview1 errno, as the `wasi_process` calls return it.
///
/// Errors of this crate are `std::io::Error`s made with
/// [`io::Error::from_raw_os_error`] from the errno (on wasm32-wasip1 the
/// OS error numbers are WASI's), so they print sensibly ("Capabilities
/// insufficient (os error 76)") and have the usual [`io::ErrorKind`]; the
/// errno is back with [`Errno::of`] or `err.raw_os_error()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub u16);

impl Errno {
    /// `AGAIN`: a process limit was reached.
    pub const AGAIN: Errno = Errno(6);
    /// `BADF`: not an open descriptor (or unknown spawn configuration).
    pub const BADF: Errno = Errno(8);
    /// `CHILD`: no such child to wait for.
    pub const CHILD: Errno = Errno(12);
    /// `FAULT`: a pointer outside the guest's memory.
    pub const FAULT: Errno = Errno(21);
    /// `INVAL`: an invalid argument.
    pub const INVAL: Errno = Errno(28);
    /// `MFILE`: too many open descriptors.
    pub const MFILE: Errno = Errno(33);
    /// `NOENT`: the module is allowed but cannot be loaded.
    pub const NOENT: Errno = Errno(44);
    /// `NOTSUP`: the descriptor cannot be shared.
    pub const NOTSUP: Errno = Errno(58);
    /// `PERM`: not a descendant of the caller.
    pub const PERM: Errno = Errno(63);
    /// `PIPE`: writing to a pipe with no reader left.
    pub const PIPE: Errno = Errno(64);
    /// `SRCH`: no such process.
    pub const SRCH: Errno = Errno(71);
    /// `NOTCAPABLE`: the caller lacks the capability (module not allowed,
    /// wider rights or limits than its own).
    pub const NOTCAPABLE: Errno = Errno(76);

    /// The errno of an error from this crate (or any WASI call made by std).
    pub fn of(err: &io::Error) -> Option<Errno> {
        err.raw_os_error()
            .and_then(|n| u16::try_from(n).ok())
            .map(Errno)
    }

    /// The errno's short name (`"NOTCAPABLE"`), if it is one the ABI uses.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "SUCCESS",
            6 => "AGAIN",
            8 => "BADF",
            12 => "CHILD",
            21 => "FAULT",
            28 => "INVAL",
            33 => "MFILE",
            44 => "NOENT",
            58 => "NOTSUP",
            63 => "PERM",
            64 => "PIPE",
            71 => "SRCH",
            76 => "NOTCAPABLE",
            _ => return None,
        })
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "E{name} ({})", self.0),
            None => write!(f, "errno {}", self.0),
        }
    }
}

impl From<Errno> for io::Error {
    fn from(e: Errno) -> io::Error {
        io::Error::from_raw_os_error(i32::from(e.0))
    }
}

/// Turns a raw errno into `Ok(())` or the matching `io::Error`.
pub(crate) fn check(errno: i32) -> io::Result<()> {
    if errno == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(errno))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_round_trips_through_io_error() {
        let err = io::Error::from(Errno::NOTCAPABLE);
        assert_eq!(Errno::of(&err), Some(Errno::NOTCAPABLE));
        assert_eq!(err.raw_os_error(), Some(76));
        assert!(check(0).is_ok());
        assert_eq!(Errno::of(&check(12).unwrap_err()), Some(Errno::CHILD));
        assert_eq!(Errno::AGAIN.to_string(), "EAGAIN (6)");
    }
}
