//! [`BlockedOn`]: why a WASI call cannot finish now.
//!
//! A host function that would have to wait (a read from stdin with nothing
//! available, `poll_oneoff` whose subscriptions are not ready yet) does not
//! block the thread: it returns `HostError::Blocked(Box::new(BlockedOn::..))`
//! and the engine suspends the call. Whoever drives the store waits for the
//! condition — the single-process driver ([`crate::run()`]) asks the
//! [`crate::HostEnv`] to wait; a scheduler parks the process — and then
//! resumes the store, which calls the same host function again with the same
//! arguments. WASI functions are written so that the retried call sees the
//! same state (e.g. `poll_oneoff` keeps the deadlines it computed the first
//! time) and succeeds once the condition holds.

/// Whether a descriptor is awaited for reading or for writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interest {
    /// Data to read (or end of stream).
    Read,
    /// Room to write.
    Write,
}

/// What a store suspends with when its guest called `sched_yield`
/// ([`BlockedOn::Yield`] as the suspension's value). Zero-sized, so boxing
/// it for the suspension allocates nothing: a yield costs no allocation.
/// A driver lets others run and completes the call with errno 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Yielded;

/// The condition a blocked WASI call waits for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BlockedOn {
    /// The host's standard input has no data yet (it is read through
    /// [`crate::HostEnv::stdin_read`]).
    Stdin,
    /// A guest descriptor backed by a pluggable stream (e.g. a pipe between
    /// processes) is not ready.
    Fd {
        /// The guest's descriptor number.
        fd: u32,
        /// Reading or writing.
        interest: Interest,
    },
    /// A socket of the host environment is not ready: no connection to
    /// accept, no data to receive, no room to send. Something outside the
    /// run (a peer) makes it ready; the host waits for it with `poll(2)`.
    Socket {
        /// The guest's descriptor number (for messages and event logs).
        fd: u32,
        /// The host environment's handle of the socket.
        handle: u64,
        /// Reading (accepting, receiving) or writing (sending).
        interest: Interest,
    },
    /// The host environment's monotonic clock must reach `deadline`
    /// (nanoseconds, as [`crate::HostEnv::monotonic_now`] counts them).
    Timer {
        /// The deadline in nanoseconds of the monotonic clock.
        deadline: u64,
    },
    /// Whichever of these happens first (`poll_oneoff` with several
    /// subscriptions).
    Any(Vec<BlockedOn>),
    /// Nothing to wait for: the guest gives up the rest of its slice
    /// (`sched_yield`). Ready at once; the driver completes the call with
    /// `Store::resume_with(&[Val::I32(0)])` instead of calling it again.
    Yield,
}

impl BlockedOn {
    /// The earliest timer deadline in the condition, if any.
    pub fn deadline(&self) -> Option<u64> {
        match self {
            BlockedOn::Timer { deadline } => Some(*deadline),
            BlockedOn::Any(v) => v.iter().filter_map(BlockedOn::deadline).min(),
            _ => None,
        }
    }

    /// True when the condition includes the host's standard input.
    pub fn includes_stdin(&self) -> bool {
        match self {
            BlockedOn::Stdin => true,
            BlockedOn::Any(v) => v.iter().any(BlockedOn::includes_stdin),
            _ => false,
        }
    }

    /// The host sockets in the condition: (handle, interest).
    pub fn sockets(&self) -> Vec<(u64, Interest)> {
        match self {
            BlockedOn::Socket {
                handle, interest, ..
            } => vec![(*handle, *interest)],
            BlockedOn::Any(v) => v.iter().flat_map(BlockedOn::sockets).collect(),
            _ => Vec::new(),
        }
    }

    /// The guest descriptors (with pluggable streams) in the condition.
    pub fn fds(&self) -> Vec<(u32, Interest)> {
        match self {
            BlockedOn::Fd { fd, interest } => vec![(*fd, *interest)],
            BlockedOn::Any(v) => v.iter().flat_map(BlockedOn::fds).collect(),
            _ => Vec::new(),
        }
    }
}

impl std::fmt::Display for BlockedOn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlockedOn::Stdin => f.write_str("stdin"),
            BlockedOn::Yield => f.write_str("its next turn"),
            BlockedOn::Fd { fd, interest } => write!(f, "fd {fd} ({interest:?})"),
            BlockedOn::Socket { fd, interest, .. } => write!(f, "socket fd {fd} ({interest:?})"),
            BlockedOn::Timer { deadline } => write!(f, "timer at {deadline} ns"),
            BlockedOn::Any(v) => {
                f.write_str("any of [")?;
                for (i, b) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{b}")?;
                }
                f.write_str("]")
            }
        }
    }
}
