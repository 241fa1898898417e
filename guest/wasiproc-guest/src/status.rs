//! How a child ended: [`ExitStatus`], decoded from the ABI's `status`.

use crate::sys;
use std::fmt;

/// Which resource limit a process exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// Memory: the bytes its subtree holds (the child's `max_memory`).
    Memory,
    /// Processes.
    Processes,
    /// Open descriptors.
    Fds,
    /// A limit kind this crate does not know (a newer host).
    Other(u64),
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Memory => f.write_str("memory"),
            Limit::Processes => f.write_str("processes"),
            Limit::Fds => f.write_str("fds"),
            Limit::Other(n) => write!(f, "limit {n}"),
        }
    }
}

/// How a child process ended, as [`Child::wait`](crate::Child::wait)
/// reports it.
///
/// Displays as `exited(0)`, `killed(by 1)`, `trapped(unreachable)`,
/// `out of fuel` or `limit exceeded(memory)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExitStatus {
    /// It exited with this code (`proc_exit`, or 0 when `_start` returned).
    Exited(i32),
    /// It was killed (it or an ancestor was the target of a `kill`).
    Killed {
        /// The pid of the process that killed it; 0 for the runtime (which
        /// kills every process still running when the root ends).
        by: u32,
    },
    /// It trapped.
    Trapped {
        /// The trap code (`sys::TRAP_*`; [`trap_name`] describes it).
        code: u32,
    },
    /// It used up its total fuel budget (the `fuel` limit).
    OutOfFuel,
    /// It exceeded a resource limit.
    LimitExceeded(Limit),
    /// A status kind this crate does not know (a newer host).
    Unknown {
        /// `status.kind`.
        kind: u32,
        /// `status.value`.
        value: u64,
    },
}

impl ExitStatus {
    /// Decodes the ABI's `(kind, value)`.
    pub fn from_raw(kind: u32, value: u64) -> ExitStatus {
        match kind {
            sys::STATUS_EXITED => ExitStatus::Exited(value as u32 as i32),
            sys::STATUS_KILLED => ExitStatus::Killed { by: value as u32 },
            sys::STATUS_TRAPPED => ExitStatus::Trapped { code: value as u32 },
            sys::STATUS_OUT_OF_FUEL => ExitStatus::OutOfFuel,
            sys::STATUS_LIMIT_EXCEEDED => ExitStatus::LimitExceeded(match value {
                sys::LIMIT_EXCEEDED_MEMORY => Limit::Memory,
                sys::LIMIT_EXCEEDED_PROCESSES => Limit::Processes,
                sys::LIMIT_EXCEEDED_FDS => Limit::Fds,
                n => Limit::Other(n),
            }),
            kind => ExitStatus::Unknown { kind, value },
        }
    }

    /// Whether the child exited with code 0.
    pub fn success(&self) -> bool {
        *self == ExitStatus::Exited(0)
    }

    /// The exit code, if the child exited (rather than being killed,
    /// trapping or exceeding a limit).
    pub fn code(&self) -> Option<i32> {
        match self {
            ExitStatus::Exited(code) => Some(*code),
            _ => None,
        }
    }
}

/// What a trap code means (`"unreachable"`, `"integer divide by zero"`,
/// ...), for the codes docs/abi.md lists.
pub fn trap_name(code: u32) -> Option<&'static str> {
    Some(match code {
        sys::TRAP_UNREACHABLE => "unreachable",
        sys::TRAP_MEMORY_OUT_OF_BOUNDS => "out of bounds memory access",
        sys::TRAP_TABLE_OUT_OF_BOUNDS => "out of bounds table access",
        sys::TRAP_UNDEFINED_ELEMENT => "undefined element",
        sys::TRAP_UNINITIALIZED_ELEMENT => "uninitialized element",
        sys::TRAP_INDIRECT_CALL_TYPE_MISMATCH => "indirect call type mismatch",
        sys::TRAP_INTEGER_DIVIDE_BY_ZERO => "integer divide by zero",
        sys::TRAP_INTEGER_OVERFLOW => "integer overflow",
        sys::TRAP_INVALID_CONVERSION_TO_INTEGER => "invalid conversion to integer",
        sys::TRAP_NULL_REFERENCE => "null reference",
        sys::TRAP_CALL_STACK_EXHAUSTED => "call stack exhausted",
        sys::TRAP_OTHER => "host trap",
        _ => return None,
    })
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitStatus::Exited(code) => write!(f, "exited({code})"),
            ExitStatus::Killed { by } => write!(f, "killed(by {by})"),
            ExitStatus::Trapped { code } => match trap_name(*code) {
                Some(name) => write!(f, "trapped({name})"),
                None => write!(f, "trapped(code {code})"),
            },
            ExitStatus::OutOfFuel => f.write_str("out of fuel"),
            ExitStatus::LimitExceeded(limit) => write!(f, "limit exceeded({limit})"),
            ExitStatus::Unknown { kind, value } => write!(f, "unknown status({kind}, {value})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_kind() {
        assert_eq!(ExitStatus::from_raw(0, 0), ExitStatus::Exited(0));
        assert_eq!(
            ExitStatus::from_raw(0, u64::from(u32::MAX)),
            ExitStatus::Exited(-1)
        );
        assert_eq!(ExitStatus::from_raw(1, 1), ExitStatus::Killed { by: 1 });
        assert_eq!(ExitStatus::from_raw(2, 7), ExitStatus::Trapped { code: 7 });
        assert_eq!(ExitStatus::from_raw(3, 0), ExitStatus::OutOfFuel);
        assert_eq!(
            ExitStatus::from_raw(4, 0),
            ExitStatus::LimitExceeded(Limit::Memory)
        );
        assert_eq!(
            ExitStatus::from_raw(4, 2),
            ExitStatus::LimitExceeded(Limit::Fds)
        );
        assert_eq!(
            ExitStatus::from_raw(9, 3),
            ExitStatus::Unknown { kind: 9, value: 3 }
        );
    }

    #[test]
    fn displays_like_the_host() {
        let shown: Vec<String> = [
            ExitStatus::Exited(3),
            ExitStatus::Killed { by: 1 },
            ExitStatus::Trapped { code: 1 },
            ExitStatus::OutOfFuel,
            ExitStatus::LimitExceeded(Limit::Memory),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            shown,
            [
                "exited(3)",
                "killed(by 1)",
                "trapped(unreachable)",
                "out of fuel",
                "limit exceeded(memory)"
            ]
        );
    }

    #[test]
    fn success_and_code() {
        assert!(ExitStatus::Exited(0).success());
        assert!(!ExitStatus::Exited(1).success());
        assert_eq!(ExitStatus::Exited(5).code(), Some(5));
        assert_eq!(ExitStatus::OutOfFuel.code(), None);
    }
}
