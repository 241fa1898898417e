//! Scheduler events: what happened to which process, and when in fuel.
//!
//! A [`crate::Runtime`] with an event sink ([`crate::Runtime::set_event_sink`])
//! reports every scheduling decision as an [`Event`]: the start and end of
//! each slice, a process blocking and waking, spawns, kills and exits. The
//! events of a run are a deterministic function of its inputs (they carry
//! fuel counts, never wall time), so two runs can be compared event by event,
//! and a timeline can be drawn from them.

use crate::pid::Pid;
use crate::status::ExitStatus;
use std::fmt;
use wasiproc_wasi::BlockedOn;

/// Why a process is parked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// A WASI call waits for this condition.
    On(BlockedOn),
    /// `wait` for this child (`None`: any child).
    Child(Option<Pid>),
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Blocker::On(on) => write!(f, "{on}"),
            Blocker::Child(Some(pid)) => write!(f, "wait child {pid}"),
            Blocker::Child(None) => f.write_str("wait any child"),
        }
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// The process starts a slice.
    SliceStart,
    /// The process's slice ended after it consumed `fuel`.
    SliceEnd {
        /// Fuel consumed in this slice.
        fuel: u64,
    },
    /// The process is parked.
    Blocked(Blocker),
    /// The parked process is runnable again.
    Woken,
    /// The process (pid 0 for the runtime, when the root starts) spawned
    /// `child` running `module`.
    Spawned {
        /// The new process.
        child: Pid,
        /// Its module's name.
        module: String,
    },
    /// The process killed `target` and its subtree (each of which then
    /// reports [`EventKind::Exited`]).
    Killed {
        /// The process named in the kill.
        target: Pid,
    },
    /// The process ended.
    Exited(ExitStatus),
}

/// One scheduler event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Fuel the whole run had consumed when it happened (the run's
    /// deterministic clock).
    pub fuel: u64,
    /// The process it happened to (or, for spawns and kills, the one that
    /// acted).
    pub pid: Pid,
    /// What happened.
    pub kind: EventKind,
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fuel {} pid {}: ", self.fuel, self.pid)?;
        match &self.kind {
            EventKind::SliceStart => f.write_str("slice start"),
            EventKind::SliceEnd { fuel } => write!(f, "slice end ({fuel} fuel)"),
            EventKind::Blocked(b) => write!(f, "blocked: {b}"),
            EventKind::Woken => f.write_str("woken"),
            EventKind::Spawned { child, module } => write!(f, "spawned pid {child} ({module})"),
            EventKind::Killed { target } => write!(f, "killed pid {target}"),
            EventKind::Exited(status) => write!(f, "ended: {status}"),
        }
    }
}

/// Receives the events of a run, in order.
pub type EventSink = Box<dyn FnMut(&Event) + Send>;
