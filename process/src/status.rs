//! Exit statuses: how a process ended, as a tagged value.

use crate::pid::Pid;
use std::fmt;
use wasiproc_engine::TrapKind;

/// Which resource limit a process exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// Linear memory bytes.
    Memory,
    /// Descendant processes (reported on spawn as `EAGAIN`, not as a status).
    Processes,
    /// Open descriptors.
    Fds,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::Memory => "memory",
            Limit::Processes => "processes",
            Limit::Fds => "fds",
        })
    }
}

/// How a process ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExitStatus {
    /// It exited with this code (`proc_exit`, or 0 when `_start` returned).
    Exited(i32),
    /// It was killed by this process (or by the runtime, pid 0, when the
    /// root exited while it was still running).
    Killed(Pid),
    /// It trapped.
    Trapped(TrapKind),
    /// It used up its total fuel budget.
    OutOfFuel,
    /// It exceeded a resource limit.
    LimitExceeded(Limit),
}

impl ExitStatus {
    /// The ABI encoding: `(kind, value)` — see docs/abi.md.
    pub fn encode(&self) -> (u32, u64) {
        match self {
            ExitStatus::Exited(code) => (0, *code as u32 as u64),
            ExitStatus::Killed(by) => (1, by.0 as u64),
            ExitStatus::Trapped(kind) => (2, trap_code(*kind) as u64),
            ExitStatus::OutOfFuel => (3, 0),
            ExitStatus::LimitExceeded(l) => (4, *l as u64),
        }
    }

    /// An exit code for a shell: the code itself for `Exited`, 128+9 for a
    /// kill, 134 for traps and exceeded limits (as wasmtime's CLI does).
    pub fn shell_code(&self) -> i32 {
        match self {
            ExitStatus::Exited(code) => *code,
            ExitStatus::Killed(_) => 137,
            _ => 134,
        }
    }
}

/// The number the ABI uses for a trap kind (docs/abi.md).
pub fn trap_code(kind: TrapKind) -> u32 {
    match kind {
        TrapKind::Unreachable => 1,
        TrapKind::MemoryOutOfBounds => 2,
        TrapKind::TableOutOfBounds => 3,
        TrapKind::UndefinedElement => 4,
        TrapKind::UninitializedElement => 5,
        TrapKind::IndirectCallTypeMismatch => 6,
        TrapKind::IntegerDivideByZero => 7,
        TrapKind::IntegerOverflow => 8,
        TrapKind::InvalidConversionToInteger => 9,
        TrapKind::NullReference => 10,
        TrapKind::StackExhausted => 11,
        TrapKind::OutOfFuel => 12,
        TrapKind::MemoryLimit => 13,
        TrapKind::UncaughtException => 15,
        _ => 14,
    }
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitStatus::Exited(code) => write!(f, "exited({code})"),
            ExitStatus::Killed(by) => write!(f, "killed(by {by})"),
            ExitStatus::Trapped(kind) => write!(f, "trapped({kind})"),
            ExitStatus::OutOfFuel => f.write_str("out of fuel"),
            ExitStatus::LimitExceeded(l) => write!(f, "limit exceeded({l})"),
        }
    }
}
