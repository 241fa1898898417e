//! Process identifiers.

use std::fmt;

/// A process identifier. Pids are assigned in spawn order starting at 1 (the
/// root) and are never reused within a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pid(pub u32);

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The pid of the root process of every run.
pub const ROOT: Pid = Pid(1);
