//! Per-process resource limits.

/// Limits of one process; `None` is unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Total fuel the process may consume.
    pub fuel: Option<u64>,
    /// Bytes of memory the process and its descendants may hold in all
    /// (memories, tables, stacks, ABI-side buffers: [`crate::account`]);
    /// `None` leaves it bounded by its ancestors' limits only.
    pub memory: Option<usize>,
    /// Descendants alive at once under the process.
    pub descendants: Option<u32>,
    /// Open descriptors.
    pub fds: Option<u32>,
}

/// Limit kinds of the ABI (`spawn_config_limit`).
pub mod kind {
    /// Total fuel.
    pub const FUEL: i32 = 0;
    /// Memory bytes.
    pub const MEMORY: i32 = 1;
    /// Descendants alive at once.
    pub const DESCENDANTS: i32 = 2;
    /// Open descriptors.
    pub const FDS: i32 = 3;
}

/// Whether `want` is no wider than `have` (a `None` want under a limited
/// parent is wider).
pub fn within<T: PartialOrd>(want: Option<T>, have: Option<T>) -> bool {
    match (want, have) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(w), Some(h)) => w <= h,
    }
}
